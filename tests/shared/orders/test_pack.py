"""Pack verification: scanning the expected units in any order completes the package; a wrong
item, an over-scan or a scan after completion is refused with a typed error and changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.errors import DomainError
from shared.orders import pack

LINES = [{"sku_id": "tea", "sku_code": "TEA-001", "name": "龙井", "qty": 2}, {"sku_id": "cup", "qty": 1},
         {"sku_id": "tea", "qty": 1}]


def test_start_merges_lines_of_one_sku() -> None:
    state = pack.start("p1", LINES)
    assert [(ln.sku_id, ln.qty) for ln in state.lines] == [("tea", 3), ("cup", 1)]
    assert state.remaining == 4 and not state.done


def test_scan_with_quantity_entry_completes_the_package() -> None:
    state = pack.scan(pack.scan(pack.start("p1", LINES), "tea", 3), "cup")
    assert state.done and state.remaining == 0
    assert pack.verified_lines(state) == [{"sku_id": "tea", "qty": 3}, {"sku_id": "cup", "qty": 1}]


@pytest.mark.parametrize(("sku", "qty", "code"), [("mug", 1, "pack.wrong_item"), ("tea", 4, "pack.over_scan"),
                                                  ("tea", 0, "invalid.quantity"), ("tea", "1,000", "invalid.quantity"),
                                                  ("tea", 1.0, "invalid.quantity")])
def test_scan_refused_raises_typed_error(sku: str, qty: object, code: str) -> None:
    state = pack.start("p1", LINES)
    with pytest.raises(DomainError) as exc:
        pack.scan(state, sku, qty)
    assert exc.value.code == code and exc.value.message("en")
    assert state.scanned == 0  # frozen: nothing changed


def test_scan_after_done_is_refused() -> None:
    state = pack.replay(pack.start("p1", [{"sku_id": "cup", "qty": 1}]), [("cup", 1)])
    with pytest.raises(DomainError) as exc:
        pack.scan(state, "cup")
    assert exc.value.code == "pack.already_done"


def test_start_without_lines_is_refused() -> None:
    with pytest.raises(DomainError) as exc:
        pack.start("p1", [])
    assert exc.value.code == "pack.no_lines"


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(1, 6), min_size=1), st.randoms(),
       st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d", "x"]), st.integers(1, 7)), max_size=30))
def test_scans_never_exceed_expected_and_every_unit_in_any_order_completes(expected: dict[str, int], rnd: object,
                                                                          noise: list[tuple[str, int]]) -> None:
    state = pack.start("p", [{"sku_id": s, "qty": q} for s, q in expected.items()])
    for sku, qty in noise:  # random scans: accepted or refused, never beyond the expected
        try:
            state = pack.scan(state, sku, qty)
        except DomainError:
            pass
        assert all(0 <= ln.scanned <= ln.qty for ln in state.lines)
    units = [sku for sku, line in ((ln.sku_id, ln) for ln in state.lines) for _ in range(line.remaining)]
    rnd.shuffle(units)  # type: ignore[attr-defined]
    for sku in units:
        state = pack.scan(state, sku)
    assert state.done and {d["sku_id"]: d["qty"] for d in pack.verified_lines(state)} == expected
