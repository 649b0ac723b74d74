"""Rules as data: rows are validated strictly, disabled rows skipped, order is by position."""

from __future__ import annotations

from typing import Any

import pytest

from shared.core.errors import ValidationError
from shared.orders.rules import RuleKind, RuleSet, ReviewFacts, parse_rule
from tests.shared.orders.rules.factories import NOW, order, row


def _invalid(rows: list[dict[str, Any]]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        RuleSet.parse(rows)
    return caught.value


def test_parse_empty_gives_a_ruleset_that_passes_review_and_does_nothing() -> None:
    rules = RuleSet.parse([])
    some_order = order()
    assert rules.review(some_order, ReviewFacts()).passed
    assert rules.gifts(some_order, {"GIFT": 10}) == []
    assert rules.carrier(some_order, 1000) is None
    assert isinstance(rules.priority(some_order, NOW), int)


def test_parse_skips_disabled_rows_even_when_their_definition_is_broken() -> None:
    rules = RuleSet.parse([row("review", {"no_such_check": 1}, enabled=False)])
    assert rules.rules == ()


def test_parse_orders_rules_by_position_then_id() -> None:
    rows = [row("review", {"risk": True}, rule_id="b", position=2),
            row("review", {"risk": True}, rule_id="z", position=1),
            row("review", {"risk": True}, rule_id="a", position=2)]
    assert [rule.id for rule in RuleSet.parse(rows).rules] == ["z", "a", "b"]


def test_parse_ignores_extra_columns_of_a_stored_row() -> None:
    stored = row("merge", {}) | {"created_at": "2024-01-01", "version": 3}
    assert RuleSet.parse([stored]).rules[0].kind is RuleKind.MERGE


def test_parse_refuses_two_rows_with_one_id() -> None:
    error = _invalid([row("merge", {}, rule_id="x"), row("review", {"risk": True}, rule_id="x")])
    assert error.code == "rule.duplicate_id"


@pytest.mark.parametrize(("definition", "field"), [
    ({"paid_over_fen": 10.5}, "definition.paid_over_fen"),
    ({"paid_over_fen": True}, "definition.paid_over_fen"),
    ({"paid_over_fen": "1,000"}, "definition.paid_over_fen"),
    ({"paid_over_fen": -1}, "definition.paid_over_fen"),
    ({"paid_over_fen": 10**100}, "definition.paid_over_fen"),
    ({"paid_over_fem": 100}, "definition.paid_over_fem"),
    ({"risk": "yes"}, "definition.risk"),
    ({"buyer_remark_keywords": "急"}, "definition.buyer_remark_keywords"),
    ({"buyer_remark_keywords": ["急", ""]}, "definition.buyer_remark_keywords[1]"),
    ({"buyer_remark_keywords": ["\u200b"]}, "definition.buyer_remark_keywords[0]"),
    ({"buyer_remark_keywords": ["a\u202eb"]}, "definition.buyer_remark_keywords[0]"),
    ({"buyer_remark_keywords": ["x" * 101]}, "definition.buyer_remark_keywords[0]"),
    ({"buyer_remark_keywords": ["k"] * 501}, "definition.buyer_remark_keywords"),
    ({"scope": {"platforms": ["amazon"]}}, "definition.scope.platforms[0]"),
    ({}, "definition"),
    ({"paid_over_fen": 100, "paid_under_fen": 200}, "definition.paid_under_fen"),
])
def test_parse_bad_review_definition_names_the_field(definition: dict[str, Any], field: str) -> None:
    error = _invalid([row("review", definition, rule_id="r-9")])
    assert error.code == "rule.invalid"
    assert error.details["rule"] == "r-9"
    assert error.details["field"] == field
    assert field in error.message("en") and "r-9" in error.message("zh-CN")


@pytest.mark.parametrize(("bad_row", "field"), [
    ({"id": "", "kind": "merge", "position": 1, "enabled": True, "definition": {}}, "row.id"),
    ({"id": "x", "kind": "teleport", "position": 1, "enabled": True, "definition": {}}, "row.kind"),
    ({"id": "x", "kind": "merge", "position": 1.0, "enabled": True, "definition": {}}, "row.position"),
    ({"id": "x", "kind": "merge", "position": 1, "enabled": "true", "definition": {}}, "row.enabled"),
    ({"id": "x", "kind": "merge", "position": 1, "enabled": True, "definition": []}, "definition"),
])
def test_parse_bad_row_names_the_field(bad_row: dict[str, Any], field: str) -> None:
    error = _invalid([bad_row])
    assert (error.code, error.details["field"]) == ("rule.invalid", field)


def test_parse_refuses_a_row_that_is_not_an_object() -> None:
    assert _invalid(["review"]).code == "rule.invalid"  # type: ignore[list-item]


@pytest.mark.parametrize(("definition", "field"), [
    ({"gift_sku": "G"}, "definition.paid_at_least_fen"),
    ({"gift_sku": "G", "paid_at_least_fen": 100, "buy_sku": "A"}, "definition.paid_at_least_fen"),
    ({"paid_at_least_fen": 100}, "definition.gift_sku"),
    ({"paid_at_least_fen": 100, "gift_sku": "赠品"}, "definition.gift_sku"),
    ({"paid_at_least_fen": 100, "gift_sku": "G", "starts_at": "2024-11-11T00:00:00"}, "definition.starts_at"),
    ({"paid_at_least_fen": 100, "gift_sku": "G", "starts_at": "11/11/2024"}, "definition.starts_at"),
    ({"paid_at_least_fen": 100, "gift_sku": "G", "starts_at": "2024-11-12T00:00:00+08:00",
      "ends_at": "2024-11-11T00:00:00+08:00"}, "definition.ends_at"),
    ({"paid_at_least_fen": 100, "gift_sku": "G", "gift_qty": 0}, "definition.gift_qty"),
    ({"paid_at_least_fen": 100, "gift_sku": "G", "buy_min_qty": 2}, "definition.buy_min_qty"),
])
def test_parse_bad_gift_definition_names_the_field(definition: dict[str, Any], field: str) -> None:
    assert _invalid([row("gift", definition)]).details["field"] == field


@pytest.mark.parametrize(("kind", "definition", "field"), [
    ("carrier", {"carrier_code": "ZTO"}, "definition.zones"),
    ("carrier", {"carrier_code": "ZTO", "zones": [{"first_fen": 1.5}]}, "definition.zones[0].first_fen"),
    ("carrier", {"carrier_code": "ZTO", "zones": [{"first_fen": 100, "cost": 1}]}, "definition.zones[0].cost"),
    ("carrier", {"carrier_code": "ZTO", "zones": [{"first_fen": 1}], "min_weight_g": 5, "max_weight_g": 4},
     "definition.max_weight_g"),
    ("merge", {"max_orders": 1}, "definition.max_orders"),
    ("split", {"max_package_weight_g": 0}, "definition.max_package_weight_g"),
    ("split", {"default_warehouse": "C", "warehouses": ["A", "B"]}, "definition.default_warehouse"),
    ("priority", {"platform_points": {"amazon": 5}}, "definition.platform_points.amazon"),
    ("priority", {"seller_flag_points": {"9": 5}}, "definition.seller_flag_points.9"),
    ("priority", {"shop_points": {"s": 10**7}}, "definition.shop_points.s"),
])
def test_parse_bad_definitions_of_other_kinds_name_the_field(kind: str, definition: dict[str, Any], field: str) -> None:
    assert _invalid([row(kind, definition)]).details["field"] == field


def test_parse_rule_validates_a_disabled_row_for_the_editor() -> None:
    with pytest.raises(ValidationError):
        parse_rule(row("review", {}, enabled=False))
    assert parse_rule(row("review", {"risk": True}, enabled=False)).enabled is False


def test_parse_normalises_codes_and_keywords() -> None:
    rules = RuleSet.parse([row("gift", {"paid_at_least_fen": 1, "gift_sku": " ｇｉｆｔ-1 "}),
                           row("review", {"buyer_remark_keywords": ["ＳＦ", "sf", "急"]})])
    gift, review = (rule.definition for rule in rules.rules)
    assert gift.gift_sku == "GIFT-1"  # type: ignore[union-attr]
    assert review.buyer_remark_keywords == ("sf", "急")  # type: ignore[union-attr]
