"""Gift rules: thresholds, SKU triggers, repeats and caps, date windows, and never beyond stock."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.orders.model import RefundState
from shared.orders.rules import GiftLine, RuleSet
from tests.shared.orders.rules.factories import NOW, line, order, row
from tests.shared.orders.rules.strategies import PROPERTY, gift_definitions, orders

PLENTY = {"GIFT-1": 100, "GIFT-2": 100}


def _gifts(definitions: list[dict[str, Any]], the_order: Any, stock: dict[str, int] = PLENTY) -> list[GiftLine]:
    rows = [row("gift", d, rule_id=f"g{i}", position=i) for i, d in enumerate(definitions)]
    return RuleSet.parse(rows).gifts(the_order, stock)


def test_gift_paid_threshold_gives_once_at_or_above_it() -> None:
    rule = {"paid_at_least_fen": 9900, "gift_sku": "GIFT-1"}
    assert _gifts([rule], order(paid_fen=9900)) == [GiftLine("GIFT-1", 1, "g0")]
    assert _gifts([rule], order(paid_fen=9899)) == []
    assert _gifts([rule], order(paid_fen=99000)) == [GiftLine("GIFT-1", 1, "g0")]


def test_gift_paid_threshold_repeats_per_full_threshold_up_to_the_cap() -> None:
    rule = {"paid_at_least_fen": 10000, "gift_sku": "GIFT-1", "gift_qty": 2, "repeat": True, "max_per_order": 5}
    assert _gifts([rule], order(paid_fen=20000)) == [GiftLine("GIFT-1", 4, "g0")]
    assert _gifts([rule], order(paid_fen=90000)) == [GiftLine("GIFT-1", 5, "g0")]


def test_gift_sku_trigger_counts_bought_units_of_that_sku_only() -> None:
    rule = {"buy_sku": "SKU-1", "buy_min_qty": 2, "gift_sku": "GIFT-1", "repeat": True}
    the_order = order(line("1", "sku-1", 3), line("2", "SKU-1", 2), line("3", "SKU-2", 9),
                      line("4", "SKU-1", 5, is_gift=True), line("5", "SKU-1", 4, refund=RefundState.REFUNDED))
    assert _gifts([rule], the_order) == [GiftLine("GIFT-1", 2, "g0")]  # 5 bought → 2 × (2 each)
    assert _gifts([rule], order(line("1", "SKU-1", 1))) == []


def test_gift_window_is_half_open_on_the_paid_time() -> None:
    rule = {"paid_at_least_fen": 1, "gift_sku": "GIFT-1", "starts_at": "2024-11-11T20:00:00+08:00",
            "ends_at": "2024-11-11T21:00:00+08:00"}  # NOW is 12:00 UTC = 20:00 China time
    assert _gifts([rule], order(paid_at=NOW)) != []
    assert _gifts([rule], order(paid_at=NOW - timedelta(seconds=1))) == []
    assert _gifts([rule], order(paid_at=NOW + timedelta(hours=1))) == []


def test_gift_unpaid_order_uses_its_created_time_for_the_window() -> None:
    rule = {"paid_at_least_fen": 1, "gift_sku": "GIFT-1", "ends_at": "2024-11-11T00:00:00+00:00"}
    assert _gifts([rule], order(paid_at=None, created_at=NOW - timedelta(days=1))) != []


def test_gift_stops_when_gift_stock_runs_out_across_rules() -> None:
    rules = [{"paid_at_least_fen": 1, "gift_sku": "GIFT-1", "gift_qty": 2},
             {"paid_at_least_fen": 1, "gift_sku": "ｇｉｆｔ-1", "gift_qty": 2},
             {"paid_at_least_fen": 1, "gift_sku": "GIFT-2"}]
    assert _gifts(rules, order(), {"gift-1": 3}) == [GiftLine("GIFT-1", 2, "g0"), GiftLine("GIFT-1", 1, "g1")]


def test_gift_exclusive_rule_stops_later_rules_when_it_gives() -> None:
    rules = [{"paid_at_least_fen": 10**6, "gift_sku": "GIFT-2", "exclusive": True},
             {"paid_at_least_fen": 1, "gift_sku": "GIFT-1", "exclusive": True},
             {"paid_at_least_fen": 1, "gift_sku": "GIFT-2"}]
    assert _gifts(rules, order()) == [GiftLine("GIFT-1", 1, "g1")]


def test_gift_threshold_applies_to_its_currency_only() -> None:
    assert _gifts([{"paid_at_least_fen": 1, "gift_sku": "GIFT-1"}], order(currency="USD", platform="shopify")) == []


def test_gift_negative_or_missing_stock_gives_nothing() -> None:
    assert _gifts([{"paid_at_least_fen": 1, "gift_sku": "GIFT-1"}], order(), {"GIFT-1": -4}) == []
    assert _gifts([{"paid_at_least_fen": 1, "gift_sku": "GIFT-1"}], order(), {}) == []


@PROPERTY
@given(orders(), st.lists(gift_definitions, max_size=5),
       st.dictionaries(st.sampled_from(["GIFT-1", "GIFT-2", "SKU-A", "SKU-B"]), st.integers(-3, 10)))
def test_gifts_never_exceed_gift_stock_nor_the_per_order_cap(the_order: Any, definitions: list[dict[str, Any]],
                                                             stock: dict[str, int]) -> None:
    gifts = _gifts(definitions, the_order, stock)
    given_qty: Counter[str] = Counter()
    for gift in gifts:
        assert gift.qty > 0
        given_qty[gift.sku_code] += gift.qty
        definition = definitions[int(gift.rule_id[1:])]
        assert gift.qty <= definition.get("max_per_order", gift.qty)
        assert definition["gift_sku"] == gift.sku_code
    for sku, qty in given_qty.items():
        assert qty <= max(stock.get(sku, 0), 0)
