"""The audit log: who changed what, from where, with the before/after data, chained by SHA-256.

Every domain event (``server.store.events.record``/``record_many``) appends one entry in the same
transaction, so a rolled-back change leaves no entry. Entries are numbered 1, 2, 3 … without gaps and
each one's ``hash`` is SHA-256 over a canonical JSON of its fields and the previous entry's hash.
Appending first locks the single ``audit_head`` row (upsert; held until commit on PostgreSQL, the
single SQLite writer does the rest), so concurrent writers take turns and cannot fork the chain; the
head also records the last seq and hash, so cutting entries off the end is found too.

Who and where come from ``acting(actor, source)`` around the unit of work (the back-office gate and
the sync push set it); otherwise ``"system"`` / ``"system"``. Sources: ``"ip:1.2.3.4"``,
``"device:<id>"``, ``"cli"``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.store.schema import audit_head, audit_log
from shared.core.ids import new_id
from shared.core.time import utc_now

SYSTEM = "system"
_acting: ContextVar[tuple[str, str]] = ContextVar("erp_audit_actor", default=(SYSTEM, SYSTEM))

# (action, entity type, entity id, payload) — the shape of ``events.record_many`` items
Item = tuple[str, str, str, Mapping[str, Any]]


@contextmanager
def acting(actor: str, source: str) -> Iterator[None]:
    """Attribute the changes made inside to ``actor`` (a user or device id) coming from ``source``."""
    token = _acting.set((actor[:64] or SYSTEM, source[:100] or SYSTEM))
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> tuple[str, str]:
    return _acting.get()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _json(value: Any) -> Any:
    """``value`` as it comes back from a JSON column (tuples become lists and so on)."""
    return None if value is None else json.loads(json.dumps(value))


def _at(value: datetime) -> str:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite gives naive UTC back
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the canonical JSON of an entry's fields, ``prev_hash`` included."""
    fields = {k: entry[k] for k in ("seq", "id", "actor", "source", "action", "entity_type", "entity_id",
                                     "before", "after", "prev_hash")}
    fields["at"] = _at(entry["at"])
    return hashlib.sha256(_canonical(fields).encode("utf-8")).hexdigest()


def _lock_head(conn: Connection) -> tuple[int, str]:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(audit_head).values(id=1, seq=0, hash="")
    stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"seq": audit_head.c.seq})  # locks the row
    seq, last = conn.execute(stmt.returning(audit_head.c.seq, audit_head.c.hash)).one()
    return int(seq), str(last)


def append_many(conn: Connection, items: Sequence[Item]) -> None:
    """Append one entry per (action, entity type, entity id, payload). A payload with both ``before``
    and ``after`` keys gives those; any other payload is the ``after`` with no ``before``."""
    if not items:
        return
    actor, source = current_actor()
    seq, prev = _lock_head(conn)
    now = utc_now()
    rows = []
    for action, entity_type, entity_id, payload in items:
        data = _json(dict(payload))
        split = isinstance(data, dict) and data.keys() == {"before", "after"}
        seq += 1
        row = {"seq": seq, "id": new_id(), "at": now, "actor": actor, "source": source, "action": action,
               "entity_type": entity_type, "entity_id": entity_id,
               "before": data["before"] if split else None, "after": data["after"] if split else data, "prev_hash": prev}
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    conn.execute(audit_log.insert(), rows)
    conn.execute(audit_head.update().where(audit_head.c.id == 1).values(seq=seq, hash=prev))


def append(conn: Connection, action: str, entity_type: str, entity_id: str, payload: Mapping[str, Any]) -> None:
    append_many(conn, [(action, entity_type, entity_id, payload)])


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def verify(conn: Connection, *, page: int = 5000) -> int | None:
    """The seq of the first broken entry (edited, missing or out of chain), or ``None`` if the whole
    chain recomputes. A missing entry is reported at its own seq."""
    expected, prev = 1, ""
    while True:
        rows = conn.execute(select(audit_log).where(audit_log.c.seq >= expected).order_by(audit_log.c.seq).limit(page)).all()
        for row in rows:
            entry = row._mapping
            if entry["seq"] != expected:
                return expected
            if entry["prev_hash"] != prev or entry_hash(entry) != entry["hash"]:
                return expected
            prev, expected = entry["hash"], expected + 1
        if len(rows) < page:
            break
    last = expected - 1
    head = conn.execute(select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)).one_or_none()
    head_seq, head_hash = (int(head[0]), str(head[1])) if head else (0, "")
    if head_seq > last:
        return last + 1  # entries cut off the end
    if head_seq < last:
        return head_seq + 1  # entries added behind the log's back
    return None if head_hash == prev else (last or 1)
