"""The server's implementation of ``shared.scan.resolve.ScanIndex`` over the central store, scoped to
one warehouse for bin codes (bin codes are unique per warehouse, not globally)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from server.store.schema import barcodes, bins, skus, unique_codes
from shared.scan.resolve import BarcodeHit, BinHit, UniqueCodeHit


@dataclass
class StoreScanIndex:
    conn: Connection
    warehouse_id: str

    def sku_for_barcode(self, key: str) -> BarcodeHit | None:
        row = self.conn.execute(select(skus.c.id, skus.c.code, skus.c.archived, barcodes.c.pack_qty_base)
                                .join(skus, skus.c.id == barcodes.c.sku_id).where(barcodes.c.key == key)).first()
        if row is None:
            return None
        return BarcodeHit(sku_id=row.id, sku_code=row.code, pack_qty_base=row.pack_qty_base, archived=row.archived)

    def bin_for_code(self, code: str) -> BinHit | None:
        row = self.conn.execute(select(bins.c.id, bins.c.code, bins.c.warehouse_id).where(and_(
            bins.c.warehouse_id == self.warehouse_id, bins.c.code == code, bins.c.archived.is_(False)))).first()
        return None if row is None else BinHit(bin_id=row.id, bin_code=row.code, warehouse_id=row.warehouse_id)

    def unique_code(self, code: str) -> UniqueCodeHit | None:
        row = self.conn.execute(select(unique_codes.c.code, skus.c.id, skus.c.code.label("sku_code"))
                                .join(skus, skus.c.id == unique_codes.c.sku_id).where(unique_codes.c.code == code)).first()
        return None if row is None else UniqueCodeHit(unique_code=row.code, sku_id=row.id, sku_code=row.sku_code)
