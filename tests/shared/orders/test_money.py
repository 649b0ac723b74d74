"""Platform money → integer fen: exact, Decimal only, typed errors for everything else."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import DomainError
from shared.orders.errors import OrderPayloadError
from shared.orders.money import MAX_FEN, fen_amount, format_fen, to_minor_units, yuan_to_fen


def test_yuan_strings_add_up_exactly_where_floats_do_not() -> None:
    assert 0.1 + 0.2 != 0.3
    assert yuan_to_fen("0.10", path="a") + yuan_to_fen("0.20", path="b") == 30


@pytest.mark.parametrize(("text", "fen"), [
    ("12.30", 1230), ("12.3", 1230), ("0.1", 10), ("0.01", 1), ("100", 10000), ("0", 0), ("0.00", 0),
    ("007.50", 750), ("90071992547409.92", MAX_FEN),
])
def test_yuan_string_parses_to_fen(text: str, fen: int) -> None:
    assert yuan_to_fen(text, path="p") == fen


@pytest.mark.parametrize(("value", "reason"), [
    ("12.345", "more than 2 decimal places"),
    ("1.500", "more than 2 decimal places"),
    ("1,234.50", "thousands separators"),
    ("1e3", "not a plain decimal"),
    ("NaN", "not a plain decimal"),
    ("Infinity", "not a plain decimal"),
    ("", "not a plain decimal"),
    (" 12.30", "not a plain decimal"),
    ("１２.３０", "not a plain decimal"),
    ("+12", "not a plain decimal"),
    ("-1", "must not be negative"),
    ("-0", "must not be negative"),
    ("90071992547409.93", "out of range"),
    (True, "boolean"),
    (None, "not an amount"),
    ([], "not an amount"),
    (12.3, "floats are not accepted"),
    (Decimal("NaN"), "not a finite number"),
    (Decimal("Infinity"), "not a finite number"),
    (Decimal("1E+999999"), "out of range"),
    (Decimal("1.001"), "more than 2 decimal places"),
    (2**63, "out of range"),
])
def test_bad_yuan_is_refused_with_a_typed_error(value: object, reason: str) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        yuan_to_fen(value, path="trade.payment")
    assert caught.value.code == "order.bad_money"
    assert caught.value.path == "trade.payment"
    assert reason in caught.value.message("en")


def test_negative_yuan_is_accepted_only_where_allowed() -> None:
    assert yuan_to_fen("-5.00", path="trade.adjust_fee", allow_negative=True) == -500


def test_pdd_floats_are_read_through_their_shortest_repr() -> None:
    assert yuan_to_fen(0.1, path="p", allow_float=True) == 10
    assert yuan_to_fen(29.9, path="p", allow_float=True) == 2990
    with pytest.raises(OrderPayloadError, match="more than 2 decimal places"):
        yuan_to_fen(0.1 + 0.2, path="p", allow_float=True)  # 0.30000000000000004 is not a PDD amount
    for bad in (math.nan, math.inf):
        with pytest.raises(OrderPayloadError, match="not a finite number"):
            yuan_to_fen(bad, path="p", allow_float=True)


def test_decimal_and_integer_yuan() -> None:
    assert yuan_to_fen(Decimal("12.30"), path="p") == 1230
    assert yuan_to_fen(199, path="p") == 19900


def test_douyin_fen_must_be_a_json_integer() -> None:
    assert fen_amount(1230, path="p") == 1230
    for bad in ("1230", 12.3, 1230.0, True, None, Decimal("1230")):
        with pytest.raises(OrderPayloadError) as caught:
            fen_amount(bad, path="shop_order.pay_amount")
        assert caught.value.code == "order.bad_money"
    with pytest.raises(OrderPayloadError, match="negative"):
        fen_amount(-1, path="p")
    assert fen_amount(-1, path="p", allow_negative=True) == -1


def test_shopify_amounts_use_the_currency_minor_units() -> None:
    assert to_minor_units("43.50", "USD", path="p") == 4350
    assert to_minor_units("3300", "JPY", path="p") == 3300
    assert to_minor_units("1.234", "KWD", path="p") == 1234
    with pytest.raises(OrderPayloadError, match="more than 0 decimal places"):
        to_minor_units("1000.50", "JPY", path="p")
    for bad_currency in ("usd", "US", "", None, "USDX"):
        with pytest.raises(OrderPayloadError, match="ISO 4217"):
            to_minor_units("1.00", bad_currency, path="p")


def test_format_fen() -> None:
    assert [format_fen(v) for v in (0, 5, 1230, -500)] == ["0.00", "0.05", "12.30", "-5.00"]


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_yuan_text_round_trips(fen: int) -> None:
    assert yuan_to_fen(format_fen(fen), path="p") == fen


@given(st.one_of(st.text(max_size=30), st.floats(), st.decimals(), st.integers(), st.none(), st.booleans()))
def test_money_parsers_raise_only_typed_errors(value: object) -> None:
    for parse in (lambda: yuan_to_fen(value, path="p", allow_float=True), lambda: fen_amount(value, path="p"),
                  lambda: to_minor_units(value, "CNY", path="p")):
        try:
            assert isinstance(parse(), int)
        except DomainError as exc:
            assert exc.code == "order.bad_money"
