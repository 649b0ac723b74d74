"""The handheld's local replica: one SQLite file (WAL, synchronous=FULL), one writer.

    open_replica(path) -> Replica

The file holds the server's state for this device's scope exactly as pulled (tables of
``sync.replica_schema``), the outbox of ops made here (``client.replica.outbox``), local effect
tables, and ``meta`` (device id, token, cursor, last seq, HLC…). Every write is one transaction
(sqlite-utils ``atomic()``): an op with its local effect and new meta; a pulled page with its cursor;
a snapshot with its cursor. ``Replica`` implements ``sync.ports.ReplicaPort`` for the replicator and
the reads the screens need (``client.replica.views``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from client.replica import outbox, views
from shared.scan.resolve import BarcodeHit, BinHit
from sync.ports import META_KEYS, Answer, LocalEffect
from sync.protocol import Op
from sync.replica_schema import DDL, ENTITY_TABLES, SCHEMA_VERSION, upsert_sql
from sync.transport import BadResponse

_SQL_VALUE = (str, int, float, type(None))


def open_replica(path: str | Path) -> Replica:
    """Open (creating if need be) the replica at ``path``."""
    conn = sqlite3.connect(str(path))
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        conn.close()
        raise sqlite3.OperationalError(f"cannot put {path} in WAL mode (got {mode})")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(DDL + outbox.LOCAL_DDL)
    return Replica(Path(path), Database(conn, execute_plugins=False))


class Replica:
    """The replica file; see the module docstring. Not thread-safe: use it from one thread."""

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self._db = db
        self._conn = db.conn

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db.atomic():
            yield self._conn

    # ---- meta ---------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, values: Mapping[str, str]) -> None:
        with self._transaction() as conn:
            _set_meta(conn, values)

    # ---- pulled state -------------------------------------------------------------------------

    def apply_changes(self, changes: Sequence[Mapping[str, Any]], cursor: int) -> int:
        """Upsert pulled rows and store ``cursor`` in one transaction. Entities this client does not
        know are skipped (a newer server); a known entity with missing fields is a ``BadResponse``."""
        per_entity: dict[str, list[dict[str, Any]]] = {}
        for change in changes:  # every row checked before anything is written
            row = _entity_row(change)
            if row is not None:
                per_entity.setdefault(row[0], []).append(row[1])
        # One executemany per entity, rows in the order pulled: entities are separate tables, so
        # only the order within one matters (a later change of a key wins), and that is kept.
        with self._transaction() as conn:
            for entity, rows in per_entity.items():
                conn.executemany(upsert_sql(entity), rows)
            _set_meta(conn, {"cursor": str(cursor)})
        return sum(len(rows) for rows in per_entity.values())

    def install_snapshot(self, path: Path) -> int:
        """Make the server-state tables those of the snapshot file at ``path`` (nothing stale kept)
        and take its cursor, in one transaction. The outbox, local effect tables and device meta
        stay: pending ops survive a re-bootstrap. Returns the cursor."""
        try:
            self._conn.execute("ATTACH DATABASE ? AS snapshot", (str(path),))
        except sqlite3.Error as exc:
            raise BadResponse(f"cannot open the snapshot: {exc}") from exc
        try:
            return self._copy_snapshot()
        except sqlite3.DatabaseError as exc:
            raise BadResponse(f"the snapshot is not a replica file: {exc}") from exc
        finally:
            self._conn.execute("DETACH DATABASE snapshot")

    def _copy_snapshot(self) -> int:
        row = self._conn.execute("SELECT value FROM snapshot.meta WHERE key = 'cursor'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise BadResponse("the snapshot has no cursor in its meta table")
        cursor = int(row[0])
        version = self._conn.execute("SELECT value FROM snapshot.meta WHERE key = 'schema_version'").fetchone()
        if version is not None and str(version[0]) != str(SCHEMA_VERSION):
            raise BadResponse(f"the snapshot has replica schema {version[0]}, this app {SCHEMA_VERSION}")
        warehouse = self._conn.execute("SELECT value FROM snapshot.meta WHERE key = 'warehouse_id'").fetchone()
        with self._transaction() as conn:
            for table, _keys, columns in ENTITY_TABLES.values():
                conn.execute(f"DELETE FROM main.{table}")
                if _same_columns(conn, table, columns):
                    # The very same statement as below when both tables have exactly these columns, in
                    # this order; written as SELECT * so SQLite copies the B-trees page by page
                    # (its transfer optimisation) instead of inserting row by row.
                    conn.execute(f"INSERT INTO main.{table} SELECT * FROM snapshot.{table}")
                else:
                    names = ", ".join(columns)
                    conn.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM snapshot.{table}")
            _set_meta(conn, {"cursor": str(cursor)})
            if warehouse is not None and self.get_meta("warehouse_id") is None:
                _set_meta(conn, {"warehouse_id": str(warehouse[0])})
        return cursor

    # ---- outbox (see client.replica.outbox) ---------------------------------------------------

    def append_op(self, op: Op, *, created_at_ms: int, local_effect: LocalEffect | None = None) -> None:
        """Store ``op`` (pending) with its local effect rows and the new ``last_seq``/``hlc``, atomically."""
        with self._transaction() as conn:
            outbox.insert_op(conn, op, created_at_ms)
            outbox.write_effect(conn, op, local_effect)
            hlc = max(op.hlc, int(self.get_meta("hlc") or 0))
            _set_meta(conn, {"last_seq": str(op.seq), "hlc": str(hlc)})

    def pending_ops(self, limit: int) -> list[Op]:
        """Up to ``limit`` pending ops, oldest (lowest seq) first, stamped with this device's id."""
        return outbox.pending(self._conn, limit, self.get_meta("device_id") or "")

    def pending_count(self) -> int:
        return outbox.pending_count(self._conn)

    def mark_answered(self, answers: Sequence[Answer], *, answered_at_ms: int) -> int:
        """Record the server's answers (pending rows only) in one transaction."""
        with self._transaction() as conn:
            return outbox.mark_answered(conn, answers, answered_at_ms)

    def prune_answered(self, older_than_ms: int) -> int:
        """Delete acked/rejected rows answered before ``older_than_ms``; never a pending one."""
        with self._transaction() as conn:
            return outbox.prune_answered(conn, older_than_ms)

    def outbox_entries(self, state: str | None = None) -> list[outbox.OutboxEntry]:
        return outbox.entries(self._conn, state)

    # ---- reads for the screens (see client.replica.views) -------------------------------------

    def stock_view(self, *, bin_id: str | None = None, sku_id: str | None = None) -> list[views.StockLine]:
        return views.stock_view(self._conn, bin_id=bin_id, sku_id=sku_id)

    def open_tasks(self) -> list[views.TaskView]:
        return views.open_tasks(self._conn, self.get_meta("device_id") or "")

    def local_counts(self, stocktake_id: str) -> list[views.LocalCount]:
        return views.local_counts(self._conn, stocktake_id)

    def lookup_barcode(self, key: str) -> BarcodeHit | None:
        return views.lookup_barcode(self._conn, key)

    def bin_by_code(self, warehouse_id: str | None, code: str) -> BinHit | None:
        return views.bin_by_code(self._conn, warehouse_id, code)

    def scan_index(self) -> views.ReplicaScanIndex:
        """A ``ScanIndex`` for ``shared.scan.resolve.resolve_scan``, scoped to this device's warehouse."""
        return views.ReplicaScanIndex(self._conn, self.get_meta("warehouse_id"))


