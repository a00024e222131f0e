"""Printable access-code letters: one page per code, for postal mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from .models import AccessCode, Project


def _latin1(text: str) -> str:
    # The built-in PDF fonts cover Windows-1252; anything else would abort the whole batch.
    return text.encode("cp1252", "replace").decode("cp1252")


def access_code_letters(project: Project, codes: Iterable[AccessCode]) -> bytes:
    organisation = project.organisation
    redeem_url = settings.SITE_URL + reverse("projects:redeem_access_code")
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Zugangscodes – {project.title}"))
    pdf.set_author(_latin1(organisation.name))
    pdf.set_margins(25, 25, 20)
    today = timezone.localdate().strftime("%d.%m.%Y")
    for access_code in codes:
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _latin1(f"{organisation.name}\n{organisation.address}".strip()))
        pdf.ln(30)
        pdf.cell(0, 5, today, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(10)
        pdf.set_font("Helvetica", style="B", size=14)
        pdf.multi_cell(0, 7, _latin1(f"Ihre Einladung zur Beteiligung: {project.title}"))
        pdf.ln(5)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(
            0, 6,
            _latin1(
                "Guten Tag,\n\nSie sind eingeladen, sich an diesem Beteiligungsverfahren zu beteiligen. "
                "So nehmen Sie teil:\n\n"
                f"1. Öffnen Sie {redeem_url}\n"
                "2. Melden Sie sich an oder legen Sie ein kostenloses Konto an.\n"
                "3. Geben Sie diesen Zugangscode ein:"
            ),
        )  # fmt: skip
        pdf.ln(6)
        pdf.set_font("Courier", style="B", size=24)
        pdf.cell(0, 14, access_code.code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("Helvetica", size=11)
        contact = project.contact_email or organisation.contact_email
        pdf.multi_cell(
            0, 6,
            _latin1(
                "Der Code gilt für eine Person und kann nur einmal verwendet werden. Bitte geben Sie ihn nicht weiter."
                + (f"\n\nFragen beantworten wir gern: {contact}" if contact else "")
            ),
        )  # fmt: skip
    return bytes(pdf.output())
