"""SKU mapping lookups for order lines, one query per batch each: the shop's platform SKU mappings
(``platform_skus``) and the active SKUs by code (reads the catalogue's tables)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, select

from server.store.schema import platform_skus, skus


def platform_mappings(conn: Connection, platform: str, shop_id: str, platform_sku_ids: Iterable[str]
                      ) -> dict[str, tuple[str, int]]:
    """platform SKU id → (sku_id, pack size) for the shop's explicit mappings."""
    ids, found = list(set(platform_sku_ids)), {}
    p = platform_skus.c
    for i in range(0, len(ids), 900):
        query = select(p.platform_sku_id, p.sku_id, p.qty_base).where(
            and_(p.platform == platform, p.shop_id == shop_id, p.platform_sku_id.in_(ids[i:i + 900])))
        found.update((r.platform_sku_id, (r.sku_id, int(r.qty_base))) for r in conn.execute(query))
    return found


def skus_by_code(conn: Connection, codes: Iterable[str]) -> dict[str, str]:
    """SKU code → id for the active (not archived) SKUs among ``codes``."""
    wanted, found = list(set(codes)), {}
    for i in range(0, len(wanted), 900):
        query = select(skus.c.code, skus.c.id).where(and_(skus.c.code.in_(wanted[i:i + 900]), skus.c.archived.is_(False)))
        found.update((r.code, r.id) for r in conn.execute(query))
    return found
