"""The platform simulator, driven through the real adapters."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.orders.adapters import ADAPTERS
from server.orders.adapters.base import loads
from server.orders.adapters.paging import PageRequest, first_request, split_window
from server.orders.simulator import create_simulator
from server.orders.simulator.shapes import CHINA, PLATFORMS
from server.orders.simulator.state import SPAN, START
from shared.core.errors import DomainError
from shared.orders.errors import PlatformError


def call(client: TestClient, platform: str, request: PageRequest) -> Any:
    """One list call in the platform's request shape; returns the httpx response."""
    china = lambda moment: moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    start, end = request.start, request.end
    if platform == "taobao":
        return client.post("/taobao/router/rest", data={
            "method": "taobao.trades.sold.increment.get", "start_modified": china(start), "end_modified": china(end),
            "page_no": request.page, "page_size": request.page_size, "use_has_next": "true"})
    if platform == "jd":
        business = {"start_date": china(start), "end_date": china(end), "page": str(request.page),
                    "page_size": str(request.page_size), "dateType": 0}
        return client.post("/jd/routerjson", data={"method": "jingdong.pop.order.search",
                                                   "360buy_param_json": json.dumps(business)})
    if platform == "douyin":
        business = {"update_time_start": int(start.timestamp()), "update_time_end": int(end.timestamp()),
                    "page": request.page, "size": request.page_size}
        return client.post("/douyin/order/searchList", data={"method": "order.searchList", "v": "2",
                                                             "param_json": json.dumps(business)})
    if platform == "pinduoduo":
        return client.post("/pinduoduo/api/router", data={
            "type": "pdd.order.number.list.increment.get", "start_updated_at": int(start.timestamp()),
            "end_updated_at": int(end.timestamp()), "page": request.page, "page_size": request.page_size})
    params = ({"limit": request.page_size, "page_info": request.cursor} if request.cursor else
              {"limit": request.page_size, "updated_at_min": start.isoformat(), "updated_at_max": end.isoformat()})
    return client.get("/shopify/admin/api/2024-10/orders.json", params=params)


def pull(client: TestClient, platform: str, start: datetime, end: datetime, page_size: int | None = None,
         retries: int = 20) -> tuple[list[Any], int, int]:
    """Walk every window of ``[start, end)`` with the real adapter; returns (raw orders, pages, retried calls)."""
    adapter, raws, pages, retried = ADAPTERS[platform], [], 0, 0
    span = adapter.limits.window_max or (end - start)
    for window_start, window_end in split_window(start, end, span):
        request: PageRequest | None = first_request(adapter.limits, window_start, window_end, page_size)
        while request is not None:
            for _ in range(retries):
                response = call(client, platform, request)
                if response.status_code not in (429, 500, 502, 503):
                    break
                retried += 1
            assert response.status_code == 200, response.text
            page = loads(response.content)
            raws.extend(adapter.orders_of_page(page))
            request = adapter.next_cursor(page, request, link_header=response.headers.get("link"))
            pages += 1
    return raws, pages, retried


def canonical(platform: str, raws: list[Any]) -> dict[str, Any]:
    orders = [ADAPTERS[platform].to_canonical(raw, shop_id="sim") for raw in raws]
    return {order.platform_order_id: order for order in orders}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_order_once_after_dedup(platform: str) -> None:
    app = create_simulator(11, orders_per_shop=150, duplicate_rate=0.5)
    client = TestClient(app)
    raws, pages, _ = pull(client, platform, START, START + SPAN, page_size=2)
    by_key = canonical(platform, raws)
    assert set(by_key) == set(app.state.sim.orders[platform])
    if platform != "shopify":  # Shopify's cursor paging is stable; the others repeat orders across pages
        assert len(raws) > len(by_key)
    assert pages > 1
    statuses = {order.status.value for order in by_key.values()}
    assert len(statuses) >= 3


def test_same_seed_same_orders() -> None:
    first = TestClient(create_simulator(5, orders_per_shop=20))
    second = TestClient(create_simulator(5, orders_per_shop=20))
    window = PageRequest(START, START + timedelta(days=1), 1, 100)
    assert call(first, "jd", window).json() == call(second, "jd", window).json()


@pytest.mark.parametrize("platform", ["taobao", "jd", "douyin", "pinduoduo"])
def test_limits_violated_give_the_platform_error(platform: str) -> None:
    client = TestClient(create_simulator(3, orders_per_shop=10))
    limits = ADAPTERS[platform].limits
    assert limits.window_max is not None
    too_long = PageRequest(START, START + limits.window_max + timedelta(seconds=1), limits.first_page, 10)
    too_big = PageRequest(START, START + timedelta(minutes=10), limits.first_page, limits.page_size_max + 1)
    for request in (too_long, too_big):
        response = call(client, platform, request)
        with pytest.raises(PlatformError):
            ADAPTERS[platform].orders_of_page(loads(response.content))


