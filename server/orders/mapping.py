"""Order lines → SKUs, with the lookups of a whole batch loaded in two queries.

A line maps, in this order, through the shop's platform SKU mapping (``platform_skus``: platform SKU id
→ SKU and pack size) or through its seller SKU code (商家编码) equal to an active SKU's code. A line that
maps through neither is unmapped: its order goes to the exception queue with ``order.unmapped_line``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from server.store import order_mapping


class LineKeys(Protocol):
    @property
    def platform_sku_id(self) -> str: ...

    @property
    def seller_sku_code(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Mapper:
    by_platform_sku: dict[str, tuple[str, int]]
    by_code: dict[str, str]

    def map(self, line: LineKeys) -> tuple[str | None, int]:
        """(sku_id, pack size), or (None, 1) when unmapped."""
        hit = self.by_platform_sku.get(line.platform_sku_id)
        if hit is not None:
            return hit
        sku_id = self.by_code.get(line.seller_sku_code) if line.seller_sku_code else None
        return (sku_id, 1)


def load_mapper(conn: Connection, platform: str, shop_id: str, lines: Iterable[LineKeys]) -> Mapper:
    lines = list(lines)
    by_platform = order_mapping.platform_mappings(conn, platform, shop_id, {line.platform_sku_id for line in lines})
    codes = {line.seller_sku_code for line in lines if line.seller_sku_code and line.platform_sku_id not in by_platform}
    return Mapper(by_platform, order_mapping.skus_by_code(conn, codes) if codes else {})


def unmapped_reason(lines: Sequence[Any], mapped: Sequence[tuple[str | None, int]]) -> dict[str, Any] | None:
    """The exception reason naming the unmapped lines (platform line id and seller code), or ``None``."""
    names = [f"{getattr(line, 'line_id', '') or getattr(line, 'platform_line_id', '')}"
             f"({line.seller_sku_code or '-'})" for line, (sku_id, _) in zip(lines, mapped, strict=True) if sku_id is None]
    if not names:
        return None
    return {"code": "order.unmapped_line", "details": {"lines": ", ".join(names)[:500]}}
