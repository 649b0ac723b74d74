"""The canonical order's invariants: amounts reconcile, lines are sane, times are aware UTC."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.orders.errors import OrderPayloadError
from shared.orders.model import Amounts, CanonicalOrder, OrderLine, OrderStatus, Receiver, Region

NOW = datetime(2024, 11, 11, tzinfo=UTC)


def _line(**changes: object) -> OrderLine:
    values: dict[str, object] = dict(line_id="1", platform_item_id="i", platform_sku_id="s", seller_sku_code="SKU-1",
                                     title="T恤", spec="", qty=2, unit_price_fen=1000)
    values.update(changes)
    return OrderLine(**values)  # type: ignore[arg-type]


def _order(**changes: object) -> CanonicalOrder:
    values: dict[str, object] = dict(
        platform="taobao", shop_id="shop-1", platform_order_id="1", status=OrderStatus.PAID, platform_status="X",
        created_at=NOW, modified_at=NOW, paid_at=NOW, buyer_open_id=None,
        receiver=Receiver("张**", "138****5678", "软件园****", Region("福建省", "厦门市", "思明区")),
        lines=(_line(),), amounts=Amounts(2000, 0, 0, 0, 2000))
    values.update(changes)
    return CanonicalOrder(**values)  # type: ignore[arg-type]


def test_amounts_reconcile_or_raise() -> None:
    Amounts(goods_fen=15800, freight_fen=800, platform_discount_fen=0, seller_discount_fen=1000,
            adjustment_fen=-500, paid_fen=15100)
    with pytest.raises(OrderPayloadError) as caught:
        Amounts(goods_fen=15800, freight_fen=800, platform_discount_fen=0, seller_discount_fen=1000, paid_fen=15100)
    assert caught.value.code == "order.amounts_mismatch"
    assert "15600" in caught.value.message("en")


def test_tax_added_on_top_reconciles() -> None:
    Amounts(goods_fen=4000, freight_fen=500, platform_discount_fen=0, seller_discount_fen=500, tax_fen=350, paid_fen=4350)


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(OrderPayloadError, match="negative"):
        Amounts(goods_fen=100, freight_fen=-100, platform_discount_fen=0, seller_discount_fen=0, paid_fen=0)


@pytest.mark.parametrize("changes", [{"qty": 0}, {"qty": -1}, {"qty": 10**13}, {"unit_price_fen": -1},
                                     {"unit_price_fen": 2**53, "qty": 2}])
def test_bad_lines_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(OrderPayloadError):
        _line(**changes)


def test_order_times_must_be_aware_utc() -> None:
    _order(created_at=datetime(2024, 11, 11, 8, tzinfo=timezone(timedelta(hours=0))))
    for bad in (datetime(2024, 11, 11), datetime(2024, 11, 11, tzinfo=timezone(timedelta(hours=8)))):
        with pytest.raises(OrderPayloadError) as caught:
            _order(modified_at=bad)
        assert caught.value.code == "order.bad_time"


def test_order_needs_lines_a_known_platform_and_ids() -> None:
    for changes in ({"lines": ()}, {"platform": "ebay"}, {"platform_order_id": ""}, {"shop_id": ""}):
        with pytest.raises(OrderPayloadError):
            _order(**changes)


def test_order_is_frozen_and_keyed() -> None:
    order = _order(lines=(_line(), _line(line_id="2", seller_sku_code="")))
    assert order.key == ("taobao", "shop-1", "1")
    assert [line.line_id for line in order.unmapped_lines] == ["2"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.status = OrderStatus.SHIPPED  # type: ignore[misc]


def test_raw_is_kept_but_not_compared() -> None:
    assert _order(raw={"a": 1}) == _order(raw={"b": 2})
    assert _order(raw={"a": 1}).raw == {"a": 1}
