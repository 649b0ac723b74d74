"""Parts (子单) of orders split across warehouses: named queries over ``orders`` / ``order_lines``.

A part is an ``orders`` row with ``parent_order_id`` and ``part_no`` 1..n: a copy of the parent's row
(shop, platform order id, receiver, remarks, flags, raw payload as split) with its own warehouse, state
and share of the amounts, and copies of the parent's lines with the part's quantities.

    parts_of(conn, parent_id) -> [PartHead]          by part number
    insert_parts(conn, parent_id, parts, *, state)  the parts' rows and lines, in the caller's transaction
    update_platform(conn, part_id, values)          the parent's newer platform data on a part
    money_of(conn, parent_id) -> PartMoney           the parent's amounts and its lines' money, to share
    warehouse_refs(conn) -> [WarehouseRef]          warehouses a split rule may name (not archived)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from server.store.schema import warehouses
from server.store.schema_orders import order_lines, orders
from shared.core.errors import NotFoundError
from shared.core.ids import new_id
from shared.core.time import utc_now
from shared.orders.parts import PartAmounts


@dataclass(frozen=True, slots=True)
class PartHead:
    id: str
    part_no: int
    warehouse_id: str
    state: str
    version: int


@dataclass(frozen=True, slots=True)
class NewPartLine:
    parent_line_id: str
    qty: int
    qty_base: int
    discount_fen: int
    paid_fen: int | None


@dataclass(frozen=True, slots=True)
class NewPart:
    order_id: str
    part_no: int
    warehouse_id: str
    amounts: PartAmounts
    lines: tuple[NewPartLine, ...]


@dataclass(frozen=True, slots=True)
class LineMoney:
    qty: int
    unit_price_fen: int
    discount_fen: int
    paid_fen: int | None


@dataclass(frozen=True, slots=True)
class PartMoney:
    goods_fen: int
    freight_fen: int
    discount_fen: int
    paid_fen: int
    lines: dict[str, LineMoney]  # by line id


@dataclass(frozen=True, slots=True)
class WarehouseRef:
    id: str
    code: str
    kind: str


def parts_of(conn: Connection, parent_id: str) -> list[PartHead]:
    o = orders.c
    rows = conn.execute(select(o.id, o.part_no, o.warehouse_id, o.state, o.version)
                        .where(o.parent_order_id == parent_id).order_by(o.part_no))
    return [PartHead(r.id, int(r.part_no), r.warehouse_id, r.state, int(r.version)) for r in rows]


def insert_parts(conn: Connection, parent_id: str, parts: Sequence[NewPart], *, state: str) -> None:
    """Insert ``parts`` of ``parent_id`` in ``state``: the parent's row and lines copied with each part's
    warehouse, amounts and quantities (lines numbered 1.. in the order given)."""
    parent = conn.execute(select(orders).where(orders.c.id == parent_id)).first()
    if parent is None:
        raise NotFoundError("order.not_found", order=parent_id)
    now = utc_now()
    base = dict(parent._mapping)
    order_rows, line_rows = [], []
    source = {r.id: dict(r._mapping) for r in conn.execute(select(order_lines).where(order_lines.c.order_id == parent_id))}
    for part in parts:
        a = part.amounts
        order_rows.append({**base, "id": part.order_id, "warehouse_id": part.warehouse_id, "state": state, "held_from": None,
                           "reasons": [], "goods_fen": a.goods_fen, "freight_fen": a.freight_fen,
                           "discount_fen": a.discount_fen, "paid_fen": a.paid_fen, "parent_order_id": parent_id,
                           "part_no": part.part_no, "version": 1, "ingested_at": now, "updated_at": now})
        for line_no, line in enumerate(part.lines, start=1):
            line_rows.append({**source[line.parent_line_id], "id": new_id(), "order_id": part.order_id, "line_no": line_no,
                              "qty": line.qty, "qty_base": line.qty_base, "discount_fen": line.discount_fen,
                              "paid_fen": line.paid_fen})
    if order_rows:
        conn.execute(orders.insert(), order_rows)
    if line_rows:
        conn.execute(order_lines.insert(), line_rows)


def money_of(conn: Connection, order_id: str) -> PartMoney:
    o, ln = orders.c, order_lines.c
    row = conn.execute(select(o.goods_fen, o.freight_fen, o.discount_fen, o.paid_fen).where(o.id == order_id)).first()
    if row is None:
        raise NotFoundError("order.not_found", order=order_id)
    query = select(ln.id, ln.qty, ln.unit_price_fen, ln.discount_fen, ln.paid_fen).where(ln.order_id == order_id)
    lines = {r.id: LineMoney(int(r.qty), int(r.unit_price_fen), int(r.discount_fen),
                             None if r.paid_fen is None else int(r.paid_fen)) for r in conn.execute(query)}
    return PartMoney(int(row.goods_fen), int(row.freight_fen), int(row.discount_fen), int(row.paid_fen), lines)


_PLATFORM_FIELDS = ("platform_status", "platform_status_raw", "modified_at", "paid_at", "seller_remark", "buyer_remark", "flags")


def update_platform(conn: Connection, part_id: str, values: Mapping[str, Any]) -> None:
    """The parent's newer platform fields (status, times, remarks, flags) on one part; its amounts,
    lines and raw payload stay as split."""
    changes = {k: values[k] for k in _PLATFORM_FIELDS if k in values}
    conn.execute(update(orders).where(orders.c.id == part_id)
                 .values(**changes, version=orders.c.version + 1, updated_at=utc_now()))


def warehouse_refs(conn: Connection) -> list[WarehouseRef]:
    w = warehouses.c
    rows = conn.execute(select(w.id, w.code, w.kind).where(w.archived.is_(False)).order_by(w.code))
    return [WarehouseRef(r.id, r.code, r.kind) for r in rows]
