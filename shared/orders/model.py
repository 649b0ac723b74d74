"""The canonical order: what every platform adapter produces, whatever the platform sent.

    CanonicalOrder
    ├── key                     (platform, shop_id, platform_order_id): the dedup key
    ├── status                  OrderStatus (one enum for all platforms; status.py maps to it)
    │   platform_status         the platform's own value(s), e.g. "WAIT_SELLER_SEND_GOODS"
    ├── created_at, paid_at, modified_at, shipped_at, ship_by    aware UTC
    ├── buyer_open_id           the platform's per-app buyer id (never a nick or a phone)
    ├── receiver                masked name/phone/address + region; ciphertext kept for decryption
    ├── lines[]                 platform item/sku ids, seller SKU code (商家编码), qty, prices in fen
    ├── amounts                 goods, freight, discounts split by who funds them, paid; reconciled
    ├── currency                ISO 4217; every ``*_fen`` is in its minor units (fen for CNY)
    ├── remarks, seller_flag    buyer and seller remarks, the seller's flag colour 0-5
    ├── presale                 kind and phase when the order is a presale
    ├── flags                   presale, risk, cod, refund_in_progress, text_sanitized, pii
    └── raw                     the payload exactly as received, for audit (never mutated)

All values are frozen; constructors check the invariants and raise ``order.*`` errors, so an
order that exists is consistent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.catalogue.model import PLATFORMS
from shared.core.quantity import MAX_QTY
from shared.orders.money import MAX_FEN
from shared.orders.errors import OrderPayloadError


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"  # 待付款: created, nothing (or not all) paid
    PRESALE_DEPOSIT_PAID = "presale_deposit_paid"  # 定金已付，尾款未付: not shippable yet
    PAID = "paid"  # 待发货: paid and shippable
    ON_HOLD = "on_hold"  # paid, but the platform forbids shipping now (risk check, group, paused)
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"  # 已发货: all shipped, not yet received
    COMPLETED = "completed"  # 已完成: received / finished
    REFUNDING = "refunding"  # a refund is open: stop fulfilment until it is settled
    REFUNDED = "refunded"  # ended after payment, money returned
    CANCELLED = "cancelled"  # ended before payment (or voided)
    CLOSED = "closed"  # ended after payment; the platform does not say whether money went back


# Statuses in which the order will not be fulfilled any more: reservations are released.
ENDED_UNFULFILLED = frozenset({OrderStatus.REFUNDED, OrderStatus.CANCELLED, OrderStatus.CLOSED})
# Statuses a refund overlay may turn into REFUNDING/REFUNDED (see status.derive_status).
OPEN_AFTER_PAYMENT = frozenset({OrderStatus.PRESALE_DEPOSIT_PAID, OrderStatus.PAID, OrderStatus.ON_HOLD,
                                OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED})


class RefundState(StrEnum):
    NONE = "none"
    IN_PROGRESS = "in_progress"
    REFUNDED = "refunded"


class PresaleKind(StrEnum):
    DEPOSIT = "deposit"  # 定金预售: deposit now, balance later
    FULL_PAYMENT = "full_payment"  # 全款预售: paid in full, ships after a date
    STAGED = "staged"  # 阶梯发货 (Douyin): ships within a longer promised window


class PresalePhase(StrEnum):
    UNPAID = "unpaid"
    DEPOSIT_PAID = "deposit_paid"
    PAID_IN_FULL = "paid_in_full"


@dataclass(frozen=True, slots=True)
class Region:
    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    country_code: str = "CN"


@dataclass(frozen=True, slots=True)
class EncryptedReceiver:
    """The platform's ciphertexts and the reference its decryption API needs (OAID, open ids)."""

    scheme: str  # "taobao_oaid", "douyin", "pinduoduo"
    name_cipher: str = ""
    phone_cipher: str = ""
    address_cipher: str = ""
    decrypt_ref: str = ""


@dataclass(frozen=True, slots=True)
class Receiver:
    name_masked: str
    phone_masked: str
    address_masked: str  # the detail line (street, building), masked
    region: Region
    zip_code: str = ""
    encrypted: EncryptedReceiver | None = None
    address_key: str | None = None  # platform key equal for equal receiver+address (merge rule)


