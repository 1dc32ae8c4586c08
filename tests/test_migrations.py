"""G14: migrations upgrade, downgrade and upgrade again, and match the models (alembic check)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect

from alembic import command
from app.core.config import Settings
from app.core.db import make_engine
from app.core.migrations import alembic_config, downgrade, head_revisions, is_at_head, upgrade


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_check(scratch_url: str) -> None:
    upgrade(scratch_url)
    assert {"agencies", "api_clients", "alembic_version"} <= _tables(scratch_url)
    command.check(alembic_config(scratch_url))  # raises if models and migrations differ

    downgrade(scratch_url, "base")
    assert _tables(scratch_url) <= {"alembic_version"}

    upgrade(scratch_url)
    command.check(alembic_config(scratch_url))
    assert "agencies" in _tables(scratch_url)


def test_readiness_follows_migrations(scratch_url: str, tmp_path: Path) -> None:
    engine = make_engine(Settings(database_url=scratch_url, data_dir=tmp_path))
    try:
        assert not is_at_head(engine)
        upgrade(scratch_url)
        assert is_at_head(engine)
    finally:
        engine.dispose()


def test_there_is_exactly_one_head() -> None:
    assert len(head_revisions()) == 1
