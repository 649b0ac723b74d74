"""Merge rules (合单): which unshipped orders of one buyer to one address ship as one parcel.

Definition (every key optional)::

    {
      "enabled": true,                  # false: never merge
      "max_orders": 10,                 # at most this many orders in one merge (2..100)
      "across_seller_remarks": false,   # false: orders whose seller remarks differ stay apart
      "statuses": ["paid"],             # candidate statuses that may merge
      "scope": {"shops": ["shop-1"]}    # only candidates of these shops/platforms merge
    }

Without a merge rule the defaults above apply. Orders join a group only when they share the shop
(and platform, when given), the buyer open id and the receiver's address key, none is shipped and
each has a mergeable status; an empty buyer id or address key never merges. Groups are disjoint,
keep the candidates' order, and hold 2..max_orders orders (a larger set is cut into chunks in
order; a chunk of one is left alone). A candidate without a platform is scoped by its shop only.

``receiver_key(receiver)`` is the address key to merge on: the platform's (Taobao ``oaid``, Douyin
``open_address_id``), else one made of the receiver's fields when none of them is masked (two masked
names and phones can be two people), else ``None``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.core.errors import ValidationError
from shared.orders.model import Receiver
from shared.orders.rules.fields import Reader, match_text
from shared.orders.rules.scope import Scope, with_scope

MAX_MERGE_ORDERS = 100


@dataclass(frozen=True, slots=True)
class MergeCandidate:
    order_id: str
    shop_id: str
    buyer_open_id: str | None
    address_key: str | None
    shipped: bool
    status: str
    seller_remark: str = ""
    platform: str = ""


@dataclass(frozen=True, slots=True)
class MergePolicy:
    enabled: bool = True
    max_orders: int = 10
    across_seller_remarks: bool = False
    statuses: tuple[str, ...] = ("paid",)
    scope: Scope = Scope()

    @classmethod
    def parse(cls, reader: Reader) -> MergePolicy:
        statuses = tuple(s.lower() for s in reader.texts("statuses")) or ("paid",)
        policy = cls(enabled=reader.boolean("enabled", default=True),
                     max_orders=reader.integer("max_orders", default=10, minimum=2, maximum=MAX_MERGE_ORDERS),
                     across_seller_remarks=reader.boolean("across_seller_remarks", default=False),
                     statuses=statuses, scope=Scope.parse(reader))
        reader.finish()
        return policy

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"enabled": self.enabled, "max_orders": self.max_orders,
                                "across_seller_remarks": self.across_seller_remarks}
        if self.statuses != ("paid",):
            data["statuses"] = list(self.statuses)
        return with_scope(data, self.scope)

    def mergeable(self, candidate: MergeCandidate) -> bool:
        return (not candidate.shipped and bool(candidate.buyer_open_id) and bool(candidate.address_key)
                and str(candidate.status).lower() in self.statuses
                and self._in_scope(candidate))

    def _in_scope(self, candidate: MergeCandidate) -> bool:
        platform_ok = not candidate.platform or not self.scope.platforms or candidate.platform in self.scope.platforms
        return platform_ok and (not self.scope.shops or candidate.shop_id in self.scope.shops)

    def key(self, candidate: MergeCandidate) -> tuple[str, ...]:
        remark = "" if self.across_seller_remarks else match_text(candidate.seller_remark)
        return (candidate.platform, candidate.shop_id, candidate.buyer_open_id or "", candidate.address_key or "", remark)


def merge_groups(candidates: Sequence[MergeCandidate], policy: MergePolicy = MergePolicy()) -> list[list[str]]:
    """Disjoint groups of order ids to merge, each of 2..``policy.max_orders`` orders, in the
    order the candidates came. An order id given twice is refused (``rule.duplicate_candidate``)."""
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.order_id in seen:
            raise ValidationError("rule.duplicate_candidate", order=candidate.order_id)
        seen.add(candidate.order_id)
    if not policy.enabled:
        return []
    buckets: dict[tuple[str, ...], list[str]] = {}
    for candidate in candidates:
        if policy.mergeable(candidate):
            buckets.setdefault(policy.key(candidate), []).append(candidate.order_id)
    groups: list[list[str]] = []
    for ids in buckets.values():
        for start in range(0, len(ids), policy.max_orders):
            chunk = ids[start:start + policy.max_orders]
            if len(chunk) >= 2:
                groups.append(chunk)
    return groups



def receiver_key(receiver: Receiver) -> str | None:
    if receiver.address_key:
        return receiver.address_key
    region = receiver.region
    fields = (receiver.name_masked, receiver.phone_masked, receiver.address_masked, region.country_code, region.province,
              region.city, region.district, region.town)
    if not receiver.address_masked.strip() or any("*" in f for f in fields):
        return None
    text = "\x1f".join(" ".join(f.split()).casefold() for f in fields)
    return "fields:" + hashlib.sha256(text.encode()).hexdigest()
