"""What stock a shop shows on its platform (pure).

    push_qty = max(0, floor((available - safety_stock) x ratio_pct / 100)) // pack_qty

``available`` is on hand minus reserved in the shop's warehouse, in base units; a platform SKU sold as
a pack of ``pack_qty`` base units shows whole packs only. Integers throughout (floor division).

Each platform accepts stock updates in batches of at most ``BATCH_LIMIT[platform]`` SKUs per push round;
``coalesce`` keeps one entry per (shop, SKU) however often it was marked dirty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")

BATCH_LIMIT = {"taobao": 50, "tmall": 50, "jd": 50, "douyin": 20, "pinduoduo": 20, "shopify": 50}


def push_qty(available: int, *, safety_stock: int, ratio_pct: int, pack_qty: int = 1) -> int:
    if not 0 <= ratio_pct <= 100 or safety_stock < 0 or pack_qty < 1:
        raise ValueError("ratio_pct must be 0..100, safety_stock >= 0, pack_qty >= 1")
    spare = available - safety_stock
    if spare <= 0:
        return 0
    return (spare * ratio_pct // 100) // pack_qty


def coalesce(items: Iterable[T]) -> list[T]:
    """``items`` without repeats, first occurrence kept, order kept."""
    return list(dict.fromkeys(items))


def batches(items: list[T], limit: int) -> list[list[T]]:
    if limit < 1:
        raise ValueError("limit must be positive")
    return [items[i:i + limit] for i in range(0, len(items), limit)]
