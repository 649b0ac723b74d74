"""Orders and their lines: named queries over ``orders`` / ``order_lines`` (schema_orders).

Hot-path inserts (``insert_orders``, ``insert_lines``) go through ``bulk.executemany`` on the caller's
transaction: the ingest writes hundreds of orders per page and SQLAlchemy's per-row processing would
cost more than the insert. Rows come from ``order_row`` / ``line_rows``; JSON columns are text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from server.store import bulk
from server.store.schema_orders import order_lines, orders
from shared.core.errors import ConflictError, NotFoundError, RuleViolation
from shared.orders.model import CanonicalOrder, OrderLine

ORDER_COLUMNS = ("id", "shop_id", "platform", "platform_order_id", "warehouse_id", "state", "held_from", "reasons",
                 "platform_status", "platform_status_raw", "placed_at", "paid_at", "modified_at", "ship_by",
                 "buyer_open_id", "currency", "goods_fen", "freight_fen", "discount_fen", "paid_fen", "receiver",
                 "buyer_remark", "seller_remark", "seller_flag", "flags", "raw", "version", "ingested_at", "updated_at")
LINE_COLUMNS = ("id", "order_id", "line_no", "platform_line_id", "platform_item_id", "platform_sku_id", "seller_sku_code",
                "title", "spec", "qty", "sku_id", "qty_base", "unit_price_fen", "discount_fen", "paid_fen", "refund",
                "is_gift")
_INSERT_ORDERS = f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({', '.join('?' * len(ORDER_COLUMNS))})"
_INSERT_LINES = f"INSERT INTO order_lines ({', '.join(LINE_COLUMNS)}) VALUES ({', '.join('?' * len(LINE_COLUMNS))})"


@dataclass(frozen=True, slots=True)
class OrderHead:
    """What the ingest needs to know about a stored order."""

    id: str
    platform_order_id: str
    state: str
    modified_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class StoredLine:
    id: str
    line_no: int
    platform_sku_id: str
    seller_sku_code: str
    title: str
    qty: int
    sku_id: str | None
    qty_base: int
    refund: str
    is_gift: bool = False
    platform_line_id: str = ""


@dataclass(frozen=True, slots=True)
class StoredOrder:
    id: str
    shop_id: str
    platform: str
    platform_order_id: str
    warehouse_id: str
    state: str
    held_from: str | None
    reasons: list[dict[str, Any]]
    platform_status: str
    modified_at: datetime
    version: int
    paid_fen: int
    buyer_open_id: str | None
    lines: tuple[StoredLine, ...]
    parent_order_id: str | None = None  # a part (子单) of a split order
    part_no: int = 0  # 1..n for a part, 0 for an order as the platform sent it

    @property
    def is_part(self) -> bool:
        return self.part_no > 0


def aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def db_moment(conn: Connection, moment: datetime | None) -> object:
    """A datetime as each driver stores a timezone-aware DateTime (see ``bulk.db_time``)."""
    return _same(moment) if conn.dialect.name == "postgresql" else _sqlite_moment(moment)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def receiver_json(order: CanonicalOrder) -> dict[str, Any]:
    r = order.receiver
    region = r.region
    return {"name": r.name_masked, "phone": r.phone_masked, "address": r.address_masked, "zip": r.zip_code,
            "province": region.province, "city": region.city, "district": region.district, "town": region.town,
            "country": region.country_code, "address_key": r.address_key,
            "encrypted": None if r.encrypted is None else {"scheme": r.encrypted.scheme, "ref": r.encrypted.decrypt_ref}}


_FLAGS_JSON: dict[tuple[bool, ...], str] = {}


def flags_json(order: CanonicalOrder) -> dict[str, bool]:
    f = order.flags
    return {"presale": f.presale, "risk": f.risk, "cod": f.cod, "refund_in_progress": f.refund_in_progress,
            "text_sanitized": f.text_sanitized}


def _flags_text(order: CanonicalOrder) -> str:
    f = order.flags
    key = (f.presale, f.risk, f.cod, f.refund_in_progress, f.text_sanitized)
    text = _FLAGS_JSON.get(key)
    if text is None:
        text = _FLAGS_JSON[key] = _dumps(flags_json(order))
    return text


def order_row(conn: Connection, order: CanonicalOrder, *, order_id: str, warehouse_id: str, state: str,
              reasons: Sequence[Mapping[str, Any]], now: object, raw_text: str, version: int = 1) -> tuple[Any, ...]:
    """The ``orders`` row of a new order (columns as ``ORDER_COLUMNS``); ``raw_text`` is the payload's JSON."""
    a = order.amounts
    moment = _sqlite_moment if conn.dialect.name == "sqlite" else _same
    return (order_id, order.shop_id, order.platform, order.platform_order_id, warehouse_id, state, None,
            _dumps(list(reasons)) if reasons else "[]", order.status.value, order.platform_status[:64],
            moment(order.created_at), moment(order.paid_at), moment(order.modified_at), moment(order.ship_by),
            order.buyer_open_id, order.currency, a.goods_fen, a.freight_fen,
            a.platform_discount_fen + a.seller_discount_fen, a.paid_fen, _dumps(receiver_json(order)),
            order.buyer_remark, order.seller_remark, order.seller_flag, _flags_text(order), raw_text, version, now, now)


