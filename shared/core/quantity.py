"""Quantities are integers in the SKU's base unit (e.g. pieces), never floats.

``parse_qty`` is the one gate every quantity from the outside passes: it refuses booleans, floats
(even ``2.0``: a float means someone computed with fractions), NaN/Infinity, strings with thousands
separators, and anything beyond ``MAX_QTY`` (which keeps sums far inside a signed 64-bit column and
exactly representable in JSON numbers).
"""

from __future__ import annotations

from shared.core.errors import ValidationError

MAX_QTY = 10**12


def parse_qty(value: object, *, allow_zero: bool = False, allow_negative: bool = False) -> int:
    """Validate a quantity in base units and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            value = int(value.strip())
        else:
            raise ValidationError("invalid.quantity", reason=f"must be a whole number, got {value!r:.40}")
    if abs(value) > MAX_QTY:
        raise ValidationError("invalid.quantity", reason=f"out of range (at most {MAX_QTY})")
    if value == 0 and not allow_zero:
        raise ValidationError("invalid.quantity", reason="must not be zero")
    if value < 0 and not allow_negative:
        raise ValidationError("invalid.quantity", reason=f"must not be negative, got {value}")
    return value
