"""Gift rules (赠品规则): add a gift SKU to orders that qualify, while gift stock lasts.

Definition (exactly one trigger: ``paid_at_least_fen``, or ``buy_sku``)::

    {
      "paid_at_least_fen": 9900,         # trigger: paid ≥ 99.00 (in ``currency``, default CNY)
      "buy_sku": "TEE-01",               # trigger: bought ≥ buy_min_qty of this seller SKU code
      "buy_min_qty": 2,                  #          (default 1; gift and refunded lines don't count)
      "gift_sku": "GIFT-SOCKS",          # the seller SKU code given
      "gift_qty": 1,                     # given per trigger (default 1)
      "repeat": false,                   # true: gift_qty for every full threshold (每满送)
      "max_per_order": 3,                # cap per order (default: no cap but stock)
      "starts_at": "2024-11-11T00:00:00+08:00",   # optional window on paid_at (created_at if unpaid):
      "ends_at":   "2024-11-12T00:00:00+08:00",   # starts_at ≤ t < ends_at; offsets are required
      "exclusive": false,                # true: when this rule gives, later gift rules give nothing
      "currency": "CNY",
      "scope": {"shops": ["shop-1"]}
    }

Rules give in position order from the stock the caller passes (``gift_stock``: seller SKU code →
units left); each rule takes what is left after the earlier ones, so the gifts of one order never
exceed the stock. SKU codes compare NFKC-normalised and upper-cased (``ｔｅｅ-01`` = ``TEE-01``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.core.errors import ValidationError
from shared.core.quantity import MAX_QTY
from shared.orders.model import CanonicalOrder, RefundState
from shared.orders.rules.fields import Reader, iso, sku_key
from shared.orders.rules.scope import Scope, with_scope


@dataclass(frozen=True, slots=True)
class GiftLine:
    sku_code: str
    qty: int
    rule_id: str


@dataclass(frozen=True, slots=True)
class GiftRule:
    gift_sku: str
    gift_qty: int = 1
    paid_at_least_fen: int | None = None
    buy_sku: str | None = None
    buy_min_qty: int = 1
    repeat: bool = False
    max_per_order: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    exclusive: bool = False
    currency: str = "CNY"
    scope: Scope = Scope()

    @classmethod
    def parse(cls, reader: Reader) -> GiftRule:
        paid = reader.optional_integer("paid_at_least_fen", minimum=1)
        buy_sku = reader.code("buy_sku") if reader.has("buy_sku") else reader.raw("buy_sku")
        if (paid is None) == (buy_sku is None):
            reader.fail("paid_at_least_fen", "give exactly one trigger: paid_at_least_fen or buy_sku")
        buy_min = reader.integer("buy_min_qty", default=1, minimum=1, maximum=MAX_QTY)
        if buy_sku is None and reader.has("buy_min_qty"):
            reader.fail("buy_min_qty", "only with buy_sku")
        rule = cls(gift_sku=reader.code("gift_sku"), gift_qty=reader.integer("gift_qty", default=1, minimum=1, maximum=MAX_QTY),
                   paid_at_least_fen=paid, buy_sku=buy_sku, buy_min_qty=buy_min,
                   repeat=reader.boolean("repeat", default=False),
                   max_per_order=reader.optional_integer("max_per_order", minimum=1, maximum=MAX_QTY),
                   starts_at=reader.time("starts_at"), ends_at=reader.time("ends_at"),
                   exclusive=reader.boolean("exclusive", default=False),
                   currency=reader.currency(), scope=Scope.parse(reader))
        if rule.starts_at and rule.ends_at and rule.ends_at <= rule.starts_at:
            reader.fail("ends_at", "must be after starts_at")
        reader.finish()
        return rule

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"gift_sku": self.gift_sku, "gift_qty": self.gift_qty, "repeat": self.repeat,
                                "exclusive": self.exclusive}
        if self.paid_at_least_fen is not None:
            data["paid_at_least_fen"] = self.paid_at_least_fen
        if self.buy_sku is not None:
            data["buy_sku"] = self.buy_sku
            data["buy_min_qty"] = self.buy_min_qty
        if self.max_per_order is not None:
            data["max_per_order"] = self.max_per_order
        for name in ("starts_at", "ends_at"):
            moment = getattr(self, name)
            if moment is not None:
                data[name] = iso(moment)
        if self.currency != "CNY":
            data["currency"] = self.currency
        return with_scope(data, self.scope)

    def wanted(self, order: CanonicalOrder) -> int:
        """Units of the gift this order earns, before stock."""
        if not self.scope.matches(order.platform, order.shop_id) or not self._in_window(order):
            return 0
        times = self._triggers(order)
        qty = self.gift_qty * (times if self.repeat else min(times, 1))
        return min(qty, self.max_per_order) if self.max_per_order is not None else qty

    def _triggers(self, order: CanonicalOrder) -> int:
        if self.paid_at_least_fen is not None:
            if order.currency != self.currency:
                return 0
            return order.amounts.paid_fen // self.paid_at_least_fen
        bought = sum(line.qty for line in order.lines
                     if not line.is_gift and line.refund is RefundState.NONE and sku_key(line.seller_sku_code) == self.buy_sku)
        return bought // self.buy_min_qty

    def _in_window(self, order: CanonicalOrder) -> bool:
        moment = order.paid_at or order.created_at
        return (self.starts_at is None or self.starts_at <= moment) and (self.ends_at is None or moment < self.ends_at)


def give(rules: list[tuple[str, GiftRule]], order: CanonicalOrder, gift_stock: Mapping[str, int]) -> list[GiftLine]:
    """The gift lines for ``order`` from ``(rule_id, rule)`` pairs in position order."""
    remaining = normalised_stock(gift_stock)
    lines: list[GiftLine] = []
    for rule_id, rule in rules:
        qty = min(rule.wanted(order), remaining.get(rule.gift_sku, 0))
        if qty <= 0:
            continue
        remaining[rule.gift_sku] -= qty
        lines.append(GiftLine(rule.gift_sku, qty, rule_id))
        if rule.exclusive:
            break
    return lines


def normalised_stock(stock: Mapping[str, int], *, what: str = "stock") -> dict[str, int]:
    """``stock`` (or weights) keyed by normalised SKU code; negatives count as 0. Two keys that
    normalise alike are added up."""
    out: dict[str, int] = {}
    for code, qty in stock.items():
        if isinstance(qty, bool) or not isinstance(qty, int):
            raise ValidationError("invalid.quantity", reason=f"{what} of {code!r:.40} must be a whole number, got {qty!r:.40}")
        key = sku_key(code)
        out[key] = out.get(key, 0) + max(qty, 0)
    return out
