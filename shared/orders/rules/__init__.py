"""Order rules as data (订单规则): auto-review, merge, split, gifts, priority and carrier choice,
stored as rows the back office edits and read here into typed, validated rules. Pure domain: no
I/O, no clock (times are passed in), integers for money (fen), weights (grams) and quantities.

    rule.py      the row ⇄ Rule form, RuleKind, parse_rule
    ruleset.py   RuleSet: what the enabled rules decide for an order
    review.py    review checks → holds          outcome.py  ReviewFacts, Hold, ReviewOutcome
    merge.py     merge_groups, MergeCandidate   split.py    PlannedPackage, the split plan
    gift.py      GiftLine, gift rules           priority.py scores and the queue order
    carrier.py   CarrierChoice, cost tables     describe.py a rule in words
    fields.py    strict definition readers, text/SKU/province normalisers
    scope.py     the optional per-platform/shop scope every kind accepts

Errors (``ValidationError``; messages in ``shared/core/messages_order_rules.py``)::

    rule.invalid              a row or definition field is wrong: rule, field, reason
    rule.duplicate_id         two rows with one id
    rule.duplicate_candidate  merge_groups got an order twice
    rule.missing_weight       split by weight without the weight of a SKU
    rule.too_many_packages    a split into more than 1000 parcels (a grams/kilograms mix-up)
    invalid.timestamp         a naive ``now``;  invalid.quantity  a bad weight or stock number

Each kind's definition shape is documented in its module.
"""

from shared.orders.rules.carrier import CarrierChoice, CarrierRule, Zone
from shared.orders.rules.describe import describe
from shared.orders.rules.gift import GiftLine, GiftRule
from shared.orders.rules.merge import MergeCandidate, MergePolicy, merge_groups
from shared.orders.rules.outcome import Hold, ReviewFacts, ReviewOutcome
from shared.orders.rules.priority import DEFAULT_PRIORITY, PriorityRule
from shared.orders.rules.review import ReviewRule
from shared.orders.rules.rule import Rule, RuleKind, parse_rule
from shared.orders.rules.ruleset import RuleSet
from shared.orders.rules.split import PackageLine, PlannedPackage, SplitPolicy

__all__ = [
    "DEFAULT_PRIORITY", "CarrierChoice", "CarrierRule", "GiftLine", "GiftRule", "Hold", "MergeCandidate",
    "MergePolicy", "PackageLine", "PlannedPackage", "PriorityRule", "ReviewFacts", "ReviewOutcome", "ReviewRule",
    "Rule", "RuleKind", "RuleSet", "SplitPolicy", "Zone", "describe", "merge_groups", "parse_rule",
]
