"""Fixed-window counters shared by every API process, for per-client rate limits (G15).

The count must not live in process memory: behind a load balancer each process would grant
the full limit again. It lives in the database by default (one row per bucket and window,
upserted), or in Redis when ``REFERRALS_REDIS_URL`` is set (``INCR`` + ``EXPIRE``).

Counters need no durability, so the database counters use their own small engine whose
commits skip the fsync (SQLite ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit=off``);
the request's own transaction stays fully durable.

On SQLite the counters live in a file of their own next to the database (``counters_path``,
``SQLiteCounters``): SQLite has one writer per file, and every request counts itself, so
counters in the main file made every request (reads included) queue for the same write
lock as the audit trail and the writes, twice per audited read. A file on the same disk is
shared by every process of the deployment just the same.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.schema import CreateTable
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.core.db import make_engine, metadata

logger = logging.getLogger("app.ratelimit")

rate_counters = Table(
    "rate_counters",
    metadata,
    Column("bucket", String(100), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),
    Column("hits", Integer, nullable=False),
)


@dataclass(frozen=True)
class Window:
    """The fixed window that contains ``now``: ``[start, start + seconds)`` in epoch seconds."""

    start: int
    seconds: int

    @classmethod
    def containing(cls, now: float, seconds: int) -> Window:
        epoch = int(now)
        return cls(epoch - epoch % seconds, seconds)

    def seconds_left(self, now: float) -> int:
        return max(1, int(self.start + self.seconds - now) + 1)


class Counters(Protocol):
    # True when a hit is a local statement of microseconds that never waits on a network:
    # the caller may then count on the event loop rather than hop to a worker thread.
    inline: bool

    def hit(self, bucket: str, window: Window) -> int:
        """Count one event in ``window`` and return the window's count so far."""

    def peek(self, bucket: str, window: Window) -> int:
        """The window's count, without counting."""

    def close(self) -> None: ...


def counters_path(database_url: str) -> str | None:
    """The side file for the counters of a SQLite database file (None for other URLs)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    stem, suffix = os.path.splitext(url.database)
    return f"{stem}.counters{suffix}"


class SQLiteCounters:
    """Counters in a SQLite file of their own, through one plain ``sqlite3`` connection.

    Each hit is one UPSERT statement (atomic on its own, in autocommit mode) on a
    connection that the writers of this process take in turn; other processes wait in
    ``busy_timeout``. Measured on the bench machine: about 16 us a hit, against about
    320 us through a SQLAlchemy engine (pool checkout, events, a transaction around one
    statement), on every request.
    """

    # A hit (~16 us) costs a fraction of a threadpool hop. It can wait only for another
    # process's hit on this file (busy_timeout), which is as short.
    inline = True

    _UPSERT = (
        "INSERT INTO rate_counters (bucket, window_start, hits) VALUES (?, ?, 1) "
        "ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + 1 RETURNING hits"
    )
    _PRUNE = "DELETE FROM rate_counters WHERE bucket = ? AND window_start < ?"
    _PEEK = "SELECT hits FROM rate_counters WHERE bucket = ? AND window_start = ?"

    def __init__(self, path: str, *, busy_timeout_ms: int) -> None:
        self._path = path
        self._timeout = busy_timeout_ms / 1000
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        with self._lock:
            self._connection()  # create the file and table now, not on the first request

    def _connection(self) -> sqlite3.Connection:
        """The open connection; (re)opened on first use, also after ``close`` (an engine
        keeps working after ``dispose`` too, and one app may be started more than once)."""
        if self._conn is None:
            conn = sqlite3.connect(
                self._path,
                isolation_level=None,  # autocommit: each statement is its own transaction
                check_same_thread=False,  # used by many threads, one at a time (the lock)
                timeout=self._timeout,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            # Counts may be lost in a machine crash; they need no fsync per request.
            conn.execute("PRAGMA synchronous=NORMAL")
            ddl = CreateTable(rate_counters, if_not_exists=True)
            conn.execute(str(ddl.compile(dialect=sqlite_dialect())))
            self._conn = conn
        return self._conn

    def hit(self, bucket: str, window: Window) -> int:
        with self._lock:
            conn = self._connection()
            # fetchall: a RETURNING statement ends (and commits) only once read to the end.
            [(hits,)] = conn.execute(self._UPSERT, (bucket, window.start)).fetchall()
            if hits == 1:
                # First hit of a new window: drop this bucket's old windows (see above).
                conn.execute(self._PRUNE, (bucket, window.start))
        return int(hits)

    def peek(self, bucket: str, window: Window) -> int:
        with self._lock:
            rows = self._connection().execute(self._PEEK, (bucket, window.start)).fetchall()
        return int(rows[0][0]) if rows else 0

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def make_counters(settings: Settings) -> Counters:
    """Where rate-limit counts live (G15): Redis if configured; else beside a SQLite
    database file; else in the database (PostgreSQL, or an in-memory SQLite)."""
    if settings.redis_url:
        return RedisCounters(settings.redis_url)
    side_file = counters_path(settings.database_url)
    if side_file is not None:
        # Hits run on the event loop: wait at most 50 ms for another process's hit, then
        # let the request through (the limiter fails open, loudly).
        return SQLiteCounters(side_file, busy_timeout_ms=min(settings.sqlite_busy_timeout_ms, 50))
    return DatabaseCounters(_counters_engine(settings))


# How the counters' connections appear in pg_stat_activity.
COUNTERS_APPLICATION_NAME = "referrals-rate-counters"


def _counters_engine(settings: Settings) -> Engine:
    """An engine of its own for the counters, whose commits skip the fsync (counts need
    none; the requests' own transactions use the main engine)."""
    if settings.is_sqlite:  # in memory: nothing to fsync anyway
        return make_engine(settings, durable=False, pool_size=10)
    # PostgreSQL in one round trip a hit: autocommit (no BEGIN, SET LOCAL and COMMIT
    # around the one UPSERT) and synchronous_commit=off for the whole session. No pool
    # pre-ping, which was a second round trip on every request (an authenticated no-op
    # went from 696 to 946 requests/s in `make bench-floor`): after a database restart
    # the first hit on each stale connection fails, and the limiter fails open for that
    # one request (logged) while the pool reconnects.
    return create_engine(
        settings.database_url,
        isolation_level="AUTOCOMMIT",
        pool_size=10,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=False,
        connect_args={
            "options": "-c synchronous_commit=off",
            "application_name": COUNTERS_APPLICATION_NAME,
        },
    )


class DatabaseCounters:
    inline = False

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        # Built once with bound parameters: building the UPSERT per hit cost more than
        # its round trip.
        self._upsert = (
            insert(rate_counters)
            .values(bucket=bindparam("bucket"), window_start=bindparam("start"), hits=1)
            .on_conflict_do_update(
                index_elements=["bucket", "window_start"],
                set_={"hits": rate_counters.c.hits + 1},
            )
            .returning(rate_counters.c.hits)
        )
        self._prune = delete(rate_counters).where(
            rate_counters.c.bucket == bindparam("bucket"),
            rate_counters.c.window_start < bindparam("start"),
        )

    def hit(self, bucket: str, window: Window) -> int:
        params = {"bucket": bucket, "start": window.start}
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            hits = int(conn.execute(self._upsert, params).scalar_one())
            if hits == 1:
                # First hit of a new window: drop this bucket's old windows, so the table
                # holds about one row per active client.
                conn.execute(self._prune, params)
        return hits

    def peek(self, bucket: str, window: Window) -> int:
        query = select(rate_counters.c.hits).where(
            rate_counters.c.bucket == bucket, rate_counters.c.window_start == window.start
        )
        with self.engine.connect() as conn, conn.begin():
            return int(conn.execute(query).scalar_one_or_none() or 0)

    def close(self) -> None:
        self.engine.dispose()


class RedisCounters:
    inline = False

    def __init__(self, url: str, *, prefix: str = "referrals:rl") -> None:
        import redis

        # Short timeouts: a slow Redis must not hold every request hostage.
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix

    def _key(self, bucket: str, window: Window) -> str:
        return f"{self.prefix}:{bucket}:{window.start}"

    def hit(self, bucket: str, window: Window) -> int:
        key = self._key(bucket, window)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, window.seconds + 1, nx=True)
        hits, _ = pipe.execute()
        return int(hits)

    def peek(self, bucket: str, window: Window) -> int:
        value = self.client.get(self._key(bucket, window))
        return int(value) if value is not None else 0

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True)
class Limit:
    """At most ``count`` events per ``seconds`` for one bucket."""

    count: int
    seconds: int


