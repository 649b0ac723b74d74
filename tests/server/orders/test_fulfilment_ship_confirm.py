"""Ship-confirm requests in each platform's shape, posted to the platform simulator: the order
becomes shipped there with our waybill; an order the platform does not know is refused."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from server.orders.adapters.ship_confirm import ShipConfirm, build, carrier_for, check_answer
from server.orders.shipping import httpx_poster
from server.orders.simulator.app import create_simulator
from shared.core.errors import DomainError

PLATFORMS = ["taobao", "jd", "douyin", "pinduoduo", "shopify"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_ship_confirm_each_platform_marks_the_order_shipped(platform: str) -> None:
    app = create_simulator(21, orders_per_shop=20)
    sim = app.state.sim
    key = next(k for k, o in sim.orders[platform].items() if o.status == "paid")
    post = httpx_poster(TestClient(app))
    status, body = post("", build(ShipConfirm(platform, key, "YT0000000001", "YTO")))
    check_answer(platform, status, body)
    assert sim.orders[platform][key].status == "shipped" and sim.orders[platform][key].waybill == "YT0000000001"
    assert [r.kind for r in sim.received] == ["ship"]


@pytest.mark.parametrize("platform", ["taobao", "jd", "pinduoduo", "shopify"])
def test_ship_confirm_unknown_order_is_refused(platform: str) -> None:
    post = httpx_poster(TestClient(create_simulator(21, orders_per_shop=5)))
    status, body = post("", build(ShipConfirm(platform, "999", "YT0000000001", "YTO")))
    with pytest.raises(DomainError) as exc:
        check_answer(platform, status, body)
    assert exc.value.code == "fulfil.ship_confirm_failed" and platform in exc.value.message("en")


def test_ship_confirm_platform_error_body_and_unknown_platform() -> None:
    with pytest.raises(DomainError) as exc:
        check_answer("taobao", 200, {"error_response": {"code": 27, "msg": "Invalid session"}})
    assert exc.value.code == "fulfil.ship_confirm_failed"
    with pytest.raises(DomainError) as exc:
        build(ShipConfirm("amazon", "1", "YT1", "YTO"))
    assert exc.value.code == "fulfil.unsupported_platform"


def test_carrier_codes_per_platform() -> None:
    assert (carrier_for("taobao", "YTO"), carrier_for("jd", "YTO"), carrier_for("pinduoduo", "SF"),
            carrier_for("douyin", "ZTO"), carrier_for("jd", "EMS")) == ("YTO", "463", "44", "zhongtong", "EMS")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_split_shipment_tells_the_platform_every_packages_waybill(platform: str) -> None:
    from server.orders.adapters.ship_confirm import PackageConfirm, build_split

    app = create_simulator(21, orders_per_shop=20)
    sim = app.state.sim
    key = next(k for k, o in sim.orders[platform].items() if o.status == "paid")
    post = httpx_poster(TestClient(app))
    packages = [PackageConfirm("YT0000000001", "YTO", (("L1", 2),)), PackageConfirm("YT0000000002", "YTO", (("L2", 1), ("L3", 1)))]
    calls = build_split(platform, key, packages)
    for request, _indexes in calls:
        status, body = post("", request)
        check_answer(platform, status, body)
    assert sorted(i for _r, indexes in calls for i in indexes) == [0, 1]  # every package confirmed exactly once
    order = sim.orders[platform][key]
    assert order.status == "shipped" and order.waybills == ["YT0000000001", "YT0000000002"]
    if platform == "taobao":
        assert [(c[0].form["is_split"], c[0].form["sub_tid"]) for c in calls] == [("1", "L1"), ("1", "L2,L3")]
    if platform == "pinduoduo":
        assert [c[0].form["type"] for c in calls] == ["pdd.logistics.online.send", "pdd.order.upload.extra.logistics"]
        (_first, (later, rest)) = calls[0], calls[1]
        assert rest == (1,) and build_split(platform, key, packages[1:], first_sent=True)[0][0].form == later.form


def test_a_split_shipment_the_platform_does_not_know_is_refused() -> None:
    from server.orders.adapters.ship_confirm import PackageConfirm, build_split

    post = httpx_poster(TestClient(create_simulator(21, orders_per_shop=5)))
    for platform in ("jd", "pinduoduo"):
        (request, _indexes), *_ = build_split(platform, "999", [PackageConfirm("YT1", "YTO", ()), PackageConfirm("YT2", "YTO", ())])
        status, body = post("", request)
        with pytest.raises(DomainError):
            check_answer(platform, status, body)
