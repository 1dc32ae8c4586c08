"""Aggregate counts across all agencies, with suppression. No ids, no identity."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.core.errors import Problem
from app.models import Agency, Decision, Referral, Victim
from app.statistics.suppression import suppress

VICTIM_DIMENSIONS = (
    "nationality", "exploitation_type", "sex", "age_band", "is_child", "first_responder_kind",
    "quarter",
)  # fmt: skip
REFERRAL_DIMENSIONS = ("purpose",)
DECISION_DIMENSIONS = ("outcome", "stage")
DIMENSIONS = VICTIM_DIMENSIONS + REFERRAL_DIMENSIONS + DECISION_DIMENSIONS


class InvalidGrouping(Problem):
    status = 422
    title = "Validation failed"
    slug = "validation-error"
    default_detail = "The group_by dimensions cannot be combined."

    def __init__(self, msg: str) -> None:
        super().__init__(
            msg,
            extra={"errors": [{"loc": ["query", "group_by"], "msg": msg, "type": "value_error"}]},
        )


@dataclass(frozen=True)
class StatisticsQuery:
    group_by: list[str]
    date_from: date | None
    date_to: date | None
    rescue_operation_id: uuid.UUID | None


@dataclass(frozen=True)
class Table:
    counts: str  # victims | referrals | decisions
    group_by: list[str]
    min_cell: int
    items: list[dict[str, Any]]


def measure_for(group_by: list[str]) -> str:
    referral = [d for d in group_by if d in REFERRAL_DIMENSIONS]
    decision = [d for d in group_by if d in DECISION_DIMENSIONS]
    if referral and decision:
        raise InvalidGrouping(
            "Group by purpose (referrals) or by outcome/stage (decisions), not both."
        )
    return "referrals" if referral else "decisions" if decision else "victims"


def _quarter(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _in_range(moment: datetime, q: StatisticsQuery) -> bool:
    day = moment.date()
    return (q.date_from is None or day >= q.date_from) and (q.date_to is None or day <= q.date_to)


def _rows(session: Session, q: StatisticsQuery, counts: str) -> Iterator[dict[str, Any]]:
    """One dict of dimension values per counted unit (before exploding exploitation types)."""
    victim_cols = [
        col(Victim.nationality), col(Victim.exploitation_types), col(Victim.sex),
        col(Victim.age_band), col(Victim.is_child), col(Agency.kind),
    ]  # fmt: skip
    if counts == "victims":
        stmt = select(*victim_cols, col(Victim.created_at))
    elif counts == "referrals":
        stmt = select(*victim_cols, col(Referral.created_at), col(Referral.purpose)).join(
            Referral, col(Referral.victim_id) == col(Victim.id)
        )
    else:
        stmt = select(
            *victim_cols, col(Decision.decided_at), col(Decision.outcome), col(Decision.stage)
        ).join(Decision, col(Decision.victim_id) == col(Victim.id))
    stmt = stmt.join(Agency, col(Agency.id) == col(Victim.registered_by_agency_id))
    if q.rescue_operation_id is not None:
        stmt = stmt.where(col(Victim.rescue_operation_id) == q.rescue_operation_id)
    for row in session.execute(stmt):
        nationality, types, sex, band, child, kind, moment, *rest = row
        if not _in_range(moment, q):
            continue
        values: dict[str, Any] = {
            "nationality": nationality or "unknown",
            "exploitation_type": types or ["unknown"],
            "sex": sex,
            "age_band": band or "unknown",
            "is_child": "true" if child else "false",
            "first_responder_kind": kind,
            "quarter": _quarter(moment),
        }
        if counts == "referrals":
            values["purpose"] = rest[0]
        elif counts == "decisions":
            values["outcome"], values["stage"] = rest
        yield values


def _keys(values: dict[str, Any], group_by: list[str]) -> Iterable[tuple[str, ...]]:
    # A person with several exploitation types counts once under each (as NRM tables do).
    keys: list[tuple[str, ...]] = [()]
    for dimension in group_by:
        value = values[dimension]
        options = value if isinstance(value, list) else [value]
        keys = [(*k, str(o)) for k in keys for o in options]
    return keys


def table(session: Session, q: StatisticsQuery, *, min_cell: int) -> Table:
    counts = measure_for(q.group_by)
    cells: Counter[tuple[str, ...]] = Counter()
    for values in _rows(session, q, counts):
        for key in _keys(values, q.group_by):
            cells[key] += 1
    hidden = suppress(dict(cells), len(q.group_by), min_cell)
    items = [
        {
            **dict(zip(q.group_by, key, strict=True)),
            "count": None if key in hidden else count,
            "suppressed": key in hidden,
        }
        for key, count in sorted(cells.items())
    ]
    return Table(counts=counts, group_by=q.group_by, min_cell=min_cell, items=items)
