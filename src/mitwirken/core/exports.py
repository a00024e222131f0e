"""Spreadsheet exports written row by row, so memory stays bounded however many rows there are."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """User text must never become a spreadsheet formula (CSV/formula injection): prefix it with '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
