"""After packing, on SQLite and PostgreSQL: an e-waybill per package from the (simulated) carrier and
the ship-confirm to the (simulated) platform; retries never buy a second waybill or confirm twice;
failures are kept and retried; waybills of cancelled packages are cancelled at the carrier."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from server.orders import fulfilment, shipping
from server.orders.carrier.app import create_carrier
from server.orders.carrier.client import CarrierClient
from server.orders.carrier.shapes import Address, Party
from server.orders.simulator.app import create_simulator
from server.store import order_events, packages, tasks
from server.store import orders as order_store
from tests.server.orders.fulfilment_world import make_order, make_shop
from tests.server.world import World

SENDER = Party("上海仓", "021-55550000", Address("上海市", "上海市", "浦东新区", "航头镇 88 号"))


class Rig:
    def __init__(self, world: World) -> None:
        self.world = world
        self.carrier_app, self.platform_app = create_carrier(seed=3), create_simulator(5, orders_per_shop=20)
        self.carrier = CarrierClient(TestClient(self.carrier_app), cp_code="YTO", sender=SENDER, sleep=lambda _s: None)
        self.post = shipping.httpx_poster(TestClient(self.platform_app))
        world.stock(world.sku, world.a1, 20)
        world.stock(world.sku2, world.a2, 20)

    @property
    def sim(self) -> Any:
        return self.platform_app.state.sim

    def paid_key(self, n: int = 0) -> str:
        return [k for k, o in self.sim.orders["taobao"].items() if o.status == "paid"][n]

    def packed_order(self, key: str, splits: bool = False, carrier: str = "") -> str:
        w = self.world
        with w.store.transaction() as conn:
            shop = make_shop(conn, w.wh_a)
            oid = make_order(conn, shop, w.wh_a, [(w.sku, 2), (w.sku2, 1)], platform_order_id=key, hlc=w.hlc())
            split = {oid: [[(w.sku, 2)], [(w.sku2, 1)]]} if splits else None
            (wave,) = fulfilment.create_waves(conn, w.wh_a, [oid], slots=4, hlc=w.hlc(), splits=split,
                                              carrier_of={oid: carrier} if carrier else None)
            t = tasks.complete(conn, wave.pick_task_id, device_id="d", hlc=w.hlc())
            fulfilment.on_task_completed(conn, t, verified=[], user_id="u", device_id="d", hlc=w.hlc())
            for p in packages.packages_of_order(conn, oid):
                assert p.pack_task_id
                t = tasks.complete(conn, p.pack_task_id, device_id="d", hlc=w.hlc())
                fulfilment.on_task_completed(conn, t, verified=[{"sku_id": ln.sku_id, "qty": ln.qty}
                                                                for ln in packages.package_lines_of(conn, p.id)],
                                             user_id="u", device_id="d", hlc=w.hlc())
        return oid

    def state(self, oid: str) -> str:
        with self.world.store.read() as conn:
            return order_store.get_order(conn, oid).state

    def codes(self, oid: str) -> list[str]:
        with self.world.store.read() as conn:
            return [e.code for e in order_events.timeline(conn, oid)]


def test_ship_packed_gets_a_waybill_and_confirms_to_the_platform_once(world: World) -> None:
    rig = Rig(world)
    key = rig.paid_key()
    oid = rig.packed_order(key)
    assert rig.state(oid) == "packed"
    report = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert report.shipped == [oid] and not report.failed and len(report.waybills) == 1
    code = next(iter(report.waybills.values()))
    ships = [r for r in rig.sim.received if r.kind == "ship"]
    assert [(r.body["tid"], r.body["out_sid"], r.body["company_code"]) for r in ships] == [(key, code, "YTO")]
    assert rig.sim.orders["taobao"][key].status == "shipped"
    assert rig.state(oid) == "shipped"
    assert rig.codes(oid)[-3:] == ["fulfil.event.packed", "fulfil.event.waybill", "fulfil.event.shipped"]
    again = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert again.shipped == [] and len([r for r in rig.sim.received if r.kind == "ship"]) == 1


def test_ship_packed_split_shipment_one_waybill_per_package(world: World) -> None:
    rig = Rig(world)
    oid = rig.packed_order(rig.paid_key(), splits=True)
    report = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert len(set(report.waybills.values())) == 2 and report.shipped == [oid]
    with world.store.read() as conn:
        boxes = packages.packages_of_order(conn, oid)
        assert [p.state for p in boxes] == ["shipped", "shipped"]
        codes = [packages.waybill_of(conn, p.id).waybill_code for p in boxes]  # type: ignore[union-attr]
    ships = [r.body for r in rig.sim.received if r.kind == "ship"]
    assert [(b["out_sid"], b["is_split"], b["sub_tid"]) for b in ships] == [(codes[0], "1", "0"), (codes[1], "1", "1")]
    assert rig.sim.orders["taobao"][ships[0]["tid"]].waybills == codes


def test_a_split_shipment_whose_second_confirm_fails_retries_only_that_package(world: World) -> None:
    rig = Rig(world)
    oid = rig.packed_order(rig.paid_key(), splits=True)
    calls = {"n": 0}

    def post(base_url: str, request: Any) -> tuple[int, Any]:
        calls["n"] += 1
        return (502, None) if calls["n"] == 2 else rig.post(base_url, request)

    first = shipping.ship_packed(world.store, rig.carrier, post)
    assert first.shipped == [] and list(first.failed.values()) == ["fulfil.ship_confirm_failed"] and rig.state(oid) == "packed"
    with world.store.read() as conn:
        assert [p.state for p in packages.packages_of_order(conn, oid)] == ["shipped", "packed"]
    second = shipping.ship_packed(world.store, rig.carrier, post)
    assert second.shipped == [oid] and calls["n"] == 3  # only the second package again
    assert len({r.body["out_sid"] for r in rig.sim.received if r.kind == "ship"}) == 2


def test_ship_packed_carrier_response_lost_then_retried_same_waybill(world: World) -> None:
    rig = Rig(world)
    oid = rig.packed_order(rig.paid_key())
    rig.carrier_app.state.carrier.lose_next = 1  # type: ignore[attr-defined]
    report = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert report.shipped == [oid] and len(rig.carrier_app.state.carrier.issued) == 1  # type: ignore[attr-defined]


def test_ship_packed_failures_kept_once_and_retried(world: World) -> None:
    rig = Rig(world)
    oid = rig.packed_order("no-such-trade")  # the platform does not know it: is_success false
    rig.carrier_app.state.carrier.fail_next = [503] * 4  # type: ignore[attr-defined]
    first = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert list(first.failed.values()) == ["waybill.carrier_unavailable"] and rig.state(oid) == "packed"
    second = shipping.ship_packed(world.store, rig.carrier, rig.post)  # carrier back; platform refuses
    assert len(second.waybills) == 1 and list(second.failed.values()) == ["fulfil.ship_confirm_failed"]
    shipping.ship_packed(world.store, rig.carrier, rig.post)
    codes = rig.codes(oid)
    assert codes.count("fulfil.event.waybill_failed") == 1 and codes.count("fulfil.event.ship_confirm_failed") == 1
    assert rig.state(oid) == "packed"
    with world.store.read() as conn:
        assert "HTTP 200" in packages.packages_of_order(conn, oid)[0].ship_error


def test_cancel_waybills_of_cancelled_packages(world: World) -> None:
    rig = Rig(world)
    oid = rig.packed_order("no-such-trade")
    shipping.ship_packed(world.store, rig.carrier, rig.post)  # waybill issued; the confirm fails
    with world.store.transaction() as conn:
        order_store.set_state(conn, oid, "cancel_requested", expected_state="packed")
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == [oid]
    assert shipping.cancel_waybills(world.store, rig.carrier) == 1
    assert shipping.cancel_waybills(world.store, rig.carrier) == 0
    assert all(w.cancelled for w in rig.carrier_app.state.carrier.issued.values())  # type: ignore[attr-defined]


def test_print_waybills_with_the_wave_then_pack_tasks_carry_the_code_and_shipping_reuses_it(world: World) -> None:
    rig = Rig(world)
    key = rig.paid_key()
    w = world
    with w.store.transaction() as conn:
        shop = make_shop(conn, w.wh_a)
        oid = make_order(conn, shop, w.wh_a, [(w.sku, 1)], platform_order_id=key, hlc=w.hlc())
        (wave,) = fulfilment.create_waves(conn, w.wh_a, [oid], slots=4, hlc=w.hlc())
    printed = shipping.print_waybills(w.store, rig.carrier, wave.wave_id)
    assert len(printed.waybills) == 1 and shipping.print_waybills(w.store, rig.carrier, wave.wave_id).waybills == {}
    code = next(iter(printed.waybills.values()))
    with w.store.transaction() as conn:
        t = tasks.complete(conn, wave.pick_task_id, device_id="d", hlc=w.hlc())
        fulfilment.on_task_completed(conn, t, verified=[], user_id="u", device_id="d", hlc=w.hlc())
        (pack,) = tasks.open_tasks(conn, w.wh_a, "pack")
        assert pack.data["waybill_code"] == code
        t = tasks.complete(conn, pack.id, device_id="d", hlc=w.hlc())
        fulfilment.on_task_completed(conn, t, verified=[{"sku_id": w.sku, "qty": 1}], user_id="u", device_id="d", hlc=w.hlc())
    calls = rig.carrier_app.state.carrier.calls  # type: ignore[attr-defined]
    report = shipping.ship_packed(w.store, rig.carrier, rig.post)
    assert report.shipped == [oid] and report.waybills == {}
    assert rig.carrier_app.state.carrier.calls == calls  # type: ignore[attr-defined]
    assert [r.body["out_sid"] for r in rig.sim.received if r.kind == "ship"] == [code]


def test_each_package_gets_its_waybill_from_the_carrier_the_rules_chose(world: World) -> None:
    rig = Rig(world)
    keys = (rig.paid_key(0), rig.paid_key(1))
    zto = rig.packed_order(keys[0], carrier="ZTO")
    default = rig.packed_order(keys[1])  # no carrier rule took it: the configured carrier (YTO)
    report = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert sorted(report.shipped) == sorted([zto, default]) and not report.failed
    ships = {r.body["tid"]: (r.body["company_code"], r.body["out_sid"]) for r in rig.sim.received if r.kind == "ship"}
    assert ships[keys[0]][0] == "ZTO" and ships[keys[0]][1].startswith("ZTO")
    assert ships[keys[1]][0] == "YTO" and ships[keys[1]][1].startswith("YTO")
    with world.store.read() as conn:
        (box,) = packages.packages_of_order(conn, zto)
        bill = packages.waybill_of(conn, box.id)
        assert box.carrier_code == "ZTO" and bill is not None and bill.carrier_code == "ZTO"


def test_a_carrier_without_a_waybill_subscription_falls_back_to_the_default_and_cancels_go_to_the_right_carrier(
        world: World) -> None:
    rig = Rig(world)
    sim = rig.carrier_app.state.carrier  # type: ignore[attr-defined]
    sim.subscribed = frozenset({"YTO", "ZTO"})
    sf = rig.packed_order(rig.paid_key(0), carrier="SF")
    report = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert list(report.failed.values()) == ["waybill.not_subscribed"] and rig.state(sf) == "packed"
    with world.store.read() as conn:
        (box,) = packages.packages_of_order(conn, sf)
        assert "SF" in box.ship_error and box.carrier_code == ""  # the default carrier next round
    assert "fulfil.event.carrier_fallback" in rig.codes(sf)
    again = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert again.shipped == [sf] and next(iter(again.waybills.values())).startswith("YTO")
    zto = rig.packed_order("no-such-trade", carrier="ZTO")  # waybill issued, the platform refuses the confirm
    shipping.ship_packed(world.store, rig.carrier, rig.post)
    with world.store.transaction() as conn:
        order_store.set_state(conn, zto, "cancel_requested", expected_state="packed")
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == [zto]
    assert shipping.cancel_waybills(world.store, rig.carrier) == 1
    assert sorted((cp, w.cancelled) for (cp, _o), w in sim.issued.items()) == [("YTO", False), ("ZTO", True)]


def test_a_split_shipment_stopped_before_the_order_moved_is_finished_by_the_next_run(world: World, monkeypatch: Any) -> None:
    from shared.core.errors import RuleViolation

    rig = Rig(world)
    oid = rig.packed_order(rig.paid_key(), splits=True)
    real = shipping._shipped

    def stop(conn: Any, order_id: str, codes: list[str]) -> None:
        raise RuleViolation("fulfil.bad_state", entity="order", ref=order_id, state="packed", action="ship")

    monkeypatch.setattr(shipping, "_shipped", stop)
    try:
        shipping.ship_packed(world.store, rig.carrier, rig.post)
    except RuleViolation:
        pass
    assert rig.state(oid) == "packed"
    with world.store.read() as conn:
        assert [p.state for p in packages.packages_of_order(conn, oid)] == ["shipped", "packed"]  # the last call rolled back
    monkeypatch.setattr(shipping, "_shipped", real)
    report = shipping.ship_packed(world.store, rig.carrier, rig.post)
    assert report.shipped == [oid] and rig.state(oid) == "shipped"
    assert len([r for r in rig.sim.received if r.kind == "ship"]) == 3  # the second package's call once more
