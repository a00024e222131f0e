"""Draw the portal's favicon and app icons with Pillow, from the same geometry as ``static/icons/icon.svg``.

Run from the repository root after changing the design: ``.venv/bin/python scripts/make_icons.py``.
The design is a speech bubble with three dots (taking part in a conversation) on the KERN blue.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "src" / "mitwirken" / "static" / "icons"
BLUE, WHITE = "#1a3da5", "#ffffff"
# The 64×64 design grid shared with icon.svg.
BUBBLE = (10, 14, 54, 44)  # left, top, right, bottom of the bubble's body
TAIL = [(18, 43), (18, 54), (31, 43)]
DOTS = [(22, 29), (32, 29), (42, 29)]
SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="12" fill="{BLUE}"/>
  <rect x="{BUBBLE[0]}" y="{BUBBLE[1]}" width="{BUBBLE[2] - BUBBLE[0]}" height="{BUBBLE[3] - BUBBLE[1]}" rx="6" fill="{WHITE}"/>
  <polygon points="{" ".join(f"{x},{y}" for x, y in TAIL)}" fill="{WHITE}"/>
{"".join(f'  <circle cx="{x}" cy="{y}" r="3.5" fill="{BLUE}"/>{chr(10)}' for x, y in DOTS)}</svg>
"""


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    """The icon at ``size`` pixels; a maskable icon is full-bleed with the bubble inside the 80 % safe zone."""
    scale_up = 4  # draw large and scale down for smooth edges
    big = size * scale_up
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    inset = 0.1 * big if maskable else 0
    unit = (big - 2 * inset) / 64

    def at(x: float, y: float) -> tuple[float, float]:
        return inset + x * unit, inset + y * unit

    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=12 * unit, fill=BLUE)
    pen.rounded_rectangle((*at(BUBBLE[0], BUBBLE[1]), *at(BUBBLE[2], BUBBLE[3])), radius=6 * unit, fill=WHITE)
    pen.polygon([at(x, y) for x, y in TAIL], fill=WHITE)
    for x, y in DOTS:
        cx, cy = at(x, y)
        pen.ellipse((cx - 3.5 * unit, cy - 3.5 * unit, cx + 3.5 * unit, cy + 3.5 * unit), fill=BLUE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon.svg").write_text(SVG, encoding="utf-8")
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS draws its own rounded corners and shows transparency as black: full-bleed, opaque.
    draw(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
