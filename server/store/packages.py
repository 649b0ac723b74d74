"""Packages, their lines and their e-waybills (schema_fulfilment).

    insert_package(conn, Package, lines)             a package with its expected lines: (sku, units) of the
                                                     package's order, or (sku, units, order id) in a merged one
    get_package / packages_of_order (those carrying any of its units) / packages_of_wave / package_of_task
    package_lines_of(conn, package_id, order_id=None)   all lines, or one order's
    orders_of_package(conn, package_id)              the orders a package carries, its own order first
    next_seq(conn, order_id)                         the number for the order's next own package
    set_package(conn, package_id, expected_state=…, **values)   conditional state change (False: moved already)
    set_verified(conn, package_id, {sku_id: qty})
    packed_without_waybill(conn, limit)              packed packages waiting for their waybill
    orders_to_confirm(conn, limit)                   packed orders waiting for their ship-confirm
    insert_waybill / waybill_of / waybills_to_cancel / cancel_waybill
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from server.store.schema_fulfilment import package_lines, packages, waybills
from server.store.schema_orders import orders
from shared.core.errors import NotFoundError
from shared.core.ids import new_id
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class Package:
    id: str
    order_id: str
    wave_id: str | None
    warehouse_id: str
    seq: int
    state: str
    pack_task_id: str | None = None
    weight_g: int = 0
    ship_error: str = ""
    carrier_code: str = ""  # the carrier rules' choice for the waybill; "" = the configured default


@dataclass(frozen=True, slots=True)
class PackageLine:
    line_no: int
    sku_id: str
    qty: int
    verified_qty: int
    order_id: str = ""


@dataclass(frozen=True, slots=True)
class StoredWaybill:
    id: str
    package_id: str
    object_id: str
    carrier_code: str
    waybill_code: str
    print_data: str
    state: str


def _package(r: Any) -> Package:
    return Package(r.id, r.order_id, r.wave_id, r.warehouse_id, int(r.seq), r.state, r.pack_task_id, int(r.weight_g), r.ship_error,
                   r.carrier_code)


def _waybill(r: Any) -> StoredWaybill:
    return StoredWaybill(r.id, r.package_id, r.object_id, r.carrier_code, r.waybill_code, r.print_data, r.state)


def insert_package(conn: Connection, package: Package, lines: Sequence[tuple[str, int] | tuple[str, int, str]]) -> Package:
    now = utc_now()
    conn.execute(packages.insert().values(id=package.id, order_id=package.order_id, wave_id=package.wave_id,
                                          warehouse_id=package.warehouse_id, seq=package.seq, state=package.state,
                                          weight_g=package.weight_g, carrier_code=package.carrier_code,
                                          pack_task_id=package.pack_task_id, packed_by_user="",
                                          packed_by_device="", ship_error="", created_at=now, updated_at=now))
    conn.execute(package_lines.insert(), [{"package_id": package.id, "line_no": i + 1, "sku_id": line[0], "qty": line[1],
                                           "verified_qty": 0, "order_id": line[2] if len(line) > 2 else package.order_id}
                                          for i, line in enumerate(lines)])
    return package


def get_package(conn: Connection, package_id: str) -> Package:
    row = conn.execute(select(packages).where(packages.c.id == package_id)).first()
    if row is None:
        raise NotFoundError("fulfil.package_not_found", package=package_id)
    return _package(row)


def packages_of_order(conn: Connection, order_id: str) -> list[Package]:
    """Every package with units of the order: its own, and merged packages led by another order."""
    carrying = select(package_lines.c.package_id).where(package_lines.c.order_id == order_id)  # indexed; 0011 filled it in
    rows = conn.execute(select(packages).where(packages.c.id.in_(carrying))
                        .order_by(packages.c.created_at, packages.c.seq, packages.c.id))
    return [_package(r) for r in rows]


def next_seq(conn: Connection, order_id: str) -> int:
    """The next package number of an order's own packages."""
    return int(conn.execute(select(func.coalesce(func.max(packages.c.seq), 0)).where(packages.c.order_id == order_id)).scalar_one()) + 1


def orders_of_package(conn: Connection, package_id: str) -> list[str]:
    """The orders a package carries: its own order first, then the others of a merged package."""
    own = conn.execute(select(packages.c.order_id).where(packages.c.id == package_id)).scalar_one()
    others = conn.execute(select(package_lines.c.order_id).where(and_(package_lines.c.package_id == package_id,
                                                                       package_lines.c.order_id.is_not(None)))
                          .order_by(package_lines.c.line_no)).scalars().all()
    return list(dict.fromkeys([own, *others]))


def packages_of_wave(conn: Connection, wave_id: str) -> list[Package]:
    rows = conn.execute(select(packages).where(packages.c.wave_id == wave_id).order_by(packages.c.order_id, packages.c.seq))
    return [_package(r) for r in rows]


