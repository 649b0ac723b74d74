"""A rule in words for the back office: ``describe(rule, lang)``, built only from catalogue keys
(``rule.kind.*``, ``rule.describe.*``), e.g.

    审单规则「大额订单」：实付超过 5000.00 元时拦截；买家留言含 “发顺丰”、“急” 之一时拦截
    Review rule “Large orders”: hold when paid is over 5000.00; hold when the buyer remark contains any of “发顺丰”, “急”

Times of a gift window are shown in China time for zh-CN and in UTC for English.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from shared.orders.rules.carrier import CarrierRule, Zone
from shared.orders.rules.gift import GiftRule
from shared.orders.rules.merge import MergePolicy
from shared.orders.rules.outcome import render, word
from shared.orders.rules.priority import PriorityRule
from shared.orders.rules.review import ReviewRule
from shared.orders.rules.rule import Rule, parse_rule
from shared.orders.rules.scope import Scope
from shared.orders.rules.split import SplitPolicy
from shared.orders.times import CHINA

Piece = tuple[str, dict[str, object]]  # (catalogue key, details)


def describe(rule: Rule | Mapping[str, Any], lang: str = "zh-CN") -> str:
    """``rule`` in words; a stored row is parsed first (``rule.invalid`` if it is broken)."""
    if not isinstance(rule, Rule):
        rule = parse_rule(rule)
    header = render("rule.describe.header", lang, {"kind": word(f"rule.kind.{rule.kind}", lang), "name": rule.name})
    if not rule.enabled:
        header += word("rule.describe.disabled", lang)
    pieces = [render(key, lang, details) for key, details in _pieces(rule, lang)]
    body = word("rule.describe.separator", lang).join(pieces) or word("rule.describe.nothing", lang)
    return header + word("rule.describe.colon", lang) + body


def _pieces(rule: Rule, lang: str) -> list[Piece]:
    definition = rule.definition
    if isinstance(definition, ReviewRule):
        pieces = list(_review(definition, lang))
    elif isinstance(definition, MergePolicy):
        pieces = list(_merge(definition))
    elif isinstance(definition, SplitPolicy):
        pieces = list(_split(definition, lang))
    elif isinstance(definition, GiftRule):
        pieces = list(_gift(definition, lang))
    elif isinstance(definition, PriorityRule):
        pieces = list(_priority(definition))
    else:
        pieces = list(_carrier(definition, lang))
    return pieces + _scope(definition.scope, lang)


def _quoted(items: tuple[str, ...] | list[str], lang: str) -> str:
    return word("rule.describe.list_separator", lang).join(f"“{item}”" for item in items)


def _listed(items: tuple[str, ...] | list[str], lang: str) -> str:
    return word("rule.describe.list_separator", lang).join(items)


def _scope(scope: Scope, lang: str) -> list[Piece]:
    if scope.is_all:
        return []
    return [("rule.describe.scope", {"targets": _listed(list(scope.platforms) + list(scope.shops), lang)})]


def _review(rule: ReviewRule, lang: str) -> Iterator[Piece]:
    if rule.address_complete:
        yield "rule.describe.review.address_complete", {}
    if rule.paid_over_fen is not None:
        yield "rule.describe.review.paid_over", {"limit_fen": rule.paid_over_fen}
    if rule.paid_under_fen is not None:
        yield "rule.describe.review.paid_under", {"limit_fen": rule.paid_under_fen}
    if rule.buyer_remark_keywords:
        yield "rule.describe.review.buyer_keywords", {"keywords": _quoted(rule.buyer_remark_keywords, lang)}
    if rule.seller_remark_keywords:
        yield "rule.describe.review.seller_keywords", {"keywords": _quoted(rule.seller_remark_keywords, lang)}
    for flag in ("blacklist", "risk", "presale", "refund", "unmapped_sku", "any_buyer_remark", "any_seller_remark", "cod"):
        if getattr(rule, flag):
            yield f"rule.describe.review.{flag}", {}
    if rule.seller_flags:
        yield "rule.describe.review.seller_flags", {"flags": _listed([str(f) for f in rule.seller_flags], lang)}
    if rule.hold_skus:
        yield "rule.describe.review.hold_skus", {"skus": _listed(rule.hold_skus, lang)}


def _merge(policy: MergePolicy) -> Iterator[Piece]:
    if not policy.enabled:
        yield "rule.describe.merge.off", {}
        return
    yield "rule.describe.merge.on", {"max_orders": policy.max_orders}
    yield ("rule.describe.merge.across_remarks" if policy.across_seller_remarks else "rule.describe.merge.same_remarks"), {}


def _split(policy: SplitPolicy, lang: str) -> Iterator[Piece]:
    yield ("rule.describe.split.by_stock" if policy.by_stock else "rule.describe.split.no_stock"), {}
    if policy.default_warehouse:
        yield "rule.describe.split.default_warehouse", {"warehouse": policy.default_warehouse}
    if policy.warehouses:
        yield "rule.describe.split.warehouses", {"warehouses": _listed(policy.warehouses, lang)}
    if policy.presale_apart:
        yield "rule.describe.split.presale_apart", {}
    if policy.max_package_weight_g is not None:
        yield "rule.describe.split.max_weight", {"max_g": policy.max_package_weight_g}


def _gift(rule: GiftRule, lang: str) -> Iterator[Piece]:
    suffix = "_repeat" if rule.repeat else ""
    if rule.paid_at_least_fen is not None:
        yield f"rule.describe.gift.paid{suffix}", {"threshold_fen": rule.paid_at_least_fen}
    else:
        yield f"rule.describe.gift.buy{suffix}", {"sku": rule.buy_sku, "min_qty": rule.buy_min_qty}
    yield "rule.describe.gift.give", {"sku": rule.gift_sku, "qty": rule.gift_qty}
    if rule.max_per_order is not None:
        yield "rule.describe.gift.cap", {"qty": rule.max_per_order}
    if rule.starts_at or rule.ends_at:
        yield "rule.describe.gift.window", {"starts": _time(rule.starts_at, lang), "ends": _time(rule.ends_at, lang)}
    if rule.exclusive:
        yield "rule.describe.gift.exclusive", {}
    yield "rule.describe.gift.stock", {}


def _time(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return word("rule.describe.gift.open_time", lang)
    if lang.lower().startswith("en"):
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _priority(rule: PriorityRule) -> Iterator[Piece]:
    if rule.paid_age_points_per_hour:
        yield "rule.describe.priority.age", {"points": rule.paid_age_points_per_hour, "hours": rule.max_age_hours}
    if rule.ship_by_points:
        yield "rule.describe.priority.ship_by", {"points": rule.ship_by_points, "hours": rule.ship_by_within_hours}
    if rule.overdue_points:
        yield "rule.describe.priority.overdue", {"points": rule.overdue_points}
    if rule.presale_released_points:
        yield "rule.describe.priority.presale_released", {"points": rule.presale_released_points}
    if rule.high_value_fen is not None and rule.high_value_points:
        yield "rule.describe.priority.high_value", {"threshold_fen": rule.high_value_fen, "points": rule.high_value_points}
    for platform, points in rule.platform_points.items():
        yield "rule.describe.priority.platform", {"platform": platform, "points": points}
    for shop, points in rule.shop_points.items():
        yield "rule.describe.priority.shop", {"shop": shop, "points": points}
    for flag, points in rule.seller_flag_points.items():
        yield "rule.describe.priority.flag", {"flag": flag, "points": points}


def _carrier(rule: CarrierRule, lang: str) -> Iterator[Piece]:
    yield "rule.describe.carrier.main", {"carrier": rule.carrier_code, "min_g": rule.min_weight_g, "max_g": rule.max_weight_g}
    for zone in rule.zones:
        yield "rule.describe.carrier.zone", _zone(zone, lang)
    if rule.exclude_provinces:
        yield "rule.describe.carrier.exclude", {"provinces": _listed(rule.exclude_provinces, lang)}
    yield "rule.describe.carrier.cheapest", {}


def _zone(zone: Zone, lang: str) -> dict[str, object]:
    provinces = _listed(zone.provinces, lang) if zone.provinces else word("rule.describe.carrier.rest", lang)
    return {"provinces": provinces, "first_g": zone.first_weight_g, "first_fen": zone.first_fen,
            "per_kg_fen": zone.additional_per_kg_fen}

