"""Read queries for the order pages of the back office: the keyset list of orders with its filters,
one order with everything its page shows (amounts, masked receiver, lines with their SKU codes), the
exception queue page, and the order rules by kind and position. Waves, packages and return tasks for
the fulfilment pages are in ``fulfilment_views``.

Lists return ``size + 1`` rows after the decoded key, for ``server.web.paging.Page.of``. The receiver
is shown as stored: masked at ingest, never decrypted here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from server.store.schema import skus, warehouses
from server.store.schema_orders import order_lines, order_rules, orders
from shared.core.errors import NotFoundError, ValidationError

MAX_TEXT = 64


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: str
    platform: str
    shop_id: str
    platform_order_id: str
    state: str
    paid_fen: int
    lines: int
    buyer_remark: str
    placed_at: datetime
    modified_at: datetime
    reasons: list[dict[str, Any]]
    part_no: int = 0  # a part (子单) of a split order: 1..n


@dataclass(frozen=True, slots=True)
class OrderFilter:
    state: str = ""
    shop_id: str = ""
    platform: str = ""
    text: str = ""  # platform order id, exact or prefix


@dataclass(frozen=True, slots=True)
class DetailLine:
    line_no: int
    title: str
    spec: str
    platform_sku_id: str
    seller_sku_code: str
    qty: int
    sku_code: str  # "" when the line is not mapped
    qty_base: int
    unit_price_fen: int
    paid_fen: int | None
    refund: str
    is_gift: bool


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: str
    shop_id: str
    platform: str
    platform_order_id: str
    warehouse_id: str
    state: str
    held_from: str | None
    reasons: list[dict[str, Any]]
    platform_status: str
    platform_status_raw: str
    placed_at: datetime
    paid_at: datetime | None
    modified_at: datetime
    ship_by: datetime | None
    goods_fen: int
    freight_fen: int
    discount_fen: int
    paid_fen: int
    receiver: dict[str, Any]  # masked fields only (the encrypted reference is never shown)
    buyer_remark: str
    seller_remark: str
    lines: tuple[DetailLine, ...]
    parent_order_id: str | None = None  # a part: the order it was split from
    part_no: int = 0
    warehouse_code: str = ""


@dataclass(frozen=True, slots=True)
class PartRow:
    """One part (子单) of a split order, for its parent's page."""

    id: str
    part_no: int
    warehouse_code: str
    state: str
    paid_fen: int


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives it back naive)."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def order_key(row: OrderRow) -> tuple[str, str]:
    return (row.placed_at.astimezone(UTC).isoformat(), row.id)


