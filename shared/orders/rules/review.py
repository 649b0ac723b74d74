"""Review rules (审单规则): the checks an order must pass before it is released for fulfilment.

Definition (every key optional, at least one check on; unknown keys are refused)::

    {
      "scope": {"platforms": ["taobao"], "shops": ["shop-1"]},   # default: every order
      "address_complete": true,          # province, city, district and detail line present
      "paid_over_fen": 500000,           # hold when paid > 5000.00
      "paid_under_fen": 100,             # hold when paid < 1.00
      "currency": "CNY",                 # the amount limits apply to orders in this currency
      "buyer_remark_keywords": ["发顺丰", "急"],   # any of them, case-insensitive, full-width = ASCII
      "seller_remark_keywords": ["不发"],
      "blacklist": true,                 # buyer open id or address key in ReviewFacts' blacklists
      "risk": true,                      # the platform's risk flag
      "presale": true,                   # presale balance unpaid, or not releasable before ship_after
      "refund": true,                    # a refund in progress on the order or any line
      "unmapped_sku": true,              # a line without a seller SKU code
      "any_buyer_remark": true,          # any buyer remark at all (有留言转人工)
      "any_seller_remark": false,        # any seller remark at all
      "seller_flags": [1, 4],            # the seller flagged the order with one of these colours (0-5)
      "hold_skus": ["GIFT-BOX"],         # the order has a line of one of these seller SKU codes
      "cod": true                        # cash on delivery
    }

Holds (each with the rule's id). Details are JSON-friendly and fill the catalogue templates with a
plain ``str.format``: codes (``missing``, ``remark``) come with their words (``missing_zh``,
``missing_en``, ``remark_zh``, ``remark_en``), amounts in fen with yuan text (``paid_yuan``):

    hold.address_incomplete     missing: "province,city,district,detail" (the absent ones) + words
    hold.amount_over_limit      paid_fen, limit_fen (+ paid_yuan, limit_yuan)
    hold.amount_under_limit     paid_fen, limit_fen (+ paid_yuan, limit_yuan)
    hold.remark_keyword         remark: "buyer" | "seller" (+ words), keyword
    hold.blacklisted            buyer (open id) or address_key
    hold.risk                   - (the risk flag, or the platform's ON_HOLD status)
    hold.presale_unpaid         phase
    hold.presale_not_released   ship_after (ISO, UTC); also when ``facts.now`` is unknown
    hold.refund_in_progress     lines (comma-separated line ids, "" for an order-level flag)
    hold.unmapped_sku           lines
    hold.has_remark             remark: "buyer" | "seller" (when no keyword hold was given for it)
    hold.seller_flag            flag
    hold.listed_sku             skus (comma-separated, normalised codes)
    hold.cod                    -

Keywords match as substrings after NFKC, case folding and removing invisible characters; Traditional
and Simplified forms are not folded into each other (list both when buyers write either).

Addresses: the four prefecture-level cities without districts (东莞、中山、儋州、嘉峪关) need no
district; orders outside China need a city and a detail line only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from shared.orders.model import CanonicalOrder, OrderStatus, PresalePhase, RefundState
from shared.orders.rules.fields import Reader, iso, match_text, sku_key
from shared.orders.rules.outcome import Hold, ReviewFacts, in_words, money
from shared.orders.rules.scope import Scope, with_scope

CITIES_WITHOUT_DISTRICTS = frozenset({"东莞市", "中山市", "儋州市", "嘉峪关市", "东莞", "中山", "儋州", "嘉峪关"})
_FLAGS = ("address_complete", "blacklist", "risk", "presale", "refund", "unmapped_sku", "any_buyer_remark",
          "any_seller_remark", "cod")


@dataclass(frozen=True, slots=True)
class ReviewRule:
    scope: Scope = Scope()
    address_complete: bool = False
    paid_over_fen: int | None = None
    paid_under_fen: int | None = None
    currency: str = "CNY"
    buyer_remark_keywords: tuple[str, ...] = ()
    seller_remark_keywords: tuple[str, ...] = ()
    blacklist: bool = False
    risk: bool = False
    presale: bool = False
    refund: bool = False
    unmapped_sku: bool = False
    any_buyer_remark: bool = False
    any_seller_remark: bool = False
    cod: bool = False
    seller_flags: tuple[int, ...] = ()
    hold_skus: tuple[str, ...] = ()

    @classmethod
    def parse(cls, reader: Reader) -> ReviewRule:
        flags = {name: reader.boolean(name, default=False) for name in _FLAGS}
        over = reader.optional_integer("paid_over_fen")
        under = reader.optional_integer("paid_under_fen")
        if over is not None and under is not None and under > over:
            reader.fail("paid_under_fen", f"{under} is above paid_over_fen {over}: every order would be held")
        rule = cls(scope=Scope.parse(reader), paid_over_fen=over, paid_under_fen=under, currency=reader.currency(),
                   buyer_remark_keywords=_keywords(reader, "buyer_remark_keywords"),
                   seller_remark_keywords=_keywords(reader, "seller_remark_keywords"),
                   seller_flags=_flags(reader), hold_skus=_codes(reader, "hold_skus"), **flags)
        reader.finish()
        if not rule.checks_something:
            reader.fail("", "a review rule must turn on at least one check")
        return rule

    @property
    def checks_something(self) -> bool:
        return (any(getattr(self, name) for name in _FLAGS) or self.paid_over_fen is not None
                or self.paid_under_fen is not None or bool(self.buyer_remark_keywords or self.seller_remark_keywords)
                or bool(self.seller_flags or self.hold_skus))

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: True for name in _FLAGS if getattr(self, name)}
        if self.paid_over_fen is not None:
            data["paid_over_fen"] = self.paid_over_fen
        if self.paid_under_fen is not None:
            data["paid_under_fen"] = self.paid_under_fen
        if self.currency != "CNY":
            data["currency"] = self.currency
        if self.buyer_remark_keywords:
            data["buyer_remark_keywords"] = list(self.buyer_remark_keywords)
        if self.seller_remark_keywords:
            data["seller_remark_keywords"] = list(self.seller_remark_keywords)
        if self.seller_flags:
            data["seller_flags"] = list(self.seller_flags)
        if self.hold_skus:
            data["hold_skus"] = list(self.hold_skus)
        return with_scope(data, self.scope)

    def holds(self, order: CanonicalOrder, facts: ReviewFacts, rule_id: str) -> Iterator[Hold]:
        """The holds this rule puts on ``order``, in check order."""
        if not self.scope.matches(order.platform, order.shop_id):
            return
        for code, details in self._failures(order, facts):
            yield Hold(code, details, rule_id)

    def _failures(self, order: CanonicalOrder, facts: ReviewFacts) -> Iterator[tuple[str, dict[str, Any]]]:
        if self.address_complete:
            missing = missing_address_parts(order)
            if missing:
                yield "hold.address_incomplete", {"missing": ",".join(missing), **in_words("missing", missing)}
        yield from self._amount_failures(order)
        yield from self._remark_failures(order)
        if self.blacklist:
            yield from _blacklist_failures(order, facts)
        if self.risk and (order.flags.risk or order.status is OrderStatus.ON_HOLD):
            yield "hold.risk", {}
        if self.presale:
            yield from _presale_failures(order, facts)
        if self.refund:
            yield from _refund_failures(order)
        if self.unmapped_sku and order.unmapped_lines:
            yield "hold.unmapped_sku", {"lines": ",".join(line.line_id for line in order.unmapped_lines)}
        yield from self._listing_failures(order)

    def _remark_failures(self, order: CanonicalOrder) -> Iterator[tuple[str, dict[str, Any]]]:
        for kind, remark, keywords, hold_any in (
                ("buyer", order.buyer_remark, self.buyer_remark_keywords, self.any_buyer_remark),
                ("seller", order.seller_remark, self.seller_remark_keywords, self.any_seller_remark)):
            keyword = _first_keyword(remark, keywords)
            if keyword is not None:
                yield "hold.remark_keyword", {"remark": kind, **in_words("remark", [kind]), "keyword": keyword}
            elif hold_any and match_text(remark):
                yield "hold.has_remark", {"remark": kind, **in_words("remark", [kind])}

    def _listing_failures(self, order: CanonicalOrder) -> Iterator[tuple[str, dict[str, Any]]]:
        if self.seller_flags and order.seller_flag in self.seller_flags:
            yield "hold.seller_flag", {"flag": order.seller_flag}
        if self.hold_skus:
            listed = [sku_key(line.seller_sku_code) for line in order.lines if sku_key(line.seller_sku_code) in self.hold_skus]
            if listed:
                yield "hold.listed_sku", {"skus": ",".join(dict.fromkeys(listed))}
        if self.cod and order.flags.cod:
            yield "hold.cod", {}

    def _amount_failures(self, order: CanonicalOrder) -> Iterator[tuple[str, dict[str, Any]]]:
        if order.currency != self.currency:
            return
        paid = order.amounts.paid_fen
        if self.paid_over_fen is not None and paid > self.paid_over_fen:
            yield "hold.amount_over_limit", money(paid_fen=paid, limit_fen=self.paid_over_fen)
        if self.paid_under_fen is not None and paid < self.paid_under_fen:
            yield "hold.amount_under_limit", money(paid_fen=paid, limit_fen=self.paid_under_fen)


def missing_address_parts(order: CanonicalOrder) -> list[str]:
    receiver = order.receiver
    region = receiver.region
    present = {"province": region.province, "city": region.city, "district": region.district or region.town,
               "detail": receiver.address_masked}
    needed = ["province", "city", "district", "detail"]
    if region.country_code.upper() != "CN":
        needed = ["city", "detail"]
    elif region.city.strip() in CITIES_WITHOUT_DISTRICTS:
        needed.remove("district")
    return [part for part in needed if not match_text(present[part])]


def _keywords(reader: Reader, name: str) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for index, keyword in enumerate(reader.texts(name)):
        key = match_text(keyword)
        if not key:
            reader.fail(f"{name}[{index}]", "is blank once normalised")
        out[key] = None
    return tuple(out)


def _flags(reader: Reader) -> tuple[int, ...]:
    flags = {reader.check_int(f"seller_flags[{i}]", flag, minimum=0, maximum=5): None
             for i, flag in enumerate(reader.items("seller_flags"))}
    return tuple(flags)


def _codes(reader: Reader, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(sku_key(code) for code in reader.texts(name)))


def _first_keyword(remark: str, keywords: tuple[str, ...]) -> str | None:
    """The first keyword found in ``remark`` (one hold per remark is enough to send it to a person)."""
    text = match_text(remark) if keywords and remark else ""
    return next((keyword for keyword in keywords if keyword in text), None) if text else None


def _blacklist_failures(order: CanonicalOrder, facts: ReviewFacts) -> Iterator[tuple[str, dict[str, Any]]]:
    if order.buyer_open_id and order.buyer_open_id in facts.blacklisted_buyers:
        yield "hold.blacklisted", {"buyer": order.buyer_open_id}
    key = order.receiver.address_key
    if key and key in facts.blacklisted_address_keys:
        yield "hold.blacklisted", {"address_key": key}


def _presale_failures(order: CanonicalOrder, facts: ReviewFacts) -> Iterator[tuple[str, dict[str, Any]]]:
    presale = order.presale
    unpaid_phases = (PresalePhase.UNPAID, PresalePhase.DEPOSIT_PAID)
    phase = presale.phase if presale else None
    if order.status is OrderStatus.PRESALE_DEPOSIT_PAID or phase in unpaid_phases:
        yield "hold.presale_unpaid", {"phase": str(phase or PresalePhase.DEPOSIT_PAID)}
        return
    if presale is None or presale.ship_after is None:
        return
    if facts.now is None or facts.now < presale.ship_after:
        yield "hold.presale_not_released", {"ship_after": iso(presale.ship_after)}


def _refund_failures(order: CanonicalOrder) -> Iterator[tuple[str, dict[str, Any]]]:
    lines = [line.line_id for line in order.lines if line.refund is RefundState.IN_PROGRESS]
    if lines or order.flags.refund_in_progress or order.status is OrderStatus.REFUNDING:
        yield "hold.refund_in_progress", {"lines": ",".join(lines)}
