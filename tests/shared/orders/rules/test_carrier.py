"""Carrier choice: region zones, weight bands, first weight + per started kg, cheapest eligible."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.orders.rules import CarrierChoice, RuleSet, Zone
from tests.shared.orders.rules.factories import order, receiver, row
from tests.shared.orders.rules.strategies import PROPERTY, carrier_definitions, orders

ZTO = {"carrier_code": "ZTO", "max_weight_g": 30000, "exclude_provinces": ["新疆", "西藏"],
       "zones": [{"provinces": ["浙江", "上海", "江苏"], "first_weight_g": 1000, "first_fen": 400, "additional_per_kg_fen": 100},
                 {"first_weight_g": 1000, "first_fen": 800, "additional_per_kg_fen": 500}]}
SF = {"carrier_code": "SF", "zones": [{"first_weight_g": 1000, "first_fen": 1200, "additional_per_kg_fen": 200}]}
JD_SOUTH = {"carrier_code": "JD", "min_weight_g": 5000,
            "zones": [{"provinces": ["广东省", "广西壮族自治区"], "first_weight_g": 3000, "first_fen": 900, "additional_per_kg_fen": 150}]}


def _choose(definitions: list[dict[str, Any]], province: str, weight_g: int) -> CarrierChoice | None:
    rules = RuleSet.parse([row("carrier", d, rule_id=d["carrier_code"].lower(), position=i) for i, d in enumerate(definitions)])
    return rules.carrier(order(receiver=receiver(province=province)), weight_g)


@pytest.mark.parametrize(("province", "weight_g", "expected"), [
    ("浙江省", 1000, ("ZTO", 400)),       # first weight only
    ("上海市", 2500, ("ZTO", 600)),       # 1.5 kg above → 2 started kg
    ("广东省", 1000, ("ZTO", 800)),       # the rest zone
    ("广东省", 3001, ("SF", 1800)),       # ZTO 800 + 3 started kg × 500 = 2300; SF 1200 + 3 × 200
    ("新疆维吾尔自治区", 1000, ("SF", 1200)),  # excluded by ZTO
    ("广西", 8000, ("JD", 1650)),          # JD only from 5 kg: 900 + 5 × 150 (ZTO 4300, SF 2600)
    ("浙江省", 40000, ("SF", 9000)),       # above ZTO's band
])
def test_carrier_cheapest_eligible_is_chosen(province: str, weight_g: int, expected: tuple[str, int]) -> None:
    choice = _choose([ZTO, SF, JD_SOUTH], province, weight_g)
    assert choice is not None and (choice.carrier_code, choice.cost_fen) == expected
    assert choice.rule_id == expected[0].lower()


def test_carrier_ties_go_to_the_earlier_rule() -> None:
    same = {"carrier_code": "YTO", "zones": [{"first_fen": 1200, "additional_per_kg_fen": 200}]}
    assert _choose([SF, same], "浙江", 500) == CarrierChoice("SF", "sf", 1200)


def test_carrier_none_eligible_is_none() -> None:
    assert _choose([JD_SOUTH], "浙江省", 6000) is None
    assert _choose([ZTO], "西藏自治区", 100) is None
    assert RuleSet.parse([]).carrier(order(), 1000) is None


def test_carrier_order_without_province_uses_the_rest_zone_only() -> None:
    assert _choose([ZTO], "", 1000) == CarrierChoice("ZTO", "zto", 800)
    assert _choose([JD_SOUTH], "", 6000) is None


def test_carrier_scope_limits_the_carrier_to_its_shops() -> None:
    scoped = dict(SF, scope={"shops": ["shop-2"]})
    assert _choose([scoped], "浙江", 1000) is None


@pytest.mark.parametrize("weight", [-1, 1.5, True])
def test_carrier_refuses_a_bad_weight(weight: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        RuleSet.parse([row("carrier", SF)]).carrier(order(), weight)
    assert caught.value.code == "invalid.quantity"


@PROPERTY
@given(st.integers(0, 10**6), st.integers(0, 10**4), st.integers(0, 10**5), st.integers(0, 10**4))
def test_zone_cost_is_first_fee_plus_each_started_kilogram(weight_g: int, first_g: int, first_fen: int, per_kg_fen: int) -> None:
    cost = Zone((), first_g, first_fen, per_kg_fen).cost_fen(weight_g)
    started_kg = 0 if weight_g <= first_g else (weight_g - first_g + 999) // 1000
    assert cost == first_fen + started_kg * per_kg_fen
    assert Zone((), first_g, first_fen, per_kg_fen).cost_fen(weight_g + 1) >= cost


@PROPERTY
@given(orders(), st.lists(carrier_definitions, min_size=1, max_size=4), st.integers(0, 60000))
def test_carrier_choice_is_no_dearer_than_any_eligible_carrier(the_order: Any, definitions: list[dict[str, Any]],
                                                               weight_g: int) -> None:
    rows = [row("carrier", d, rule_id=f"c{i}", position=i) for i, d in enumerate(definitions)]
    rules = RuleSet.parse(rows)
    choice = rules.carrier(the_order, weight_g)
    quotes = [rule.definition.quote(the_order, weight_g) for rule in rules.rules]  # type: ignore[union-attr]
    eligible = [q for q in quotes if q is not None]
    if not eligible:
        assert choice is None
    else:
        assert choice is not None and choice.cost_fen == min(eligible)
