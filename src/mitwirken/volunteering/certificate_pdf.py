"""The Ehrenamtsnachweis as a PDF: what the certificate states, who signed it, and how to verify it."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from mitwirken.formal.receipts import _font

from .models import Certificate


def verification_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("volunteering:verify_certificate")


def _hours(certificate: Certificate) -> str:
    return f"{certificate.hours:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def statement(certificate: Certificate) -> str:
    return (
        f"{certificate.volunteer_name} hat sich vom {certificate.period_start:%d.%m.%Y} bis zum "
        f"{certificate.period_end:%d.%m.%Y} ehrenamtlich bei {certificate.organisation_name} engagiert."
    )


def facts(certificate: Certificate) -> list[tuple[str, str]]:
    """The rows the PDF prints, in order (also what tests read: fpdf2 writes glyph ids, not text)."""
    signed = timezone.localtime(certificate.signed_at)
    rows = [
        ("Name", certificate.volunteer_name),
        ("Organisation", certificate.organisation_name),
        ("Zeitraum", f"{certificate.period_start:%d.%m.%Y} bis {certificate.period_end:%d.%m.%Y}"),
        ("Umfang", f"{_hours(certificate)} bestätigte Stunden"),
        ("Art der Tätigkeit", certificate.activity),
    ]
    if certificate.competences:
        rows.append(("Erworbene Kompetenzen", certificate.competences))
    rows.append(("Unterzeichnet", f"{certificate.signed_by_name}, am {signed:%d.%m.%Y}"))
    return rows


def verification_lines(certificate: Certificate) -> list[str]:
    return [
        "Dieser Nachweis wurde im Beteiligungsportal von der Koordination der Organisation unterzeichnet und ist "
        "ohne Unterschrift gültig. Seine Echtheit können Sie mit dem Prüfcode prüfen:",
        f"Prüfcode: {certificate.printed_code}",
        verification_url(),
    ]


def certificate_pdf(certificate: Certificate) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 20)
    pdf.add_font("Fira", fname=_font(""))
    pdf.add_font("Fira", style="B", fname=_font("B"))
    pdf.set_title(f"Ehrenamtsnachweis {certificate.printed_code}")
    pdf.set_author(certificate.organisation_name)
    pdf.add_page()
    pdf.set_font("Fira", size=10)
    pdf.multi_cell(0, 5, certificate.organisation_name, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(8)
    pdf.set_font("Fira", style="B", size=18)
    pdf.multi_cell(0, 9, "Ehrenamtsnachweis", new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    pdf.set_font("Fira", size=11)
    pdf.multi_cell(0, 6, statement(certificate), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    for label, value in facts(certificate):
        pdf.set_font("Fira", style="B", size=10.5)
        pdf.cell(52, 6, label)
        pdf.set_font("Fira", size=10.5)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    pdf.ln(6)
    explanation, code, url = verification_lines(certificate)
    pdf.set_font("Fira", size=9.5)
    pdf.multi_cell(0, 5, explanation, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    pdf.set_font("Fira", style="B", size=14)
    pdf.cell(0, 8, code, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("Fira", size=10)
    pdf.multi_cell(0, 5, url, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
