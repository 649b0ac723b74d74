"""Orders to shipped through the real sync: the server makes a wave and its sort-while-picking task,
a handheld picks it offline and syncs, the server opens a pack task per package, the handheld pulls
and verifies them, the server marks the packages packed, and shipping gets waybills from the
simulated carrier and confirms to the simulated platform. Also: a pack that does not match is
rejected (kept as a conflict), not silently applied."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from client.services.pack import PackFlow
from client.services.pick import PickFlow, PickState
from server.orders import fulfilment, shipping
from server.orders.carrier.app import create_carrier
from server.orders.carrier.client import CarrierClient
from server.orders.carrier.shapes import Address, Party
from server.orders.simulator.app import create_simulator
from server.store import order_events, packages, tasks
from server.store import orders as order_store
from tests.client.services.conftest import demo_server_file, world  # noqa: F401  (fixtures)
from tests.client.services.world import World
from tests.server.orders.fulfilment_world import make_order, make_shop


def _orders(world: World, keys: list[str]) -> tuple[list[str], list[Any]]:
    stocked = world.stocked("WH-SH", at_least=5)
    skus = list(dict.fromkeys(b.sku_id for b in stocked))[:3]
    wh = world.warehouse_id("WH-SH")

    def make(conn: Any) -> list[str]:
        shop = make_shop(conn, wh)
        return [make_order(conn, shop, wh, [(skus[0], 1), (skus[1 + i], 2)], platform_order_id=key, hlc=world.hlc())
                for i, key in enumerate(keys)]

    return world.write(make), skus


def _pick_all(world: World, flow: PickFlow) -> None:
    while flow.state is not PickState.READY:
        line = flow.current_line()
        assert line is not None
        if flow.state is PickState.SCAN_BIN:
            assert flow.scan(world.bin_code(line.bin_id)).ok
        fb = flow.scan(world.barcode(line.sku_id))
        assert fb.ok, fb.message("en")
        if flow.state is PickState.SCAN_SLOT:
            assert flow.confirm_slot(str(fb.detail["slot"])).ok


def _verify(world: World, flow: PackFlow, order_ref: str) -> None:
    assert flow.scan(order_ref).ok
    for line in flow.lines():
        flow.type_qty(str(line.qty))
        assert flow.scan(world.barcode(line.sku_id)).ok
    assert flow.confirm().ok


def test_orders_wave_pick_pack_ship_through_sync(world: World) -> None:
    platform_app = create_simulator(11, orders_per_shop=20)
    keys = [k for k, o in platform_app.state.sim.orders["taobao"].items() if o.status == "paid"][:2]
    order_ids, _skus = _orders(world, keys)
    wh = world.warehouse_id("WH-SH")
    (wave,) = world.write(lambda c: fulfilment.create_waves(c, wh, order_ids, slots=4, hlc=world.hlc(), user_id="boss"))
    s = world.device()
    world.transport.down = True  # the picker works offline
    assert not s.sync_now().ok
    world.transport.down = False
    assert s.sync_now().ok
    world.transport.down = True
    pick = PickFlow(s.context())
    assert pick.start(wave.pick_task_id).ok and pick.slots == 2
    _pick_all(world, pick)
    assert pick.complete().ok
    world.transport.down = False
    assert s.sync_now().ok and s.replica.pending_count() == 0
    assert {world.read(lambda c, o=o: order_store.get_order(c, o).state) for o in order_ids} == {"picked"}

    assert s.sync_now().ok  # pulls the pack tasks
    flow = PackFlow(s.context())
    assert sorted(p.order_ref for p in flow.packages()) == sorted(keys)
    world.transport.down = True
    for key in keys:
        _verify(world, flow, key)
    world.transport.down = False
    assert s.sync_now().ok and s.replica.pending_count() == 0
    for oid in order_ids:
        assert world.read(lambda c, o=oid: order_store.get_order(c, o).state) == "packed"
        assert [p.state for p in world.read(lambda c, o=oid: packages.packages_of_order(c, o))] == ["packed"]
        last = world.read(lambda c, o=oid: order_events.timeline(c, o))[-1]
        assert (last.code, last.actor, last.source) == ("fulfil.event.packed", "zhangsan", f"device:{s.replicator.device_id}")

    carrier = CarrierClient(TestClient(create_carrier()), cp_code="ZTO", sender=Party("仓", "021-1", Address("上海市", "上海市", "浦东", "1 号")),
                            sleep=lambda _s: None)
    report = shipping.ship_packed(world.store, carrier, shipping.httpx_poster(TestClient(platform_app)))
    assert sorted(report.shipped) == sorted(order_ids)
    assert {platform_app.state.sim.orders["taobao"][k].status for k in keys} == {"shipped"}
    assert {world.read(lambda c, o=o: order_store.get_order(c, o).state) for o in order_ids} == {"shipped"}


def test_pack_complete_with_wrong_units_is_rejected_and_kept_as_a_conflict(world: World) -> None:
    order_ids, skus = _orders(world, ["4012000000000000001"])
    wh = world.warehouse_id("WH-SH")
    (wave,) = world.write(lambda c: fulfilment.create_waves(c, wh, order_ids, slots=4, hlc=world.hlc()))

    def picked(conn: Any) -> None:
        t = tasks.complete(conn, wave.pick_task_id, device_id="back-office", hlc=world.hlc())
        fulfilment.on_task_completed(conn, t, verified=[], user_id="boss", device_id="back-office", hlc=world.hlc())

    world.write(picked)
    s = world.device()
    flow = PackFlow(s.context())
    (package,) = flow.packages()
    assert flow.start(package.id).ok
    s.context().record("task.complete", {"task_id": package.id, "shorts": [], "verified": [{"sku_id": skus[0], "qty": 1}]})
    outcome = s.sync_now()
    assert outcome.ok
    (rejected,) = s.sync_status().rejected
    assert rejected.code == "fulfil.pack_mismatch" and "验货" in rejected.message("zh-CN")
    assert world.task(package.id).state == "claimed"
    assert world.read(lambda c: order_store.get_order(c, order_ids[0]).state) == "picked"
