"""Split plans: by warehouse stock (fewest parcels, default first), presale apart, by weight;
quantities are always conserved."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.orders.model import OrderFlags, Presale, PresaleKind, PresalePhase, RefundState
from shared.orders.rules import PackageLine, PlannedPackage, RuleSet
from tests.shared.orders.rules.factories import line, order, row
from tests.shared.orders.rules.strategies import PROPERTY, orders, split_definitions, stock_maps, weight_maps


def _split(definition: dict[str, Any] | None, the_order: Any, stock: dict[str, dict[str, int]],
           weights: dict[str, int] | None = None) -> list[PlannedPackage]:
    rules = RuleSet.parse([row("split", definition, rule_id="s1")] if definition is not None else [])
    return rules.split(the_order, stock, weights or {})


def _shape(packages: list[PlannedPackage]) -> list[tuple[str | None, list[tuple[str, int]]]]:
    return [(p.warehouse_id, [(pl.line_id, pl.qty) for pl in p.lines]) for p in packages]


def test_split_one_warehouse_with_everything_ships_all_preferring_the_default() -> None:
    two_lines = order(line("1", "SKU-A", 2), line("2", "SKU-B", 1))
    stock = {"WH-1": {"SKU-A": 5, "SKU-B": 5}, "WH-2": {"SKU-A": 5, "SKU-B": 5}}
    assert _shape(_split({"default_warehouse": "WH-2"}, two_lines, stock)) == [("WH-2", [("1", 2), ("2", 1)])]
    assert _shape(_split({}, two_lines, stock)) == [("WH-1", [("1", 2), ("2", 1)])]


def test_split_skips_the_default_when_it_cannot_ship_everything_but_another_can() -> None:
    two_lines = order(line("1", "SKU-A", 2), line("2", "SKU-B", 1))
    stock = {"WH-1": {"SKU-A": 2}, "WH-2": {"SKU-A": 2, "SKU-B": 1}}
    assert _shape(_split({"default_warehouse": "WH-1"}, two_lines, stock)) == [("WH-2", [("1", 2), ("2", 1)])]


def test_split_by_stock_uses_fewest_warehouses_and_may_split_a_line() -> None:
    the_order = order(line("1", "SKU-A", 5), line("2", "SKU-B", 2), line("3", "SKU-C", 1))
    stock = {"WH-1": {"SKU-A": 3, "SKU-C": 1}, "WH-2": {"SKU-A": 2, "SKU-B": 2}, "WH-3": {"SKU-C": 1}}
    assert _shape(_split({}, the_order, stock)) == [("WH-1", [("1", 3), ("3", 1)]), ("WH-2", [("1", 2), ("2", 2)])]


def test_split_what_no_warehouse_has_goes_to_a_short_parcel() -> None:
    packages = _split({}, order(line("1", "SKU-A", 5)), {"WH-1": {"SKU-A": 3}})
    assert _shape(packages) == [("WH-1", [("1", 3)]), (None, [("1", 2)])]
    assert [p.short for p in packages] == [False, True]


def test_split_sku_codes_match_full_width_and_case_insensitively() -> None:
    packages = _split({}, order(line("1", "ｓｋｕ-a", 1)), {"WH-1": {"SKU-A": 1}})
    assert packages[0].warehouse_id == "WH-1" and packages[0].lines == (PackageLine("1", "SKU-A", 1),)


def test_split_presale_lines_ship_in_their_own_parcel() -> None:
    the_order = order(line("1", "SKU-A", 1), line("2", "SKU-B", 1, presale_kind=PresaleKind.FULL_PAYMENT))
    packages = _split({"default_warehouse": "WH-1"}, the_order, {"WH-1": {"SKU-A": 1}})
    assert [(p.presale, _shape([p])) for p in packages] == [(True, [("WH-1", [("2", 1)])]), (False, [("WH-1", [("1", 1)])])]
    together = _split({"presale_apart": False}, the_order, {"WH-1": {"SKU-A": 1, "SKU-B": 1}})
    assert _shape(together) == [("WH-1", [("1", 1), ("2", 1)])]


def test_split_presale_order_without_line_kinds_is_one_presale_parcel() -> None:
    the_order = order(line("1", "SKU-A", 1), line("2", "SKU-B", 1), flags=OrderFlags(presale=True),
                      presale=Presale(PresaleKind.FULL_PAYMENT, PresalePhase.PAID_IN_FULL))
    packages = _split(None, the_order, {})
    assert len(packages) == 1 and packages[0].presale and packages[0].warehouse_id is None


def test_split_leaves_refunded_lines_out() -> None:
    packages = _split({}, order(line("1", "SKU-A"), line("2", "SKU-B", refund=RefundState.REFUNDED)), {"WH-1": {"SKU-A": 1}})
    assert _shape(packages) == [("WH-1", [("1", 1)])]


def test_split_without_by_stock_ships_everything_from_the_default() -> None:
    packages = _split({"by_stock": False, "default_warehouse": "WH-9"}, order(line("1", "SKU-A", 4)), {})
    assert _shape(packages) == [("WH-9", [("1", 4)])]


def test_split_oversize_parcels_respect_the_maximum_weight() -> None:
    the_order = order(line("1", "SKU-A", 3), line("2", "SKU-B", 2))
    packages = _split({"max_package_weight_g": 10000}, the_order, {"WH-1": {"SKU-A": 9, "SKU-B": 9}},
                      {"SKU-A": 4000, "SKU-B": 3000})
    assert [p.weight_g for p in packages] == [8000, 10000]  # 2×A | 1×A + 2×B
    assert sorted((pl.line_id, pl.qty) for p in packages for pl in p.lines) == [("1", 1), ("1", 2), ("2", 2)]


def test_split_a_unit_over_the_maximum_weight_is_its_own_oversize_parcel() -> None:
    packages = _split({"max_package_weight_g": 1000}, order(line("1", "SKU-A", 2)), {"WH-1": {"SKU-A": 2}}, {"SKU-A": 1500})
    assert [(p.oversize, p.weight_g, p.lines[0].qty) for p in packages] == [(True, 1500, 1), (True, 1500, 1)]


def test_split_by_weight_needs_every_weight() -> None:
    with pytest.raises(ValidationError) as caught:
        _split({"max_package_weight_g": 1000}, order(line("1", "SKU-A")), {"WH-1": {"SKU-A": 1}}, {})
    assert caught.value.code == "rule.missing_weight" and caught.value.details["sku"] == "SKU-A"


def test_split_refuses_a_stock_quantity_that_is_not_a_whole_number() -> None:
    with pytest.raises(ValidationError) as caught:
        _split({}, order(line("1", "SKU-A")), {"WH-1": {"SKU-A": 1.5}})  # type: ignore[dict-item]
    assert caught.value.code == "invalid.quantity"


def test_split_rule_scoped_to_another_shop_falls_back_to_defaults() -> None:
    rules = RuleSet.parse([row("split", {"by_stock": False, "default_warehouse": "X", "scope": {"shops": ["other"]}})])
    packages = rules.split(order(line("1", "SKU-A")), {"WH-1": {"SKU-A": 1}}, {})
    assert packages[0].warehouse_id == "WH-1" and packages[0].rule_id is None


@PROPERTY
@given(orders(), st.one_of(st.none(), split_definitions), stock_maps, weight_maps)
def test_split_conserves_every_line_quantity_and_respects_the_weight_limit(the_order: Any, definition: Any,
                                                                          stock: Any, weights: Any) -> None:
    packages = _split(definition, the_order, stock, weights)
    planned: Counter[str] = Counter()
    for package in packages:
        assert package.lines and all(pl.qty > 0 for pl in package.lines)
        planned.update({pl.line_id: pl.qty for pl in package.lines})
    expected = Counter({ln.line_id: ln.qty for ln in the_order.lines if ln.refund is not RefundState.REFUNDED})
    assert planned == expected
    limit = (definition or {}).get("max_package_weight_g")
    for package in packages:
        if limit is not None and not package.oversize and not package.short:
            assert package.weight_g <= limit
        if package.oversize:
            assert sum(pl.qty for pl in package.lines) == 1


@PROPERTY
@given(orders(presale_lines=False, refunds=False), stock_maps)
def test_split_never_takes_more_than_a_warehouse_holds(the_order: Any, stock: Any) -> None:
    taken: Counter[tuple[str, str]] = Counter()
    for package in _split({}, the_order, stock):
        if package.warehouse_id is not None:
            for pl in package.lines:
                taken[(package.warehouse_id, pl.sku_code)] += pl.qty
    for (warehouse, sku), qty in taken.items():
        assert qty <= stock[warehouse][sku]


def _min_cover_size(the_order: Any, stock: dict[str, dict[str, int]]) -> int | None:
    from itertools import combinations
    wanted: Counter[str] = Counter()
    for ln in the_order.lines:
        wanted[ln.seller_sku_code] += ln.qty
    for size in range(1, len(stock) + 1):
        for combo in combinations(sorted(stock), size):
            if all(sum(stock[wh].get(sku, 0) for wh in combo) >= qty for sku, qty in wanted.items()):
                return size
    return None


@PROPERTY
@given(orders(presale_lines=False, refunds=False), stock_maps, st.sampled_from(["WH-1", "WH-2", "WH-3"]))
def test_split_uses_the_fewest_warehouses_and_the_default_when_it_alone_suffices(the_order: Any, stock: Any,
                                                                                 default: str) -> None:
    packages = _split({"default_warehouse": default}, the_order, stock)
    warehouses = [p.warehouse_id for p in packages]
    assert len(warehouses) == len(set(warehouses))  # one parcel per warehouse without a weight limit
    fewest = _min_cover_size(the_order, stock)
    if fewest is not None:
        assert not any(p.short for p in packages) and len(packages) == fewest
        if fewest == 1 and _min_cover_size(the_order, {default: stock.get(default, {})}) == 1:
            assert warehouses == [default]


@pytest.mark.parametrize("weight_g", [1, 2000])
def test_split_into_absurdly_many_parcels_is_refused_fast(weight_g: int) -> None:
    huge = order(line("1", "SKU-A", 10**9, price_fen=0))
    with pytest.raises(ValidationError) as caught:
        _split({"max_package_weight_g": 1000}, huge, {"WH-1": {"SKU-A": 10**9}}, {"SKU-A": weight_g})
    assert caught.value.code == "rule.too_many_packages"


def test_split_short_part_needs_no_weight() -> None:
    packages = _split({"max_package_weight_g": 1000}, order(line("1", "SKU-A"), line("2", "")), {"WH-1": {"SKU-A": 1}},
                      {"SKU-A": 500})
    assert [(p.warehouse_id, p.short, p.weight_g) for p in packages] == [("WH-1", False, 500), (None, True, 0)]
