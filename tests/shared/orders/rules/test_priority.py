"""Priority: older and more urgent first, boosts add up, and the queue is a total order."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.orders.model import Presale, PresaleKind, PresalePhase
from shared.orders.rules import RuleSet
from tests.shared.orders.rules.factories import NOW, order, row
from tests.shared.orders.rules.strategies import PROPERTY, later, orders, priority_definitions


def _priority(definitions: list[dict[str, Any]], the_order: Any, now: Any = NOW) -> int:
    rules = RuleSet.parse([row("priority", d, rule_id=f"p{i}", position=i) for i, d in enumerate(definitions)])
    return rules.priority(the_order, now)


def test_default_priority_puts_older_paid_orders_first() -> None:
    older = order(paid_at=NOW - timedelta(hours=30), created_at=NOW - timedelta(hours=31))
    newer = order(paid_at=NOW - timedelta(hours=2), created_at=NOW - timedelta(hours=2))
    assert RuleSet.parse([]).priority(older, NOW) == 30 > RuleSet.parse([]).priority(newer, NOW) == 2


def test_default_priority_rushes_orders_due_soon_and_overdue_more() -> None:
    rules = RuleSet.parse([])
    plain, soon, overdue = order(), order(ship_by=NOW + timedelta(hours=5)), order(ship_by=NOW - timedelta(minutes=1))
    assert rules.priority(plain, NOW) == 0
    assert rules.priority(soon, NOW) == 100
    assert rules.priority(overdue, NOW) == 200


def test_priority_age_is_capped_and_a_future_paid_time_counts_zero() -> None:
    rule = {"paid_age_points_per_hour": 2, "max_age_hours": 10}
    assert _priority([rule], order(paid_at=NOW - timedelta(days=5))) == 20
    assert _priority([rule], order(paid_at=NOW + timedelta(days=5))) == 0


def test_priority_boosts_for_platform_shop_flag_value_and_presale_add_up() -> None:
    rule = {"platform_points": {"JD": 50}, "shop_points": {"shop-9": 20}, "seller_flag_points": {"1": 7},
            "high_value_fen": 50000, "high_value_points": 3, "presale_released_points": 11}
    presale = Presale(PresaleKind.FULL_PAYMENT, PresalePhase.PAID_IN_FULL, ship_after=NOW - timedelta(days=1))
    boosted = order(platform="jd", shop_id="shop-9", seller_flag=1, paid_fen=50000, presale=presale)
    assert _priority([rule], boosted) == 50 + 20 + 7 + 3 + 11
    assert _priority([rule], order(seller_flag=2)) == 0


def test_priority_rules_add_up_and_replace_the_default() -> None:
    assert _priority([{"shop_points": {"shop-1": 5}}, {"shop_points": {"shop-1": -2}}],
                     order(paid_at=NOW - timedelta(hours=9))) == 3


def test_priority_rule_out_of_scope_adds_nothing() -> None:
    assert _priority([{"shop_points": {"shop-1": 5}, "scope": {"platforms": ["jd"]}}], order()) == 0


def test_priority_refuses_a_naive_now() -> None:
    with pytest.raises(ValidationError) as caught:
        RuleSet.parse([]).priority(order(), NOW.replace(tzinfo=None))
    assert caught.value.code == "invalid.timestamp"


@PROPERTY
@given(st.lists(orders(), min_size=1, max_size=8, unique_by=lambda o: o.key), st.lists(priority_definitions, max_size=2),
       later, st.randoms(use_true_random=False))
def test_queue_is_a_total_order_independent_of_input_order(the_orders: list[Any], definitions: list[dict[str, Any]],
                                                           offset: timedelta, rnd: random.Random) -> None:
    rules = RuleSet.parse([row("priority", d, rule_id=f"p{i}", position=i) for i, d in enumerate(definitions)])
    now = NOW + offset
    first = rules.queue(the_orders, now)
    shuffled = list(the_orders)
    rnd.shuffle(shuffled)
    assert rules.queue(shuffled, now) == first
    scores = [rules.priority(o, now) for o in first]
    assert scores == sorted(scores, reverse=True)


@PROPERTY
@given(orders(), later, later)
def test_default_priority_never_drops_while_an_order_waits(the_order: Any, first: timedelta, more: timedelta) -> None:
    rules = RuleSet.parse([])
    now = the_order.paid_at + first
    assert rules.priority(the_order, now + more) >= rules.priority(the_order, now)
