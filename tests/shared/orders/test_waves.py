"""Wave planning: every order in exactly one wave, single-SKU orders picked in bulk, multi-item
waves no bigger than the slots, one carrier (or zone) per wave, the same waves whatever the input order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.orders.waves import MULTI, SINGLE_SKU, BinStock, WaveOrder, allocate_bins, plan_waves

SKUS = ["sku-a", "sku-b", "sku-c", "sku-d"]

orders_st = st.lists(
    st.builds(WaveOrder,
              order_id=st.uuids().map(str),
              lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 5)), min_size=1, max_size=4).map(tuple),
              carrier=st.sampled_from(["YTO", "SF", ""]),
              zone=st.sampled_from(["A", "B"]),
              priority=st.integers(0, 2),
              sort_key=st.sampled_from(["2026-01-01", "2026-01-02"])),
    max_size=40, unique_by=lambda o: o.order_id)


@settings(max_examples=150, deadline=None)
@given(orders_st, st.integers(1, 8), st.sampled_from(["carrier", "zone"]), st.randoms())
def test_plan_waves_any_orders_each_in_one_wave_within_limits_and_deterministic(orders: list[WaveOrder], slots: int,
                                                                               group_by: str, rnd: object) -> None:
    waves = plan_waves(orders, slots=slots, group_by=group_by)  # type: ignore[arg-type]
    placed = [oid for w in waves for oid in w.order_ids]
    assert sorted(placed) == sorted(o.order_id for o in orders)
    by_id = {o.order_id: o for o in orders}
    for w in waves:
        assert {getattr(by_id[oid], group_by) for oid in w.order_ids} == {w.group}
        if w.kind == MULTI:
            assert 1 <= len(w.order_ids) <= slots
            assert [slot for _oid, slot in w.slots] == list(range(1, len(w.order_ids) + 1))
        else:
            assert w.kind == SINGLE_SKU and not w.slots and len(w.order_ids) >= 2
            assert all(by_id[oid].skus == {w.sku_id} for oid in w.order_ids)
    shuffled = list(orders)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert plan_waves(shuffled, slots=slots, group_by=group_by) == waves  # type: ignore[arg-type]


def test_plan_waves_same_single_sku_orders_form_a_bulk_wave_without_slots() -> None:
    orders = [WaveOrder("o1", (("hot", 1),)), WaveOrder("o2", (("hot", 2),)), WaveOrder("o3", (("hot", 1), ("hot", 1))),
              WaveOrder("o4", (("hot", 1), ("cup", 1))), WaveOrder("o5", (("lonely", 1),))]
    waves = plan_waves(orders, slots=4)
    assert [(w.kind, w.sku_id, w.order_ids) for w in waves] == [
        (SINGLE_SKU, "hot", ("o1", "o2", "o3")), (MULTI, "", ("o4", "o5"))]
    assert waves[1].slot_of("o5") == 2 and waves[0].slot_of("o1") == 0


def test_plan_waves_higher_priority_first_and_split_by_slots() -> None:
    orders = [WaveOrder(f"o{i}", (("a", 1), ("b", 1)), priority=1 if i == 4 else 0) for i in range(5)]
    waves = plan_waves(orders, slots=2)
    assert [w.order_ids for w in waves] == [("o4", "o0"), ("o1", "o2"), ("o3",)]


def test_plan_waves_groups_by_carrier() -> None:
    orders = [WaveOrder("o1", (("a", 1), ("b", 1)), carrier="SF"), WaveOrder("o2", (("a", 1), ("b", 1)), carrier="YTO")]
    assert [(w.group, w.order_ids) for w in plan_waves(orders, slots=8)] == [("SF", ("o1",)), ("YTO", ("o2",))]


@pytest.mark.parametrize(("orders", "slots", "code"), [
    ([WaveOrder("o1", (("a", 1),))], 0, "fulfil.bad_slots"),
    ([WaveOrder("o1", ())], 4, "fulfil.order_without_lines"),
    ([WaveOrder("o1", (("a", 1),)), WaveOrder("o1", (("a", 1),))], 4, "fulfil.duplicate_order"),
    ([WaveOrder("o1", (("a", 0),))], 4, "invalid.quantity"),
    ([WaveOrder("o1", (("a", -1),))], 4, "invalid.quantity"),
])
def test_plan_waves_bad_input_raises_typed_error(orders: list[WaveOrder], slots: int, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        plan_waves(orders, slots=slots)
    assert exc.value.code == code and exc.value.message("zh-CN") and exc.value.message("en")


stock_st = st.lists(st.builds(BinStock, sku_id=st.sampled_from(SKUS), bin_id=st.sampled_from(["b1", "b2", "b3", "b4"]),
                              batch=st.just(""), available=st.integers(0, 6)), max_size=10)
needs_st = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(SKUS), st.integers(1, 8)), max_size=10)


@settings(max_examples=150, deadline=None)
@given(needs_st, stock_st)
def test_allocate_bins_never_takes_more_than_a_bin_has_and_accounts_for_every_unit(needs: list[tuple[int, str, int]],
                                                                                  stock: list[BinStock]) -> None:
    lines, missing = allocate_bins(needs, stock)
    taken: dict[tuple[str, str], int] = {}
    for ln in lines:
        taken[(ln.sku_id, ln.bin_id)] = taken.get((ln.sku_id, ln.bin_id), 0) + ln.qty
    for key, qty in taken.items():
        assert qty <= sum(s.available for s in stock if (s.sku_id, s.bin_id) == key)
    for sku in SKUS:
        wanted = sum(q for _slot, s, q in needs if s == sku)
        assert sum(ln.qty for ln in lines if ln.sku_id == sku) + missing.get(sku, 0) == wanted
        assert missing.get(sku, 0) == max(0, wanted - sum(s.available for s in stock if s.sku_id == sku))


def test_allocate_bins_first_bins_in_walking_order_first() -> None:
    stock = [BinStock("a", "b1", "", 1), BinStock("a", "b2", "", 5)]
    lines, missing = allocate_bins([(1, "a", 2), (2, "a", 1)], stock)
    assert [(ln.bin_id, ln.qty, ln.slot) for ln in lines] == [("b1", 1, 1), ("b2", 1, 1), ("b2", 1, 2)] and missing == {}
