"""The spreadsheet's columns and how a row becomes a ``VictimCreate`` body.

One column per field of API.md's ``VictimCreate``; the identity fields are flattened into
their own columns. Lists are written in one cell, separated by ``;`` (codes also by ``,``).
The rescue operation is not a column: it comes from ``--operation``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    field: str  # the VictimCreate field (or Identity field when ``identity``)
    identity: bool = False
    is_list: bool = False
    required: bool = False
    # Whole numbers are sent as JSON numbers: the API's integer fields are strict.
    is_integer: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("external_ref", "external_ref"),
    Column("sex", "sex", required=True),
    Column("age_estimate", "age_estimate", is_integer=True),
    Column("date_of_birth", "date_of_birth"),
    Column("nationality", "nationality"),
    Column("languages", "languages", is_list=True),
    Column("exploitation_types", "exploitation_types", is_list=True),
    Column("country_of_exploitation", "country_of_exploitation"),
    Column("recruitment_method", "recruitment_method"),
    Column("needs", "needs", is_list=True),
    Column("given_name", "given_name", identity=True),
    Column("family_name", "family_name", identity=True),
    Column("aliases", "aliases", identity=True, is_list=True),
    Column("phone", "phone", identity=True),
    Column("document_type", "document_type", identity=True),
    Column("document_number", "document_number", identity=True),
)

BY_NAME = {c.name: c for c in COLUMNS}
# Error locations from the input models point back at a column.
BY_FIELD = {(c.identity, c.field): c for c in COLUMNS}

# Names may contain commas ("Jr., ..."), codes never do.
_NAME_SEPARATOR = re.compile(r";")
_CODE_SEPARATOR = re.compile(r"[;,]")
# "30", or "30.0" as a spreadsheet may store it; anything else is left for validation.
_WHOLE_NUMBER = re.compile(r"-?\d{1,6}(\.0+)?")


def split_list(column: Column, cell: str) -> list[str]:
    separator = _NAME_SEPARATOR if column.identity else _CODE_SEPARATOR
    return [part.strip() for part in separator.split(cell) if part.strip()]


def row_to_body(cells: dict[str, str]) -> dict[str, Any]:
    """A request item holding only the cells that are filled in (blank means unknown)."""
    body: dict[str, Any] = {}
    identity: dict[str, Any] = {}
    for name, cell in cells.items():
        column = BY_NAME[name]
        if not cell.strip():
            continue
        value: Any = split_list(column, cell) if column.is_list else cell
        if column.is_integer and _WHOLE_NUMBER.fullmatch(cell.strip()):
            value = int(float(cell))
        (identity if column.identity else body)[column.field] = value
    if identity:
        body["identity"] = identity
    return body


def column_for(loc: tuple[int | str, ...]) -> tuple[str, str]:
    """(column name, prefix for the message) of a pydantic error location in a row body."""
    if not loc:
        return "?", ""
    identity = loc[0] == "identity" and len(loc) > 1
    rest = loc[1:] if identity else loc
    column = BY_FIELD.get((identity, str(rest[0])))
    name = column.name if column else ".".join(str(p) for p in loc)
    item = rest[1] if len(rest) > 1 and isinstance(rest[1], int) else None
    return name, (f"item {item + 1}: " if item is not None else "")
