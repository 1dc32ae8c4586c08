"""G14: migrations upgrade, downgrade and upgrade again, and match the models (alembic check)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from alembic import command
from app.core.config import Settings
from app.core.db import make_engine
from app.core.migrations import alembic_config, downgrade, head_revisions, is_at_head, upgrade
from tests.conftest import TEST_DATABASE_URL, reset_postgres


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own, so the shared test database is never downgraded."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    scratch = url.set(database=name).render_as_string(hide_password=False)
    reset_postgres(scratch)
    yield scratch


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
