"""Each platform's status enums mapped to the one canonical ``OrderStatus``: tables as data.

An order's canonical status is derived in three steps (``derive_status``):

1. **base**: the platform's order status through its table below (an unlisted value raises
   ``order.unknown_status`` -- a new platform status must be looked at, never guessed);
2. **presale**: a base of PENDING_PAYMENT or PAID whose presale phase is DEPOSIT_PAID becomes
   PRESALE_DEPOSIT_PAID (Taobao keeps such trades in WAIT_BUYER_PAY; Douyin says 103);
3. **refund overlay**: while the order is open after payment (``OPEN_AFTER_PAYMENT``), an open
   refund makes it REFUNDING and a full refund REFUNDED. Line refunds combine as: any line in
   progress → in progress (stop shipping until it is settled); all lines refunded → refunded;
   otherwise the lines already refunded are simply not shipped.

Decisions worth knowing (the rest read straight off PLATFORMS.md):

* Taobao ``PAID_FORBID_CONSIGN`` (paid, group buy or controlled: shipping forbidden) → ON_HOLD;
  ``TRADE_CLOSED`` (closed after a refund) → REFUNDED; ``TRADE_CLOSED_BY_TAOBAO`` (closed before
  payment) → CANCELLED; ``TRADE_BUYER_SIGNED`` (COD signed) → COMPLETED; ``PAY_PENDING`` and
  ``WAIT_PRE_AUTH_CONFIRM`` → PENDING_PAYMENT. ``ALL_WAIT_PAY``/``ALL_CLOSED`` are request filters,
  not statuses: on an order they are unknown. ``SELLER_REFUSE_BUYER`` keeps the refund open (the
  buyer may escalate); a person decides in the exception queue.
* JD ``LOCKED`` and ``POP_ORDER_PAUSE`` → ON_HOLD; ``TRADE_CANCELED`` → CLOSED (JD lists orders once
  paid or COD, and the status does not say whether money went back); ``WAIT_SEND_CODE`` → PAID.
* Douyin: ``main_status`` is used when present (a superset of ``order_status``); 105 (paid, still in
  the platform's risk check) → ON_HOLD, 2 (备货中) → PAID; 21/22/39 → REFUNDED.
* Pinduoduo: the list only holds deal-confirmed orders; ``group_status`` 0 (group forming) and
  ``risk_control_status`` 1 (under review) hold a PAID order, group_status 2 (group failed) cancels
  it. ``5`` is the "all" filter value, unknown on an order.
* Shopify: ``cancelled_at`` decides first (voided/unpaid → CANCELLED, refunded → REFUNDED, paid but
  not yet refunded → REFUNDING); else ``financial_status`` gives the base and ``fulfillment_status``
  moves a paid order to PARTIALLY_SHIPPED/SHIPPED, ``closed_at`` on a fulfilled order → COMPLETED.
  ``partially_paid`` is PENDING_PAYMENT (a balance is due); ``authorized`` is PAID.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from shared.orders.errors import OrderPayloadError
from shared.orders.model import OPEN_AFTER_PAYMENT, OrderStatus, PresalePhase, RefundState

S = OrderStatus
K = TypeVar("K")
V = TypeVar("V")

TAOBAO_TRADE_STATUS: Mapping[str, OrderStatus] = {
    "TRADE_NO_CREATE_PAY": S.PENDING_PAYMENT,
    "WAIT_BUYER_PAY": S.PENDING_PAYMENT,
    "PAY_PENDING": S.PENDING_PAYMENT,
    "WAIT_PRE_AUTH_CONFIRM": S.PENDING_PAYMENT,
    "WAIT_SELLER_SEND_GOODS": S.PAID,
    "PAID_FORBID_CONSIGN": S.ON_HOLD,
    "SELLER_CONSIGNED_PART": S.PARTIALLY_SHIPPED,
    "WAIT_BUYER_CONFIRM_GOODS": S.SHIPPED,
    "TRADE_BUYER_SIGNED": S.COMPLETED,
    "TRADE_FINISHED": S.COMPLETED,
    "TRADE_CLOSED": S.REFUNDED,
    "TRADE_CLOSED_BY_TAOBAO": S.CANCELLED,
}
TAOBAO_STEP_STATUS: Mapping[str, PresalePhase] = {
    "FRONT_NOPAID_FINAL_NOPAID": PresalePhase.UNPAID,
    "FRONT_PAID_FINAL_NOPAID": PresalePhase.DEPOSIT_PAID,
    "FRONT_PAID_FINAL_PAID": PresalePhase.PAID_IN_FULL,
}
TAOBAO_REFUND_STATUS: Mapping[str, RefundState] = {
    "NO_REFUND": RefundState.NONE,
    "WAIT_SELLER_AGREE": RefundState.IN_PROGRESS,
    "WAIT_BUYER_RETURN_GOODS": RefundState.IN_PROGRESS,
    "WAIT_SELLER_CONFIRM_GOODS": RefundState.IN_PROGRESS,
    "SELLER_REFUSE_BUYER": RefundState.IN_PROGRESS,
    "CLOSED": RefundState.NONE,
    "SUCCESS": RefundState.REFUNDED,
}

JD_ORDER_STATE: Mapping[str, OrderStatus] = {
    "WAIT_SELLER_STOCK_OUT": S.PAID,
    "WAIT_SELLER_DELIVERY": S.PAID,
    "WAIT_SEND_CODE": S.PAID,
    "POP_ORDER_PAUSE": S.ON_HOLD,
    "LOCKED": S.ON_HOLD,
    "WAIT_GOODS_RECEIVE_CONFIRM": S.SHIPPED,
    "FINISHED_L": S.COMPLETED,
    "TRADE_CANCELED": S.CLOSED,
}

DOUYIN_ORDER_STATUS: Mapping[int, OrderStatus] = {
    1: S.PENDING_PAYMENT,
    105: S.ON_HOLD,
    2: S.PAID,
    101: S.PARTIALLY_SHIPPED,
    3: S.SHIPPED,
    4: S.CANCELLED,
    5: S.COMPLETED,
}
DOUYIN_MAIN_STATUS: Mapping[int, OrderStatus] = {
    **DOUYIN_ORDER_STATUS,
    103: S.PRESALE_DEPOSIT_PAID,
    21: S.REFUNDED,  # refund finished before shipment
    22: S.REFUNDED,  # ... after shipment
    39: S.REFUNDED,  # ... after receipt
}
DOUYIN_REFUND_STATUS: Mapping[int, RefundState] = {  # sku_order_list[].after_sale_info.refund_status
    0: RefundState.NONE,  # no refund needed
    1: RefundState.IN_PROGRESS,  # waiting to refund
    2: RefundState.IN_PROGRESS,  # refunding
    3: RefundState.REFUNDED,
    4: RefundState.NONE,  # refund failed: the sale stands
}

PDD_ORDER_STATUS: Mapping[int, OrderStatus] = {1: S.PAID, 2: S.SHIPPED, 3: S.COMPLETED}
PDD_REFUND_STATUS: Mapping[int, RefundState] = {
    1: RefundState.NONE,  # no after-sales, or closed
    2: RefundState.IN_PROGRESS,  # after-sales in progress
    3: RefundState.IN_PROGRESS,  # refunding
    4: RefundState.REFUNDED,
}
PDD_STEP_STATUS: Mapping[int, PresalePhase] = {
    0: PresalePhase.UNPAID, 1: PresalePhase.DEPOSIT_PAID, 2: PresalePhase.PAID_IN_FULL,
}
PDD_GROUP_STATUS: Mapping[int, OrderStatus | None] = {0: S.ON_HOLD, 1: None, 2: S.CANCELLED}

SHOPIFY_FINANCIAL_STATUS: Mapping[str, OrderStatus] = {
    "pending": S.PENDING_PAYMENT,
    "authorized": S.PAID,
    "partially_paid": S.PENDING_PAYMENT,
    "paid": S.PAID,
    "partially_refunded": S.PAID,
    "refunded": S.REFUNDED,
    "voided": S.CANCELLED,
    "expired": S.CANCELLED,
}
SHOPIFY_FULFILLMENT_STATUS: Mapping[str | None, OrderStatus | None] = {
    None: None, "partial": S.PARTIALLY_SHIPPED, "fulfilled": S.SHIPPED, "restocked": S.CANCELLED,
}
SHOPIFY_CANCELLED: Mapping[str, OrderStatus] = {  # financial_status of an order with cancelled_at
    "pending": S.CANCELLED, "authorized": S.CANCELLED, "voided": S.CANCELLED, "expired": S.CANCELLED,
    "partially_paid": S.REFUNDING, "paid": S.REFUNDING, "partially_refunded": S.REFUNDING,
    "refunded": S.REFUNDED,
}


def lookup(table: Mapping[K, V], value: object, *, platform: str, path: str) -> V:
    """``table[value]``, or ``order.unknown_status`` naming the platform, path and value."""
    if isinstance(value, bool) or not isinstance(value, str | int | None):
        value = repr(value)  # True == 1.0 == Decimal(1) == 1 in Python: only a real 1 is status 1
    try:
        if value in table:
            return table[value]  # type: ignore[index]
    except TypeError:  # unhashable (a list or dict where a status belongs)
        pass
    raise OrderPayloadError("order.unknown_status", platform=platform, path=path, value=repr(value)[:60])


def combine_refunds(states: Iterable[RefundState]) -> RefundState:
    """The order's refund state from its lines' (see the module docstring)."""
    states = list(states)
    if any(state is RefundState.IN_PROGRESS for state in states):
        return RefundState.IN_PROGRESS
    if states and all(state is RefundState.REFUNDED for state in states):
        return RefundState.REFUNDED
    return RefundState.NONE


def derive_status(base: OrderStatus, *, refund: RefundState = RefundState.NONE,
                  presale_phase: PresalePhase | None = None) -> OrderStatus:
    """Steps 2 and 3 of the module docstring, applied to an already looked-up ``base``."""
    status = base
    if presale_phase is PresalePhase.DEPOSIT_PAID and status in (S.PENDING_PAYMENT, S.PAID):
        status = S.PRESALE_DEPOSIT_PAID
    if status in OPEN_AFTER_PAYMENT:
        if refund is RefundState.REFUNDED:
            return S.REFUNDED
        if refund is RefundState.IN_PROGRESS:
            return S.REFUNDING
    return status
