"""Merge groups: disjoint, only same shop + buyer + address, unshipped, mergeable status, bounded."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.orders.rules import MergeCandidate, MergePolicy, RuleSet, merge_groups
from tests.shared.orders.rules.factories import row
from tests.shared.orders.rules.strategies import PROPERTY


def _candidate(order_id: str, **changes: Any) -> MergeCandidate:
    values: dict[str, Any] = dict(order_id=order_id, shop_id="shop-1", buyer_open_id="b1", address_key="a1",
                                  shipped=False, status="paid")
    values.update(changes)
    return MergeCandidate(**values)


def test_merge_groups_joins_same_shop_buyer_and_address() -> None:
    candidates = [_candidate("1"), _candidate("2"), _candidate("3", buyer_open_id="b2"), _candidate("4")]
    assert merge_groups(candidates) == [["1", "2", "4"]]


@pytest.mark.parametrize("changes", [
    {"shop_id": "shop-2"}, {"buyer_open_id": "b2"}, {"address_key": "a2"}, {"shipped": True}, {"status": "shipped"},
    {"buyer_open_id": None}, {"address_key": ""},
])
def test_merge_groups_keeps_apart_what_differs_or_cannot_merge(changes: dict[str, Any]) -> None:
    assert merge_groups([_candidate("1", **changes), _candidate("2")]) == []


def test_merge_groups_never_merges_orders_without_buyer_or_address() -> None:
    assert merge_groups([_candidate("1", buyer_open_id=None), _candidate("2", buyer_open_id=None)]) == []
    assert merge_groups([_candidate("1", address_key=None), _candidate("2", address_key=None)]) == []


def test_merge_groups_cuts_large_sets_into_chunks_of_max_orders() -> None:
    candidates = [_candidate(str(i)) for i in range(7)]
    assert merge_groups(candidates, MergePolicy(max_orders=3)) == [["0", "1", "2"], ["3", "4", "5"]]


def test_merge_groups_keeps_different_seller_remarks_apart_unless_allowed() -> None:
    candidates = [_candidate("1", seller_remark="送贺卡"), _candidate("2", seller_remark="送贺卡 "), _candidate("3")]
    assert merge_groups(candidates) == [["1", "2"]]
    assert merge_groups(candidates, MergePolicy(across_seller_remarks=True)) == [["1", "2", "3"]]


def test_merge_groups_disabled_merges_nothing() -> None:
    assert merge_groups([_candidate("1"), _candidate("2")], MergePolicy(enabled=False)) == []


def test_merge_groups_refuses_an_order_twice() -> None:
    with pytest.raises(ValidationError) as caught:
        merge_groups([_candidate("1"), _candidate("1")])
    assert caught.value.code == "rule.duplicate_candidate"


def test_ruleset_merge_uses_its_first_merge_rule() -> None:
    rules = RuleSet.parse([row("merge", {"max_orders": 2}, position=1), row("merge", {"enabled": False}, position=2)])
    assert rules.merge_groups([_candidate("1"), _candidate("2"), _candidate("3")]) == [["1", "2"]]
    assert RuleSet.parse([]).merge_policy == MergePolicy()


def test_merge_scope_limits_merging_to_listed_shops() -> None:
    rules = RuleSet.parse([row("merge", {"scope": {"shops": ["shop-2"]}})])
    assert rules.merge_groups([_candidate("1"), _candidate("2")]) == []
    assert rules.merge_groups([_candidate("1", shop_id="shop-2"), _candidate("2", shop_id="shop-2")]) == [["1", "2"]]


def test_merge_configured_statuses_are_respected() -> None:
    policy = RuleSet.parse([row("merge", {"statuses": ["PAID", "on_hold"]})]).merge_policy
    assert merge_groups([_candidate("1", status="on_hold"), _candidate("2")], policy) == [["1", "2"]]


candidates = st.lists(
    st.builds(MergeCandidate, order_id=st.text("0123456789", min_size=1, max_size=3),
              shop_id=st.sampled_from(["s1", "s2"]), buyer_open_id=st.sampled_from([None, "", "b1", "b2"]),
              address_key=st.sampled_from([None, "a1", "a2"]), shipped=st.booleans(),
              status=st.sampled_from(["paid", "shipped", "on_hold"]), seller_remark=st.sampled_from(["", "x", "X "])),
    max_size=25, unique_by=lambda c: c.order_id)


@PROPERTY
@given(candidates, st.integers(2, 6), st.booleans())
def test_merge_groups_are_disjoint_homogeneous_unshipped_and_bounded(given_candidates: list[MergeCandidate],
                                                                      max_orders: int, across: bool) -> None:
    policy = MergePolicy(max_orders=max_orders, across_seller_remarks=across)
    groups = merge_groups(given_candidates, policy)
    by_id = {c.order_id: c for c in given_candidates}
    flat = [order_id for group in groups for order_id in group]
    assert len(flat) == len(set(flat))  # disjoint
    for group in groups:
        assert 2 <= len(group) <= max_orders
        members = [by_id[order_id] for order_id in group]
        assert len({(m.shop_id, m.buyer_open_id, m.address_key) for m in members}) == 1
        assert all(not m.shipped and m.status == "paid" and m.buyer_open_id and m.address_key for m in members)
        if not across:
            assert len({m.seller_remark.strip().lower() for m in members}) == 1


def test_receiver_key_is_the_platforms_key_else_unmasked_fields_else_none() -> None:
    from shared.orders.model import Receiver, Region
    from shared.orders.rules.merge import receiver_key

    region = Region("IL", "Springfield", "", "", "US")
    assert receiver_key(Receiver("张*", "138****0000", "文三路****", Region("浙江省"), address_key="oaid-1")) == "oaid-1"
    assert receiver_key(Receiver("李**", "139****1234", "朝阳区***", Region("北京"))) is None  # masked: maybe two people
    plain = receiver_key(Receiver("Jane Doe", "+1 217 555 0100", "123 Main St", region))
    assert plain is not None and plain.startswith("fields:")
    assert receiver_key(Receiver("jane  DOE", "+1 217 555 0100", "123 Main  St", region)) == plain  # case and spaces
    assert receiver_key(Receiver("Jane Doe", "+1 217 555 0100", "125 Main St", region)) != plain
    assert receiver_key(Receiver("Jane Doe", "+1 217 555 0100", "  ", region)) is None