def key_moment(value: str | int | None) -> datetime:
    """The time part of a decoded page key (ISO text), else ``invalid.page_cursor``."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError("invalid.page_cursor") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def list_orders(conn: Connection, flt: OrderFilter, *, after: tuple[str | int | None, ...] | None,
                size: int) -> list[OrderRow]:
    """Orders newest placed first (then by id), ``size + 1`` rows after the key ``(placed_at, id)``."""
    o = orders.c
    count = (select(func.count()).select_from(order_lines).where(order_lines.c.order_id == o.id)
             .correlate(orders).scalar_subquery())
    query = select(o.id, o.platform, o.shop_id, o.platform_order_id, o.state, o.paid_fen, count.label("n_lines"),
                   o.buyer_remark, o.placed_at, o.modified_at, o.reasons, o.part_no)
    if flt.state:
        query = query.where(o.state == flt.state)
    if flt.shop_id:
        query = query.where(o.shop_id == flt.shop_id)
    if flt.platform:
        query = query.where(o.platform == flt.platform)
    if flt.text:
        query = query.where(o.platform_order_id.startswith(flt.text[:MAX_TEXT], autoescape=True))
    if after is not None:
        placed, last_id = key_moment(after[0]), str(after[1])
        query = query.where(or_(o.placed_at < placed, and_(o.placed_at == placed, o.id < last_id)))
    rows = conn.execute(query.order_by(o.placed_at.desc(), o.id.desc()).limit(size + 1))
    return [OrderRow(r.id, r.platform, r.shop_id, r.platform_order_id, r.state, int(r.paid_fen), int(r.n_lines),
                     r.buyer_remark, aware(r.placed_at), aware(r.modified_at), list(r.reasons or []), int(r.part_no))  # type: ignore[arg-type]
            for r in rows]


def count_by_state(conn: Connection, flt: OrderFilter) -> dict[str, int]:
    """Orders per state under the shop/platform/text filters (not the state one: the chips pick it)."""
    o = orders.c
    query = select(o.state, func.count()).group_by(o.state)
    if flt.shop_id:
        query = query.where(o.shop_id == flt.shop_id)
    if flt.platform:
        query = query.where(o.platform == flt.platform)
    if flt.text:
        query = query.where(o.platform_order_id.startswith(flt.text[:MAX_TEXT], autoescape=True))
    return {state: int(n) for state, n in conn.execute(query)}


def exception_key(row: OrderRow) -> tuple[str]:
    return (row.id,)


def exceptions(conn: Connection, *, after: tuple[str | int | None, ...] | None, size: int) -> list[OrderRow]:
    """Orders in ``exception``, by id (keyset), ``size + 1`` rows."""
    o = orders.c
    count = (select(func.count()).select_from(order_lines).where(order_lines.c.order_id == o.id)
             .correlate(orders).scalar_subquery())
    query = (select(o.id, o.platform, o.shop_id, o.platform_order_id, o.state, o.paid_fen, count.label("n_lines"),
                    o.buyer_remark, o.placed_at, o.modified_at, o.reasons).where(o.state == "exception"))
    if after is not None:
        query = query.where(o.id > str(after[0]))
    rows = conn.execute(query.order_by(o.id).limit(size + 1))
    return [OrderRow(r.id, r.platform, r.shop_id, r.platform_order_id, r.state, int(r.paid_fen), int(r.n_lines),
                     r.buyer_remark, aware(r.placed_at), aware(r.modified_at), list(r.reasons or []))  # type: ignore[arg-type]
            for r in rows]


_RECEIVER_FIELDS = ("name", "phone", "address", "zip", "province", "city", "district", "town", "country")


def order_detail(conn: Connection, order_id: str) -> OrderDetail:
    row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None:
        raise NotFoundError("order.not_found", order=order_id[:64])
    lc = order_lines.c
    lines = conn.execute(select(lc.line_no, lc.title, lc.spec, lc.platform_sku_id, lc.seller_sku_code, lc.qty,
                                skus.c.code, lc.qty_base, lc.unit_price_fen, lc.paid_fen, lc.refund, lc.is_gift)
                         .select_from(order_lines.outerjoin(skus, skus.c.id == lc.sku_id))
                         .where(lc.order_id == order_id).order_by(lc.line_no))
    receiver = dict(row.receiver or {})
    code = conn.execute(select(warehouses.c.code).where(warehouses.c.id == row.warehouse_id)).scalar_one_or_none()
    return OrderDetail(
        row.id, row.shop_id, row.platform, row.platform_order_id, row.warehouse_id, row.state, row.held_from,
        list(row.reasons or []), row.platform_status, row.platform_status_raw, aware(row.placed_at),  # type: ignore[arg-type]
        aware(row.paid_at), aware(row.modified_at), aware(row.ship_by), int(row.goods_fen),  # type: ignore[arg-type]
        int(row.freight_fen), int(row.discount_fen), int(row.paid_fen),
        {k: str(receiver.get(k) or "") for k in _RECEIVER_FIELDS}, row.buyer_remark, row.seller_remark,
        tuple(DetailLine(r.line_no, r.title, r.spec, r.platform_sku_id, r.seller_sku_code, int(r.qty), r.code or "",
                         int(r.qty_base), int(r.unit_price_fen), None if r.paid_fen is None else int(r.paid_fen),
                         r.refund, bool(r.is_gift)) for r in lines),
        row.parent_order_id, int(row.part_no), code or "")


def parts_of(conn: Connection, order_id: str) -> list[PartRow]:
    """The parts of a split order, by part number (none for any other order)."""
    o = orders.c
    rows = conn.execute(select(o.id, o.part_no, warehouses.c.code, o.state, o.paid_fen)
                        .join(warehouses, warehouses.c.id == o.warehouse_id)
                        .where(o.parent_order_id == order_id).order_by(o.part_no))
    return [PartRow(r.id, int(r.part_no), r.code, r.state, int(r.paid_fen)) for r in rows]


def sku_codes(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {r.id: r.code for r in conn.execute(select(skus.c.id, skus.c.code).where(skus.c.id.in_(wanted)))}


@dataclass(frozen=True, slots=True)
class RuleRow:
    id: str
    kind: str
    name: str
    position: int
    enabled: bool
    definition: dict[str, Any]
    version: int
    updated_by: str


def all_rules(conn: Connection) -> list[RuleRow]:
    """Every rule, enabled or not, by kind then position."""
    r = order_rules.c
    rows = conn.execute(select(r.id, r.kind, r.name, r.position, r.enabled, r.definition, r.version, r.updated_by)
                        .order_by(r.kind, r.position, r.id))
    return [RuleRow(x.id, x.kind, x.name, int(x.position), bool(x.enabled), dict(x.definition or {}), int(x.version),
                    x.updated_by or "") for x in rows]


def get_rule(conn: Connection, rule_id: str) -> RuleRow:
    r = order_rules.c
    x = conn.execute(select(r.id, r.kind, r.name, r.position, r.enabled, r.definition, r.version, r.updated_by)
                     .where(r.id == rule_id)).first()
    if x is None:
        raise NotFoundError("web.ord.rule.not_found", rule=rule_id[:64])
    return RuleRow(x.id, x.kind, x.name, int(x.position), bool(x.enabled), dict(x.definition or {}), int(x.version),
                   x.updated_by or "")
