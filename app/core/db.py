"""Engine, sessions and the one unit of work per request.

Why no ``yield`` session dependency: a sync generator dependency runs in one threadpool
call and the ``def`` endpoint in another, so under ~100 concurrent requests every thread
holds a pooled connection while waiting for a thread to run its endpoint and the server
stops answering (FastAPI #3205). Here a request opens its session *inside* the endpoint's
single threadpool call (``Database.begin``) and gives the connection back before returning.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from app.core.config import Settings
from app.core.errors import ServiceUnavailable

# Stable constraint names so Alembic can alter them (and batch mode on SQLite can find them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def time_ordered_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.

    For append-only tables written in bulk (audit entries): consecutive ids land in the
    same index pages, where random ids dirtied one page per row (a list read's 50 entries
    wrote about 50 pages of the unique index to the WAL at every commit).
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(secrets.token_bytes(10))
    value = (millis & 0xFFFF_FFFF_FFFF) << 80 | rand & ((1 << 80) - 1)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122/9562 variant
    return uuid.UUID(int=value)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so that we decide how BEGIN is issued.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before we answer (G8); see _on_begin for exceptions.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        # Audit-only transactions (reads that append audit entries) commit without fsync;
        # see Database.session. PRAGMA synchronous is per connection: set it only when it
        # changes, outside the transaction.
        level = "FULL" if options.get("durable", True) else "NORMAL"
        info = conn.connection.info
        if info.get("synchronous") != level:
            conn.exec_driver_sql(f"PRAGMA synchronous={level}")
            info["synchronous"] = level
        # A read-then-write transaction started DEFERRED fails with "database is locked"
        # when another writer commits first, and busy_timeout cannot help; IMMEDIATE takes
        # the write lock up front and waits for it instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("write", False) else "BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if not conn.get_execution_options().get("durable", True):
            # Only this transaction; a later synchronous commit flushes the WAL past it.
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")


def ensure_sqlite_directory(url: str) -> None:
    """SQLite creates the file but not its directory (``./data`` on a fresh checkout)."""
    database = make_url(url).database
    if url.startswith("sqlite") and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(
    settings: Settings, *, durable: bool = True, pool_size: int | None = None
) -> Engine:
    """The engine; ``durable=False`` is for data that may be lost in a crash (counters)."""
    url = settings.database_url
    pool_size = pool_size or settings.db_pool_size
    if url.startswith("sqlite"):
        ensure_sqlite_directory(url)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine if durable else engine.execution_options(durable=False)
    engine = create_engine(
        url,
        isolation_level=_PG_ISOLATION[settings.database_isolation],
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=True,
    )
    _configure_postgresql(engine)
    return engine if durable else engine.execution_options(durable=False)


_PG_ISOLATION = {
    "read_committed": "READ COMMITTED",
    "repeatable_read": "REPEATABLE READ",
    "serializable": "SERIALIZABLE",
}


class Database:
    """Owns the engine; hands out one transaction per unit of work."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self._write_engine = self.engine.execution_options(write=True)
        self._audit_engine = self.engine.execution_options(write=True, durable=False)
        self._commit_delay = settings.fault_commit_delay_ms / 1000
        # SQLite has one writer. Writers of this process queue here and wake the moment the
        # lock is free, instead of in SQLite's busy handler, which sleeps 1..100 ms between
        # tries; other processes still meet busy_timeout. Reentrant: a nested write session
        # in the same thread behaves as before (SQLite's own lock decides).
        self._lock_timeout = settings.sqlite_busy_timeout_ms / 1000
        self._writer_lock: threading.RLock | None = (
            threading.RLock() if settings.is_sqlite else None
        )

    @contextmanager
    def session(self, *, write: bool = True, durable: bool = True) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error.

        ``durable=False`` is for reads whose only write is their audit entries: the commit
        does not wait for the disk (SQLite ``synchronous=NORMAL`` in WAL mode, PostgreSQL
        ``synchronous_commit=off``); the next durable commit makes it durable too. A crash
        of the machine (not of the process) can lose the last such entries, never a write.
        """
        engine: Engine = self._audit_engine if not durable else self._write_engine
        engine = engine if write else self.engine
        lock = self._writer_lock if write else None
        if lock is not None and not lock.acquire(timeout=self._lock_timeout):
            raise ServiceUnavailable("The database is busy; retry shortly.")
        try:
            with Session(engine, expire_on_commit=False) as session:
                try:
                    yield session
                    if write and self._commit_delay:
                        time.sleep(random.uniform(0, self._commit_delay))  # noqa: S311
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except PoolTimeoutError as exc:
            raise ServiceUnavailable("All database connections are busy; retry shortly.") from exc
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
                raise TransactionConflict from exc
            if isinstance(exc, OperationalError) and _is_lock_error(exc):
                raise ServiceUnavailable("The database is busy; retry shortly.") from exc
            raise
        finally:
            if lock is not None:
                lock.release()

    def dispose(self) -> None:
        self.engine.dispose()


# PostgreSQL aborted the transaction only because of a concurrent one; running the same
# request again is the documented remedy (serialization_failure, deadlock_detected).
RETRYABLE_SQLSTATES = {"40001", "40P01"}


class TransactionConflict(Exception):
    """The transaction lost a race and was rolled back; the whole request may be re-run."""


def _is_lock_error(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text