@dataclass(frozen=True, slots=True)
class OrderLine:
    line_id: str  # the platform's sub-order id (oid, sku order id), or a stable position key
    platform_item_id: str
    platform_sku_id: str  # the platform SKU id; the item id for single-SKU items without one
    seller_sku_code: str  # 商家编码; "" = unmapped, the order goes to the exception queue
    title: str
    spec: str
    qty: int
    unit_price_fen: int
    discount_fen: int = 0  # the platform's line-level discount, as given
    paid_fen: int | None = None  # the platform's allocation of the payment to this line, if given
    refund: RefundState = RefundState.NONE
    presale_kind: PresaleKind | None = None
    presale_phase: PresalePhase | None = None
    is_gift: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.qty <= MAX_QTY:
            raise OrderPayloadError("order.bad_field", path=f"line {self.line_id}", reason=f"quantity {self.qty} is out of range")
        if self.unit_price_fen < 0 or self.discount_fen < 0 or (self.paid_fen is not None and self.paid_fen < 0):
            raise OrderPayloadError("order.bad_money", path=f"line {self.line_id}", reason="negative line amount")
        if self.goods_fen > MAX_FEN:
            raise OrderPayloadError("order.bad_money", path=f"line {self.line_id}", reason="price x quantity is out of range")

    @property
    def goods_fen(self) -> int:
        return self.unit_price_fen * self.qty


@dataclass(frozen=True, slots=True)
class Amounts:
    """Order-level money in minor units. Discounts are split by who funds them: the seller
    (shop coupons, price cuts) or anyone else (platform, influencer, payment channel).

        paid = goods + freight + tax - platform_discount - seller_discount + adjustment
    """

    goods_fen: int  # list price x quantity over all lines
    freight_fen: int
    platform_discount_fen: int
    seller_discount_fen: int
    paid_fen: int  # what the buyer pays for the order (due, while unpaid)
    adjustment_fen: int = 0  # the seller's manual price change (改价), signed
    tax_fen: int = 0  # tax added on top (Shopify, tax-exclusive shops); 0 when prices include it
    platform_fee_fen: int | None = None  # commission, when the payload states it

    def __post_init__(self) -> None:
        for name in ("goods_fen", "freight_fen", "platform_discount_fen", "seller_discount_fen", "paid_fen", "tax_fen"):
            if getattr(self, name) < 0:
                raise OrderPayloadError("order.amounts_mismatch", path=f"amounts.{name}", reason=f"{name} is negative")
        expected = (self.goods_fen + self.freight_fen + self.tax_fen - self.platform_discount_fen
                    - self.seller_discount_fen + self.adjustment_fen)
        if expected != self.paid_fen:
            raise OrderPayloadError("order.amounts_mismatch", path="amounts",
                                    reason=f"goods + freight + tax - discounts + adjustment = {expected}, paid = {self.paid_fen}")


@dataclass(frozen=True, slots=True)
class Presale:
    kind: PresaleKind
    phase: PresalePhase
    deposit_fen: int | None = None
    paid_so_far_fen: int | None = None
    ship_after: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderFlags:
    presale: bool = False
    risk: bool = False  # the platform marks the order as under risk review
    cod: bool = False  # cash on delivery
    refund_in_progress: bool = False  # some line has an open refund
    text_sanitized: bool = False  # control/bidi characters were removed or text was cut
    plaintext_pii_in_raw: bool = False  # raw holds plaintext receiver details: store it encrypted


@dataclass(frozen=True, slots=True)
class CanonicalOrder:
    platform: str
    shop_id: str
    platform_order_id: str
    status: OrderStatus
    platform_status: str
    created_at: datetime
    modified_at: datetime
    paid_at: datetime | None
    buyer_open_id: str | None
    receiver: Receiver
    lines: tuple[OrderLine, ...]
    amounts: Amounts
    currency: str = "CNY"
    shipped_at: datetime | None = None
    ship_by: datetime | None = None  # the platform's promised ship-by time
    buyer_remark: str = ""
    seller_remark: str = ""
    seller_flag: int | None = None  # 0-5, the seller's flag colour (旗帜 / 插旗)
    presale: Presale | None = None
    flags: OrderFlags = OrderFlags()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise OrderPayloadError("order.bad_field", path="platform", reason=f"unknown platform {self.platform!r}")
        if not self.platform_order_id or not self.shop_id:
            raise OrderPayloadError("order.bad_field", path="platform_order_id", reason="empty order or shop id")
        if not self.lines:
            raise OrderPayloadError("order.bad_field", path="lines", reason="an order needs at least one line")
        for name in ("created_at", "modified_at", "paid_at", "shipped_at", "ship_by"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() != timedelta(0):
                raise OrderPayloadError("order.bad_time", path=name, reason="not an aware UTC time")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.platform, self.shop_id, self.platform_order_id)

    @property
    def unmapped_lines(self) -> tuple[OrderLine, ...]:
        """Lines without a seller SKU code: they cannot be mapped to a SKU automatically."""
        return tuple(line for line in self.lines if not line.seller_sku_code)

