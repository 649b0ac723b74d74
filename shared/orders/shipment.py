"""What each package of a split shipment ships, in the platform's terms (pure).

    package_lines(order_lines, packages) -> [[(platform line id, platform units)], …]

A package holds base units per SKU; a platform confirms a split shipment by its own line ids
(Taobao ``sub_tid``, Douyin ``shipped_order_id`` + ``shipped_num``, Shopify ``line_items``). Each
package's units of a SKU are taken from the order's lines of that SKU in line order (a line may be
shared by two packages), and converted back to platform units by the line's pack size
(``qty_base / qty``); a part of a pack counts as the whole pack. Gift lines the ERP added (not the
platform's) and lines without a platform id are never named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlatformLine:
    platform_line_id: str
    sku_id: str
    qty: int  # platform units
    qty_base: int  # base units of sku_id
    is_gift: bool = False


def package_lines(order_lines: Sequence[PlatformLine], packages: Sequence[Sequence[tuple[str, int]]]) -> list[list[tuple[str, int]]]:
    left = {i: line.qty_base for i, line in enumerate(order_lines)}
    out: list[list[tuple[str, int]]] = []
    for content in packages:
        named: dict[str, int] = {}
        for sku_id, units in content:
            for i, line in enumerate(order_lines):
                if units <= 0:
                    break
                if line.sku_id != sku_id or left[i] <= 0:
                    continue
                take = min(units, left[i])
                left[i] -= take
                units -= take
                if line.is_gift or not line.platform_line_id:
                    continue
                per_pack = max(1, line.qty_base // max(1, line.qty))
                named[line.platform_line_id] = named.get(line.platform_line_id, 0) + -(-take // per_pack)
        out.append([(line_id, min(qty, _line_qty(order_lines, line_id))) for line_id, qty in named.items()])
    return out


def _line_qty(order_lines: Sequence[PlatformLine], line_id: str) -> int:
    return sum(line.qty for line in order_lines if line.platform_line_id == line_id)