def package_of_task(conn: Connection, task_id: str) -> Package | None:
    row = conn.execute(select(packages).where(packages.c.pack_task_id == task_id)).first()
    return None if row is None else _package(row)


def package_lines_of(conn: Connection, package_id: str, order_id: str | None = None) -> list[PackageLine]:
    """The package's lines, or only those of ``order_id`` (lines older than migration 0011 belong to
    the package's own order)."""
    row = conn.execute(select(packages.c.order_id).where(packages.c.id == package_id)).first()
    own = row.order_id if row is not None else ""
    rows = conn.execute(select(package_lines).where(package_lines.c.package_id == package_id).order_by(package_lines.c.line_no))
    lines = [PackageLine(int(r.line_no), r.sku_id, int(r.qty), int(r.verified_qty), r.order_id or own) for r in rows]
    return lines if order_id is None else [ln for ln in lines if ln.order_id == order_id]


def set_package(conn: Connection, package_id: str, *, expected_state: str | None = None, **values: Any) -> bool:
    """Update the package (only if it is in ``expected_state``, when given); ``False`` when it was not."""
    query = packages.update().where(packages.c.id == package_id)
    if expected_state is not None:
        query = query.where(packages.c.state == expected_state)
    return bool(conn.execute(query.values(**values, updated_at=utc_now())).rowcount == 1)


def set_verified(conn: Connection, package_id: str, verified: Mapping[str, int]) -> None:
    """The counted units per SKU, spread over the package's lines of that SKU in line order."""
    left = dict(verified)
    for line in package_lines_of(conn, package_id):
        counted = min(line.qty, left.get(line.sku_id, 0))
        left[line.sku_id] = left.get(line.sku_id, 0) - counted
        conn.execute(package_lines.update().where(and_(package_lines.c.package_id == package_id,
                                                       package_lines.c.line_no == line.line_no))
                     .values(verified_qty=counted))


def packed_without_waybill(conn: Connection, limit: int = 100) -> list[Package]:
    """Packed packages without an issued waybill, those without a shipping error first (one that keeps
    failing never holds up the rest)."""
    billed = select(waybills.c.package_id).where(waybills.c.state == "issued")
    failing = case((packages.c.ship_error == "", 0), else_=1)
    rows = conn.execute(select(packages).where(and_(packages.c.state == "packed", packages.c.id.not_in(billed)))
                        .order_by(failing, packages.c.packed_at, packages.c.id).limit(limit))
    return [_package(r) for r in rows]


def orders_to_confirm(conn: Connection, limit: int = 100) -> list[str]:
    """Orders ``packed`` (waiting for their ship-confirm), oldest first, those whose packages carry no
    shipping error before those that do."""
    failing = (select(package_lines.c.order_id).join(packages, packages.c.id == package_lines.c.package_id)
               .where(packages.c.ship_error != ""))
    packed = orders.c.state == "packed"
    ids = [str(i) for i in conn.execute(select(orders.c.id).where(and_(packed, orders.c.id.not_in(failing)))
                                        .order_by(orders.c.id).limit(limit)).scalars()]
    if len(ids) < limit:
        ids += [str(i) for i in conn.execute(select(orders.c.id).where(and_(packed, orders.c.id.in_(failing)))
                                             .order_by(orders.c.id).limit(limit - len(ids))).scalars()]
    return ids


def insert_waybill(conn: Connection, package_id: str, object_id: str, carrier_code: str, waybill_code: str,
                   print_data: str) -> StoredWaybill:
    """Store the carrier's waybill for ``object_id`` (a second store of the same object id keeps the first)."""
    existing = conn.execute(select(waybills).where(waybills.c.object_id == object_id)).first()
    if existing is not None:
        return _waybill(existing)
    conn.execute(waybills.insert().values(id=new_id(), package_id=package_id, object_id=object_id, carrier_code=carrier_code,
                                          waybill_code=waybill_code, print_data=print_data, state="issued", created_at=utc_now()))
    return waybill_of(conn, package_id)  # type: ignore[return-value]


def waybill_of(conn: Connection, package_id: str) -> StoredWaybill | None:
    row = conn.execute(select(waybills).where(and_(waybills.c.package_id == package_id, waybills.c.state == "issued"))).first()
    return None if row is None else _waybill(row)


def waybills_to_cancel(conn: Connection, limit: int = 100) -> list[StoredWaybill]:
    """Issued waybills of cancelled packages: to be cancelled at the carrier."""
    rows = conn.execute(select(waybills).join(packages, packages.c.id == waybills.c.package_id)
                        .where(and_(waybills.c.state == "issued", packages.c.state == "cancelled")).limit(limit))
    return [_waybill(r) for r in rows]


def cancel_waybill(conn: Connection, waybill_id: str) -> None:
    conn.execute(waybills.update().where(waybills.c.id == waybill_id).values(state="cancelled", cancelled_at=utc_now()))
