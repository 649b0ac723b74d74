"""Low-stock alerts: an alert opens when a SKU's available stock in a warehouse falls under the SKU's
threshold, and closes when it is back at or above it. At most one open alert per SKU × warehouse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, select, tuple_

from server.store import events
from server.store.schema import low_stock_alerts, skus, warehouse_stock
from shared.core.ids import new_id
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class LowStockAlert:
    id: str
    sku_id: str
    warehouse_id: str
    available: int
    threshold: int
    state: str
    opened_at: datetime


def refresh(conn: Connection, pairs: Iterable[tuple[str, str]], *, hlc: int) -> None:
    """Re-evaluate alerts for the given (sku_id, warehouse_id) pairs."""
    pairs = list(set(pairs))
    for i in range(0, len(pairs), 400):
        _refresh_chunk(conn, pairs[i:i + 400], hlc)


def _refresh_chunk(conn: Connection, pairs: list[tuple[str, str]], hlc: int) -> None:
    stock = conn.execute(
        select(warehouse_stock.c.sku_id, warehouse_stock.c.warehouse_id,
               (warehouse_stock.c.on_hand - warehouse_stock.c.reserved).label("available"), skus.c.low_stock_threshold)
        .join(skus, skus.c.id == warehouse_stock.c.sku_id)
        .where(tuple_(warehouse_stock.c.sku_id, warehouse_stock.c.warehouse_id).in_(pairs))
        .where(skus.c.low_stock_threshold > 0)
    ).all()
    if not stock:
        return
    open_rows = {
        (r.sku_id, r.warehouse_id): r.id
        for r in conn.execute(select(low_stock_alerts.c.id, low_stock_alerts.c.sku_id, low_stock_alerts.c.warehouse_id)
                              .where(and_(low_stock_alerts.c.state == "open",
                                          tuple_(low_stock_alerts.c.sku_id, low_stock_alerts.c.warehouse_id).in_(pairs))))
    }
    now = utc_now()
    for row in stock:
        key = (row.sku_id, row.warehouse_id)
        low = row.available < row.low_stock_threshold
        if low and key not in open_rows:
            alert_id = new_id()
            conn.execute(low_stock_alerts.insert().values(
                id=alert_id, sku_id=row.sku_id, warehouse_id=row.warehouse_id, available=row.available,
                threshold=row.low_stock_threshold, state="open", opened_at=now))
            events.record(conn, "stock.low_stock_alert_opened", "sku", row.sku_id,
                          {"alert_id": alert_id, "warehouse_id": row.warehouse_id, "available": row.available,
                           "threshold": row.low_stock_threshold}, hlc=hlc)
        elif not low and key in open_rows:
            conn.execute(low_stock_alerts.update().where(low_stock_alerts.c.id == open_rows[key])
                         .values(state="closed", closed_at=now, available=row.available))
            events.record(conn, "stock.low_stock_alert_closed", "sku", row.sku_id,
                          {"alert_id": open_rows[key], "warehouse_id": row.warehouse_id, "available": row.available}, hlc=hlc)


def open_alerts(conn: Connection, warehouse_id: str | None = None) -> list[LowStockAlert]:
    q = select(low_stock_alerts).where(low_stock_alerts.c.state == "open").order_by(low_stock_alerts.c.opened_at)
    if warehouse_id:
        q = q.where(low_stock_alerts.c.warehouse_id == warehouse_id)
    return [LowStockAlert(r.id, r.sku_id, r.warehouse_id, r.available, r.threshold, r.state, r.opened_at) for r in conn.execute(q)]
