"""Compare-and-set updates: the version check happens in the UPDATE's WHERE clause.

Checking ``version`` in Python and then writing loses updates on PostgreSQL under READ
COMMITTED (two transactions read the same version); ``WHERE version = :expected`` does not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.core.db import utcnow
from app.core.errors import PreconditionFailed


def guarded_update(
    session: Session, row: Any, changes: dict[str, Any], expected_version: int
) -> None:
    """Apply ``changes`` to ``row`` iff its stored version is still ``expected_version``."""
    if row.version != expected_version:
        raise PreconditionFailed()
    model = type(row)
    values = {**changes, "version": expected_version + 1}
    if hasattr(model, "updated_at"):
        values["updated_at"] = utcnow()
    stmt = (
        update(model)
        .where(model.id == row.id, model.version == expected_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(stmt)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed()
    for name, value in values.items():
        set_committed_value(row, name, value)
