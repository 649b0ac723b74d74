from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core import clock
from shared.core.errors import ValidationError
from shared.core.quantity import MAX_QTY, parse_qty


@pytest.mark.parametrize("value", [-1, 0, 0.5, 2.0, 1e-9, float("nan"), float("inf"), "1,000", 2**63, True, None, "", "1e3"])
def test_parse_qty_refuses_what_is_not_a_positive_whole_number(value: object) -> None:
    with pytest.raises(ValidationError) as err:
        parse_qty(value)
    assert err.value.code == "invalid.quantity"


@given(st.integers(1, MAX_QTY))
def test_parse_qty_accepts_every_positive_int_and_its_text(value: int) -> None:
    assert parse_qty(value) == value == parse_qty(str(value))


@given(st.lists(st.tuples(st.integers(0, 2**40), st.booleans()), min_size=1, max_size=50))
def test_hlc_is_strictly_monotonic_whatever_the_wall_clock_does(steps: list[tuple[int, bool]]) -> None:
    local, other = clock.HybridClock(), clock.HybridClock()
    last = 0
    for wall_ms, receive in steps:
        stamp = local.observe(other.now(wall_ms // 2), wall_ms) if receive else local.now(wall_ms)
        assert stamp > last
        last = stamp


def test_hlc_packs_and_unpacks() -> None:
    assert clock.unpack(clock.pack(1_700_000_000_000, 5)) == (1_700_000_000_000, 5)
    with pytest.raises(ValueError):
        clock.pack(-1)
