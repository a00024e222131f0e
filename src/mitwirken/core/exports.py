"""Spreadsheet exports written row by row, so memory stays bounded however many rows there are."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any
from xml.sax.saxutils import escape

from mitwirken.core.text import strip_control_characters

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Every cell of every export goes through here.

    Control characters are removed (openpyxl refuses them with IllegalCharacterError, XML cannot carry them;
    text stored before the input was cleaned may still hold them), and user text never becomes a spreadsheet
    formula (CSV/formula injection): it is prefixed with '.
    """
    if isinstance(value, str):
        value = strip_control_characters(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def xml_text(value: Any) -> str:
    """A cell's text for hand-written XML (the ODS writer): no control characters, markup escaped."""
    return escape(strip_control_characters(str(value)))


def xlsx_file(sheet_name: str, header: list[str], rows: Iterable[list[Any]]) -> IO[bytes]:
    """A workbook in a temporary file (openpyxl's write-only mode flushes rows as they come)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(target)
    target.seek(0)
    return target


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV for a StreamingHttpResponse; the BOM makes spreadsheet programs read UTF-8 correctly."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])