class RateLimited(Exception):
    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(f"over {limit.count} per {limit.seconds}s")
        self.limit = limit
        self.retry_after = retry_after


class RateLimiter:
    """Applies limits to buckets over shared counters.

    If the counter store itself fails (Redis down), requests are let through and the failure
    is logged: an outage of the limiter must not become an outage of the referral mechanism.
    """

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    async def consume_async(self, bucket: str, limit: Limit) -> None:
        """``consume`` from the event loop: in place when a hit is a local statement of
        microseconds (``counters.inline``), else on a worker thread (a network store)."""
        if self.counters.inline:
            self.consume(bucket, limit)
        else:
            await run_in_threadpool(self.consume, bucket, limit)

    def consume(self, bucket: str, limit: Limit) -> None:
        """Count one request; raise ``RateLimited`` when the bucket is over its limit."""
        now = time.time()
        window = Window.containing(now, limit.seconds)
        hits = self._safely(lambda: self.counters.hit(bucket, window))
        if hits is not None and hits > limit.count:
            raise RateLimited(limit, window.seconds_left(now))

    def ensure_under(self, bucket: str, limit: Limit) -> None:
        """Raise ``RateLimited`` if the bucket has already reached its limit (no counting)."""
        now = time.time()
        window = Window.containing(now, limit.seconds)
        hits = self._safely(lambda: self.counters.peek(bucket, window))
        if hits is not None and hits >= limit.count:
            raise RateLimited(limit, window.seconds_left(now))

    def count(self, bucket: str, limit: Limit) -> None:
        """Count one event without judging it (e.g. a failed attempt)."""
        window = Window.containing(time.time(), limit.seconds)
        self._safely(lambda: self.counters.hit(bucket, window))

    def _safely(self, call: _Call) -> int | None:
        try:
            return call()
        except Exception as exc:  # the store is down: fail open, loudly
            logger.error("rate limit store unavailable", extra={"error_class": type(exc).__name__})
            return None


class _Call(Protocol):
    def __call__(self) -> int: ...
