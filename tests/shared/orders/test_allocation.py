"""Allocating stock to orders: all lines or none, in order, never more than available (pure)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from shared.orders.allocation import allocate

SKUS = st.sampled_from(["A", "B", "C", "D"])
WAREHOUSES = st.sampled_from(["W1", "W2"])
STOCK = st.dictionaries(st.tuples(SKUS, WAREHOUSES), st.integers(-3, 20), max_size=8)
ORDERS = st.lists(st.tuples(WAREHOUSES, st.lists(st.tuples(SKUS, st.integers(1, 9)), min_size=1, max_size=4)),
                  max_size=25)


def test_an_order_that_does_not_fit_reserves_nothing_and_later_ones_still_can() -> None:
    available = {("A", "W1"): 3, ("B", "W1"): 1}
    granted, short = allocate(available, [(1, "W1", [("A", 2), ("B", 2)]), (2, "W1", [("A", 3)])])
    assert granted == [2] and short == {1: [("B", 2, 1)]}


@given(STOCK, ORDERS)
def test_allocation_never_exceeds_stock_and_is_all_or_none(stock: dict[tuple[str, str], int],
                                                           orders: list[tuple[str, list[tuple[str, int]]]]) -> None:
    requests = [(i, warehouse, lines) for i, (warehouse, lines) in enumerate(orders)]
    granted, short = allocate(stock, requests)
    assert set(granted).isdisjoint(short) and set(granted) | set(short) == set(range(len(orders)))
    used: dict[tuple[str, str], int] = defaultdict(int)
    for key in granted:
        warehouse, lines = orders[key]
        for sku, qty in lines:
            used[(sku, warehouse)] += qty
    assert all(qty <= max(0, stock.get(pair, 0)) for pair, qty in used.items())
    for key, missing in short.items():  # each refusal names a SKU that really did not fit at its turn
        assert missing and all(needed > available_then for _, needed, available_then in missing)
