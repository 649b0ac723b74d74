"""Engine creation and transactions for the central store.

SQLite: WAL, foreign keys on, ``synchronous=FULL`` (a write is on disk before it is acknowledged),
a busy timeout, and ``BEGIN IMMEDIATE`` so a writer takes the write lock up front instead of failing
on upgrade. PostgreSQL: psycopg 3, READ COMMITTED; projection updates are atomic upserts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from shared.core.clock import HybridClock


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Readers (Store.read) start a plain deferred transaction and never block behind a writer.
        read_only = conn.get_execution_options().get("erp_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@dataclass
class ServerClock:
    """The server's hybrid logical clock over its wall clock (injectable for tests)."""

    wall_ms: Any = field(default=lambda: time.time_ns() // 1_000_000)
    hlc: HybridClock = field(default_factory=HybridClock)

    def now(self) -> int:
        return self.hlc.now(int(self.wall_ms()))

    def observe(self, remote_hlc: int) -> int:
        return self.hlc.observe(remote_hlc, int(self.wall_ms()))


@dataclass
class Store:
    """The central store: an engine plus the server clock. ``transaction()`` is the unit of work."""

    engine: Engine
    clock: ServerClock = field(default_factory=ServerClock)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work: on SQLite it does not take the write lock."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(erp_read_only=True)
            with conn.begin():
                yield conn

    @contextmanager
    def snapshot_read(self) -> Iterator[Connection]:
        """A read whose statements all see one snapshot (REPEATABLE READ on PostgreSQL; on SQLite
        every read transaction already does)."""
        with self.engine.connect() as conn:
            opts: dict[str, Any] = {"erp_read_only": True}
            if self.dialect == "postgresql":
                opts["isolation_level"] = "REPEATABLE READ"
            conn = conn.execution_options(**opts)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True, clock: ServerClock | None = None) -> Store:
    """Open the store at ``url``, bringing the schema up to date with Alembic first. The server's HLC
    resumes from the highest HLC the store has recorded, so it never runs backwards across a restart
    (even if the machine's clock did)."""
    engine = make_engine(url)
    if migrate:
        from server.store.migrate import upgrade

        upgrade(engine)
    store = Store(engine, clock or ServerClock())
    store.clock.hlc.last = max(store.clock.hlc.last, last_recorded_hlc(store))
    return store


def last_recorded_hlc(store: Store) -> int:
    from sqlalchemy import func, select

    from server.store.schema import applied_ops, events

    with store.read() as conn:
        highest = [conn.execute(select(func.max(t.c.hlc))).scalar() for t in (events,)]
        highest.append(conn.execute(select(func.max(applied_ops.c.effective_hlc))).scalar())
    return max((int(h) for h in highest if h is not None), default=0)
