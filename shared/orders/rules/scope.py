"""Which orders a rule applies to: ``{"platforms": [...], "shops": [...]}``, both optional.

An empty list means "all". A rule with both lists applies to orders whose platform AND shop are
listed. Platforms are the catalogue's codes (``taobao``, ``tmall``, ``jd``, ``douyin``,
``pinduoduo``, ``shopify``); shops are shop ids as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.catalogue.model import PLATFORMS
from shared.orders.rules.fields import Reader


@dataclass(frozen=True, slots=True)
class Scope:
    platforms: tuple[str, ...] = ()
    shops: tuple[str, ...] = ()

    @classmethod
    def parse(cls, owner: Reader) -> Scope:
        if not owner.has("scope"):
            owner.raw("scope")
            return cls()
        reader = owner.child("scope", owner.raw("scope"))
        platforms = tuple(p.lower() for p in reader.texts("platforms"))
        for index, platform in enumerate(platforms):
            if platform not in PLATFORMS:
                reader.fail(f"platforms[{index}]", f"unknown platform {platform!r}; one of {', '.join(PLATFORMS)}")
        shops = reader.texts("shops")
        reader.finish()
        return cls(platforms, shops)

    def matches(self, platform: str, shop_id: str) -> bool:
        return (not self.platforms or platform in self.platforms) and (not self.shops or shop_id in self.shops)

    @property
    def is_all(self) -> bool:
        return not self.platforms and not self.shops

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.platforms:
            data["platforms"] = list(self.platforms)
        if self.shops:
            data["shops"] = list(self.shops)
        return data


def with_scope(data: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """``data`` plus ``"scope"`` when the scope is not "all" (so defaults round-trip unchanged)."""
    if not scope.is_all:
        data["scope"] = scope.to_data()
    return data
