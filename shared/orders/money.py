"""Platform money to integer minor units (fen for CNY), exactly: ``Decimal`` and ``int`` only.

Each platform writes money its own way (see PLATFORMS.md):

    Taobao/Tmall, JD   yuan as decimal strings          "12.30", "0.1", "100"
    Douyin             fen as JSON integers             1230
    Pinduoduo          yuan as JSON numbers             12.3  (a float once stdlib-parsed)
    Shopify            decimal strings in the shop's currency, with its ISO 4217 code

What is refused (``order.bad_money``, with the payload path): booleans, NaN/Infinity, exponents
("1e3"), thousands separators ("1,234.50" -- no platform documents them), full-width or other
non-ASCII digits, blanks, more decimals than the currency has (a written "1.005" or "1.500" for CNY),
a sign where the field cannot be negative (also "-0"), and anything beyond ``MAX_FEN`` (2**53, the
largest integer JSON consumers all read exactly). Floats are refused except where the platform sends
them (Pinduoduo): there the float's shortest round-trip repr -- the literal the JSON carried -- is what
gets parsed, never the binary value.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from shared.orders.errors import OrderPayloadError

MAX_FEN = 2**53

_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")

# ISO 4217 minor-unit exponents that are not 2; every other well-formed code has 2.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(("JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "XPF", "PYG", "RWF",
                     "KMF", "GNF", "DJF", "BIF", "VUV"), 0),
    **dict.fromkeys(("BHD", "JOD", "KWD", "OMR", "TND", "IQD", "LYD"), 3),
}
_CURRENCY = re.compile(r"[A-Z]{3}")


def currency_exponent(currency: object, *, path: str) -> int:
    """Decimal places of ``currency`` (ISO 4217 code, upper case)."""
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise OrderPayloadError("order.bad_money", path=path, reason=f"not an ISO 4217 currency code: {currency!r:.20}")
    return _EXPONENTS.get(currency, 2)


def yuan_to_fen(value: object, *, path: str, allow_negative: bool = False, allow_float: bool = False) -> int:
    """Yuan (a decimal string, ``Decimal`` or ``int``; a float only with ``allow_float``) → fen."""
    return _to_minor(value, 2, path=path, allow_negative=allow_negative, allow_float=allow_float)


def to_minor_units(value: object, currency: object, *, path: str, allow_negative: bool = False) -> int:
    """A decimal amount in ``currency`` → its minor units (cents, fen, yen, fils ...)."""
    exponent = currency_exponent(currency, path=path)
    return _to_minor(value, exponent, path=path, allow_negative=allow_negative, allow_float=False)


def fen_amount(value: object, *, path: str, allow_negative: bool = False) -> int:
    """An amount already in integer fen (Douyin): a JSON integer, nothing else."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise OrderPayloadError("order.bad_money", path=path, reason=f"must be a whole number of fen, got {_show(value)}")
    return _checked(value, path=path, allow_negative=allow_negative, negative=value < 0)


def format_fen(fen: int) -> str:
    """``1230`` → ``"12.30"`` (for messages and logs; never parse it back for arithmetic)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _to_minor(value: object, exponent: int, *, path: str, allow_negative: bool, allow_float: bool) -> int:
    if isinstance(value, bool):
        raise OrderPayloadError("order.bad_money", path=path, reason="a boolean is not an amount")
    if isinstance(value, int):
        return _checked(value * 10**exponent, path=path, allow_negative=allow_negative, negative=value < 0)
    if isinstance(value, float):
        if not allow_float:
            raise OrderPayloadError("order.bad_money", path=path, reason=f"floats are not accepted here, got {value!r}")
        if not math.isfinite(value):
            raise OrderPayloadError("order.bad_money", path=path, reason=f"not a finite number: {value!r}")
        value = Decimal(repr(value))
    if isinstance(value, str):
        value = _parse_text(value, path=path)
    if not isinstance(value, Decimal):
        raise OrderPayloadError("order.bad_money", path=path, reason=f"not an amount: {_show(value)}")
    return _from_decimal(value, exponent, path=path, allow_negative=allow_negative)


def _parse_text(text: str, *, path: str) -> Decimal:
    if "," in text:
        raise OrderPayloadError("order.bad_money", path=path, reason=f"thousands separators are not accepted: {text[:40]!r}")
    if not _DECIMAL.fullmatch(text):
        raise OrderPayloadError("order.bad_money", path=path, reason=f"not a plain decimal number: {text[:40]!r}")
    return Decimal(text)


def _from_decimal(amount: Decimal, exponent: int, *, path: str, allow_negative: bool) -> int:
    if not amount.is_finite():
        raise OrderPayloadError("order.bad_money", path=path, reason=f"not a finite number: {amount}")
    places = amount.as_tuple().exponent
    if isinstance(places, int) and -places > exponent:
        raise OrderPayloadError("order.bad_money", path=path, reason=f"more than {exponent} decimal places: {amount}")
    if amount.adjusted() > 30:  # keep the scaling below cheap; far beyond MAX_FEN anyway
        raise OrderPayloadError("order.bad_money", path=path, reason="out of range")
    try:
        minor = int(amount.scaleb(exponent))
    except (InvalidOperation, OverflowError, ValueError):
        raise OrderPayloadError("order.bad_money", path=path, reason=f"not an amount: {amount}") from None
    return _checked(minor, path=path, allow_negative=allow_negative, negative=amount.is_signed())


def _checked(minor: int, *, path: str, allow_negative: bool, negative: bool) -> int:
    if negative and not allow_negative:
        raise OrderPayloadError("order.bad_money", path=path, reason="must not be negative")
    if abs(minor) > MAX_FEN:
        raise OrderPayloadError("order.bad_money", path=path, reason=f"out of range (at most {MAX_FEN} minor units)")
    return minor


def _show(value: object) -> str:
    return f"{type(value).__name__} {value!r:.40}"
