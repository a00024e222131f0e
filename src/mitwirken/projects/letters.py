"""Printable access-code letters: one page per code, for postal mail in a DL window envelope.

The page follows DIN 5008, Form B: the address field (85 × 45 mm) sits 20 mm from the left and 45 mm from the
top, so that it shows through the window of a DL envelope; its first 17.7 mm (Zusatz- und Vermerkzone) end with
the return address line, the next 27.3 mm (Anschriftzone) carry the recipient. The information block (date,
contact) stands at 125 mm, the text starts below the address field, and fold and punch marks sit at the left edge.
Each fact appears once: the sender in the letterhead and in the return line only, the project only in the subject.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from fpdf import FPDF

from .models import AccessCode, Project

# DIN 5008 Form B, in millimetres from the top left corner of an A4 page.
ADDRESS_LEFT = 20.0
ADDRESS_INSET = 5.0  # writing starts 5 mm inside the field
ADDRESS_TOP = 45.0
ADDRESS_WIDTH = 85.0
REMARK_ZONE_HEIGHT = 17.7
ADDRESS_ZONE_TOP = ADDRESS_TOP + REMARK_ZONE_HEIGHT  # 62.7
ADDRESS_ZONE_HEIGHT = 27.3
ADDRESS_LINES = 6  # what the Anschriftzone leaves for the recipient after the post's own lines
INFO_LEFT = 125.0
INFO_TOP = 50.0
TEXT_LEFT = 25.0
TEXT_TOP = 98.46
FOLD_MARKS = (105.0, 210.0)
PUNCH_MARK = 148.5


def _latin1(text: str) -> str:
    # The built-in PDF fonts cover Windows-1252; anything else would abort the whole batch.
    return text.encode("cp1252", "replace").decode("cp1252")


def sender_lines(project: Project) -> list[str]:
    """The organisation's name and address, without repeating the name where the address starts with it."""
    organisation = project.organisation
    lines = [line.strip() for line in organisation.address.splitlines() if line.strip()]
    return [organisation.name, *[line for line in lines if line.casefold() != organisation.name.casefold()]]


def recipient_lines(access_code: AccessCode) -> list[str]:
    return [line.strip() for line in access_code.recipient.splitlines() if line.strip()][:ADDRESS_LINES]


def _marks(pdf: FPDF) -> None:
    pdf.set_draw_color(120)
    pdf.set_line_width(0.2)
    for y in FOLD_MARKS:
        pdf.line(3, y, 8, y)
    pdf.line(3, PUNCH_MARK, 10, PUNCH_MARK)
    pdf.set_draw_color(0)


def _address_field(pdf: FPDF, project: Project, access_code: AccessCode) -> None:
    sender = sender_lines(project)
    pdf.set_font("Helvetica", style="U", size=7)
    # The return line closes the Zusatz- und Vermerkzone, directly above the recipient.
    pdf.set_xy(ADDRESS_LEFT + ADDRESS_INSET, ADDRESS_ZONE_TOP - 4)
    width = ADDRESS_WIDTH - ADDRESS_INSET - 2
    line = _latin1(" · ".join(sender))
    if pdf.get_string_width(line) > width:
        pdf.set_font_size(6)
    while pdf.get_string_width(line) > width:  # a very long sender loses its end rather than leave the window
        line = line[:-1]
    pdf.cell(ADDRESS_WIDTH - ADDRESS_INSET, 3.5, line)
    pdf.set_font("Helvetica", size=10)
    y = ADDRESS_ZONE_TOP + 1
    for line in recipient_lines(access_code):
        pdf.set_xy(ADDRESS_LEFT + ADDRESS_INSET, y)
        pdf.cell(ADDRESS_WIDTH - ADDRESS_INSET, 4.2, _latin1(line))
        y += 4.2


def _info_block(pdf: FPDF, project: Project, today: str) -> None:
    organisation = project.organisation
    rows = [("Datum", today)]
    if project.contact_name:
        rows.append(("Ansprechperson", project.contact_name))
    phone = project.contact_phone or organisation.contact_phone
    email = project.contact_email or organisation.contact_email
    if phone:
        rows.append(("Telefon", phone))
    if email:
        rows.append(("E-Mail", email))
    y = INFO_TOP
    for label, value in rows:
        pdf.set_xy(INFO_LEFT, y)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 4, _latin1(label))
        pdf.set_xy(INFO_LEFT, y + 3.6)
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 4.5, _latin1(value))
        y += 9


def access_code_letters(project: Project, codes: Iterable[AccessCode]) -> bytes:
    organisation = project.organisation
    redeem_url = settings.SITE_URL + reverse("projects:redeem_access_code")
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Zugangscodes – {project.title}"))
    pdf.set_author(_latin1(organisation.name))
    pdf.set_margins(TEXT_LEFT, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    today = timezone.localdate().strftime("%d.%m.%Y")
    has_contact = bool(project.contact_phone or project.contact_email or organisation.contact_phone
                       or organisation.contact_email)  # fmt: skip
    for access_code in codes:
        pdf.add_page()
        _marks(pdf)
        pdf.set_xy(TEXT_LEFT, 20)
        pdf.set_font("Helvetica", style="B", size=14)
        pdf.cell(0, 7, _latin1(organisation.name))
        _address_field(pdf, project, access_code)
        _info_block(pdf, project, today)
        pdf.set_xy(TEXT_LEFT, TEXT_TOP)
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.multi_cell(0, 6, _latin1(f"Ihr Zugang zur Beteiligung: {project.title}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(
            0, 6,
            _latin1(
                "Guten Tag,\n\nmit diesem Schreiben erhalten Sie Ihren persönlichen Zugang zu diesem geschützten "
                "Verfahren. So nehmen Sie teil:\n\n"
                f"1. Öffnen Sie {redeem_url}\n"
                "2. Melden Sie sich an oder legen Sie ein kostenloses Konto an.\n"
                "3. Geben Sie diesen Zugangscode ein:"
            ),
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
        pdf.ln(6)
        pdf.set_font("Courier", style="B", size=24)
        pdf.cell(0, 14, access_code.code, border=1, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(
            0, 6,
            _latin1(
                "Der Code gilt für eine Person und kann nur einmal verwendet werden. Bitte geben Sie ihn nicht weiter."
                + (" Bei Fragen erreichen Sie uns über die Angaben oben rechts." if has_contact else "")
            ),
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
    return bytes(pdf.output())
