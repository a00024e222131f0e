"""The PDF receipt (Eingangsbestätigung) for a statement."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from fpdf import FPDF

from .models import Statement

logging.getLogger("fontTools").setLevel(logging.ERROR)


@cache
def _font(style: str) -> str:
    """KERN's Fira Sans as TTF (fpdf2 cannot read woff2), converted once into var/fonts."""
    from fontTools.ttLib import TTFont

    name = {"": "FiraSans-Regular", "B": "FiraSans-Bold"}[style]
    target = Path(settings.VAR_DIR) / "fonts" / f"{name}.ttf"
    if not target.exists():
        source = finders.find(f"vendor/kern/fonts/fira-sans/{name}.woff2")
        if not source:
            raise RuntimeError("KERN fonts are missing; run `make static`.")
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(source)
        font.flavor = None
        font.save(str(target))
    return str(target)


def receipt_rows(statement: Statement) -> list[tuple[str, str]]:
    """What the receipt certifies besides the text, label by label."""
    procedure = statement.procedure
    project = procedure.module.project
    received = timezone.localtime(statement.received_at)
    return [
        ("Vorgangsnummer", statement.reference),
        ("Eingegangen am", received.strftime("%d.%m.%Y um %H:%M:%S Uhr (%Z)")),
        ("Verfahren", f"{procedure.get_procedure_type_display()}: {project.title}"),
        ("Beteiligungsschritt", str(statement.track)),
        ("Eingangsweg", statement.get_channel_display()),
        ("Name", statement.author_name or "–"),
        ("Anschrift", ", ".join(part for part in [statement.street, f"{statement.postal_code} {statement.city}".strip()] if part) or "–"),
        ("Bezug", str(statement.section) if statement.section_id else "–"),
        ("Name veröffentlichen", "ja" if statement.publish_name else "nein"),
        # The login that submitted: verified through BundID / Mein Unternehmenskonto at a level, or not.
        ("Anmeldung", statement.identity_text),
        *([("Handelnd für", statement.on_behalf_of_name)] if statement.on_behalf_of_name else []),
    ]  # fmt: skip


def receipt_pdf(statement: Statement) -> bytes:
    procedure = statement.procedure
    project = procedure.module.project
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 20)
    pdf.add_font("Fira", fname=_font(""))
    pdf.add_font("Fira", style="B", fname=_font("B"))
    pdf.set_title(f"Eingangsbestätigung {statement.reference}")
    pdf.set_author(project.organisation.name)
    pdf.add_page()
    pdf.set_font("Fira", size=10)
    pdf.multi_cell(0, 5, project.organisation.name, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Fira", style="B", size=15)
    pdf.multi_cell(0, 8, "Eingangsbestätigung für Ihre Stellungnahme", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Fira", size=10.5)
    for label, value in receipt_rows(statement):
        pdf.set_font("Fira", style="B", size=10.5)
        pdf.cell(48, 6, label)
        pdf.set_font("Fira", size=10.5)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Fira", style="B", size=12)
    pdf.cell(0, 7, "Text der Stellungnahme", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Fira", size=10.5)
    pdf.multi_cell(0, 5.5, statement.text, new_x="LMARGIN", new_y="NEXT")
    attachments = list(statement.attachments.all())
    if attachments:
        pdf.ln(4)
        pdf.set_font("Fira", style="B", size=12)
        pdf.cell(0, 7, "Anlagen", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Fira", size=9.5)
        for attachment in attachments:
            pdf.multi_cell(
                0,
                5,
                f"{attachment.name} ({filesizeformat(attachment.size)})\nSHA-256: {attachment.sha256}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(4)
    pdf.set_font("Fira", style="B", size=10)
    pdf.multi_cell(0, 5, "Prüfsumme (SHA-256) über die gesamte Stellungnahme:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Fira", size=9.5)
    pdf.multi_cell(0, 5, statement.content_sha256, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Fira", size=9)
    pdf.multi_cell(0, 4.5, "Maßgeblich für die Fristwahrung ist der hier genannte Zeitpunkt des Eingangs auf dem Server des "
                           "Beteiligungsportals. Bitte bewahren Sie diese Bestätigung auf.", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    return bytes(pdf.output())
