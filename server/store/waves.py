"""Waves and the orders in them (schema_fulfilment), and the stock facts wave planning needs.

    insert_wave(conn, Wave, [(order_id, slot)])      a new wave and its orders
    get_wave / wave_of_task / wave_orders / set_wave_state
    active_wave_of(conn, order_id)                   the order's wave that is not cancelled, or None
    pickable_stock(conn, warehouse_id, sku_ids)      storage-bin balances with stock to take, in walking order
    fulfilment_orders(conn, order_ids)               orders with the facts fulfilment needs (lines, receiver, shop)

Reading ``orders``/``order_lines``/``shops`` here (rather than through ``server.store.orders``) keeps
the receiver and the shop's API URL in one query; writes to orders go through ``server.store.orders``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from server.store.schema import bins, skus, stock_balances
from server.store.schema_fulfilment import wave_orders, waves
from server.store.schema_orders import order_lines, orders, shops
from shared.core.errors import NotFoundError
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class Wave:
    id: str
    warehouse_id: str
    kind: str
    group_key: str
    sku_id: str
    slots: int
    state: str
    pick_task_id: str | None
    created_by: str = ""


@dataclass(frozen=True, slots=True)
class PickableBalance:
    sku_id: str
    bin_id: str
    bin_code: str
    walk_seq: int
    batch: str
    available: int


@dataclass(frozen=True, slots=True)
class FulfilmentLine:
    sku_id: str
    sku_code: str
    name: str
    qty: int  # base units


@dataclass(frozen=True, slots=True)
class FulfilmentOrder:
    id: str
    shop_id: str
    platform: str
    platform_order_id: str
    warehouse_id: str
    state: str
    receiver: dict[str, Any]
    api_base_url: str
    lines: tuple[FulfilmentLine, ...]
    paid_at: str = ""  # ISO text, for ordering waves (earlier paid first)
    buyer_open_id: str = ""


def _wave(row: Any) -> Wave:
    return Wave(row.id, row.warehouse_id, row.kind, row.group_key, row.sku_id, int(row.slots), row.state, row.pick_task_id,
                row.created_by)


def insert_wave(conn: Connection, wave: Wave, members: Sequence[tuple[str, int]]) -> Wave:
    now = utc_now()
    conn.execute(waves.insert().values(id=wave.id, warehouse_id=wave.warehouse_id, kind=wave.kind, group_key=wave.group_key[:64],
                                       sku_id=wave.sku_id, slots=wave.slots, state=wave.state, pick_task_id=wave.pick_task_id,
                                       created_by=wave.created_by[:64], created_at=now, updated_at=now))
    conn.execute(wave_orders.insert(), [{"wave_id": wave.id, "order_id": oid, "slot": slot} for oid, slot in members])
    return wave


def get_wave(conn: Connection, wave_id: str) -> Wave:
    row = conn.execute(select(waves).where(waves.c.id == wave_id)).first()
    if row is None:
        raise NotFoundError("fulfil.wave_not_found", wave=wave_id)
    return _wave(row)


def wave_of_task(conn: Connection, task_id: str) -> Wave | None:
    row = conn.execute(select(waves).where(waves.c.pick_task_id == task_id)).first()
    return None if row is None else _wave(row)


def wave_orders_of(conn: Connection, wave_id: str) -> list[tuple[str, int]]:
    """(order id, slot) of the wave, by slot then order id."""
    rows = conn.execute(select(wave_orders.c.order_id, wave_orders.c.slot).where(wave_orders.c.wave_id == wave_id)
                        .order_by(wave_orders.c.slot, wave_orders.c.order_id))
    return [(r.order_id, int(r.slot)) for r in rows]


def active_wave_of(conn: Connection, order_id: str) -> Wave | None:
    row = conn.execute(select(waves).join(wave_orders, wave_orders.c.wave_id == waves.c.id)
                       .where(and_(wave_orders.c.order_id == order_id, waves.c.state != "cancelled"))).first()
    return None if row is None else _wave(row)


def set_wave_state(conn: Connection, wave_id: str, state: str, *, pick_task_id: str | None = None) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": utc_now()}
    if pick_task_id is not None:
        values["pick_task_id"] = pick_task_id
    conn.execute(waves.update().where(waves.c.id == wave_id).values(**values))


def pickable_stock(conn: Connection, warehouse_id: str, sku_ids: Iterable[str]) -> list[PickableBalance]:
    """Balances with units not reserved to a bin, in storage bins, in walking order (then bin code, batch)."""
    sb, b = stock_balances.c, bins.c
    rows = conn.execute(select(sb.sku_id, sb.bin_id, b.code, b.walk_seq, sb.batch, sb.on_hand, sb.reserved)
                        .join(bins, bins.c.id == sb.bin_id)
                        .where(and_(sb.warehouse_id == warehouse_id, sb.sku_id.in_(sorted(set(sku_ids))), b.kind == "storage",
                                    b.archived.is_(False), sb.on_hand - sb.reserved > 0))
                        .order_by(b.walk_seq, b.code, sb.batch))
    return [PickableBalance(r.sku_id, r.bin_id, r.code, int(r.walk_seq), r.batch, int(r.on_hand) - int(r.reserved)) for r in rows]


def fulfilment_orders(conn: Connection, order_ids: Sequence[str]) -> list[FulfilmentOrder]:
    """The orders (in the order asked), each with its mapped, unrefunded lines merged per SKU."""
    o, s = orders.c, shops.c
    heads = {r.id: r for r in conn.execute(select(o.id, o.shop_id, o.platform, o.platform_order_id, o.warehouse_id, o.state,
                                                  o.receiver, o.paid_at, o.buyer_open_id, s.api_base_url).join(shops, s.id == o.shop_id)
                                           .where(o.id.in_(list(order_ids))))}
    ln, sk = order_lines.c, skus.c
    per_order: dict[str, dict[str, FulfilmentLine]] = {oid: {} for oid in heads}
    for r in conn.execute(select(ln.order_id, ln.sku_id, ln.qty_base, sk.code, sk.name_zh).join(skus, sk.id == ln.sku_id)
                          .where(and_(ln.order_id.in_(list(heads)), ln.refund != "refunded")).order_by(ln.order_id, ln.line_no)):
        lines = per_order[r.order_id]
        before = lines.get(r.sku_id)
        lines[r.sku_id] = FulfilmentLine(r.sku_id, r.code, r.name_zh, int(r.qty_base) + (before.qty if before else 0))
    out = []
    for oid in order_ids:
        if oid not in heads:
            raise NotFoundError("fulfil.order_not_found", order=oid)
        h = heads[oid]
        receiver = h.receiver if isinstance(h.receiver, dict) else {}
        out.append(FulfilmentOrder(h.id, h.shop_id, h.platform, h.platform_order_id, h.warehouse_id, h.state, receiver,
                                   h.api_base_url or "", tuple(per_order[oid].values()),
                                   h.paid_at.isoformat() if h.paid_at is not None else "", h.buyer_open_id or ""))
    return out
