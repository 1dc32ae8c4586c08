"""Fields the service derives: case numbers, ages, CTDC age bands, child status."""

from __future__ import annotations

import secrets
from datetime import date

# Crockford's base32 alphabet: no I, L, O, U, so case numbers read aloud or copied by
# hand at a border post are not mistaken for each other.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# CTDC age bands (IOM Counter Trafficking Data Collaborative).
_BANDS = [
    (0, 8, "0-8"),
    (9, 17, "9-17"),
    (18, 20, "18-20"),
    (21, 23, "21-23"),
    (24, 26, "24-26"),
    (27, 29, "27-29"),
    (30, 38, "30-38"),
    (39, 47, "39-47"),
]
AGE_BANDS = [label for _, _, label in _BANDS] + ["48+"]
ADULT_AGE = 18


def new_case_number() -> str:
    """``V-XXXX-XXXX``: random (32^8), never derived from anything about the person."""
    # One call for all eight characters (an intake draws hundreds of numbers); 32 divides
    # 256, so the low five bits of a random byte pick each character uniformly.
    chars = "".join(_ALPHABET[b & 31] for b in secrets.token_bytes(8))
    return f"V-{chars[:4]}-{chars[4:]}"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_at_registration(
    date_of_birth: date | None, age_estimate: int | None, today: date
) -> int | None:
    if date_of_birth is not None:
        return age_on(date_of_birth, today)
    return age_estimate


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    for low, high, label in _BANDS:
        if low <= age <= high:
            return label
    return "48+"


def is_child(age: int | None) -> bool:
    """Known to be under 18. An unknown age is not a child here; record an estimate
    (the presumption of minority is the registering agency's call, via ``age_estimate``)."""
    return age is not None and age < ADULT_AGE
