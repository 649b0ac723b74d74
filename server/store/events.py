"""The domain event outbox: every business change records an event here in the same transaction, so
later modules (finance, customers, platform stock push, device change feed) consume events by cursor
without importing each other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from server.store import audit
from server.store.schema import events
from shared.core.ids import new_id
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    id: str
    kind: str
    aggregate_type: str
    aggregate_id: str
    payload: Mapping[str, Any]
    hlc: int
    created_at: datetime


def record(conn: Connection, kind: str, aggregate_type: str, aggregate_id: str, payload: Mapping[str, Any], *, hlc: int) -> str:
    event_id = new_id()
    conn.execute(
        events.insert().values(
            id=event_id, kind=kind, aggregate_type=aggregate_type, aggregate_id=aggregate_id,
            payload=dict(payload), hlc=hlc, created_at=utc_now(),
        )
    )
    audit.append(conn, kind, aggregate_type, aggregate_id, payload)
    return event_id


def record_many(conn: Connection, items: Sequence[tuple[str, str, str, Mapping[str, Any]]], *, hlc: int) -> None:
    """Record several events, each (kind, aggregate_type, aggregate_id, payload), in one statement."""
    if not items:
        return
    now = utc_now()
    conn.execute(events.insert(), [
        {"id": new_id(), "kind": kind, "aggregate_type": agg_type, "aggregate_id": agg_id, "payload": dict(payload),
         "hlc": hlc, "created_at": now} for kind, agg_type, agg_id, payload in items])
    audit.append_many(conn, items)


def after(conn: Connection, cursor: int, *, limit: int = 1000, kinds: Sequence[str] = ()) -> list[Event]:
    """Events with ``seq > cursor`` in commit order of their sequence, at most ``limit``."""
    query = select(events).where(events.c.seq > cursor).order_by(events.c.seq).limit(limit)
    if kinds:
        query = query.where(events.c.kind.in_(list(kinds)))
    return [Event(**row._mapping) for row in conn.execute(query)]
