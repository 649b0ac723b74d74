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
