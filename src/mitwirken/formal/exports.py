"""The Abwägungstabelle as XLSX, ODS and PDF, written row by row so memory stays bounded.

Files are written to a temporary file and streamed from there: 50,000 statements
never sit in memory as a workbook.
"""

from __future__ import annotations

import itertools
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from mitwirken.core.exports import xlsx_file, xml_text

from .models import Segment, Statement

HEADER = [
    "Vorgangsnummer", "Eingang", "Schritt", "Einreicher/in", "Organisation", "Bezug", "Abschnitt", "Textabschnitt",
    "Schlagworte", "Abwägung / Erwiderung", "Ergebnis", "Status", "Leitstellungnahme", "Mitzeichnende",
    "Handelnd für (Unternehmenskonto)", "Identität", "Gruppe",
]  # fmt: skip
PDF_LIMIT = 2000
CHUNK = 1000


def export_queryset(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    segments = Segment.objects.prefetch_related("keywords__topic").order_by("number")
    # Confirmed members of a lead, counted per row (a correlated subquery on the lead index: no GROUP BY of the list).
    members = (
        Statement.objects.filter(lead=OuterRef("pk")).order_by().values("lead").annotate(n=Count("id")).values("n")
    )
    return (
        statements.select_related("track__round", "section", "lead")
        .prefetch_related(
            Prefetch("segments", queryset=segments), Prefetch("lead__segments", queryset=segments), "cosigners"
        )
        .annotate(group_members=Coalesce(Subquery(members), 0))
    )


def group_label(statement: Statement) -> str:
    """The column „Gruppe“: a lead and its number of members, a member (and whether it needs its own response)."""
    if statement.lead_id is not None:
        return "Mitglied, braucht eigene Erwiderung" if statement.needs_own_response else "Mitglied"
    members = getattr(statement, "group_members", 0)
    return f"Leitstellungnahme ({members} Mitglieder)" if members else ""


def rows(statements: QuerySet[Statement], *, with_personal_data: bool = True) -> Iterator[list[Any]]:
    """One row per segment (or per statement without segments), in chunks of CHUNK statements."""
    for statement in export_queryset(statements).iterator(chunk_size=CHUNK):
        base = [
            statement.reference,
            timezone.localtime(statement.received_at).strftime("%d.%m.%Y %H:%M"),
            str(statement.track),
            statement.author_name if with_personal_data else public_author(statement),
            statement.organisation_name,
            str(statement.section) if statement.section_id else "",
        ]
        lead = statement.lead.reference if statement.lead is not None else ""
        cosigners = "; ".join(c.name for c in statement.cosigners.all()) if with_personal_data else ""
        # Whom a Mein Unternehmenskonto login acted for, and how sure the portal is of the submitter.
        login = [statement.on_behalf_of_name, statement.identity_text, group_label(statement)]
        lead_segments = list(statement.lead.segments.all()) if statement.lead is not None else []
        segments = list(statement.segments.all()) or lead_segments
        if not segments:
            yield [*base, "", statement.text, "", "", "", statement.get_status_display(), lead, cosigners, *login]
            continue
        for segment in segments:
            keywords = ", ".join(str(keyword) for keyword in segment.keywords.all())
            yield [*base, segment.number, segment.text, keywords, segment.response, segment.get_result_display(),
                   segment.get_status_display(), lead, cosigners, *login]  # fmt: skip


def public_author(statement: Statement) -> str:
    """Names only where the submitter consented; otherwise a stable pseudonym."""
    if statement.publish_name and statement.author_name:
        return statement.author_name
    return gettext("Einwender/in %(number)s") % {"number": int(statement.reference.rsplit("-", 1)[-1])}


def write_xlsx(statements: QuerySet[Statement]) -> IO[bytes]:
    return xlsx_file("Abwägungstabelle", HEADER, rows(statements))


def write_ods(statements: QuerySet[Statement]) -> IO[bytes]:
    """A minimal OpenDocument spreadsheet, streamed into the ZIP (no ODF library builds a DOM of 50,000 rows)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        entry = zipfile.ZipInfo("content.xml", date_time=(2026, 1, 1, 0, 0, 0))
        entry.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(entry, "w") as content:
            content.write(_ODS_HEAD.encode())
            for row in itertools.chain([HEADER], rows(statements)):  # a generator: rows are never all in memory
                cells = "".join(
                    f'<table:table-cell office:value-type="string"><text:p>{xml_text(value)}</text:p></table:table-cell>'
                    for value in row
                )
                content.write(f"<table:table-row>{cells}</table:table-row>".encode())
            content.write(_ODS_TAIL.encode())
    target.seek(0)
    return target


PDF_COLUMNS = ["Vorgang", "Einreicher/in", "Textabschnitt", "Abwägung", "Ergebnis", "Status"]
PDF_FONT_SIZE = 8
PDF_CELL_PADDING = 1.0  # mm on each side, fpdf2's default padding in tables


def pdf_column_widths(pdf: Any, longest_reference: str) -> tuple[float, ...]:
    """Absolute column widths (mm) for the landscape page: the reference column fits the longest reference.

    A reference number like MK-2026-ROV-000123 is searched for and quoted; broken over two lines (at a
    hyphen or mid-word) it can no longer be found or copied, so its column is as wide as it needs to be.
    """
    # Padding on both sides, fpdf2's cell margin on both sides (in case it applies), and 1 mm to spare.
    spare = 2 * PDF_CELL_PADDING + 2 * pdf.c_margin + 1
    reference = pdf.get_string_width(longest_reference or "XX-0000-XXX-000000") + spare
    reference = max(reference, pdf.get_string_width(PDF_COLUMNS[0]) + spare)
    fixed = {"author": 32.0, "result": 26.0, "status": 20.0}
    rest = pdf.epw - reference - sum(fixed.values())
    return (reference, fixed["author"], rest * 0.45, rest * 0.55, fixed["result"], fixed["status"])


def write_pdf(statements: QuerySet[Statement], title: str) -> bytes:
    from django.db.models.functions import Length
    from fpdf import FPDF

    from .receipts import _font

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("Fira", fname=_font(""))
    pdf.add_font("Fira", style="B", fname=_font("B"))
    pdf.set_title(f"Abwägungstabelle – {title}")
    pdf.add_page()
    pdf.set_font("Fira", style="B", size=13)
    pdf.multi_cell(0, 7, f"Abwägungstabelle – {title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Fira", size=PDF_FONT_SIZE)
    longest = (
        statements.order_by().annotate(length=Length("reference")).order_by("-length")
        .values_list("reference", flat=True).first()
    )  # fmt: skip
    widths = pdf_column_widths(pdf, longest or "")
    with pdf.table(width=pdf.epw, col_widths=widths, line_height=4, padding=PDF_CELL_PADDING) as table:
        heading = table.row()
        for label in PDF_COLUMNS:
            heading.cell(label)
        for row in rows(statements):
            cells = table.row()
            author = f"{row[3]}\n{gettext('für')} {row[14]}" if row[14] else row[3]
            for value in (row[0], author, row[7], row[9], row[10], row[11]):
                cells.cell(str(value))
    return bytes(pdf.output())


_ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""
_ODS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Abwaegungstabelle">"""
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
