"""Priority rules (优先级): a score per order, bigger = sooner. Enabled rules add up; with no
priority rule the built-in ``DEFAULT_PRIORITY`` scores (older first, promised ship time first).

Definition (every key optional; points may be negative to push orders back)::

    {
      "paid_age_points_per_hour": 1,    # per whole hour since paid (created, if unpaid) ...
      "max_age_hours": 720,             # ... counted up to this many hours
      "ship_by_within_hours": 24,       # promised ship time (ship_by) within this many hours ...
      "ship_by_points": 100,            # ... adds this
      "overdue_points": 200,            # ship_by already passed (instead of ship_by_points)
      "presale_released_points": 50,    # a presale order whose ship_after has come
      "high_value_fen": 100000,         # paid ≥ this (orders in ``currency``, default CNY) ...
      "high_value_points": 20,          # ... adds this
      "currency": "CNY",
      "platform_points": {"jd": 50},    # per platform
      "shop_points": {"shop-1": 20},    # per shop id
      "seller_flag_points": {"1": 30},  # per seller flag colour 0-5 (旗帜)
      "scope": {"shops": ["shop-1"]}
    }

A paid time in the future (a skewed clock) counts as age 0. ``queue_key`` orders a queue totally:
priority first, then the older paid time, then the order key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.catalogue.model import PLATFORMS
from shared.orders.model import CanonicalOrder
from shared.orders.rules.fields import Reader
from shared.orders.rules.scope import Scope, with_scope

MAX_POINTS = 10**6
_POINT_FIELDS = ("ship_by_points", "overdue_points", "presale_released_points", "high_value_points")
_MAP_FIELDS = ("platform_points", "shop_points", "seller_flag_points")


@dataclass(frozen=True, slots=True)
class PriorityRule:
    paid_age_points_per_hour: int = 0
    max_age_hours: int = 720
    ship_by_within_hours: int = 24
    ship_by_points: int = 0
    overdue_points: int = 0
    presale_released_points: int = 0
    high_value_fen: int | None = None
    high_value_points: int = 0
    platform_points: dict[str, int] = field(default_factory=dict)
    shop_points: dict[str, int] = field(default_factory=dict)
    seller_flag_points: dict[str, int] = field(default_factory=dict)
    currency: str = "CNY"
    scope: Scope = Scope()

    @classmethod
    def parse(cls, reader: Reader) -> PriorityRule:
        points = {name: reader.integer(name, default=0, minimum=-MAX_POINTS, maximum=MAX_POINTS) for name in _POINT_FIELDS}
        rule = cls(
            paid_age_points_per_hour=reader.integer("paid_age_points_per_hour", default=0, minimum=-10**4, maximum=10**4),
            max_age_hours=reader.integer("max_age_hours", default=720, minimum=1, maximum=24 * 366),
            ship_by_within_hours=reader.integer("ship_by_within_hours", default=24, minimum=1, maximum=24 * 366),
            high_value_fen=reader.optional_integer("high_value_fen", minimum=1),
            platform_points=reader.int_map("platform_points", key_check=_platform, minimum=-MAX_POINTS, maximum=MAX_POINTS),
            shop_points=reader.int_map("shop_points", minimum=-MAX_POINTS, maximum=MAX_POINTS),
            seller_flag_points=reader.int_map("seller_flag_points", key_check=_flag, minimum=-MAX_POINTS, maximum=MAX_POINTS),
            currency=reader.currency(), scope=Scope.parse(reader), **points)
        reader.finish()
        return rule

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"paid_age_points_per_hour": self.paid_age_points_per_hour,
                                "max_age_hours": self.max_age_hours, "ship_by_within_hours": self.ship_by_within_hours}
        data.update({name: getattr(self, name) for name in _POINT_FIELDS})
        if self.high_value_fen is not None:
            data["high_value_fen"] = self.high_value_fen
        data.update({name: dict(getattr(self, name)) for name in _MAP_FIELDS if getattr(self, name)})
        if self.currency != "CNY":
            data["currency"] = self.currency
        return with_scope(data, self.scope)

    def score(self, order: CanonicalOrder, now: datetime) -> int:
        if not self.scope.matches(order.platform, order.shop_id):
            return 0
        total = self._age_points(order, now) + self._ship_by_points(order, now)
        presale = order.presale
        if presale is not None and presale.ship_after is not None and presale.ship_after <= now:
            total += self.presale_released_points
        if self.high_value_fen is not None and order.currency == self.currency and order.amounts.paid_fen >= self.high_value_fen:
            total += self.high_value_points
        total += self.platform_points.get(order.platform, 0) + self.shop_points.get(order.shop_id, 0)
        if order.seller_flag is not None:
            total += self.seller_flag_points.get(str(order.seller_flag), 0)
        return total

    def _age_points(self, order: CanonicalOrder, now: datetime) -> int:
        since = order.paid_at or order.created_at
        hours = max(0, min((now - since) // timedelta(hours=1), self.max_age_hours))
        return hours * self.paid_age_points_per_hour

    def _ship_by_points(self, order: CanonicalOrder, now: datetime) -> int:
        if order.ship_by is None:
            return 0
        if order.ship_by <= now:
            return self.overdue_points
        return self.ship_by_points if order.ship_by - now <= timedelta(hours=self.ship_by_within_hours) else 0


DEFAULT_PRIORITY = PriorityRule(paid_age_points_per_hour=1, max_age_hours=720, ship_by_within_hours=24,
                                ship_by_points=100, overdue_points=200, presale_released_points=0)


def queue_key(order: CanonicalOrder, priority: int) -> tuple[int, datetime, tuple[str, str, str]]:
    """Sort ascending with this to pick the soonest order first (a total order)."""
    return (-priority, order.paid_at or order.created_at, order.key)


def _platform(reader: Reader, name: str, key: str) -> str:
    if key.lower() not in PLATFORMS:
        reader.fail(name, f"unknown platform {key!r}; one of {', '.join(PLATFORMS)}")
    return key.lower()


def _flag(reader: Reader, name: str, key: str) -> str:
    if key not in {"0", "1", "2", "3", "4", "5"}:
        reader.fail(name, "seller flags are 0-5")
    return key
