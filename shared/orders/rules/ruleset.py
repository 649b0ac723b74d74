"""A rule set: the enabled rules of a seller, in position order, and what they decide for an order.

    RuleSet.parse(rows)                         rows as stored; disabled rows are skipped unread
    .review(order, facts)     -> ReviewOutcome  every review rule's holds, in rule order, deduplicated
    .priority(order, now)     -> int            the sum of the priority rules (DEFAULT_PRIORITY if none)
    .queue(orders, now)       -> list           orders soonest first (a total order)
    .gifts(order, gift_stock) -> [GiftLine]     gift rules in order, within the stock given
    .carrier(order, weight_g) -> CarrierChoice | None   the cheapest eligible carrier
    .split(order, stock_by_warehouse, weights_g) -> [PlannedPackage]  the first split rule in scope
    .merge_policy / .merge_groups(candidates)   the first merge rule (defaults without one)

Rows are ordered by ``(position, id)``, so equal positions still give one order. An empty rule set is
valid: review passes, no gifts, default priority, no carrier, the default split and merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from shared.core.errors import ValidationError
from shared.core.quantity import parse_qty
from shared.orders.model import CanonicalOrder
from shared.orders.rules.carrier import CarrierChoice, CarrierRule, cheapest
from shared.orders.rules.fields import aware_utc
from shared.orders.rules.gift import GiftLine, GiftRule, give
from shared.orders.rules.merge import MergeCandidate, MergePolicy, merge_groups
from shared.orders.rules.outcome import Hold, ReviewFacts, ReviewOutcome
from shared.orders.rules.priority import DEFAULT_PRIORITY, PriorityRule, queue_key
from shared.orders.rules.review import ReviewRule
from shared.orders.rules.rule import Rule, RuleKind, parse_rule
from shared.orders.rules.split import PlannedPackage, SplitPolicy, plan

MAX_RULES = 1000
D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...] = ()

    @classmethod
    def parse(cls, rows: Iterable[Mapping[str, Any]]) -> RuleSet:
        rules: list[Rule] = []
        seen: set[str] = set()
        for row in rows:
            if isinstance(row, Mapping) and row.get("enabled", True) is False:
                continue
            rule = parse_rule(row)
            if rule.id in seen:
                raise ValidationError("rule.duplicate_id", rule=rule.id)
            seen.add(rule.id)
            rules.append(rule)
            if len(rules) > MAX_RULES:
                raise ValidationError("rule.invalid", rule=rule.id, field="rows", reason=f"at most {MAX_RULES} enabled rules")
        return cls(tuple(sorted(rules, key=lambda r: (r.position, r.id))))

    def of_kind(self, kind: RuleKind, cls: type[D]) -> list[tuple[str, D]]:
        return [(rule.id, rule.definition) for rule in self.rules
                if rule.kind is kind and isinstance(rule.definition, cls)]

    def review(self, order: CanonicalOrder, facts: ReviewFacts = ReviewFacts()) -> ReviewOutcome:
        holds: list[Hold] = []
        seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        for rule_id, rule in self.of_kind(RuleKind.REVIEW, ReviewRule):
            for hold in rule.holds(order, facts, rule_id):
                key = (hold.code, tuple(sorted((k, str(v)) for k, v in hold.details.items())))
                if key not in seen:
                    seen.add(key)
                    holds.append(hold)
        return ReviewOutcome.of(holds)

    def priority(self, order: CanonicalOrder, now: datetime) -> int:
        now = aware_utc(now, name="now")
        rules = self.of_kind(RuleKind.PRIORITY, PriorityRule) or [("", DEFAULT_PRIORITY)]
        return sum(rule.score(order, now) for _, rule in rules)

    def queue(self, orders: Iterable[CanonicalOrder], now: datetime) -> list[CanonicalOrder]:
        """``orders`` soonest first: priority, then older paid time, then the order key."""
        return sorted(orders, key=lambda order: queue_key(order, self.priority(order, now)))

    def gifts(self, order: CanonicalOrder, gift_stock: Mapping[str, int]) -> list[GiftLine]:
        return give(self.of_kind(RuleKind.GIFT, GiftRule), order, gift_stock)

    def carrier(self, order: CanonicalOrder, weight_g: int) -> CarrierChoice | None:
        weight_g = parse_qty(weight_g, allow_zero=True)
        return cheapest(self.of_kind(RuleKind.CARRIER, CarrierRule), order, weight_g)

    def split(self, order: CanonicalOrder, stock_by_warehouse: Mapping[str, Mapping[str, int]],
              weights_g: Mapping[str, int]) -> list[PlannedPackage]:
        rule_id, policy = self.split_policy(order)
        return plan(order, policy, stock_by_warehouse, weights_g, rule_id)

    def split_policy(self, order: CanonicalOrder) -> tuple[str | None, SplitPolicy]:
        for rule_id, policy in self.of_kind(RuleKind.SPLIT, SplitPolicy):
            if policy.scope.matches(order.platform, order.shop_id):
                return rule_id, policy
        return None, SplitPolicy()

    def split_policy_in_force(self) -> bool:
        """Whether any enabled split rule exists (without one, orders ship whole)."""
        return bool(self.of_kind(RuleKind.SPLIT, SplitPolicy))

    @property
    def merge_policy(self) -> MergePolicy:
        policies = self.of_kind(RuleKind.MERGE, MergePolicy)
        return policies[0][1] if policies else MergePolicy()

    def merge_groups(self, candidates: Sequence[MergeCandidate]) -> list[list[str]]:
        return merge_groups(candidates, self.merge_policy)
