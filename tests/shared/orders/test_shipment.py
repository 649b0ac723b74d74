"""Package contents in the platform's line ids: units taken line by line, pack sizes converted back,
gift lines the ERP added never named; quantities add up to the order's."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.orders.shipment import PlatformLine, package_lines


def test_each_package_names_the_platform_lines_its_units_come_from() -> None:
    lines = [PlatformLine("oid-1", "tea", 2, 2), PlatformLine("oid-2", "cup", 1, 6), PlatformLine("oid-3", "tea", 1, 1),
             PlatformLine("gift-1", "tea", 1, 1, is_gift=True)]
    assert package_lines(lines, [[("tea", 2)], [("cup", 6), ("tea", 2)]]) == [
        [("oid-1", 2)], [("oid-2", 1), ("oid-3", 1)]]  # the gift unit is not a platform line


def test_a_line_shared_by_two_packages_is_named_in_both_with_its_share() -> None:
    lines = [PlatformLine("oid-1", "tea", 5, 5)]
    assert package_lines(lines, [[("tea", 3)], [("tea", 2)]]) == [[("oid-1", 3)], [("oid-1", 2)]]


@given(st.lists(st.integers(1, 5), min_size=1, max_size=6), st.data())
def test_units_add_up_to_each_lines_quantity(qtys: list[int], data: st.DataObject) -> None:
    lines = [PlatformLine(f"oid-{i}", f"sku-{i % 2}", q, q) for i, q in enumerate(qtys)]
    totals = {"sku-0": sum(q for i, q in enumerate(qtys) if i % 2 == 0), "sku-1": sum(q for i, q in enumerate(qtys) if i % 2)}
    packages: list[list[tuple[str, int]]] = []
    for sku, total in totals.items():
        while total:
            take = data.draw(st.integers(1, total))
            packages.append([(sku, take)])
            total -= take
    named: dict[str, int] = {}
    for content in package_lines(lines, packages):
        for line_id, qty in content:
            named[line_id] = named.get(line_id, 0) + qty
    assert named == {f"oid-{i}": q for i, q in enumerate(qtys)}
