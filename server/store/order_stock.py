"""Reserving stock for orders, many orders at a time, all lines of an order or none.

The same two-phase reservations as ``server.store.reservations`` (rows in ``reservations`` with
``ref_type='order'``, ``warehouse_stock.reserved`` raised by a conditional update), but for a batch
and with one ``orders.stock_reserved`` event per batch (every order's reservations listed) instead of one
per reservation: the warehouse rows of every SKU involved are read once (locked ``FOR UPDATE``
on PostgreSQL; SQLite has one writer), orders are allocated in the given order in memory, and each
(SKU, warehouse) total is applied with one conditional update that must hit its row. An order whose
lines do not all fit reserves nothing and is reported short.

Releasing uses ``reservations.release`` per reservation (a rare path).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select, tuple_

from server.store import alerts, bulk, events, reservations
from server.store.schema import reservations as reservations_table
from server.store.schema import warehouse_stock
from shared.core.errors import RuleViolation
from shared.orders.allocation import allocate
from shared.orders.ids import new_ids


@dataclass(frozen=True, slots=True)
class StockRequest:
    order_id: str
    warehouse_id: str
    lines: tuple[tuple[str, int], ...]  # (sku_id, qty in base units)


@dataclass(frozen=True, slots=True)
class Shortage:
    sku_id: str
    needed: int
    available: int


_INSERT = ("INSERT INTO reservations (id, sku_id, warehouse_id, bin_id, batch, qty, consumed_qty, released_qty, state,"
           " ref_type, ref_id, created_at, updated_at) VALUES (?, ?, ?, NULL, '', ?, 0, 0, 'open', 'order', ?, ?, ?)")


def _available(conn: Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    ws = warehouse_stock.c
    for i in range(0, len(pairs), 400):
        query = (select(ws.sku_id, ws.warehouse_id, ws.on_hand, ws.reserved)
                 .where(tuple_(ws.sku_id, ws.warehouse_id).in_(pairs[i:i + 400])).order_by(ws.sku_id, ws.warehouse_id))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        found.update(((r.sku_id, r.warehouse_id), int(r.on_hand) - int(r.reserved)) for r in conn.execute(query))
    return found


def available(conn: Connection, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """What can still be reserved of each (SKU, warehouse) pair (rows locked on PostgreSQL, as when
    reserving); a pair without a stock row is absent."""
    return _available(conn, sorted(set(pairs)))


def reserve_orders(conn: Connection, requests: Sequence[StockRequest], *, hlc: int
                   ) -> tuple[dict[str, list[str]], dict[str, list[Shortage]]]:
    """Reserve every request's lines, or none of them. Returns (order id → reservation ids,
    order id → shortages)."""
    pairs = sorted({(sku, r.warehouse_id) for r in requests for sku, _ in r.lines})
    granted, missing = allocate(_available(conn, pairs), [(r.order_id, r.warehouse_id, r.lines) for r in requests])
    short = {key: [Shortage(*item) for item in items] for key, items in missing.items()}
    by_id = {r.order_id: r for r in requests}
    taken: dict[tuple[str, str], int] = defaultdict(int)
    reserved: dict[str, list[str]] = {}
    rows: list[tuple[object, ...]] = []
    listed: dict[str, list[list[object]]] = {}
    now = bulk.db_time(conn)
    fresh_ids = iter(new_ids(sum(len(by_id[key].lines) for key in granted)))
    for key in granted:
        request = by_id[key]
        ids, mine = [], []
        for sku, qty in request.lines:
            taken[(sku, request.warehouse_id)] += qty
            rid = next(fresh_ids)
            ids.append(rid)
            mine.append([rid, sku, request.warehouse_id, qty])
            rows.append((rid, sku, request.warehouse_id, qty, request.order_id, now, now))
        listed[request.order_id] = mine
        reserved[request.order_id] = ids
    if not rows:
        return reserved, short
    _apply(conn, taken)
    bulk.executemany(conn, _INSERT, rows)
    events.record(conn, "orders.stock_reserved", "order_batch", new_ids(1)[0], {"orders": listed}, hlc=hlc)
    alerts.refresh(conn, list(taken), hlc=hlc)
    return reserved, short


_RESERVE = ("UPDATE warehouse_stock SET reserved = reserved + ? WHERE sku_id = ? AND warehouse_id = ?"
            " AND on_hand - reserved >= ?")


def _apply(conn: Connection, taken: dict[tuple[str, str], int]) -> None:
    """One conditional update per (SKU, warehouse); each must hit its row (we hold the rows' lock, so
    only a writer behind our back could make one miss: then the whole batch is given up)."""
    rows = [(qty, sku, warehouse, qty) for (sku, warehouse), qty in sorted(taken.items())]
    sql = _RESERVE.replace("?", "%s") if conn.dialect.name == "postgresql" else _RESERVE
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, rows)
        done = cursor.rowcount
    finally:
        cursor.close()
    if done != len(rows):
        raise RuleViolation("reservation.insufficient", sku="", warehouse="", available=0, qty=0)


def open_reservations(conn: Connection, order_id: str) -> list[reservations.Reservation]:
    r = reservations_table.c
    ids = conn.execute(select(r.id).where(and_(r.ref_type == "order", r.ref_id == order_id, r.state == "open"))
                       .order_by(r.id)).scalars().all()
    return [reservations.get(conn, rid) for rid in ids]


def release_order(conn: Connection, order_id: str, *, hlc: int) -> list[str]:
    """Release every open reservation of the order; returns the SKU ids released."""
    released = []
    for reservation in open_reservations(conn, order_id):
        reservations.release(conn, reservation.id, hlc=hlc)
        released.append(reservation.sku_id)
    return released
