"""One rule as data: a stored row ``{"id", "kind", "name", "position", "enabled", "definition"}``
read into a typed ``Rule`` whose ``definition`` is the kind's frozen dataclass.

    kind       definition class   module
    review     ReviewRule         review.py
    merge      MergePolicy        merge.py
    split      SplitPolicy        split.py
    gift       GiftRule           gift.py
    priority   PriorityRule       priority.py
    carrier    CarrierRule        carrier.py

``parse_rule`` validates a row whatever its ``enabled`` (the editor calls it on save); ``name``
defaults to the id, ``position`` to 0, ``enabled`` to true, ``definition`` to ``{}``; other columns
of a stored row (timestamps, versions) are ignored, unknown keys inside ``definition`` are refused.
``Rule.to_row()`` gives the row back in normal form, and ``parse_rule(rule.to_row()) == rule``.

Errors (all ``ValidationError``)::

    rule.invalid        rule, field, reason   a row or definition field is wrong (named by ``field``)
    rule.duplicate_id   rule                  two rows of one rule set share an id
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Union

from shared.orders.rules.carrier import CarrierRule
from shared.orders.rules.fields import Reader
from shared.orders.rules.gift import GiftRule
from shared.orders.rules.merge import MergePolicy
from shared.orders.rules.priority import PriorityRule
from shared.orders.rules.review import ReviewRule
from shared.orders.rules.split import SplitPolicy

MAX_POSITION = 10**9
MAX_NAME_CHARS = 100

Definition = Union[ReviewRule, MergePolicy, SplitPolicy, GiftRule, PriorityRule, CarrierRule]


class RuleKind(StrEnum):
    REVIEW = "review"
    MERGE = "merge"
    SPLIT = "split"
    GIFT = "gift"
    PRIORITY = "priority"
    CARRIER = "carrier"


_PARSERS: dict[RuleKind, Callable[[Reader], Definition]] = {
    RuleKind.REVIEW: ReviewRule.parse,
    RuleKind.MERGE: MergePolicy.parse,
    RuleKind.SPLIT: SplitPolicy.parse,
    RuleKind.GIFT: GiftRule.parse,
    RuleKind.PRIORITY: PriorityRule.parse,
    RuleKind.CARRIER: CarrierRule.parse,
}


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: RuleKind
    name: str
    position: int
    enabled: bool
    definition: Definition

    def to_row(self) -> dict[str, Any]:
        return {"id": self.id, "kind": str(self.kind), "name": self.name, "position": self.position,
                "enabled": self.enabled, "definition": self.definition.to_data()}


def parse_rule(row: Mapping[str, Any]) -> Rule:
    """Read and validate one stored row (enabled or not)."""
    rule_id = row.get("id") if isinstance(row, Mapping) else None
    rule_id = rule_id if isinstance(rule_id, str) and rule_id.strip() else "?"
    reader = Reader(row, rule_id=rule_id, path="row")
    if rule_id == "?" or len(rule_id) > MAX_NAME_CHARS:
        reader.fail("id", f"must be non-empty text of at most {MAX_NAME_CHARS} characters")
    kind_text = reader.text("kind").lower()
    if kind_text not in set(RuleKind):
        reader.fail("kind", f"unknown kind {kind_text!r:.40}; one of {', '.join(RuleKind)}")
    kind = RuleKind(kind_text)
    name = reader.text("name") if reader.raw("name") not in (None, "") else rule_id
    if len(name) > MAX_NAME_CHARS:
        reader.fail("name", f"longer than {MAX_NAME_CHARS} characters")
    position = reader.integer("position", default=0, minimum=-MAX_POSITION, maximum=MAX_POSITION)
    enabled = reader.boolean("enabled", default=True)
    raw_definition = reader.raw("definition")
    definition = _PARSERS[kind](Reader({} if raw_definition is None else raw_definition, rule_id=rule_id, path="definition"))
    return Rule(rule_id, kind, name, position, enabled, definition)  # other columns of the row are ignored
