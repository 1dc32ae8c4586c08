"""Bounded, safe input types shared by every schema.

A NUL or a lone surrogate passes pydantic's ``str`` and then breaks SQLite or the JSON
encoder (a 500); these types turn them into a 422 at validation.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

T = TypeVar("T")

_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def reject_unsafe(value: str) -> str:
    if _UNSAFE.search(value):
        raise ValueError("must not contain NUL characters or unpaired surrogates")
    return value


def _text(max_length: int, min_length: int = 1) -> tuple[StringConstraints, AfterValidator]:
    return (
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(reject_unsafe),
    )


# Stripped, bounded strings with no NUL or lone surrogate.
ShortText = Annotated[str, *_text(200)]
RefText = Annotated[str, *_text(100)]
# A human reference (an operation's "reference"): short, as API.md asks.
ReferenceText = Annotated[str, *_text(40)]
MediumText = Annotated[str, *_text(1000)]
LongText = Annotated[str, *_text(4000)]


CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$", min_length=2, max_length=2)]
LanguageCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}$", min_length=2, max_length=3)
]
Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$", max_length=64)
]


class InputModel(BaseModel):
    """Base of every request body: unknown fields are an error, never silently kept."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _utc_instant(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a time zone (e.g. Z)")
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not 1900 <= value.year <= 9998:
        raise ValueError("must be between the years 1900 and 9998")
    return value


_NUMERIC = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _text_not_number(value: Any) -> Any:
    # Pydantic would read 0, or "0.5" in a query string, as a Unix time (1970-01-01); a
    # number is never meant as a date here.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMERIC.fullmatch(value)):
        raise ValueError("must be an ISO 8601 string, not a number")
    return value


# An instant with a time zone, normalised to UTC, in a range every database can store.
UtcInstant = Annotated[datetime, BeforeValidator(_text_not_number), AfterValidator(_utc_instant)]
# A calendar date, sent as "YYYY-MM-DD".
IsoDate = Annotated[date, BeforeValidator(_text_not_number)]


def unique_items(values: list[T] | None) -> list[T] | None:
    """Field validator: a list that names the same value twice is an error, not a set."""
    if values is not None and len(set(values)) != len(values):
        raise ValueError("must not contain duplicates")
    return values
