"""The stock push queue: (shop, SKU) pairs whose platform stock must be pushed again.

Marking a pair dirty is an upsert that bumps ``generation``, so a pair marked many times is one row
(coalesced). A pusher takes rows with their generation and, once the platform accepted the quantity,
deletes only rows whose generation is unchanged: a change that arrived while the push was in flight
keeps its row and is pushed next round. Failed pushes keep their rows (``attempts``, ``last_error``).

``enqueue_skus(conn, sku_ids)`` is the hook for any stock change (reservation, release, ledger posting):
it marks every active shop that maps one of the SKUs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.store.schema import platform_skus, warehouse_stock
from server.store.schema_orders import shops, stock_push_queue
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class Dirty:
    shop_id: str
    sku_id: str
    generation: int
    attempts: int


def enqueue(conn: Connection, pairs: Iterable[tuple[str, str]]) -> int:
    """Mark (shop_id, sku_id) pairs dirty; returns how many distinct pairs."""
    rows = [{"shop_id": shop, "sku_id": sku, "generation": 1, "enqueued_at": utc_now(), "attempts": 0, "last_error": ""}
            for shop, sku in sorted(set(pairs))]
    if not rows:
        return 0
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(stock_push_queue)
    stmt = stmt.on_conflict_do_update(index_elements=["shop_id", "sku_id"],
                                      set_={"generation": stock_push_queue.c.generation + 1,
                                            "enqueued_at": stmt.excluded.enqueued_at})
    conn.execute(stmt, rows)
    return len(rows)


def enqueue_skus(conn: Connection, sku_ids: Iterable[str]) -> int:
    """Mark every active shop that maps one of ``sku_ids`` dirty for it."""
    wanted = sorted(set(sku_ids))
    pairs: set[tuple[str, str]] = set()
    p, s = platform_skus.c, shops.c
    for i in range(0, len(wanted), 900):
        query = (select(s.id, p.sku_id).select_from(platform_skus.join(shops, and_(s.id == p.shop_id, s.platform == p.platform)))
                 .where(and_(p.sku_id.in_(wanted[i:i + 900]), s.active.is_(True))))
        pairs.update((r.id, r.sku_id) for r in conn.execute(query))
    return enqueue(conn, pairs)


def take(conn: Connection, shop_id: str, *, limit: int) -> list[Dirty]:
    q = stock_push_queue.c
    rows = conn.execute(select(stock_push_queue).where(q.shop_id == shop_id).order_by(q.enqueued_at, q.sku_id).limit(limit))
    return [Dirty(r.shop_id, r.sku_id, int(r.generation), int(r.attempts)) for r in rows]


def pending(conn: Connection, shop_id: str | None = None) -> list[Dirty]:
    q = stock_push_queue.c
    query = select(stock_push_queue).order_by(q.shop_id, q.sku_id)
    if shop_id is not None:
        query = query.where(q.shop_id == shop_id)
    return [Dirty(r.shop_id, r.sku_id, int(r.generation), int(r.attempts)) for r in conn.execute(query)]


def shops_with_work(conn: Connection) -> list[str]:
    return list(conn.execute(select(stock_push_queue.c.shop_id).distinct().order_by(stock_push_queue.c.shop_id)).scalars())


def done(conn: Connection, items: Iterable[Dirty]) -> int:
    """Delete pushed rows whose generation did not move since they were taken."""
    q, removed = stock_push_queue.c, 0
    for item in items:
        removed += conn.execute(stock_push_queue.delete().where(and_(
            q.shop_id == item.shop_id, q.sku_id == item.sku_id, q.generation == item.generation))).rowcount
    return removed


def failed(conn: Connection, items: Iterable[Dirty], error: str) -> None:
    q = stock_push_queue.c
    for item in items:
        conn.execute(stock_push_queue.update().where(and_(q.shop_id == item.shop_id, q.sku_id == item.sku_id))
                     .values(attempts=q.attempts + 1, last_error=error[:300]))


# ---- what to push: the shop's mapped platform SKUs and the warehouse's available stock ----------------


def targets(conn: Connection, platform: str, shop_id: str, sku_ids: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """sku_id → [(platform SKU id, pack size)] of the shop's mappings."""
    p, found = platform_skus.c, {}
    wanted = sorted(set(sku_ids))
    for i in range(0, len(wanted), 900):
        query = (select(p.sku_id, p.platform_sku_id, p.qty_base)
                 .where(and_(p.platform == platform, p.shop_id == shop_id, p.sku_id.in_(wanted[i:i + 900])))
                 .order_by(p.sku_id, p.platform_sku_id))
        for r in conn.execute(query):
            found.setdefault(r.sku_id, []).append((r.platform_sku_id, int(r.qty_base)))
    return found


def available(conn: Connection, warehouse_id: str, sku_ids: Iterable[str]) -> dict[str, int]:
    """On hand minus reserved per SKU in the warehouse (0 for a SKU never stocked there)."""
    ws, wanted = warehouse_stock.c, sorted(set(sku_ids))
    found = dict.fromkeys(wanted, 0)
    for i in range(0, len(wanted), 900):
        query = select(ws.sku_id, ws.on_hand, ws.reserved).where(and_(ws.warehouse_id == warehouse_id,
                                                                       ws.sku_id.in_(wanted[i:i + 900])))
        found.update((r.sku_id, int(r.on_hand) - int(r.reserved)) for r in conn.execute(query))
    return found