def _set_meta(conn: sqlite3.Connection, values: Mapping[str, str]) -> None:
    unknown = set(values) - META_KEYS
    if unknown:
        raise KeyError(f"unknown meta keys {sorted(unknown)}")
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     [(k, str(v)) for k, v in values.items()])


def _same_columns(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> bool:
    """True when ``main.table`` and ``snapshot.table`` both have exactly ``columns``, in that order,
    with the same declared types and constraints."""
    main = conn.execute(f"PRAGMA main.table_info({table})").fetchall()
    return [c[1] for c in main] == list(columns) and main == conn.execute(f"PRAGMA snapshot.table_info({table})").fetchall()


def _entity_row(change: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    entity, data = change.get("entity"), change.get("data")
    if not isinstance(entity, str) or entity not in ENTITY_TABLES:
        return None
    if type(data) is not dict and not isinstance(data, Mapping):
        raise BadResponse(f"a {entity} change has no data")
    _table, _keys, columns = ENTITY_TABLES[entity]
    try:
        row = {c: data[c] for c in columns}
    except KeyError:
        raise BadResponse(f"a {entity} change lacks {', '.join(c for c in columns if c not in data)}") from None
    for v in row.values():
        if not isinstance(v, _SQL_VALUE):
            raise BadResponse(f"a {entity} change has a value that is not text or a number")
    return entity, row
