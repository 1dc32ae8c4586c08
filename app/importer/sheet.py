"""Read a CSV or XLSX file into a header and numbered rows of text cells.

Row numbers are the ones the spreadsheet user sees: the header is row 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says why (never its content)."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


def read_sheet(path: Path, content: bytes) -> Sheet:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_rows(content)
    elif suffix == ".xlsx":
        table = _xlsx_rows(content)
    else:
        raise UnreadableFile(f"unsupported file type {suffix or '(none)'!r}: use .csv or .xlsx")
    numbered = [(number, cells) for number, cells in enumerate(table, start=1)]
    if not numbered:
        raise UnreadableFile("the file is empty: it needs a header row (see templates/victims.csv)")
    (_, header), data = numbered[0], numbered[1:]
    # Spreadsheets keep blank lines at the end and between blocks: they hold nobody.
    rows = [(number, cells) for number, cells in data if any(c.strip() for c in cells)]
    return Sheet([h.strip() for h in header], rows)


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise UnreadableFile("the file is not UTF-8 text: save it as 'CSV UTF-8'") from None
    first_line = text.split("\n", 1)[0]
    # Excel in many locales saves CSV with ';' between cells.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(f"not a valid CSV file: {exc}") from None


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("not a valid .xlsx workbook") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as the text the user typed: 24 not 24.0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