def _same(moment: datetime | None) -> object:
    return moment


def _sqlite_moment(moment: datetime | None) -> object:
    if moment is None:
        return None
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")  # as SQLAlchemy stores it, faster than strftime


def line_rows(order_id: str, lines: Sequence[OrderLine], mapped: Sequence[tuple[str | None, int]],
              line_ids: Sequence[str]) -> list[tuple[Any, ...]]:
    """``mapped[i]`` is (sku_id or None, pack size) of ``lines[i]``."""
    return [(line_ids[i], order_id, i + 1, line.line_id[:64], line.platform_item_id[:64], line.platform_sku_id[:128],
             line.seller_sku_code, line.title[:300], line.spec[:300], line.qty, sku_id, line.qty * pack if sku_id else 0,
             line.unit_price_fen, line.discount_fen, line.paid_fen, line.refund.value, line.is_gift)
            for i, (line, (sku_id, pack)) in enumerate(zip(lines, mapped, strict=True))]


def insert_orders(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    bulk.executemany(conn, _INSERT_ORDERS, rows)


def insert_lines(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    bulk.executemany(conn, _INSERT_LINES, rows)


def heads(conn: Connection, shop_id: str, platform_order_ids: Iterable[str]) -> dict[str, OrderHead]:
    """The stored orders of ``shop_id`` among ``platform_order_ids``, by platform order id (the order as the
    platform sent it, never one of its parts)."""
    found: dict[str, OrderHead] = {}
    ids = list(set(platform_order_ids))
    o = orders.c
    for i in range(0, len(ids), 900):
        query = (select(o.id, o.platform_order_id, o.state, o.modified_at, o.version)
                 .where(and_(o.shop_id == shop_id, o.part_no == 0, o.platform_order_id.in_(ids[i:i + 900]))))
        for r in conn.execute(query):
            found[r.platform_order_id] = OrderHead(r.id, r.platform_order_id, r.state, aware(r.modified_at), r.version)  # type: ignore[arg-type]
    return found


def update_from_platform(conn: Connection, changes: Sequence[Mapping[str, Any]]) -> None:
    """Apply newer platform data: each item has ``order_id``, ``expected_version`` and the new values of
    ``state``, ``reasons``, ``platform_status``, ``platform_status_raw``, ``modified_at``, ``paid_at``,
    ``seller_remark``, ``buyer_remark``, ``flags``, ``raw``, ``paid_fen``. Optimistic on ``version``."""
    if not changes:
        return
    o = orders.c
    stmt = (update(orders).where(and_(o.id == bindparam("b_id"), o.version == bindparam("b_version")))
            .values(state=bindparam("state"), reasons=bindparam("reasons"), platform_status=bindparam("platform_status"),
                    platform_status_raw=bindparam("platform_status_raw"), modified_at=bindparam("modified_at"),
                    paid_at=bindparam("paid_at"), seller_remark=bindparam("seller_remark"),
                    buyer_remark=bindparam("buyer_remark"), flags=bindparam("flags"), raw=bindparam("raw"),
                    paid_fen=bindparam("paid_fen"), version=o.version + 1, updated_at=bindparam("updated_at")))
    rows = [{**{k: v for k, v in c.items() if k not in ("order_id", "expected_version")},
             "b_id": c["order_id"], "b_version": c["expected_version"]} for c in changes]
    result = conn.execute(stmt, rows)
    if result.rowcount != len(rows):
        raise ConflictError("order.stale")


def set_line_refunds(conn: Connection, order_id: str, refunds: Mapping[str, str]) -> None:
    """Refund state per platform line id (lines themselves never change once stored)."""
    for line_id, refund in refunds.items():
        conn.execute(order_lines.update().where(and_(order_lines.c.order_id == order_id,
                                                     order_lines.c.platform_line_id == line_id)).values(refund=refund))


def set_state(conn: Connection, order_id: str, state: str, *, reasons: Sequence[Mapping[str, Any]] | None = None,
              held_from: str | None = None, expected_state: str | None = None) -> None:
    """Move one order to ``state`` (and set its reasons / hold origin). With ``expected_state`` the update
    is conditional and ``order.bad_transition`` is raised when another writer moved it first."""
    o = orders.c
    query = update(orders).where(o.id == order_id)
    if expected_state is not None:
        query = query.where(o.state == expected_state)
    values: dict[str, Any] = {"state": state, "held_from": held_from, "version": o.version + 1,
                              "updated_at": datetime.now(UTC)}
    if reasons is not None:
        values["reasons"] = list(reasons)
    if conn.execute(query.values(**values)).rowcount != 1:
        current = get_order(conn, order_id)
        raise RuleViolation("order.bad_transition", state=current.state, action=state)


def set_warehouse(conn: Connection, order_id: str, warehouse_id: str) -> None:
    """Ship the order from another warehouse (rerouted at review, before it reserves there)."""
    conn.execute(update(orders).where(orders.c.id == order_id).values(warehouse_id=warehouse_id))


def set_line_skus(conn: Connection, mapped: Mapping[str, tuple[str, int]]) -> None:
    """Line id → (sku_id, qty_base) for lines mapped later (exception resolved)."""
    for line_id, (sku_id, qty_base) in mapped.items():
        conn.execute(order_lines.update().where(order_lines.c.id == line_id).values(sku_id=sku_id, qty_base=qty_base))


def _line(r: Any) -> StoredLine:
    return StoredLine(r.id, r.line_no, r.platform_sku_id, r.seller_sku_code, r.title, int(r.qty), r.sku_id,
                      int(r.qty_base), r.refund, bool(r.is_gift), r.platform_line_id)


def get_order(conn: Connection, order_id: str) -> StoredOrder:
    row = conn.execute(select(orders).where(orders.c.id == order_id)).first()
    if row is None:
        raise NotFoundError("order.not_found", order=order_id)
    lines = conn.execute(select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.line_no))
    return StoredOrder(row.id, row.shop_id, row.platform, row.platform_order_id, row.warehouse_id, row.state,
                       row.held_from, list(row.reasons or []), row.platform_status, aware(row.modified_at),  # type: ignore[arg-type]
                       int(row.version), int(row.paid_fen), row.buyer_open_id, tuple(_line(r) for r in lines),
                       row.parent_order_id, int(row.part_no))


def find_order(conn: Connection, shop_id: str, platform_order_id: str) -> StoredOrder:
    """The order as the platform sent it (part 0; a split one is the parent of its parts)."""
    row = conn.execute(select(orders.c.id).where(and_(orders.c.shop_id == shop_id, orders.c.part_no == 0,
                                                      orders.c.platform_order_id == platform_order_id))).first()
    if row is None:
        raise NotFoundError("order.not_found", order=platform_order_id)
    return get_order(conn, row.id)


def raw_payload(conn: Connection, order_id: str) -> dict[str, Any]:
    text = conn.execute(select(orders.c.raw).where(orders.c.id == order_id)).scalar_one_or_none()
    if text is None:
        raise NotFoundError("order.not_found", order=order_id)
    return json.loads(text)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class ExceptionRow:
    order_id: str
    shop_id: str
    platform: str
    platform_order_id: str
    reasons: list[dict[str, Any]]
    modified_at: datetime


def exception_queue(conn: Connection, *, shop_id: str | None = None, limit: int = 100,
                    after_id: str | None = None) -> list[ExceptionRow]:
    """Orders in ``exception`` with their reasons, oldest first (keyset on the order id)."""
    o = orders.c
    query = select(o.id, o.shop_id, o.platform, o.platform_order_id, o.reasons, o.modified_at).where(o.state == "exception")
    if shop_id is not None:
        query = query.where(o.shop_id == shop_id)
    if after_id is not None:
        query = query.where(o.id > after_id)
    rows = conn.execute(query.order_by(o.id).limit(limit))
    return [ExceptionRow(r.id, r.shop_id, r.platform, r.platform_order_id, list(r.reasons or []), aware(r.modified_at))  # type: ignore[arg-type]
            for r in rows]


def count_by_state(conn: Connection, shop_id: str | None = None) -> dict[str, int]:
    from sqlalchemy import func

    query = select(orders.c.state, func.count()).group_by(orders.c.state)
    if shop_id is not None:
        query = query.where(orders.c.shop_id == shop_id)
    return {state: int(n) for state, n in conn.execute(query)}


def ids_in_state(conn: Connection, state: str, *, limit: int = 500) -> list[str]:
    """Up to ``limit`` ids of orders in ``state``, oldest id first (the worker's review backlog)."""
    q = select(orders.c.id).where(orders.c.state == state).order_by(orders.c.id).limit(limit)
    return [str(i) for i in conn.execute(q).scalars()]


def add_gift_lines(conn: Connection, order_id: str, gifts: Sequence[tuple[str, str, int, str]], *, first_line_no: int) -> None:
    """Append gift lines (sku id, SKU code, units, rule id) to an order: price 0, ``is_gift``."""
    from shared.core.ids import new_id

    rows = [(new_id(), order_id, first_line_no + i, f"gift:{rule_id}"[:64], "", "", code, f"赠品 {code}"[:300], "", qty, sku_id,
             qty, 0, 0, 0, "none", True) for i, (sku_id, code, qty, rule_id) in enumerate(gifts)]
    if rows:
        insert_lines(conn, rows)
