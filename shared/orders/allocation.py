"""Allocating available stock to orders, all lines of an order or none (pure).

    allocate(available, requests) -> (granted order keys, shortages by order key)

``available`` maps (sku, warehouse) to what can still be reserved; requests are taken in the order
given (the caller's priority), and an order is granted only if every one of its SKUs fits what is left
after the orders before it. Nothing is ever granted beyond ``available``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Pair = tuple[str, str]  # (sku_id, warehouse_id)


def allocate(available: Mapping[Pair, int], requests: Sequence[tuple[K, str, Sequence[tuple[str, int]]]]
             ) -> tuple[list[K], dict[K, list[tuple[str, int, int]]]]:
    """``requests`` are (key, warehouse, [(sku, qty)]). Returns the granted keys in order and, per refused
    key, its short SKUs as (sku, needed, available then)."""
    left = dict(available)
    granted: list[K] = []
    short: dict[K, list[tuple[str, int, int]]] = {}
    for key, warehouse, lines in requests:
        need: dict[str, int] = defaultdict(int)
        for sku, qty in lines:
            if qty <= 0:
                raise ValueError("quantities to reserve are positive")
            need[sku] += qty
        missing = [(sku, qty, max(0, left.get((sku, warehouse), 0))) for sku, qty in need.items()
                   if left.get((sku, warehouse), 0) < qty]
        if missing:
            short[key] = missing
            continue
        for sku, qty in need.items():
            left[(sku, warehouse)] -= qty
        granted.append(key)
    return granted, short
