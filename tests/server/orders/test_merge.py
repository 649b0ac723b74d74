"""Merged orders (合单), on SQLite and PostgreSQL: one buyer's reviewed orders to one address are
planned as one order (one slot, one package whose lines name each unit's order), picked and packed
together, waybilled once and confirmed to the platform order by order; a merged package one of whose
orders is short-picked or cancelled is taken apart and the others pack on their own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.orders import fulfilment, shipping
from server.orders.carrier.app import create_carrier
from server.orders.carrier.client import CarrierClient
from server.orders.simulator.app import create_simulator
from server.store import order_events, packages, tasks
from server.store import orders as order_store
from shared.core.errors import DomainError
from tests.server.orders.fulfilment_world import make_order, make_shop
from tests.server.orders.test_fulfilment_shipping import SENDER
from tests.server.world import World


def _stocked(world: World) -> None:
    world.stock(world.sku, world.a1, 20)
    world.stock(world.sku2, world.a2, 20)


def _merged_pair(world: World, keys: tuple[str, str] = ("TB-1", "TB-2"), *, other: bool = False) -> tuple[str, ...]:
    """Two orders of one buyer (plus, with ``other``, a third order of someone else) in one wave."""
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a)
        o1 = make_order(conn, shop, world.wh_a, [(world.sku, 2)], platform_order_id=keys[0], buyer_open_id="buyer-1", hlc=world.hlc())
        o2 = make_order(conn, shop, world.wh_a, [(world.sku, 1), (world.sku2, 1)], platform_order_id=keys[1],
                        buyer_open_id="buyer-1", hlc=world.hlc())
        ids = [o1, o2]
        if other:
            ids.append(make_order(conn, shop, world.wh_a, [(world.sku2, 3)], buyer_open_id="buyer-2", hlc=world.hlc()))
        fulfilment.create_waves(conn, world.wh_a, ids, slots=4, hlc=world.hlc(), merges=[[o1, o2]], user_id="boss")
    return tuple(ids)


def _wave_task(world: World, order_id: str) -> tasks.Task:
    with world.store.read() as conn:
        from server.store import waves

        wave = waves.active_wave_of(conn, order_id)
        assert wave is not None and wave.pick_task_id
        return tasks.get(conn, wave.pick_task_id)


def _complete(world: World, task_id: str, *, shorts: list[dict[str, Any]] | None = None,
              verified: list[dict[str, Any]] | None = None) -> None:
    with world.store.transaction() as conn:
        t = tasks.complete(conn, task_id, device_id="dev-1", hlc=world.hlc(), shorts=shorts)
        fulfilment.on_task_completed(conn, t, verified=verified or [], user_id="lisi", device_id="dev-1", hlc=world.hlc())


def _pack_all(world: World, order_id: str) -> None:
    with world.store.read() as conn:
        boxes = [p for p in packages.packages_of_order(conn, order_id) if p.state == "packing"]
        content = {p.id: [{"sku_id": ln.sku_id, "qty": ln.qty} for ln in packages.package_lines_of(conn, p.id)] for p in boxes}
    for p in boxes:
        assert p.pack_task_id
        _complete(world, p.pack_task_id, verified=content[p.id])


def _states(world: World, *ids: str) -> tuple[str, ...]:
    with world.store.read() as conn:
        return tuple(order_store.get_order(conn, oid).state for oid in ids)


def _live(conn: Any, order_id: str) -> list[packages.Package]:
    return [p for p in packages.packages_of_order(conn, order_id) if p.state != "cancelled"]


def test_merged_orders_share_one_slot_and_one_package_whose_lines_name_their_order(world: World) -> None:
    _stocked(world)
    o1, o2, o3 = _merged_pair(world, other=True)
    task = _wave_task(world, o1)
    assert task.data["slots"] == 2  # the pair and the third order
    slots = {ln["slot"] for ln in task.data["lines"] if ln["sku_id"] == world.sku}
    assert len(slots) == 1  # both orders' units of the SKU go to one slot
    with world.store.read() as conn:
        (box,) = packages.packages_of_order(conn, o1)
        assert packages.packages_of_order(conn, o2) == [box] and box.order_id == o1
        assert packages.orders_of_package(conn, box.id) == [o1, o2]
        assert [(ln.sku_id, ln.qty) for ln in packages.package_lines_of(conn, box.id, o2)] == [(world.sku, 1), (world.sku2, 1)]
        assert len(packages.package_lines_of(conn, box.id)) == 3
        assert [p.order_id for p in packages.packages_of_order(conn, o3)] == [o3]
        entry = order_events.timeline(conn, o2)[-1]
        assert (entry.code, entry.details["merged_with"], entry.actor) == ("fulfil.event.in_wave_merged", "TB-1", "boss")
    assert _states(world, o1, o2, o3) == ("in_wave",) * 3


def test_merged_package_is_picked_packed_once_and_packs_both_orders(world: World) -> None:
    _stocked(world)
    o1, o2 = _merged_pair(world)
    _complete(world, _wave_task(world, o1).id)
    assert _states(world, o1, o2) == ("picked", "picked")
    with world.store.read() as conn:
        (pack,) = tasks.open_tasks(conn, world.wh_a, "pack")
        assert pack.data["order_ids"] == [o1, o2] and pack.data["order_ref"] == "TB-1, TB-2"
        assert sorted((ln["sku_id"], ln["qty"]) for ln in pack.data["lines"]) == sorted([(world.sku, 3), (world.sku2, 1)])
    with world.store.transaction() as conn, pytest.raises(DomainError) as wrong:
        t = tasks.complete(conn, pack.id, device_id="dev-1", hlc=world.hlc())
        fulfilment.on_task_completed(conn, t, verified=[{"sku_id": world.sku, "qty": 2}], user_id="lisi", device_id="dev-1",
                                     hlc=world.hlc())
    assert wrong.value.code == "fulfil.pack_mismatch"
    _pack_all(world, o1)
    assert _states(world, o1, o2) == ("packed", "packed")


def test_short_pick_of_one_merged_order_takes_the_package_apart_the_other_packs_alone(world: World) -> None:
    _stocked(world)
    o1, o2 = _merged_pair(world)
    _complete(world, _wave_task(world, o1).id, shorts=[{"sku_id": world.sku2, "bin_id": world.a2.id, "qty": 1, "reason": "damaged"}])
    assert _states(world, o1, o2) == ("picked", "short_picked")
    with world.store.read() as conn:
        (own,) = _live(conn, o1)
        assert packages.orders_of_package(conn, own.id) == [o1] and own.state == "packing"
        assert [(ln.sku_id, ln.qty) for ln in packages.package_lines_of(conn, own.id)] == [(world.sku, 2)]
        assert _live(conn, o2) == []
        (pack,) = tasks.open_tasks(conn, world.wh_a, "pack")
        assert pack.data["order_id"] == o1 and "order_ids" not in pack.data
        (ret,) = tasks.open_tasks(conn, world.wh_a, "return")
        assert ret.data["order_id"] == o2 and [(ln["sku_id"], ln["qty"]) for ln in ret.data["lines"]] == [(world.sku, 1)]
        assert "fulfil.event.unmerged" in [e.code for e in order_events.timeline(conn, o1)]
    _pack_all(world, o1)
    assert _states(world, o1, o2) == ("packed", "short_picked")


@pytest.mark.parametrize("packed_first", [False, True])
def test_cancel_after_picking_one_merged_order_the_other_is_packed_again_on_its_own(world: World, packed_first: bool) -> None:
    _stocked(world)
    o1, o2 = _merged_pair(world)
    _complete(world, _wave_task(world, o1).id)
    if packed_first:
        _pack_all(world, o1)
    with world.store.transaction() as conn:
        order_store.set_state(conn, o1, "cancel_requested", expected_state="packed" if packed_first else "picked")
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == [o1]
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == []
    assert _states(world, o1, o2) == ("cancelled", "picked")
    with world.store.read() as conn:
        assert _live(conn, o1) == []
        (own,) = _live(conn, o2)
        assert packages.orders_of_package(conn, own.id) == [o2] and own.seq == 1
        (pack,) = tasks.open_tasks(conn, world.wh_a, "pack")
        assert pack.data["package_id"] == own.id
        (ret,) = tasks.open_tasks(conn, world.wh_a, "return")
        assert ret.data["order_id"] == o1 and [(ln["sku_id"], ln["qty"]) for ln in ret.data["lines"]] == [(world.sku, 2)]
        codes = [e.code for e in order_events.timeline(conn, o2)]
        assert "fulfil.event.unmerged" in codes and ("fulfil.event.repack" in codes) == packed_first
    _pack_all(world, o2)
    assert _states(world, o2) == ("packed",)


def test_bad_merge_groups_are_refused_and_write_nothing(world: World) -> None:
    _stocked(world)
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a)
        a = make_order(conn, shop, world.wh_a, [(world.sku, 1)], buyer_open_id="buyer-1", hlc=world.hlc())
        b = make_order(conn, shop, world.wh_a, [(world.sku, 1)], buyer_open_id="buyer-2", hlc=world.hlc())
        c = make_order(conn, shop, world.wh_a, [(world.sku, 1)], buyer_open_id="buyer-1", hlc=world.hlc())
    for merges in ([[a, b]], [[a, c], [c, a]]):
        with pytest.raises(DomainError) as refused, world.store.transaction() as conn:
            fulfilment.create_waves(conn, world.wh_a, [a, b, c], slots=4, hlc=world.hlc(), merges=merges)
        assert refused.value.code == "fulfil.bad_merge"
        assert _states(world, a, b, c) == ("reviewed",) * 3


class _Rig:
    def __init__(self, world: World) -> None:
        self.carrier_app, self.platform_app = create_carrier(seed=3), create_simulator(5, orders_per_shop=20)
        self.carrier = CarrierClient(TestClient(self.carrier_app), cp_code="YTO", sender=SENDER, sleep=lambda _s: None)
        self.client = TestClient(self.platform_app)
        self.post = shipping.httpx_poster(self.client)
        self.sim = self.platform_app.state.sim

    def paid_keys(self) -> tuple[str, str]:
        keys = [k for k, o in self.sim.orders["taobao"].items() if o.status == "paid"]
        return keys[0], keys[1]


def test_merged_package_gets_one_waybill_and_each_order_is_confirmed_with_it(world: World) -> None:
    rig = _Rig(world)
    _stocked(world)
    keys = rig.paid_keys()
    o1, o2 = _merged_pair(world, keys)
    _complete(world, _wave_task(world, o1).id)
    _pack_all(world, o1)
    failing = {"on": True}

    def post(base_url: str, request: Any) -> tuple[int, Any]:  # the second order's confirm fails once
        if failing["on"] and keys[1] in str(request.form or request.json):
            failing["on"] = False
            return 500, None
        return rig.post(base_url, request)

    first = shipping.ship_packed(world.store, rig.carrier, post)
    (code,) = first.waybills.values()
    carrier = rig.carrier_app.state.carrier  # type: ignore[attr-defined]
    assert len(carrier.issued) == 1 and all(key in json.dumps(carrier.requests, ensure_ascii=False) for key in keys)
    assert first.shipped == [o1] and _states(world, o1, o2) == ("shipped", "packed")
    with world.store.read() as conn:
        (box,) = _live(conn, o1)
        assert box.state == "shipped"  # the box left with its waybill once the platform took the first order
    second = shipping.ship_packed(world.store, rig.carrier, post)
    assert second.shipped == [o2] and not second.waybills
    ships = [(r.body["tid"], r.body["out_sid"]) for r in rig.sim.received if r.kind == "ship"]
    assert ships == [(keys[0], code), (keys[1], code)]
    with world.store.read() as conn:
        assert [p.state for p in _live(conn, o2)] == ["shipped"]


def test_a_merged_package_already_confirmed_for_one_order_is_never_taken_apart_by_the_others_cancel(world: World) -> None:
    rig = _Rig(world)
    _stocked(world)
    keys = rig.paid_keys()
    o1, o2 = _merged_pair(world, keys)
    _complete(world, _wave_task(world, o1).id)
    _pack_all(world, o1)

    def post(base_url: str, request: Any) -> tuple[int, Any]:  # the platform refuses the second order (a refund is pending)
        return (200, {"error_response": {"code": 15, "msg": "refund"}}) if keys[1] in str(request.form or request.json) \
            else rig.post(base_url, request)

    shipping.ship_packed(world.store, rig.carrier, post)
    assert _states(world, o1, o2) == ("shipped", "packed")
    with world.store.transaction() as conn:
        order_store.set_state(conn, o2, "cancel_requested", expected_state="packed")
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == []  # on its way: after-sales
    assert shipping.cancel_waybills(world.store, rig.carrier) == 0
    with world.store.read() as conn:
        assert [p.state for p in packages.packages_of_order(conn, o1)] == ["shipped"]
        assert tasks.open_tasks(conn, world.wh_a, "return") == []
