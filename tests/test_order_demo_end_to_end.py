"""Issue #5's "done when", end to end: the demo's shops sell on the simulated marketplace; one worker
round pulls their orders, which the demo rules review and reserve; a wave makes a pick task; the
handheld picks it offline and syncs, then verifies every package offline and syncs; the next round
gets e-waybills from the simulated carrier and confirms the shipments to the platform, which records
them as shipped. Every step is on the orders' timeline."""

from __future__ import annotations

from datetime import timedelta

import httpx
from client.services.pack import PackFlow
from client.services.pick import PickFlow
from server import demo
from server.orders import fulfilment, shipping
from server.orders.carrier.app import create_carrier
from server.orders.carrier.client import CarrierClient
from server.orders.services import OrderServices, sender_of
from server.orders.simulator import create_simulator
from server.orders.simulator.state import SPAN
from server.settings import Settings
from server.store import order_events
from server.store import orders as order_store
from shared.core.time import utc_now
from tests.client.services.conftest import demo_server_file, world  # noqa: F401  (fixtures)
from tests.client.services.world import World
from tests.server.orders.order_world import SIM_URL, SimTransport
from tests.sync.test_fulfilment_flow import _pick_all, _verify


def test_marketplace_orders_are_reviewed_waved_picked_packed_waybilled_and_confirmed(world: World) -> None:
    now = utc_now()
    marketplace = create_simulator(23, orders_per_shop=6, duplicate_rate=0.0, start=now - SPAN - timedelta(minutes=1))
    wh = world.warehouse_id("WH-SH")
    world.write(lambda c: demo.load_marketplace(c, wh, world.storage_bins("WH-SH"), SIM_URL, world.hlc()))
    carrier = CarrierClient(httpx.Client(transport=SimTransport(create_carrier()), base_url="http://carrier"), "YTO",
                            sender_of(Settings()), sleep=lambda _s: None)
    http = httpx.Client(transport=SimTransport(marketplace))
    services = OrderServices(world.store, http, carrier, shipping.httpx_poster(http), sleep=lambda _s: None)

    first = services.run_once(now)
    assert first.errors == {} and sum(first.pulled.values()) >= 5 * 6 and first.pushed > 0
    reviewed = world.read(lambda c: order_store.ids_in_state(c, "reviewed"))
    assert reviewed, world.read(lambda c: order_store.count_by_state(c))
    chosen = reviewed[:3]
    waves = world.write(lambda c: fulfilment.create_waves(c, wh, chosen, slots=4, hlc=world.hlc(), user_id="admin"))

    s = world.device()
    assert s.sync_now().ok  # the pick task reaches the handheld
    world.transport.down = True  # picking and packing in a basement with no signal
    for wave in waves:
        pick = PickFlow(s.context())
        assert pick.start(wave.pick_task_id).ok
        _pick_all(world, pick)
        assert pick.complete().ok
    world.transport.down = False
    assert s.sync_now().ok and s.sync_now().ok  # push the picks, pull the pack tasks
    flow = PackFlow(s.context())
    refs = {p.order_ref for p in flow.packages()}
    platform_ids = {world.read(lambda c, o=o: order_store.get_order(c, o).platform_order_id) for o in chosen}
    assert refs == platform_ids
    world.transport.down = True
    for ref in sorted(refs):
        _verify(world, flow, ref)
    world.transport.down = False
    assert s.sync_now().ok and s.replica.pending_count() == 0

    second = services.run_once(now + timedelta(seconds=15))
    assert second.errors == {} and second.shipped == len(chosen) and second.waybills >= len(chosen)
    for oid in chosen:
        order = world.read(lambda c, o=oid: order_store.get_order(c, o))
        assert order.state == "shipped"
        assert marketplace.state.sim.orders[order.platform][order.platform_order_id].status == "shipped"
        codes = [e.code for e in world.read(lambda c, o=oid: order_events.timeline(c, o))]
        assert codes[0].startswith("order.") and "fulfil.event.packed" in codes and codes[-1].endswith("shipped"), codes
    assert any(r.kind == "ship" for r in marketplace.state.sim.received)
