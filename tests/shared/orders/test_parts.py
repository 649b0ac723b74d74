"""Parts of an order split across warehouses (pure): the plan conserves quantities and stays within the
stock, money is shared exactly, and a split parent moves only with its parts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.orders.model import OrderStatus
from shared.orders.parts import ShipLine, apportion, part_amounts, place_gifts, plan_parts, preference
from shared.orders.pipeline import State, next_part_state, next_state, parent_state
from shared.orders.rules.split import SplitPolicy

WAREHOUSES = ["W1", "W2", "W3"]
SKUS = ["s1", "s2", "s3"]


def test_one_warehouse_covering_everything_is_a_single_part() -> None:
    lines = [ShipLine("l1", "s1", 2, 2), ShipLine("l2", "s2", 1, 1)]
    parts = plan_parts(lines, ["W1", "W2"], {"W1": {"s1": 1}, "W2": {"s1": 5, "s2": 5}})
    assert parts is not None and [(p.warehouse_id, p.units()) for p in parts] == [("W2", {"s1": 2, "s2": 1})]


def test_a_line_is_split_across_warehouses_in_whole_packs() -> None:
    lines = [ShipLine("l1", "s1", 3, 18)]  # 3 packs of 6
    parts = plan_parts(lines, ["W1", "W2"], {"W1": {"s1": 13}, "W2": {"s1": 6}})
    assert parts is not None
    assert sorted((p.warehouse_id, p.lines[0].qty, p.lines[0].qty_base) for p in parts) == [("W1", 2, 12), ("W2", 1, 6)]


def test_no_cover_is_none() -> None:
    assert plan_parts([ShipLine("l1", "s1", 3, 3)], ["W1", "W2"], {"W1": {"s1": 1}, "W2": {"s1": 1}}) is None


@given(st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 6), st.sampled_from([1, 1, 2])), min_size=1, max_size=5),
       st.dictionaries(st.sampled_from(WAREHOUSES), st.dictionaries(st.sampled_from(SKUS), st.integers(0, 12)), max_size=3))
def test_a_plan_conserves_every_line_and_stays_within_the_stock(raw: list[tuple[str, int, int]],
                                                               stock: dict[str, dict[str, int]]) -> None:
    lines = [ShipLine(f"l{i}", sku, qty, qty * pack) for i, (sku, qty, pack) in enumerate(raw)]
    parts = plan_parts(lines, WAREHOUSES, stock)
    if parts is None:
        return
    for line in lines:
        taken = [pl for p in parts for pl in p.lines if pl.ref == line.ref]
        assert sum(pl.qty for pl in taken) == line.qty and sum(pl.qty_base for pl in taken) == line.qty_base
    for part in parts:
        assert part.warehouse_id in WAREHOUSES and part.lines
        assert all(qty <= stock.get(part.warehouse_id, {}).get(sku, 0) for sku, qty in part.units().items())
    assert len({p.warehouse_id for p in parts}) == len(parts)


@given(st.integers(-10**6, 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=6))
def test_apportion_adds_up_and_follows_the_weights(total: int, weights: list[int]) -> None:
    shares = apportion(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
    if sum(weights) and total >= 0:
        assert all(abs(share * sum(weights) - total * w) <= sum(weights) for share, w in zip(shares, weights, strict=True))


def test_part_amounts_put_the_freight_on_part_one() -> None:
    amounts = part_amounts(10_000, 800, 1_000, 9_800, [3, 1])
    assert [a.freight_fen for a in amounts] == [800, 0]
    assert sum(a.goods_fen for a in amounts) == 10_000 and sum(a.paid_fen for a in amounts) == 9_800
    assert sum(a.discount_fen for a in amounts) == 1_000


def test_preference_reads_codes_or_ids_and_defaults_to_home_first() -> None:
    known = [("id-sh", "WH-SH", "warehouse"), ("id-gz", "WH-GZ", "warehouse"), ("id-st", "ST-01", "store")]
    assert preference(SplitPolicy(warehouses=("wh-gz", "id-sh", "nowhere")), "id-sh", known) == ["id-gz", "id-sh"]
    assert preference(SplitPolicy(), "id-sh", known) == ["id-sh", "id-gz"]
    assert preference(SplitPolicy(default_warehouse="WH-GZ"), "id-sh", known) == ["id-gz", "id-sh"]


def test_gifts_prefer_the_home_part_with_stock() -> None:
    parts = plan_parts([ShipLine("l1", "s1", 2, 2), ShipLine("l2", "s2", 2, 2)], ["W1", "W2"],
                       {"W1": {"s1": 2}, "W2": {"s2": 2, "g": 1}})
    assert parts is not None
    home_index = next(i for i, p in enumerate(parts) if p.warehouse_id == "W1")
    assert place_gifts({"g": 1}, parts, "W1", {"W1": {"s1": 2, "g": 1}, "W2": {"s2": 2}}) == home_index
    assert place_gifts({"g": 1}, parts, "W1", {"W1": {"s1": 2}, "W2": {"s2": 2, "g": 1}}) == 1 - home_index
    assert place_gifts({"g": 1}, parts, "W1", {"W1": {"s1": 2}, "W2": {"s2": 2}}) is None


@given(st.sampled_from(list(OrderStatus)), st.booleans())
def test_a_split_parent_never_moves_on_a_platform_update(status: OrderStatus, reserved: bool) -> None:
    assert next_state(State.SPLIT, status, reserved=reserved) == State.SPLIT


def test_a_shipped_status_while_a_part_ships_is_our_own_shipment() -> None:
    assert next_part_state(State.REVIEWED, OrderStatus.SHIPPED, reserved=False, part_in_fulfilment=True) == State.REVIEWED
    assert next_part_state(State.REVIEWED, OrderStatus.SHIPPED, reserved=False, part_in_fulfilment=False) == State.SHIPPED_ON_PLATFORM
    assert next_part_state(State.REVIEWED, OrderStatus.CANCELLED, reserved=False, part_in_fulfilment=True) == State.CANCELLED
    assert next_part_state("in_wave", OrderStatus.CANCELLED, reserved=False, part_in_fulfilment=True) == State.CANCEL_REQUESTED


def test_the_parent_settles_only_when_every_part_is_over() -> None:
    assert parent_state(["shipped", "reviewed"]) is None
    assert parent_state(["shipped", "cancelled"]) == "shipped"
    assert parent_state(["cancelled", "cancelled"]) == State.CANCELLED
    assert parent_state(["shipped_on_platform", "cancelled"]) == State.SHIPPED_ON_PLATFORM
    assert parent_state([]) is None
