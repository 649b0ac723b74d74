"""The simulator's state: generated orders per platform, a simulated clock, faults, duplicates, and
what the ERP sent (``received``). Everything random is drawn from ``random.Random`` seeded with a
string built from the seed, so a seed gives the same orders, pages, faults and changes every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.orders.simulator.shapes import CHINA, PLATFORMS, SimLine, SimOrder, order_key

START = datetime(2024, 11, 11, tzinfo=CHINA)
SPAN = timedelta(days=1)  # generated orders were modified in [START, START + SPAN); the clock starts at the end
_TITLES = (("TS", "纯棉T恤 短袖"), ("MUG", "Ceramic mug 陶瓷杯"), ("TEA", "西湖龙井 250g"), ("SOCK", "纯棉袜子 5双装"),
           ("CHAIR", "办公椅 人体工学"), ("CUP", "保温杯 500ml"), ("BAG", "帆布袋"), ("LAMP", "台灯 LED"))
_LINE_ID_BASE = {"taobao": 4013 * 10**15, "douyin": 6937 * 10**15}
_VARIANTS = ("WHT-L", "BLK-M", "RED", "GRY", "250G", "5P")


@dataclass(frozen=True, slots=True)
class Received:
    platform: str
    kind: str  # "stock" or "ship"
    body: dict[str, Any]
    at: datetime


@dataclass(slots=True)
class Simulator:
    seed: int
    orders_per_shop: int = 200
    fault_rate: float = 0.0
    duplicate_rate: float = 0.25
    start: datetime = START  # generated orders were modified in [start, start + SPAN); the demo passes "a day ago"
    now: datetime | None = None  # type: ignore[assignment]  # set to start + SPAN
    orders: dict[str, dict[str, SimOrder]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.now is None:
            self.now = self.start + SPAN
        if not 0.0 <= self.fault_rate < 1.0:
            raise ValueError("fault_rate must be in [0, 1)")
        for platform in PLATFORMS:
            rng = self._rng("orders", platform)
            generated = [self._generate(platform, number, rng) for number in range(self.orders_per_shop)]
            self.orders[platform] = {order.key: order for order in generated}

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, *parts)))

    def _generate(self, platform: str, number: int, rng: random.Random) -> SimOrder:
        created = self.start + timedelta(seconds=rng.randrange(int(SPAN.total_seconds()) - 3600))
        modified = created + timedelta(seconds=rng.randrange(1, 3600))
        key = order_key(platform, self.seed, number)
        lines = []
        for index in range(rng.choice((1, 1, 1, 2, 2, 3))):
            code, title = _TITLES[(number + index * 3) % len(_TITLES)]
            variant = rng.choice(_VARIANTS)
            line_base = (self.seed % 9000 + 1000) * 10**8 + number * 10 + index + 1
            lines.append(SimLine(line_id=_LINE_ID_BASE.get(platform, 13 * 10**12) + line_base,
                                 item_id=680000000000 + number * 10 + index, sku_id=5000000000000 + number * 10 + index,
                                 code=f"{code}-{variant}", title=f"{title} {variant}", qty=rng.randint(1, 3),
                                 unit_fen=rng.randrange(99, 2000) * 10))
        goods = sum(line.total_fen for line in lines)
        roll = rng.random()
        status = "paid" if roll < 0.75 else "shipped" if roll < 0.9 else "cancelled" if roll < 0.95 else "refunded"
        return SimOrder(platform, key, number, created, modified, lines, freight_fen=rng.choice((0, 0, 600, 1000)),
                        discount_fen=min(rng.choice((0, 0, 500, 1000)), goods // 2), status=status,
                        presale=platform in ("taobao", "douyin", "pinduoduo") and rng.random() < 0.1,
                        waybill=f"SF{number:010d}" if status == "shipped" else "")

    # -- serving ---------------------------------------------------------------------------------

    def fault(self, platform: str) -> int | None:
        """Count a call; ``429`` or a transient ``5xx`` for a ``fault_rate`` share of calls, else ``None``."""
        count = self.calls[platform] = self.calls.get(platform, 0) + 1
        rng = self._rng("fault", platform, count)
        if rng.random() >= self.fault_rate:
            return None
        self.faults[platform] = self.faults.get(platform, 0) + 1
        return rng.choice((429, 429, 500, 502, 503))

    def window(self, platform: str, start: datetime, end: datetime) -> list[SimOrder]:
        """Orders modified in ``[start, end)``, oldest change first (as the clock stands)."""
        hits = [order for order in self.orders[platform].values() if start <= order.modified < end and order.modified <= self.now]
        return sorted(hits, key=lambda order: (order.modified, order.key))

    def page(self, platform: str, start: datetime, end: datetime, index: int, size: int) -> tuple[list[SimOrder], int]:
        """Page ``index`` (from 0) of the window and the stated total. With ``duplicate_rate``, the last
        order of a page is served again at the top of the next one (as when an order changes while the
        caller pages); the total counts the repeat, so paging by total still reaches every order."""
        rows = self.window(platform, start, end)
        boundary = size
        while boundary < len(rows):
            if self._rng("dup", platform, start.timestamp(), end.timestamp(), boundary).random() < self.duplicate_rate:
                rows.insert(boundary, rows[boundary - 1])
            boundary += size
        return rows[index * size:(index + 1) * size], len(rows)

    # -- the clock ---------------------------------------------------------------------------------

    def advance(self, minutes: float, *, modify_share: float = 0.05, late_share: float = 0.02) -> dict[str, list[str]]:
        """Move the clock on; modify some orders (seller memo, shipped) and cancel/refund a few late,
        each at a time inside the elapsed interval. Returns the changed order keys per platform."""
        before, self.now = self.now, self.now + timedelta(minutes=minutes)
        elapsed = int((self.now - before).total_seconds())
        changed: dict[str, list[str]] = {}
        for platform in PLATFORMS:
            rng = self._rng("advance", platform, before.timestamp())
            keys = []
            for order in self.orders[platform].values():
                roll = rng.random()
                if roll >= modify_share + late_share or elapsed < 1 or order.status in ("cancelled", "refunded"):
                    continue
                if roll < late_share:
                    order.status = rng.choice(("cancelled", "refunded"))
                elif order.status == "paid" and rng.random() < 0.5:
                    order.status, order.waybill = "shipped", f"SF{order.number:010d}"
                else:
                    order.seller_memo = f"改备注 {self.now:%H:%M}"
                order.versions.append(order.modified)
                order.modified = before + timedelta(seconds=rng.randint(1, elapsed))
                keys.append(order.key)
            changed[platform] = keys
        return changed

    def touch(self, platform: str, key: str, **changes: Any) -> SimOrder:
        """Change one order now (a test hook): ``status``, ``seller_memo``, ``waybill``."""
        order = self.orders[platform][key]
        for name, value in changes.items():
            setattr(order, name, value)
        order.versions.append(order.modified)
        order.modified = max(self.now, order.modified + timedelta(seconds=1))
        return order

    # -- write-back ---------------------------------------------------------------------------------

    def record(self, platform: str, kind: str, body: dict[str, Any]) -> None:
        self.received.append(Received(platform, kind, dict(body), self.now))

    def ship(self, platform: str, key: str, waybill: str, body: dict[str, Any], *, partial: bool = False) -> bool:
        """Record a ship-confirm; the order becomes shipped (a known order only). ``partial``: the call
        is a split shipment's (Taobao ``is_split``, JD's waybill list, Douyin multi-pack, Pinduoduo extra
        logistics, a Shopify fulfillment naming its line items): accepted on a shipped order too, its
        waybill added to ``waybills``. A plain confirm of an order already shipped with another waybill
        is refused, as the platforms do ("订单已发货"); the same waybill again is a repeat, accepted."""
        self.record(platform, "ship", body)
        order = self.orders[platform].get(key)
        if order is None:
            return False
        if not partial and order.status == "shipped" and order.waybills and waybill not in order.waybills:
            return False
        if waybill and waybill not in order.waybills:
            order.waybills.append(waybill)
        if order.status == "paid":
            self.touch(platform, key, status="shipped", waybill=waybill)
        return True
