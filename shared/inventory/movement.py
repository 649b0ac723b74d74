"""Stock movements: one signed change of stock of one SKU (and batch) at one bin.

The ledger is append-only: a movement is never edited; a correction is a new movement. Quantities are
integers in the SKU's base unit. Every movement has a kind and a reason code; reason codes live in
numbered bands, one band per kind, so the band alone says what happened.

    band  kind            sign   meaning
    1xx   receipt         +      goods arrive (against an expected receipt or not)
    2xx   putaway         ±      dock → storage bin (a pair: − at the dock, + at the bin)
    3xx   pick            −      taken for an order or a task
    4xx   move            ±      bin → bin inside one warehouse (a pair)
    5xx   transfer_out    ±      leaves a warehouse: − at the source bin, + at the destination's transit bin
    6xx   transfer_in     ±      arrives: − at the transit bin, + at the destination bin
    7xx   adjustment      ±      stocktake variance, damage, expiry, correction
    8xx   return          +      customer return back into stock
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from shared.core.errors import ValidationError
from shared.core.quantity import parse_qty


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    PUTAWAY = "putaway"
    PICK = "pick"
    MOVE = "move"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUSTMENT = "adjustment"
    RETURN = "return"


class Reason(IntEnum):
    RECEIPT_EXPECTED = 100
    RECEIPT_UNEXPECTED = 101
    RECEIPT_OVER = 102
    RECEIPT_OPENING_STOCK = 110
    PUTAWAY = 200
    PICK_ORDER = 300
    PICK_TASK = 301
    PICK_SAMPLE = 310
    MOVE = 400
    MOVE_REPLENISH = 401
    TRANSFER_OUT = 500
    TRANSFER_IN = 600
    ADJUST_STOCKTAKE_GAIN = 700
    ADJUST_STOCKTAKE_LOSS = 701
    ADJUST_DAMAGE = 710
    ADJUST_EXPIRED = 711
    ADJUST_CORRECTION = 720
    RETURN_CUSTOMER = 800
    RETURN_UNPICK = 801

    @property
    def kind(self) -> MovementKind:
        return _BAND_KIND[self.value // 100]


_BAND_KIND: dict[int, MovementKind] = {
    1: MovementKind.RECEIPT,
    2: MovementKind.PUTAWAY,
    3: MovementKind.PICK,
    4: MovementKind.MOVE,
    5: MovementKind.TRANSFER_OUT,
    6: MovementKind.TRANSFER_IN,
    7: MovementKind.ADJUSTMENT,
    8: MovementKind.RETURN,
}

# Kinds whose every single leg has a fixed sign; the paired kinds (±) have one leg of each.
_FIXED_SIGN: dict[MovementKind, int] = {
    MovementKind.RECEIPT: +1,
    MovementKind.PICK: -1,
    MovementKind.RETURN: +1,
}


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger line. ``hlc`` is when it happened (hybrid logical clock, see shared.core.clock)."""

    id: str
    sku_id: str
    warehouse_id: str
    bin_id: str
    qty: int
    reason: Reason
    hlc: int
    batch: str = ""
    ref_type: str = ""
    ref_id: str = ""
    user_id: str = ""
    device_id: str = ""

    @property
    def kind(self) -> MovementKind:
        return self.reason.kind


def check_movement(movement: Movement) -> Movement:
    """Validate one leg: a non-zero whole quantity whose sign fits the kind."""
    parse_qty(movement.qty, allow_negative=True)
    if not isinstance(movement.reason, Reason):
        raise ValidationError("invalid.enum", field="reason", value=movement.reason)
    sign = _FIXED_SIGN.get(movement.kind)
    if sign is not None and (movement.qty > 0) != (sign > 0):
        raise ValidationError("movement.bad_sign", kind=movement.kind.value, qty=movement.qty)
    return movement


def reason_of(value: object) -> Reason:
    try:
        return Reason(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ValidationError("invalid.enum", field="reason", value=value) from None
