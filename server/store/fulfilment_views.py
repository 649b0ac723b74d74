"""Read queries for the fulfilment pages of the back office: reviewed orders ready for a wave per
warehouse, the waves (keyset, newest first) with their orders and packages, packages by shipping state
(``failed`` = packed with a shipping error) with their issued waybill, and the open return tasks.

Lists return ``size + 1`` rows after the decoded key, for ``server.web.paging.Page.of``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from server.store.order_views import aware, key_moment
from server.store.schema import tasks, warehouses
from server.store.schema_fulfilment import package_lines, packages, wave_orders, waves, waybills
from server.store.schema_orders import orders
from shared.core.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class ReadyCount:
    warehouse_id: str
    warehouse_code: str
    orders: int


def ready_by_warehouse(conn: Connection) -> list[ReadyCount]:
    """Reviewed orders (ready for a wave) per warehouse."""
    o = orders.c
    rows = conn.execute(select(o.warehouse_id, warehouses.c.code, func.count()).join(warehouses, warehouses.c.id == o.warehouse_id)
                        .where(o.state == "reviewed").group_by(o.warehouse_id, warehouses.c.code).order_by(warehouses.c.code))
    return [ReadyCount(r[0], r[1], int(r[2])) for r in rows]


def ready_orders(conn: Connection, warehouse_id: str, limit: int) -> list[str]:
    """Ids of up to ``limit`` reviewed orders of the warehouse, the earliest paid first."""
    o = orders.c
    query = (select(o.id).where(and_(o.state == "reviewed", o.warehouse_id == warehouse_id))
             .order_by(o.paid_at, o.placed_at, o.id).limit(limit))
    return list(conn.execute(query).scalars())


@dataclass(frozen=True, slots=True)
class WaveRow:
    id: str
    warehouse_code: str
    kind: str
    state: str
    slots: int
    pick_task_id: str
    pick_task_state: str
    orders: int
    packages: int
    created_by: str
    created_at: datetime


def wave_key(row: WaveRow) -> tuple[str, str]:
    return (row.created_at.astimezone(UTC).isoformat(), row.id)


def _wave_query() -> Any:
    w = waves.c
    n_orders = (select(func.count()).select_from(wave_orders).where(wave_orders.c.wave_id == w.id)
                .correlate(waves).scalar_subquery())
    n_packages = (select(func.count()).select_from(packages).where(packages.c.wave_id == w.id)
                  .correlate(waves).scalar_subquery())
    return (select(w.id, warehouses.c.code, w.kind, w.state, w.slots, w.pick_task_id, tasks.c.state.label("task_state"),
                   n_orders.label("n_orders"), n_packages.label("n_packages"), w.created_by, w.created_at)
            .select_from(waves.join(warehouses, warehouses.c.id == w.warehouse_id)
                         .outerjoin(tasks, tasks.c.id == w.pick_task_id)))


def _wave_row(r: Any) -> WaveRow:
    return WaveRow(r.id, r.code, r.kind, r.state, int(r.slots), r.pick_task_id or "", r.task_state or "",
                   int(r.n_orders), int(r.n_packages), r.created_by, aware(r.created_at))  # type: ignore[arg-type]


def list_waves(conn: Connection, *, after: tuple[str | int | None, ...] | None, size: int) -> list[WaveRow]:
    """Waves newest first, ``size + 1`` rows after the key ``(created_at, id)``."""
    w = waves.c
    query = _wave_query()
    if after is not None:
        created, last_id = key_moment(after[0]), str(after[1])
        query = query.where(or_(w.created_at < created, and_(w.created_at == created, w.id < last_id)))
    return [_wave_row(r) for r in conn.execute(query.order_by(w.created_at.desc(), w.id.desc()).limit(size + 1))]


def get_wave(conn: Connection, wave_id: str) -> WaveRow:
    row = conn.execute(_wave_query().where(waves.c.id == wave_id)).first()
    if row is None:
        raise NotFoundError("web.ord.wave.not_found", wave=wave_id[:64])
    return _wave_row(row)


@dataclass(frozen=True, slots=True)
class PackageRow:
    id: str
    order_id: str
    platform_order_id: str
    order_state: str
    wave_id: str
    seq: int
    state: str
    weight_g: int
    ship_error: str
    waybill_code: str  # "" without an issued waybill
    carrier_code: str
    updated_at: datetime
    shipped_at: datetime | None
    merged: tuple[tuple[str, str], ...] = ()  # the other orders of a merged package: (order id, platform order id)


SHIPMENT_STATES = ("packed", "shipped", "failed")


def _package_query() -> Any:
    p, wb = packages.c, waybills.c
    return (select(p.id, p.order_id, orders.c.platform_order_id, orders.c.state.label("order_state"), p.wave_id, p.seq,
                   p.state, p.weight_g, p.ship_error, wb.waybill_code, wb.carrier_code, p.updated_at, p.shipped_at)
            .select_from(packages.join(orders, orders.c.id == p.order_id)
                         .outerjoin(waybills, and_(waybills.c.package_id == p.id, waybills.c.state == "issued"))))


def _package_row(r: Any) -> PackageRow:
    return PackageRow(r.id, r.order_id, r.platform_order_id, r.order_state, r.wave_id or "", int(r.seq), r.state,
                      int(r.weight_g), r.ship_error, r.waybill_code or "", r.carrier_code or "",
                      aware(r.updated_at), aware(r.shipped_at))  # type: ignore[arg-type]


def _with_merged(conn: Connection, rows: list[PackageRow]) -> list[PackageRow]:
    """Name the other orders a merged package carries (合单)."""
    if not rows:
        return rows
    pl = package_lines.c
    found: dict[str, dict[str, str]] = {}
    for r in conn.execute(select(pl.package_id, orders.c.id, orders.c.platform_order_id).distinct()
                          .join(orders, orders.c.id == pl.order_id).where(pl.package_id.in_([row.id for row in rows]))
                          .order_by(pl.package_id, orders.c.platform_order_id)):
        found.setdefault(r.package_id, {})[r.id] = r.platform_order_id
    return [replace(row, merged=tuple((oid, ref) for oid, ref in found.get(row.id, {}).items() if oid != row.order_id))
            for row in rows]


def wave_packages(conn: Connection, wave_id: str) -> list[PackageRow]:
    p = packages.c
    return _with_merged(conn, [_package_row(r) for r in conn.execute(_package_query().where(p.wave_id == wave_id)
                                                                         .order_by(p.order_id, p.seq))])


def package_key(row: PackageRow) -> tuple[str, str]:
    return (row.updated_at.astimezone(UTC).isoformat(), row.id)


def shipments(conn: Connection, state: str, *, after: tuple[str | int | None, ...] | None, size: int) -> list[PackageRow]:
    """Packages ``packed`` (waiting for ship-confirm), ``shipped``, or ``failed`` (packed with a shipping
    error), the latest changed first, ``size + 1`` rows after the key ``(updated_at, id)``."""
    p = packages.c
    query = _package_query()
    if state == "failed":
        query = query.where(and_(p.state == "packed", p.ship_error != ""))
    else:
        query = query.where(p.state == state)
    if after is not None:
        moment, last_id = key_moment(after[0]), str(after[1])
        query = query.where(or_(p.updated_at < moment, and_(p.updated_at == moment, p.id < last_id)))
    return _with_merged(conn, [_package_row(r) for r in conn.execute(query.order_by(p.updated_at.desc(), p.id.desc()).limit(size + 1))])


def count_shipments(conn: Connection) -> dict[str, int]:
    p = packages.c
    counts = {s: int(n) for s, n in conn.execute(select(p.state, func.count()).where(p.state.in_(("packed", "shipped")))
                                                 .group_by(p.state))}
    counts["failed"] = int(conn.execute(select(func.count()).select_from(packages)
                                        .where(and_(p.state == "packed", p.ship_error != ""))).scalar_one())
    return counts


@dataclass(frozen=True, slots=True)
class ReturnTask:
    id: str
    warehouse_code: str
    state: str
    order_id: str
    platform_order_id: str
    lines: list[dict[str, Any]]  # sku_id, bin_code, batch, qty


def open_returns(conn: Connection, limit: int = 200) -> list[ReturnTask]:
    """Return tasks still to put back (open or claimed), oldest first."""
    t = tasks.c
    rows = conn.execute(select(t.id, warehouses.c.code, t.state, t.data)
                        .select_from(tasks.join(warehouses, warehouses.c.id == t.warehouse_id))
                        .where(and_(t.kind == "return", t.state.in_(("open", "claimed"))))
                        .order_by(t.created_at, t.id).limit(limit))
    found = [(r.id, r.code, r.state, dict(r.data or {})) for r in rows]
    order_ids = sorted({str(d.get("order_id", "")) for *_, d in found})
    numbers = {r.id: r.platform_order_id for r in conn.execute(
        select(orders.c.id, orders.c.platform_order_id).where(orders.c.id.in_(order_ids)))} if order_ids else {}
    return [ReturnTask(tid, code, state, str(d.get("order_id", "")), numbers.get(str(d.get("order_id", "")), ""),
                       list(d.get("lines", []))) for tid, code, state, d in found]
