"""The I/O end of fulfilment, run after commit (never inside a device's push): e-waybills for packed
packages, ship-confirm to the platform, and cancelling the waybills of cancelled packages.

    print_waybills(store, carrier, wave_id) -> ShipReport   waybills before packing (labels printed with the wave)
    ship_packed(store, carrier, post, *, limit=100) -> ShipReport
        1. packed packages without a waybill get one from the package's carrier (the carrier rules'
           choice, else the configured ``cp_code``; ``CarrierClient``: ≤10 a call, idempotent by the
           package id as ``object_id``, so a run killed after the call gets the same codes next time);
        2. an order whose packages are all packed with waybills is confirmed to its platform
           (``adapters.ship_confirm``; a split shipment, or a part of an order split across
           warehouses, tells the platform each package's waybill and lines, ``build_split``) →
           order ``shipped``, timeline entry; a package is ``shipped`` once the platform took its
           waybill (a merged package: with its first order; each of its orders is confirmed with it,
           one failing is retried alone). Orders to confirm are the ``packed`` ones, so a run that
           stopped half-way is finished by the next.
        A failure is kept on the package (``ship_error``) and in the timeline; the next run retries.
    cancel_waybills(store, carrier) -> int     waybills of cancelled packages cancelled at the carrier
    httpx_poster(http) -> PlatformPoster       posts a ship-confirm request to the shop's API base URL

The carrier and the platforms are injected (tests: the simulated carrier and platform simulator).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from server.orders import fulfilment, parts
from server.orders.adapters.ship_confirm import HttpRequest, PackageConfirm, ShipConfirm, build, build_split, check_answer
from server.orders.carrier.client import CarrierClient
from server.orders.carrier.shapes import Address, PackageRequest, Party
from server.store import orders as order_store
from server.store import order_parts, packages, waves
from server.store.catalogue import skus_by_id
from server.store.db import Store
from shared.core.errors import DomainError
from shared.core.time import utc_now
from shared.orders.shipment import PlatformLine, package_lines

PlatformPoster = Callable[[str, HttpRequest], tuple[int, Any]]  # (shop API base URL, request) -> (status, JSON body)


@dataclass
class ShipReport:
    waybills: dict[str, str] = field(default_factory=dict)  # package id -> waybill code (new this run)
    shipped: list[str] = field(default_factory=list)  # order ids
    failed: dict[str, str] = field(default_factory=dict)  # package or order id -> error code


def httpx_poster(http: httpx.Client) -> PlatformPoster:
    def post(base_url: str, request: HttpRequest) -> tuple[int, Any]:
        url = base_url.rstrip("/") + request.path
        response = http.post(url, json=request.json) if request.json is not None else http.post(url, data=request.form)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    return post


def ship_packed(store: Store, carrier: CarrierClient, post: PlatformPoster, *, limit: int = 100) -> ShipReport:
    report = ShipReport()
    with store.read() as conn:
        packed = packages.packed_without_waybill(conn, limit)
        carried = {p.id: packages.orders_of_package(conn, p.id) for p in packed}
        owners = {o.id: o for o in waves.fulfilment_orders(conn, sorted({oid for ids in carried.values() for oid in ids}))}
        requests = [_request(conn, p, [owners[oid] for oid in carried[p.id]]) for p in packed]
    _issue(store, carrier, requests, report)
    with store.read() as conn:
        orders = waves.fulfilment_orders(conn, packages.orders_to_confirm(conn, limit))
    for order in orders:
        _confirm(store, order, post, report)
    return report


def print_waybills(store: Store, carrier: CarrierClient, wave_id: str) -> ShipReport:
    """Waybills for a wave's packages before packing (先打单后验货): the labels go on the boxes and
    the pack tasks carry the codes, so the packer can open a package by scanning its label."""
    report = ShipReport()
    with store.read() as conn:
        pkgs = [p for p in packages.packages_of_wave(conn, wave_id)
                if p.state in ("open", "packing", "packed") and packages.waybill_of(conn, p.id) is None]
        carried = {p.id: packages.orders_of_package(conn, p.id) for p in pkgs}
        orders = {o.id: o for o in waves.fulfilment_orders(conn, sorted({oid for ids in carried.values() for oid in ids}))}
        requests = [_request(conn, p, [orders[oid] for oid in carried[p.id]]) for p in pkgs]
    _issue(store, carrier, requests, report)
    return report


def _request(conn: Any, package: packages.Package, carried: list[waves.FulfilmentOrder]) -> PackageRequest:
    """The carrier request for a package: the receiver of its (first) order, every order it carries."""
    order = carried[0]
    lines = packages.package_lines_of(conn, package.id)
    info = skus_by_id(conn, [ln.sku_id for ln in lines])
    r = order.receiver
    recipient = Party(str(r.get("name", "")), str(r.get("phone", "")),
                      Address(str(r.get("province", "")), str(r.get("city", "")), str(r.get("district", "")),
                              str(r.get("address", "")), str(r.get("town", ""))))
    return PackageRequest(package.id, order.platform, tuple(o.platform_order_id for o in carried),
                          tuple((info[ln.sku_id].name_zh[:100], ln.qty) for ln in lines),
                          package.weight_g or sum(info[ln.sku_id].weight_g * ln.qty for ln in lines), recipient,
                          package.seq, len([p for p in packages.packages_of_order(conn, order.id) if p.state != "cancelled"]))


def _issue(store: Store, carrier: CarrierClient, requests: list[PackageRequest], report: ShipReport) -> None:
    """Waybills for the packages, each from its carrier (the carrier rules' choice, else the default)."""
    if not requests:
        return
    with store.read() as conn:
        cp_of = {r.object_id: packages.get_package(conn, r.object_id).carrier_code or carrier.cp_code for r in requests}
    for cp_code in sorted(set(cp_of.values())):
        batch = [r for r in requests if cp_of[r.object_id] == cp_code]
        result = carrier.get_waybills(batch, cp_code)
        by_id = {r.object_id: r for r in batch}
        with store.transaction() as conn:
            for object_id, waybill in result.issued.items():
                stored = packages.insert_waybill(conn, object_id, object_id, cp_code, waybill.waybill_code, waybill.print_data)
                report.waybills[object_id] = stored.waybill_code
                for order in waves.fulfilment_orders(conn, packages.orders_of_package(conn, object_id)):
                    fulfilment.order_event(conn, order.id, None, order.state, "fulfil.event.waybill",
                                           waybill=stored.waybill_code, carrier=cp_code, package_id=object_id)
            for object_id, error in result.failed.items():
                _failed(conn, by_id[object_id].object_id, error, "fulfil.event.waybill_failed", report)
                if error.code == "waybill.not_subscribed" and cp_code != carrier.cp_code:  # no account with the rule's
                    packages.set_package(conn, object_id, carrier_code="")  # carrier: the default one next round
                    for order in waves.fulfilment_orders(conn, packages.orders_of_package(conn, object_id)):
                        fulfilment.order_event(conn, order.id, None, order.state, "fulfil.event.carrier_fallback",
                                               carrier=cp_code, fallback=carrier.cp_code, package_id=object_id)


def _confirm(store: Store, order: waves.FulfilmentOrder, post: PlatformPoster, report: ShipReport) -> None:
    """Confirm one packed order to its platform. One package (perhaps merged with other orders) → the
    platform's ship call with its waybill. A split shipment — several packages, or a part of an order
    split across warehouses — → ``build_split``'s calls with each package's platform lines (after a
    sibling part was confirmed, the platform's "further package" form); each package is marked shipped
    with its call taken, and the order with the last one, so a retry sends only what is left."""
    with store.read() as conn:
        state = waves.fulfilment_orders(conn, [order.id])[0].state
        live = [p for p in packages.packages_of_order(conn, order.id) if p.state != "cancelled"]
        bills = {p.id: packages.waybill_of(conn, p.id) for p in live}
        stored = order_store.get_order(conn, order.id)
        partial = len(live) > 1 or stored.parent_order_id is not None
        shares = _platform_lines(conn, stored, live) if partial else {}
        sibling_sent = stored.parent_order_id is not None and any(
            h.state == fulfilment.SHIPPED for h in order_parts.parts_of(conn, stored.parent_order_id) if h.id != order.id)
    if state != fulfilment.PACKED or not live or any(b is None for b in bills.values()):
        return
    codes = {p.id: bills[p.id].waybill_code for p in live if bills[p.id] is not None}  # type: ignore[union-attr]
    carriers = {p.id: bills[p.id].carrier_code for p in live if bills[p.id] is not None}  # type: ignore[union-attr]
    if not partial:
        only = live[0]
        calls = [(build(ShipConfirm(order.platform, order.platform_order_id, codes[only.id], carriers[only.id])), (only.id,))]
    else:
        pending = [p for p in live if p.state == "packed"]
        confirms = [PackageConfirm(codes[p.id], carriers[p.id], shares[p.id]) for p in pending]
        calls = [(request, tuple(pending[i].id for i in indexes)) for request, indexes in
                 build_split(order.platform, order.platform_order_id, confirms,
                             first_sent=len(pending) < len(live) or sibling_sent)]
    for index, (request, package_ids) in enumerate(calls):
        try:
            status, body = post(order.api_base_url, request)
            check_answer(order.platform, status, body)
        except (DomainError, httpx.HTTPError) as exc:
            with store.transaction() as conn:
                error = exc if isinstance(exc, DomainError) else None
                for package_id in package_ids:
                    _failed(conn, package_id, error, "fulfil.event.ship_confirm_failed", report, text=str(exc)[:200],
                            order_ids=[order.id])
            return
        with store.transaction() as conn:  # the box left with this waybill, and the platform knows
            for package_id in package_ids:
                packages.set_package(conn, package_id, expected_state="packed", state="shipped", shipped_at=utc_now(), ship_error="")
            if index == len(calls) - 1:
                _shipped(conn, order.id, [codes[p.id] for p in live])
    if not calls:  # every package was confirmed by an earlier run that stopped before the order moved
        with store.transaction() as conn:
            _shipped(conn, order.id, [codes[p.id] for p in live])
    report.shipped.append(order.id)


def _shipped(conn: Any, order_id: str, waybill_codes: list[str]) -> None:
    fulfilment.move_order(conn, order_id, fulfilment.PACKED, fulfilment.SHIPPED, "fulfil.event.shipped",
                          waybill=",".join(waybill_codes))
    parts.on_part_shipped(conn, order_id)  # the last part of a split order ships its parent


def _platform_lines(conn: Any, stored: order_store.StoredOrder, live: list[packages.Package]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Each package's platform line ids and units (what a split shipment tells the platform)."""
    order_id = stored.id
    lines = [PlatformLine(ln.platform_line_id, ln.sku_id or "", ln.qty, ln.qty_base, ln.is_gift)
             for ln in sorted(stored.lines, key=lambda ln: ln.line_no) if ln.sku_id and ln.refund != "refunded"]
    contents = [[(ln.sku_id, ln.qty) for ln in packages.package_lines_of(conn, p.id, order_id)] for p in live]
    return {p.id: tuple(named) for p, named in zip(live, package_lines(lines, contents), strict=True)}


def _failed(conn: Any, package_id: str, error: DomainError | None, event: str, report: ShipReport, *, text: str = "",
            order_ids: list[str] | None = None) -> None:
    """Keep a waybill or ship-confirm failure on the package and, once, on the timeline of the orders it
    concerns (the package's orders, or those given)."""
    code = error.code if error is not None else "fulfil.ship_confirm_failed"
    reason = (error.message("zh-CN") if error is not None else text)[:300]
    package = packages.get_package(conn, package_id)
    if package.ship_error != reason:  # a repeat of the same failure is not a new timeline entry
        packages.set_package(conn, package_id, ship_error=reason)
        for order in waves.fulfilment_orders(conn, order_ids or packages.orders_of_package(conn, package_id)):
            fulfilment.order_event(conn, order.id, None, order.state, event, reason=reason, package_id=package_id)
    report.failed[package_id] = code


def cancel_waybills(store: Store, carrier: CarrierClient, *, limit: int = 100) -> int:
    """Cancel at the carrier the waybills of cancelled packages; returns how many were cancelled."""
    with store.read() as conn:
        pending = packages.waybills_to_cancel(conn, limit)
    done: dict[str, str] = defaultdict(str)
    for bill in pending:
        try:
            carrier.cancel(bill.waybill_code, bill.carrier_code)
        except DomainError as exc:
            if exc.code != "waybill.not_found":
                continue  # try again next run
        done[bill.id] = bill.waybill_code
    with store.transaction() as conn:
        for waybill_id in done:
            packages.cancel_waybill(conn, waybill_id)
    return len(done)
