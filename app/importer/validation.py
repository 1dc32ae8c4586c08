"""Check every row before anything is sent, with the API's own input model.

``VictimCreate`` is the model the API validates each intake item with, so a row that passes
here passes there; errors name the spreadsheet row and column, never the cell's content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.importer.columns import BY_NAME, COLUMNS, column_for, row_to_body
from app.importer.sheet import Sheet
from app.victims.schemas import VictimCreate


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class Person:
    row: int
    body: dict[str, Any]  # the intake item exactly as it will be sent
    has_identity: bool


def check_header(header: list[str]) -> list[RowError]:
    errors = []
    seen: set[str] = set()
    for name in header:
        if not name:
            errors.append(RowError(1, "(blank)", "a column has no name in the header"))
        elif name not in BY_NAME:
            expected = ", ".join(c.name for c in COLUMNS)
            errors.append(RowError(1, name[:60], f"unknown column; the columns are {expected}"))
        elif name in seen:
            errors.append(RowError(1, name, "the column appears twice"))
        seen.add(name)
    errors += [
        RowError(1, c.name, "required column is missing")
        for c in COLUMNS
        if c.required and c.name not in seen
    ]
    return errors


def validate(sheet: Sheet) -> tuple[list[Person], list[RowError]]:
    """Every row's errors (all of them, not just the first), or the people to send."""
    errors = check_header(sheet.header)
    if errors:
        return [], errors
    if not sheet.rows:
        return [], [RowError(2, "(all)", "the file has no people to import")]
    people: list[Person] = []
    first_row_of_ref: dict[str, int] = {}
    width = len(sheet.header)
    for number, cells in sheet.rows:
        if any(c.strip() for c in cells[width:]):
            errors.append(RowError(number, f"{width + 1}+", "cells beyond the last named column"))
        cells = cells[:width] + [""] * (width - len(cells))
        body = row_to_body(dict(zip(sheet.header, cells, strict=True)))
        try:
            VictimCreate.model_validate(body)
        except ValidationError as exc:
            errors += [_row_error(number, e["loc"], e["msg"]) for e in exc.errors()]
            continue
        ref = body.get("external_ref")
        if ref is not None:
            if ref.strip() in first_row_of_ref:
                errors.append(
                    RowError(number, "external_ref", f"same as row {first_row_of_ref[ref.strip()]}")
                )
                continue
            first_row_of_ref[ref.strip()] = number
        people.append(Person(number, body, "identity" in body or "date_of_birth" in body))
    return people, errors


def _row_error(row: int, loc: tuple[int | str, ...], message: str) -> RowError:
    column, prefix = column_for(loc)
    return RowError(row, column, prefix + message)
