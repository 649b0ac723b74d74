"""Movements (the stock ledger) for a date range to XLSX or CSV, streamed, oldest first.

    export(conn, path, start=…, end=…, warehouse_ids=None) -> int     rows written
    check_range(start, end) -> (start, end)                           at most MAX_DAYS, start <= end

``start`` and ``end`` are UTC dates, both included (``recorded_at`` from ``start`` 00:00 to ``end``
24:00 UTC). Columns as in ``catalogue_export`` (``中文 (English)`` headers, codes as text cells in
XLSX, formula-escaped CSV); quantities are signed numbers, the reason is its number and its kind.

Like the catalogue export, the query reads a whole table in pages for export only.

Errors (``ValidationError``): ``web.files.bad_range``.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, and_, select

from server.exports.catalogue_export import PAGE_ROWS, Column, Progress, Row, Scope, write_table
from server.store.schema import bins, movements, skus, warehouses
from shared.core.errors import ValidationError
from shared.inventory.movement import Reason

MAX_DAYS = 366
TITLE = "库存流水 Movements"
COLUMNS = (Column("recorded_at", "时间(UTC)"), Column("warehouse", "仓库编码"), Column("bin", "库位编码"),
           Column("code", "商品编码"), Column("name_zh", "商品名称"), Column("batch", "批次"),
           Column("qty", "数量", False), Column("reason", "原因代码", False), Column("kind", "类型"),
           Column("ref_type", "单据类型"), Column("ref_id", "单据号"), Column("user_id", "用户"),
           Column("device_id", "设备"))


def check_range(start: date, end: date) -> tuple[date, date]:
    if start > end or (end - start).days >= MAX_DAYS:
        raise ValidationError("web.files.bad_range", days=MAX_DAYS)
    return start, end


def export(conn: Connection, path: Path, *, start: date, end: date, warehouse_ids: Scope = None,
           progress: Progress | None = None) -> int:
    check_range(start, end)
    return write_table(path, COLUMNS, TITLE, _rows(conn, _query(start, end, warehouse_ids)), progress=progress)


def _query(start: date, end: date, warehouse_ids: Scope) -> Select[Any]:
    since = datetime.combine(start, time(0), UTC)
    until = datetime.combine(end + timedelta(days=1), time(0), UTC)
    query = (select(movements.c.recorded_at, warehouses.c.code.label("warehouse"), bins.c.code.label("bin"),
                    skus.c.code.label("sku"), skus.c.name_zh, movements.c.batch, movements.c.qty, movements.c.reason,
                    movements.c.ref_type, movements.c.ref_id, movements.c.user_id, movements.c.device_id)
             .join(warehouses, warehouses.c.id == movements.c.warehouse_id)
             .join(bins, bins.c.id == movements.c.bin_id)
             .join(skus, skus.c.id == movements.c.sku_id)
             .where(and_(movements.c.recorded_at >= since, movements.c.recorded_at < until))
             .order_by(movements.c.seq))
    return query if warehouse_ids is None else query.where(movements.c.warehouse_id.in_(list(warehouse_ids)))


def _rows(conn: Connection, query: Select[Any]) -> Generator[Row, None, None]:
    with conn.execution_options(yield_per=PAGE_ROWS).execute(query) as result:
        for r in result:
            yield (_utc(r.recorded_at), r.warehouse, r.bin, r.sku, r.name_zh, r.batch, r.qty, r.reason,
                   _kind(r.reason), r.ref_type, r.ref_id, r.user_id, r.device_id)


def _utc(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _kind(reason: int) -> str:
    try:
        return Reason(reason).kind.value
    except ValueError:
        return ""
