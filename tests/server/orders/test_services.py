"""The order worker's round through the real simulators (in process): one ``run_once`` pulls every
shop's orders (reviewed and reserved, or in the exception queue), pushes stock, and a second round
changes nothing new; a failing platform is reported while the other steps still run; the worker
thread runs rounds until stopped and survives a round that raises."""

from __future__ import annotations

import threading
from datetime import datetime

import httpx
import pytest

from server.orders.carrier.app import create_carrier
from server.orders.carrier.client import CarrierClient
from server.orders.services import OrderServices, RunReport, sender_of
from server.orders.worker import OrderWorker
from server.settings import Settings
from server.store import catalogue, stock_push_queue
from server.store import orders as order_store
from shared.catalogue.model import new_platform_sku
from tests.server.orders.order_world import OrderWorld, SimTransport, make_order_world
from tests.server.world import World, world  # noqa: F401


@pytest.fixture
def ow(world: World) -> OrderWorld:
    return make_order_world(world, stock=500, orders_per_shop=15)


def _services(ow: OrderWorld) -> OrderServices:
    carrier = CarrierClient(httpx.Client(transport=SimTransport(create_carrier()), base_url="http://carrier"), "YTO",
                            sender_of(Settings()))
    return OrderServices(ow.store, ow.http, carrier, lambda _url, _req: (200, {}), sleep=lambda _s: None)


def test_a_round_pulls_every_shop_and_pushes_stock_and_the_next_round_adds_nothing(ow: OrderWorld) -> None:
    with ow.store.transaction() as conn:
        for code in ("TEA-RED", "MUG-GRY"):
            catalogue.insert_platform_sku(conn, new_platform_sku("jd", ow.shops["jd"].id, f"P-{code}", ow.skus[code], 1))
        stock_push_queue.enqueue_skus(conn, [ow.skus["TEA-RED"], ow.skus["MUG-GRY"]])
    services = _services(ow)
    first = services.run_once(ow.sim.now)
    assert first.errors == {}, first.errors
    assert set(first.pulled) == {s.code for s in ow.shops.values()} and sum(first.pulled.values()) >= 5 * 15
    assert first.pushed >= 2 and any(r.kind == "stock" and r.platform == "jd" for r in ow.sim.received)
    with ow.store.read() as conn:
        states = order_store.count_by_state(conn)
    assert sum(states.values()) == 5 * 15 and states.get("reviewed", 0) > 0, states
    second = services.run_once(ow.sim.now)
    with ow.store.read() as conn:
        assert order_store.count_by_state(conn) == states  # the overlap re-reads, nothing doubles
    assert second.errors == {} and "pulled" in second.summary()


def test_one_platform_down_is_reported_and_the_rest_of_the_round_still_runs(ow: OrderWorld) -> None:
    with ow.store.transaction() as conn:
        from server.store import shops as shop_store

        shop_store.update_shop(conn, ow.shops["jd"].id, api_base_url="http://sim/gone")  # the platform answers 404 there
    report = _services(ow).run_once(ow.sim.now)
    assert set(report.errors) == {"pull:jd-1"}, report.errors
    assert report.pulled.keys() == {s.code for p, s in ow.shops.items() if p != "jd"}


def test_the_worker_runs_rounds_until_stopped_and_survives_a_failing_round() -> None:
    rounds: list[datetime] = []
    ran = threading.Event()

    class Flaky:
        def run_once(self, now: datetime) -> RunReport:
            rounds.append(now)
            if len(rounds) == 1:
                raise RuntimeError("boom")
            ran.set()
            return RunReport()

    worker = OrderWorker(Flaky(), 0.01)  # type: ignore[arg-type]
    worker.start()
    assert ran.wait(5)
    worker.stop()
    assert len(rounds) >= 2 and worker.rounds >= 1
    with pytest.raises(ValueError):
        OrderWorker(Flaky(), 0)  # type: ignore[arg-type]
