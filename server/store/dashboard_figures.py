"""Figures for the back office's dashboard: today's stock movements by reason band and by hour, units
in stock by warehouse, devices' last sync, open sync conflicts. Read-only aggregate queries.

``movements`` has no index on ``recorded_at``; it is append-only and ``seq`` grows with it, so the
first movement of a window is found by a binary search over ``seq`` (about 25 primary-key reads),
and the window's movements are then counted through the primary key, grouped in SQL.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, and_, case, cast, func, select, true

from server.store.schema import conflicts, devices, movements, warehouse_stock

HOURS = 24


@dataclass(frozen=True, slots=True)
class MovementCount:
    reason: int
    hour: int  # hours since the window's start
    inbound: bool  # qty > 0 (a move or putaway has one leg of each sign)
    count: int


@dataclass(frozen=True, slots=True)
class DeviceSync:
    warehouse_id: str
    last_seen_at: datetime | None


def first_seq_since(conn: Connection, since: datetime) -> int | None:
    """The lowest ``seq`` of a movement recorded at or after ``since`` (``None`` if there is none)."""
    since = _utc(since)
    lo, hi = conn.execute(select(func.min(movements.c.seq), func.max(movements.c.seq))).one()
    if hi is None or _at(conn, hi) < since:
        return None
    while lo < hi:  # invariant: the answer is in [lo, hi]
        mid = (lo + hi) // 2
        seq, at = conn.execute(select(movements.c.seq, movements.c.recorded_at).where(movements.c.seq >= mid)
                               .order_by(movements.c.seq).limit(1)).one()
        if _aware(at) >= since:
            hi = seq
        else:
            lo = seq + 1
    return int(lo)


def movement_counts(conn: Connection, since: datetime, warehouse_ids: Collection[str] | None) -> list[MovementCount]:
    """Movements recorded from ``since`` on, counted by reason, hour since ``since`` and sign."""
    first = first_seq_since(conn, since)
    if first is None:
        return []
    hour = _hours_since(conn, int(_utc(since).timestamp()))
    inbound = case((movements.c.qty > 0, 1), else_=0)
    where = and_(movements.c.seq >= first, _in(movements.c.warehouse_id, warehouse_ids))
    rows = conn.execute(select(movements.c.reason, hour.label("hour"), inbound.label("inbound"), func.count())
                        .where(where).group_by(movements.c.reason, hour, inbound)).all()
    return [MovementCount(int(r[0]), int(r[1]), bool(r[2]), int(r[3])) for r in rows]


def units_by_warehouse(conn: Connection, warehouse_ids: Collection[str] | None) -> dict[str, int]:
    rows = conn.execute(select(warehouse_stock.c.warehouse_id, func.sum(warehouse_stock.c.on_hand))
                        .where(_in(warehouse_stock.c.warehouse_id, warehouse_ids))
                        .group_by(warehouse_stock.c.warehouse_id)).all()
    return {r[0]: int(r[1] or 0) for r in rows}


def active_devices(conn: Connection, warehouse_ids: Collection[str] | None) -> list[DeviceSync]:
    rows = conn.execute(select(devices.c.warehouse_id, devices.c.last_seen_at)
                        .where(devices.c.revoked_at.is_(None), _in(devices.c.warehouse_id, warehouse_ids)))
    return [DeviceSync(r.warehouse_id, _aware(r.last_seen_at) if r.last_seen_at else None) for r in rows]


def open_conflict_count(conn: Connection, warehouse_ids: Collection[str] | None) -> int:
    q = select(func.count()).select_from(conflicts).where(conflicts.c.state == "open")
    if warehouse_ids is not None:
        q = q.join(devices, devices.c.id == conflicts.c.device_id).where(devices.c.warehouse_id.in_(sorted(warehouse_ids)))
    return int(conn.execute(q).scalar_one())


def _in(column: Any, warehouse_ids: Collection[str] | None) -> Any:
    return true() if warehouse_ids is None else column.in_(sorted(warehouse_ids))


def _hours_since(conn: Connection, start_epoch_s: int) -> Any:
    """Whole hours from ``start_epoch_s`` to each movement's ``recorded_at``."""
    if conn.dialect.name == "postgresql":
        return cast(func.floor((func.extract("epoch", movements.c.recorded_at) - start_epoch_s) / 3600), Integer)
    seconds = cast(func.strftime("%s", movements.c.recorded_at), Integer)  # stored as naive UTC text
    return (seconds - start_epoch_s) // 3600  # integer division: the window starts at or before each row


def _at(conn: Connection, seq: int) -> datetime:
    return _aware(conn.execute(select(movements.c.recorded_at).where(movements.c.seq == seq)).scalar_one())


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc(value: datetime) -> datetime:
    return _aware(value)


def window_start(now: datetime, utc_offset: timedelta) -> datetime:
    """Midnight of ``now``'s day at ``utc_offset``, in UTC."""
    local = _aware(now).astimezone(UTC) + utc_offset
    return (local.replace(hour=0, minute=0, second=0, microsecond=0) - utc_offset).replace(tzinfo=UTC)
