"""Carrier rules (快递策略): which carrier ships a parcel, the cheapest one that may.

One rule per carrier. Definition::

    {
      "carrier_code": "ZTO",                   # the carrier's code (cp_code), e.g. ZTO, YTO, SF, JD
      "min_weight_g": 0,                       # the weight band this carrier takes (inclusive)
      "max_weight_g": 30000,
      "exclude_provinces": ["新疆", "西藏"],     # never to these
      "zones": [                               # the cost table; the first zone naming the province,
        {"provinces": ["浙江", "上海", "江苏"],   # else the first zone without provinces (the rest)
         "first_weight_g": 1000, "first_fen": 500, "additional_per_kg_fen": 100},
        {"first_weight_g": 1000, "first_fen": 800, "additional_per_kg_fen": 500}
      ],
      "scope": {"shops": ["shop-1"]}
    }

cost = first_fen, plus additional_per_kg_fen for every started kilogram above first_weight_g.
Provinces compare without their suffix (广西壮族自治区 = 广西, 北京市 = 北京) and case-insensitively.
A carrier is eligible when the scope, the weight band and a zone match and the province is not
excluded; the cheapest eligible one wins, ties go to the earlier rule. None eligible → ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.orders.model import CanonicalOrder
from shared.orders.rules.fields import MAX_LIST, Reader, province_key
from shared.orders.rules.scope import Scope, with_scope

MAX_WEIGHT_G = 10**7  # 10 t: anything above is a unit mix-up
MAX_CARRIER_CODE = 19  # Cainiao's cp_code is shorter than 20 characters
MAX_ZONES = 50


@dataclass(frozen=True, slots=True)
class CarrierChoice:
    carrier_code: str
    rule_id: str
    cost_fen: int


@dataclass(frozen=True, slots=True)
class Zone:
    provinces: tuple[str, ...]  # as typed; empty = every province not named by an earlier zone
    first_weight_g: int
    first_fen: int
    additional_per_kg_fen: int

    @classmethod
    def parse(cls, reader: Reader) -> Zone:
        zone = cls(provinces=reader.texts("provinces"),
                   first_weight_g=reader.integer("first_weight_g", default=1000, maximum=MAX_WEIGHT_G),
                   first_fen=reader.integer("first_fen"), additional_per_kg_fen=reader.integer("additional_per_kg_fen", default=0))
        reader.finish()
        return zone

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"first_weight_g": self.first_weight_g, "first_fen": self.first_fen,
                                "additional_per_kg_fen": self.additional_per_kg_fen}
        if self.provinces:
            data["provinces"] = list(self.provinces)
        return data

    def cost_fen(self, weight_g: int) -> int:
        extra_g = max(0, weight_g - self.first_weight_g)
        return self.first_fen + -(-extra_g // 1000) * self.additional_per_kg_fen


@dataclass(frozen=True, slots=True)
class CarrierRule:
    carrier_code: str
    zones: tuple[Zone, ...]
    min_weight_g: int = 0
    max_weight_g: int = MAX_WEIGHT_G
    exclude_provinces: tuple[str, ...] = ()
    scope: Scope = Scope()

    @classmethod
    def parse(cls, reader: Reader) -> CarrierRule:
        raw_zones = reader.items("zones")
        if not raw_zones or len(raw_zones) > MAX_ZONES:
            reader.fail("zones", f"give 1 to {MAX_ZONES} zones (the cost table)")
        zones = tuple(Zone.parse(reader.child(f"zones[{i}]", z)) for i, z in enumerate(raw_zones))
        rule = cls(carrier_code=reader.code("carrier_code"), zones=zones,
                   min_weight_g=reader.integer("min_weight_g", default=0, maximum=MAX_WEIGHT_G),
                   max_weight_g=reader.integer("max_weight_g", default=MAX_WEIGHT_G, maximum=MAX_WEIGHT_G),
                   exclude_provinces=reader.texts("exclude_provinces"), scope=Scope.parse(reader))
        if len(rule.carrier_code) > MAX_CARRIER_CODE:
            reader.fail("carrier_code", f"a carrier code (cp_code) has at most {MAX_CARRIER_CODE} characters")
        if rule.max_weight_g < rule.min_weight_g:
            reader.fail("max_weight_g", f"is below min_weight_g {rule.min_weight_g}")
        if sum(len(zone.provinces) for zone in zones) > MAX_LIST:
            reader.fail("zones", f"at most {MAX_LIST} provinces in all")
        reader.finish()
        return rule

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"carrier_code": self.carrier_code, "zones": [zone.to_data() for zone in self.zones],
                                "min_weight_g": self.min_weight_g, "max_weight_g": self.max_weight_g}
        if self.exclude_provinces:
            data["exclude_provinces"] = list(self.exclude_provinces)
        return with_scope(data, self.scope)

    def quote(self, order: CanonicalOrder, weight_g: int) -> int | None:
        """The cost of shipping ``order`` at ``weight_g`` with this carrier, or None if it may not."""
        if not self.scope.matches(order.platform, order.shop_id):
            return None
        if not self.min_weight_g <= weight_g <= self.max_weight_g:
            return None
        province = province_key(order.receiver.region.province)
        if province and province in {province_key(p) for p in self.exclude_provinces}:
            return None
        zone = self.zone_for(province)
        return None if zone is None else zone.cost_fen(weight_g)

    def zone_for(self, province: str) -> Zone | None:
        if province:
            for zone in self.zones:
                if province in {province_key(p) for p in zone.provinces}:
                    return zone
        return next((zone for zone in self.zones if not zone.provinces), None)


def cheapest(rules: list[tuple[str, CarrierRule]], order: CanonicalOrder, weight_g: int) -> CarrierChoice | None:
    best: CarrierChoice | None = None
    for rule_id, rule in rules:
        cost = rule.quote(order, weight_g)
        if cost is not None and (best is None or cost < best.cost_fen):
            best = CarrierChoice(rule.carrier_code, rule_id, cost)
    return best