def test_shopify_limit_violated() -> None:
    client = TestClient(create_simulator(3, orders_per_shop=10))
    response = call(client, "shopify", PageRequest(START, START + SPAN, 1, 251))
    assert response.status_code == 400
    with pytest.raises(PlatformError):
        ADAPTERS["shopify"].orders_of_page(response.json())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_faults_at_rate_and_retries_succeed(platform: str) -> None:
    app = create_simulator(21, orders_per_shop=120, fault_rate=0.3)
    client = TestClient(app)
    raws, _, retried = pull(client, platform, START, START + SPAN, page_size=2)
    assert set(canonical(platform, raws)) == set(app.state.sim.orders[platform])
    sim = app.state.sim
    share = sim.faults[platform] / sim.calls[platform]
    assert retried == sim.faults[platform] and 0.15 < share < 0.45


def test_fault_responses_carry_platform_shape() -> None:
    app = create_simulator(2, orders_per_shop=5, fault_rate=0.9)
    client = TestClient(app)
    seen = {call(client, "shopify", PageRequest(START, START + SPAN, 1, 50)).status_code for _ in range(30)}
    assert 429 in seen and seen & {500, 502, 503}
    response = next(r for r in (call(client, "pinduoduo", PageRequest(START, START + timedelta(minutes=5), 1, 10))
                                for _ in range(30)) if r.status_code == 429)
    with pytest.raises(PlatformError):
        ADAPTERS["pinduoduo"].orders_of_page(response.json())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_later_modification_visible_with_newer_modified_time(platform: str) -> None:
    app = create_simulator(8, orders_per_shop=100)
    client = TestClient(app)
    before = canonical(platform, pull(client, platform, START, START + SPAN)[0])
    then = app.state.sim.now
    changed = client.post("/_sim/advance", json={"minutes": 120}).json()["changed"][platform]
    assert changed
    after = canonical(platform, pull(client, platform, then, app.state.sim.now)[0])
    assert set(after) == set(changed)
    for key, order in after.items():
        assert order.modified_at > before[key].modified_at
        assert then < order.modified_at <= app.state.sim.now
    late = {key for key, order in after.items() if order.status != before[key].status}
    assert late or any(order.seller_remark for order in after.values())


def test_late_cancels_and_refunds_arrive() -> None:
    app = create_simulator(4, orders_per_shop=200)
    changed = app.state.sim.advance(600, late_share=0.05)
    orders = app.state.sim.orders["taobao"]
    assert any(orders[key].status in ("cancelled", "refunded") for key in changed["taobao"])


def test_ship_confirm_and_stock_recorded() -> None:
    app = create_simulator(9, orders_per_shop=30)
    client = TestClient(app)
    sim = app.state.sim
    key = next(key for key, order in sim.orders["pinduoduo"].items() if order.status == "paid")
    response = client.post("/pinduoduo/api/router", data={"type": "pdd.logistics.online.send", "order_sn": key,
                                                           "logistics_id": "115", "tracking_number": "YT123"})
    assert response.json() == {"logistics_online_send_response": {"is_success": True}}
    shop_key = next(key for key, order in sim.orders["shopify"].items() if order.status == "paid")
    response = client.post("/shopify/admin/api/2024-10/fulfillments.json",
                           json={"fulfillment": {"order_id": shop_key, "tracking_info": {"number": "1Z9"}}})
    assert response.status_code == 201
    client.post("/douyin/sku/syncStock", data={"param_json": json.dumps({"code": "MUG-RED", "stock_num": 7})})
    kinds = [(item.platform, item.kind) for item in sim.received]
    assert kinds == [("pinduoduo", "ship"), ("shopify", "ship"), ("douyin", "stock")]
    assert sim.received[0].body["tracking_number"] == "YT123"
    shipped = canonical("pinduoduo", [ADAPTERS["pinduoduo"].orders_of_page(loads(call(
        client, "pinduoduo", PageRequest(sim.now - timedelta(minutes=1), sim.now + timedelta(minutes=1), 1, 100)).content))[0]])
    assert shipped[key].status.value == "shipped"


@pytest.mark.parametrize("platform", ["taobao", "jd", "douyin", "pinduoduo", "shopify"])
def test_a_further_package_is_accepted_only_in_the_split_shipment_form(platform: str) -> None:
    from server.orders.adapters.ship_confirm import PackageConfirm, ShipConfirm, build, build_split, check_answer

    app = create_simulator(9, orders_per_shop=30)
    client = TestClient(app)
    sim = app.state.sim
    key = next(key for key, order in sim.orders[platform].items() if order.status == "paid")

    def send(request: Any) -> None:
        response = (client.post(request.path, json=request.json) if request.json is not None
                    else client.post(request.path, data=request.form))
        check_answer(platform, response.status_code, response.json())

    send(build(ShipConfirm(platform, key, "YT1", "YTO")))
    send(build(ShipConfirm(platform, key, "YT1", "YTO")))  # a repeat of the same waybill: accepted, nothing new
    if platform != "jd":  # [K] JD takes a further shipment call
        with pytest.raises(DomainError):  # a plain confirm of an order already shipped: "订单已发货"
            send(build(ShipConfirm(platform, key, "YT2", "YTO")))
    for request, _indexes in build_split(platform, key, [PackageConfirm("YT2", "YTO", (("1", 1),))], first_sent=True):
        send(request)
    order = sim.orders[platform][key]
    assert (order.status, order.waybill, order.waybills) == ("shipped", "YT1", ["YT1", "YT2"])
