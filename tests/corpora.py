"""The project's own attack corpora, generated in code: XSS payloads by class and hostile files by kind.

Every XSS payload, if a browser ever runs it, sets ``window.__xss`` to its number, logs the console marker
``XSSRAN`` and calls ``alert`` (a dialog event), so a test can notice execution three ways. The payloads are
built from classes × breakouts × encodings rather than copied from a list, so a new class is one function.

Upload payloads are real files built with Pillow, zlib and zipfile (nothing is checked into the repository);
each comes with what the portal must do with it (``expect``).
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

MARKER = "XSSRAN"


def js(number: int) -> str:
    """The script a payload runs; free of quotes so it fits every attribute and string context."""
    return f"window.__xss={number};console.log(/{MARKER}/.source);alert({number})"


# --- XSS ------------------------------------------------------------------------------------------------------------

BREAKOUTS = ("", '">', "'>", "</textarea>", "</title>", "</script>", "-->", "</style>", "]]>")


def _script_tags(n: Callable[[], int]) -> list[str]:
    return [
        f"<script>{js(n())}</script>",
        f"<ScRiPt >{js(n())}</sCrIpT >",
        f"<script src=data:,{js(n())}></script>",
        f"<script/x>{js(n())}</script>",
        *[f"{breakout}<script>{js(n())}</script>" for breakout in BREAKOUTS[1:]],
    ]


def _event_handlers(n: Callable[[], int]) -> list[str]:
    return [
        f"<img src=x onerror={js(n())}>",
        f'<img src="x" onerror="{js(n())}">',
        f"<svg onload={js(n())}>",
        f"<body onload={js(n())}>",
        f"<details open ontoggle={js(n())}>x</details>",
        f"<input autofocus onfocus={js(n())}>",
        f"<video><source onerror={js(n())}></video>",
        f"<x onmouseover={js(n())} style=display:block;width:99999px;height:99999px>x</x>",
        f'" autofocus onfocus="{js(n())}" x="',
        f"' autofocus onfocus='{js(n())}' x='",
        f"<img src=x onerror\t=\n{js(n())}>",
    ]


def _javascript_urls(n: Callable[[], int]) -> list[str]:
    return [
        f'<a href="javascript:{js(n())}">Mehr lesen</a>',
        f'<a href="  JaVaScRiPt:{js(n())}">Groß</a>',
        f'<a href="jav&#x09;ascript:{js(n())}">Tab</a>',
        f'<a href="&#106;avascript:{js(n())}">Entität</a>',
        f"<iframe src=javascript:{js(n())}></iframe>",
        f"<form action=javascript:{js(n())}><button>Senden</button></form>",
        f"<object data=javascript:{js(n())}></object>",
        f'<a href="data:text/html,<script>{js(n())}</script>">Daten</a>',
        f"javascript:{js(n())}",  # a bare URL, for website and link fields
    ]


def _svg(n: Callable[[], int]) -> list[str]:
    return [
        f"<svg><script>{js(n())}</script></svg>",
        f"<svg><animate onbegin={js(n())} attributeName=x dur=1s>",
        f'<svg><a xlink:href="javascript:{js(n())}"><text x=20 y=20>Klick</text></a></svg>',
        f"<svg><foreignObject><img src=x onerror={js(n())}></foreignObject></svg>",
    ]


def _polyglots(n: Callable[[], int]) -> list[str]:
    number = n()
    return [
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk="
        + js(number)
        + " )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd="
        + js(number)
        + "//>\\x3e",
        f'<noscript><p title="</noscript><img src=x onerror={js(n())}>"></noscript>',
        f"<math><mtext><table><mglyph><style><img src=x onerror={js(n())}>",
        f'<iframe srcdoc="<script>parent.__xss={n()};parent.alert(1)</script>"></iframe>',
        f"<!--<img src=--><img src=x onerror={js(n())}//>",
        f"';{js(n())};//",
        f'";{js(n())};//',
        f"\\';{js(n())};//",
    ]


def _css(n: Callable[[], int]) -> list[str]:
    return [
        f'<p style="width:expression({js(n())})">Stil</p>',
        f'<p style="background:url(javascript:{js(n())})">Stil</p>',
        f"<style>@import 'javascript:{js(n())}';</style>",
        "<style>*{background:red!important}body{display:none}</style>",
        f'<div style="behavior:url(x.htc);-moz-binding:url(javascript:{js(n())})">x</div>',
    ]


def _templates(n: Callable[[], int]) -> list[str]:
    n()
    return [
        "{{7*7}} ${7*7} #{7*7} <%= 7*7 %> [[${7*7}]]",
        "{% debug %}{{ request.user.password }}{{ settings.SECRET_KEY }}",
        "{{constructor.constructor('alert(1)')()}}",
        "{% load static %}{% include 'base.html' %}",
        "%(secret)s %s {0} {name!r}",
    ]


def _unicode(n: Callable[[], int]) -> list[str]:
    return [
        f"\u202egnp.exe \u202d<img src=x onerror={js(n())}>",
        f"<scr\u200bipt>{js(n())}</scr\u200bipt>",
        f"\uff1cscript\uff1e{js(n())}\uff1c/script\uff1e",
        f"\u2028</script>\u2029<script>{js(n())}</script>",
        f"ｊａｖａｓｃｒｉｐｔ:{js(n())}",
        f"<img src=x one\u0000rror={js(n())}>".replace("\u0000", "\ufeff"),
        "Ae\u0301\u0308\u0336 Zalgo\u0489\u0489 \U0001f600 \ufffd",
    ]


XSS_CLASSES: dict[str, Callable[[Callable[[], int]], list[str]]] = {
    "script tags": _script_tags,
    "event handlers": _event_handlers,
    "javascript: urls": _javascript_urls,
    "svg": _svg,
    "polyglots": _polyglots,
    "css": _css,
    "template injection": _templates,
    "unicode tricks": _unicode,
}


@functools.cache
def xss_by_class() -> dict[str, tuple[str, ...]]:
    counter = iter(range(1, 10_000))

    def n() -> int:
        return next(counter)

    return {name: tuple(build(n)) for name, build in XSS_CLASSES.items()}


def xss_payloads() -> list[str]:
    """All payloads, every class represented."""
    return [payload for payloads in xss_by_class().values() for payload in payloads]


def xss_sample(size: int) -> list[str]:
    """A few payloads from every class, round robin: for fields where the whole corpus would take too long."""
    classes = list(xss_by_class().values())
    picked: list[str] = []
    depth = 0
    while len(picked) < size and any(depth < len(payloads) for payloads in classes):
        picked += [payloads[depth] for payloads in classes if depth < len(payloads)]
        depth += 1
    return picked[:size]


# --- hostile files --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileFile:
    label: str
    name: str
    content: bytes
    content_type: str
    # "refuse": the upload must be refused with a message. "neutralise": accepted only as something harmless
    # (re-encoded image without metadata, or served as an attachment with nosniff and a safe name).
    expect: str
    why: str


def jpeg(*, size: tuple[int, int] = (64, 48), gps: bool = False, comment: bytes = b"") -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (40, 120, 200))
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "Kamera"  # Make
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update({1: "N", 2: (50.0, 5.0, 30.0), 3: "E", 4: (7.0, 36.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    data = out.getvalue()
    if comment:  # a COM segment right after SOI: still a valid JPEG, but the bytes carry the comment
        data = data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]
    return data


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def png_bomb(width: int, height: int, *, complete: bool = True) -> bytes:
    """A 1-bit PNG of width × height white pixels: tiny on disk, huge once decoded.

    ``complete=False`` writes only the first rows (the header alone already declares the size).
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    rows = height if complete else 16
    data = b"".join(packer.compress(row * 256) for _ in range(rows // 256)) + packer.compress(row * (rows % 256))
    data += packer.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def pdf(*objects: bytes, trailer_root: int = 1) -> bytes:
    """A small, structurally valid PDF from object bodies (numbered from 1)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_root, xref)
    )
    return out.getvalue()


PDF_PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
)


def clean_pdf() -> bytes:
    return pdf(b"<< /Type /Catalog /Pages 2 0 R >>", *PDF_PAGES)


def pdf_with(catalog_extra: bytes, *extra_objects: bytes) -> bytes:
    return pdf(b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>", *PDF_PAGES, *extra_objects)


def pdf_object_stream(hidden: bytes) -> bytes:
    """A PDF whose catalog's action sits compressed inside an object stream (PDF 1.5), out of a raw scan's sight."""
    body = b"4 0 " + hidden
    stream = zlib.compress(body)
    obj = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
    return pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", *PDF_PAGES, obj + stream + b"\nendstream")


def office_zip(kind: str = "docx", *, bomb_bytes: int = 0) -> bytes:
    """A minimal DOCX/XLSX/ODT container; ``bomb_bytes`` adds a member of that many zeros (compressed ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "odt":
            archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
            archive.writestr("content.xml", "<office:document-content/>")
            member = "Pictures/leer.bin"
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "<Relationships/>")
            folder = "word" if kind == "docx" else "xl"
            archive.writestr(f"{folder}/document.xml", "<w:document/>")
            member = f"{folder}/media/leer.bin"
        if bomb_bytes:
            chunk = b"\x00" * (1024 * 1024)
            with archive.open(member, "w", force_zip64=True) as target:
                for _ in range(bomb_bytes // len(chunk)):
                    target.write(chunk)
    return out.getvalue()


GPS_JPEG_NAME = "urlaub-mit-gps.jpg"


@functools.cache
def hostile_files() -> tuple[HostileFile, ...]:
    html = b"<!doctype html><html><body><script>" + js(900).encode() + b"</script></body></html>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="' + js(901).encode() + b'"><script>alert(1)</script></svg>'
    files = [
        HostileFile("exe as pdf", "bebauungsplan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode", "application/pdf", "refuse", "a Windows executable under a PDF name"),
        HostileFile("elf as jpg", "foto.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "image/jpeg", "refuse", "a Linux executable under an image name"),
        HostileFile("shell script", "plan.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf", "refuse", "a script under a PDF name"),
        HostileFile("svg with script", "karte.svg", svg, "image/svg+xml", "refuse", "SVG runs scripts when opened directly"),
        HostileFile("svg as png", "karte.png", svg, "image/png", "refuse", "SVG under an image name"),
        HostileFile("html", "seite.html", html, "text/html", "refuse", "HTML would run in the portal's origin"),
        HostileFile("html as pdf", "seite.pdf", html, "application/pdf", "refuse", "HTML under a PDF name"),
        HostileFile("jpeg/html polyglot", "polyglott.jpg", jpeg(comment=html), "image/jpeg", "neutralise", "a valid JPEG whose bytes are also HTML: re-encoding drops the comment"),
        HostileFile("pdf/html polyglot", "polyglott.pdf", clean_pdf() + html, "application/pdf", "neutralise", "a PDF with HTML after it: served with nosniff as an attachment"),
        HostileFile("exif gps jpeg", GPS_JPEG_NAME, jpeg(gps=True), "image/jpeg", "neutralise", "the position must be gone after storing"),
        HostileFile("png bomb 7700", "bombe.png", png_bomb(7700, 7700), "image/png", "refuse", "173 kB that decode to 59 megapixels"),
        HostileFile("png bomb 30000", "riesig.png", png_bomb(30000, 30000, complete=False), "image/png", "refuse", "a header declaring 900 megapixels"),
        HostileFile("pdf with javascript", "formular.pdf", pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "application/pdf", "refuse", "JavaScript run when opened"),
        HostileFile("pdf with hex-escaped javascript", "formular2.pdf", pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), "application/pdf", "refuse", "names may be written with #xx escapes"),
        HostileFile("pdf with javascript in object stream", "formular3.pdf", pdf_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "application/pdf", "refuse", "dictionaries may hide compressed in object streams"),
        HostileFile("pdf with launch", "start.pdf", pdf_with(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), "application/pdf", "refuse", "starts a program"),
        HostileFile("pdf with embedded file", "anhang.pdf", pdf_with(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>", b"<< /Type /Filespec /F (a.exe) >>"), "application/pdf", "refuse", "carries another file"),
        HostileFile("pdf with additional actions", "aa.pdf", pdf_with(b"/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>"), "application/pdf", "refuse", "actions run on events"),
        HostileFile("zip bomb docx", "bombe.docx", office_zip("docx", bomb_bytes=310 * 1024 * 1024), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "refuse", "300 MB of zeros in a few hundred kB"),
        HostileFile("traversal name", "../../../../etc/passwd.jpg", jpeg(), "image/jpeg", "neutralise", "a path in the name must not reach the storage or the download name"),
        HostileFile("header injection name", 'a"\r\nSet-Cookie: x=1\r\n\r\n<script>.pdf', clean_pdf(), "application/pdf", "neutralise", "quotes and line breaks in the download name"),
        HostileFile("rtl override name", "rechnung\u202egpj.exe", jpeg(), "image/jpeg", "neutralise", "a bidi override that disguises the extension"),
        HostileFile("very long name", "a" * 400 + ".pdf", clean_pdf(), "application/pdf", "neutralise", "a name longer than any column"),
        HostileFile("empty file", "leer.pdf", b"", "application/pdf", "refuse", "no content at all"),
    ]  # fmt: skip
    return tuple(files)


def hostile(label: str) -> HostileFile:
    return next(item for item in hostile_files() if item.label == label)


def has_gps(data: bytes) -> bool:
    """True if the stored image still carries a GPS IFD or any EXIF at all."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        exif = opened.getexif()
        return bool(exif.get_ifd(0x8825)) or 0x8825 in exif
