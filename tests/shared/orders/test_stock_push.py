"""The stock push formula and batching (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.orders.stock_push import batches, coalesce, push_qty

QTY = st.integers(min_value=-10**9, max_value=10**12)


def test_push_qty_examples() -> None:
    assert push_qty(100, safety_stock=10, ratio_pct=50) == 45
    assert push_qty(100, safety_stock=10, ratio_pct=50, pack_qty=6) == 7
    assert push_qty(5, safety_stock=10, ratio_pct=100) == 0
    assert push_qty(-3, safety_stock=0, ratio_pct=100) == 0
    assert push_qty(9, safety_stock=0, ratio_pct=33) == 2  # floor, never rounds up


@given(QTY, st.integers(0, 10**6), st.integers(0, 100), st.integers(1, 100))
def test_push_qty_never_promises_more_than_the_spare_stock(available: int, safety: int, ratio: int, pack: int) -> None:
    qty = push_qty(available, safety_stock=safety, ratio_pct=ratio, pack_qty=pack)
    assert 0 <= qty * pack <= max(0, available - safety)
    assert push_qty(available + 1, safety_stock=safety, ratio_pct=ratio, pack_qty=pack) >= qty  # monotonic


@pytest.mark.parametrize("kwargs", [{"ratio_pct": 101}, {"ratio_pct": -1}, {"pack_qty": 0}, {"safety_stock": -1}])
def test_push_qty_refuses_nonsense_settings(kwargs: dict[str, int]) -> None:
    settings = {"safety_stock": 0, "ratio_pct": 100, "pack_qty": 1, **kwargs}
    with pytest.raises(ValueError):
        push_qty(10, **settings)


@given(st.lists(st.integers(0, 30)), st.integers(1, 50))
def test_coalesced_batches_cover_each_item_once_within_the_limit(items: list[int], limit: int) -> None:
    chunks = batches(coalesce(items), limit)
    flat = [x for chunk in chunks for x in chunk]
    assert flat == list(dict.fromkeys(items)) and all(1 <= len(chunk) <= limit for chunk in chunks)
