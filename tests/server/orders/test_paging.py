"""Pull limits, page requests, windows, JSON parsing and error envelopes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from server.orders.adapters import ADAPTERS, pinduoduo, taobao
from server.orders.adapters.base import loads
from server.orders.adapters.paging import first_request, next_by_has_next, next_by_total, split_window
from shared.orders.errors import OrderPayloadError, PlatformError, PullWindowError
from tests.server.orders.payloads import PAGE_FILES, page

T0 = datetime(2024, 11, 11, tzinfo=UTC)


@pytest.mark.parametrize(("platform", "size", "first", "window"), [
    ("taobao", 100, 1, timedelta(days=1)), ("tmall", 100, 1, timedelta(days=1)), ("jd", 100, 1, timedelta(days=30)),
    ("douyin", 100, 0, timedelta(days=90)), ("pinduoduo", 100, 1, timedelta(minutes=30)), ("shopify", 250, 1, None),
])
def test_limits_per_platform(platform: str, size: int, first: int, window: timedelta | None) -> None:
    limits = ADAPTERS[platform].limits
    assert (limits.platform, limits.page_size_max, limits.first_page, limits.window_max) == (platform, size, first, window)


def test_first_request_checks_page_size_and_window() -> None:
    limits = ADAPTERS["pinduoduo"].limits
    assert first_request(limits, T0, T0 + timedelta(minutes=30), 50).page_size == 50
    for size in (0, 101):
        with pytest.raises(PullWindowError) as caught:
            first_request(limits, T0, T0 + timedelta(minutes=1), size)
        assert caught.value.code == "order.bad_page_size"
    for start, end in ((T0, T0), (T0, T0 + timedelta(minutes=31)), (T0.replace(tzinfo=None), T0 + timedelta(minutes=1))):
        with pytest.raises(PullWindowError) as caught:
            first_request(limits, start, end)
        assert caught.value.code == "order.bad_window"


def test_next_page_by_total_and_by_has_next() -> None:
    limits = ADAPTERS["taobao"].limits
    request = first_request(limits, T0, T0 + timedelta(hours=1), 100)
    assert next_by_total(limits, request, 100) is None
    following = next_by_total(limits, request, 101)
    assert following is not None and following.page == 2
    assert next_by_has_next(request, False) is None and next_by_has_next(request, True) == following


def test_taobao_and_pdd_read_has_next_or_the_total() -> None:
    request = first_request(taobao.LIMITS, T0, T0 + timedelta(hours=1), 2)
    raw_page = page("taobao")
    assert taobao.next_cursor(raw_page, request) is None  # has_next false
    del raw_page["trades_sold_increment_get_response"]["has_next"]
    assert taobao.next_cursor(raw_page, request) is not None  # total_results 3 > 2
    pdd_request = first_request(pinduoduo.LIMITS, T0, T0 + timedelta(minutes=30))
    pdd_page = page("pinduoduo")
    pdd_page["order_sn_increment_get_response"]["has_next"] = True
    assert pinduoduo.next_cursor(pdd_page, pdd_request) is not None


def test_split_window() -> None:
    windows = split_window(T0, T0 + timedelta(minutes=75), timedelta(minutes=30))
    assert [(s.minute, e.minute) for s, e in windows] == [(0, 30), (30, 0), (0, 15)]
    assert windows[-1][1] == T0 + timedelta(minutes=75) and split_window(T0, T0, timedelta(minutes=1)) == []


@pytest.mark.parametrize("platform", sorted(PAGE_FILES))
def test_every_fixture_page_yields_its_orders(platform: str) -> None:
    assert len(ADAPTERS[platform].orders_of_page(page(platform))) >= 2


def test_list_and_increment_wrappers_are_both_accepted() -> None:
    body = page("taobao")["trades_sold_increment_get_response"]
    assert len(taobao.orders_of_page({"trades_sold_get_response": body})) == 3
    assert taobao.orders_of_page({"trades_sold_get_response": {"total_results": 0}}) == []
    pdd_body = page("pinduoduo")["order_sn_increment_get_response"]
    pdd_body["order_list"] = pdd_body.pop("order_sn_list")
    assert len(pinduoduo.orders_of_page({"order_list_get_response": pdd_body})) == 2


@pytest.mark.parametrize("platform", ["taobao", "jd", "pinduoduo"])
def test_error_response_is_a_platform_error(platform: str) -> None:
    with pytest.raises(PlatformError) as caught:
        ADAPTERS[platform].orders_of_page({"error_response": {"code": 27, "error_code": 10019, "msg": "Invalid session",
                                                              "error_msg": "access_token已过期"}})
    assert caught.value.code == "order.platform_error"


def test_unknown_envelope_is_a_missing_field() -> None:
    with pytest.raises(OrderPayloadError) as caught:
        taobao.orders_of_page({"something_else": {}})
    assert caught.value.code == "order.missing_field"


def test_loads_keeps_big_integers_and_decimals_exact() -> None:
    parsed = loads('{"tid": 4012345678901234567, "goods_price": 29.9, "list": [0.1, 0.2]}')
    assert parsed["tid"] == 4012345678901234567 and parsed["goods_price"] == Decimal("29.9")
    assert sum(parsed["list"]) == Decimal("0.3")
    for bad in ('{"a": NaN}', '{"a": Infinity}', '{"a": ', "[" * 100_000 + "]" * 100_000, '{"a": 1' + "0" * 5000 + "}"):
        with pytest.raises(OrderPayloadError) as caught:
            loads(bad)
        assert caught.value.code == "order.bad_field"
