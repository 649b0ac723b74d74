"""The order timeline (``order_events``): one append-only row per state change of an order, with who
(``actor``), from where (``source``: ``pull:<shop code>``, ``ip:1.2.3.4``, ``device:<id>``, ``bench``),
the states before and after, a catalogue ``code`` and a free ``note``.

Actor and source default to ``server.store.audit.acting`` (what the back office and sync set)."""

from __future__ import annotations

import json

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from server.store import bulk
from server.store.audit import current_actor
from server.store.schema_orders import order_events
from shared.orders.ids import new_ids


@dataclass(frozen=True, slots=True)
class OrderEvent:
    order_id: str
    from_state: str | None
    to_state: str
    code: str
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    seq: int
    at: datetime
    actor: str
    source: str
    from_state: str | None
    to_state: str
    code: str
    note: str
    details: dict[str, Any]


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
_INSERT = ("INSERT INTO order_events (id, order_id, at, actor, source, from_state, to_state, code, note, details)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def append(conn: Connection, items: Sequence[OrderEvent], *, actor: str | None = None, source: str | None = None) -> None:
    """Append ``items`` with one ``executemany`` (actor/source default to the current ``acting``)."""
    if not items:
        return
    default_actor, default_source = current_actor()
    who, where, now = (actor or default_actor)[:64], (source or default_source)[:100], bulk.db_time(conn)
    bulk.executemany(conn, _INSERT, [
        (event_id, item.order_id, now, who, where, item.from_state, item.to_state, item.code, item.note[:2000],
         _ENCODER.encode(dict(item.details)) if item.details else "{}")
        for event_id, item in zip(new_ids(len(items)), items)])


def timeline(conn: Connection, order_id: str) -> list[TimelineEntry]:
    rows = conn.execute(select(order_events).where(order_events.c.order_id == order_id).order_by(order_events.c.seq))
    return [TimelineEntry(int(r.seq), r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC), r.actor, r.source,
                          r.from_state, r.to_state, r.code, r.note, dict(r.details)) for r in rows]
