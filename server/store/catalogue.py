"""Catalogue SQL: warehouses (with their system dock and transit bins), bins, SKUs, pack sizes,
barcodes, unique codes and platform SKU mappings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from server.store.changes import stamp
from server.store.schema import barcodes, bins, platform_skus, sku_packs, skus, unique_codes, warehouses
from shared.catalogue.barcode import classify_barcode_for_storage, internal_code_key, normalize_scan
from shared.catalogue.model import (
    DOCK_BIN_CODE,
    TRANSIT_BIN_CODE,
    Bin,
    BinKind,
    Pack,
    PlatformSku,
    Sku,
    Warehouse,
    WarehouseKind,
)
from shared.core.errors import ConflictError, NotFoundError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.time import utc_now

# ---- warehouses and bins -------------------------------------------------------------------------


def insert_warehouse(conn: Connection, wh: Warehouse) -> Warehouse:
    if conn.execute(select(warehouses.c.id).where(warehouses.c.code == wh.code)).first():
        raise ConflictError("warehouse.duplicate_code", code=wh.code)
    conn.execute(warehouses.insert().values(
        id=wh.id, code=wh.code, name_zh=wh.name_zh, name_en=wh.name_en, kind=wh.kind.value,
        archived=False, created_at=utc_now(), change_seq=stamp(conn)))
    insert_bins(conn, [
        Bin(new_id(), wh.id, DOCK_BIN_CODE, BinKind.DOCK, 0),
        Bin(new_id(), wh.id, TRANSIT_BIN_CODE, BinKind.TRANSIT, 0),
    ])
    return wh


def _warehouse(row: Any) -> Warehouse:
    return Warehouse(row.id, row.code, row.name_zh, row.name_en, WarehouseKind(row.kind))


def get_warehouse(conn: Connection, ref: str) -> Warehouse:
    """By id or code."""
    row = conn.execute(select(warehouses).where((warehouses.c.id == ref) | (warehouses.c.code == ref.upper()))).first()
    if row is None:
        raise NotFoundError("warehouse.not_found", warehouse=ref)
    return _warehouse(row)


def list_warehouses(conn: Connection) -> list[Warehouse]:
    return [_warehouse(r) for r in conn.execute(select(warehouses).order_by(warehouses.c.code))]


def insert_bins(conn: Connection, new_bins: Sequence[Bin]) -> None:
    if not new_bins:
        return
    now, seq = utc_now(), stamp(conn)
    try:
        with conn.begin_nested():  # a savepoint, so PostgreSQL can still query after a violation
            conn.execute(bins.insert(), [
                {"id": b.id, "warehouse_id": b.warehouse_id, "code": b.code, "kind": b.kind.value,
                 "walk_seq": b.walk_seq, "archived": False, "created_at": now, "change_seq": seq} for b in new_bins])
    except IntegrityError:
        dup = _first_duplicate_bin(conn, new_bins)
        raise ConflictError("bin.duplicate_code", code=dup.code if dup else "?", warehouse=dup.warehouse_id if dup else "?") from None


def _first_duplicate_bin(conn: Connection, new_bins: Sequence[Bin]) -> Bin | None:
    seen: set[tuple[str, str]] = set()
    for b in new_bins:
        if (b.warehouse_id, b.code) in seen:
            return b
        seen.add((b.warehouse_id, b.code))
    for b in new_bins:
        if conn.execute(select(bins.c.id).where((bins.c.warehouse_id == b.warehouse_id) & (bins.c.code == b.code))).first():
            return b
    return None


def _bin(row: Any) -> Bin:
    return Bin(row.id, row.warehouse_id, row.code, BinKind(row.kind), row.walk_seq)


def get_bin(conn: Connection, bin_id: str) -> Bin:
    row = conn.execute(select(bins).where(bins.c.id == bin_id)).first()
    if row is None:
        raise NotFoundError("bin.not_found", bin=bin_id)
    return _bin(row)


def find_bin(conn: Connection, warehouse_id: str, code: str) -> Bin:
    row = conn.execute(select(bins).where((bins.c.warehouse_id == warehouse_id) & (bins.c.code == code.upper()))).first()
    if row is None:
        raise NotFoundError("bin.not_found", bin=code)
    return _bin(row)


def system_bin(conn: Connection, warehouse_id: str, kind: BinKind) -> Bin:
    code = TRANSIT_BIN_CODE if kind is BinKind.TRANSIT else DOCK_BIN_CODE
    return find_bin(conn, warehouse_id, code)


def bins_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, Bin]:
    wanted = list(set(ids))
    out: dict[str, Bin] = {}
    for chunk in _chunks(wanted, 900):
        out.update((r.id, _bin(r)) for r in conn.execute(select(bins).where(bins.c.id.in_(chunk))))
    return out


@dataclass(frozen=True, slots=True)
class SkuFacts:
    """What the ledger needs to know of a SKU to accept a movement."""

    id: str
    code: str
    batch_tracked: bool
    low_stock_threshold: int


def sku_facts(conn: Connection, ids: Iterable[str]) -> dict[str, SkuFacts]:
    wanted, out = list(ids), {}
    for chunk in _chunks(wanted, 900):
        q = select(skus.c.id, skus.c.code, skus.c.batch_tracked, skus.c.low_stock_threshold).where(skus.c.id.in_(chunk))
        out.update((r.id, SkuFacts(r.id, r.code, r.batch_tracked, r.low_stock_threshold)) for r in conn.execute(q))
    return out


def bin_facts(conn: Connection, ids: Iterable[str]) -> dict[str, Bin]:
    wanted, out = list(ids), {}
    for chunk in _chunks(wanted, 900):
        q = select(bins.c.id, bins.c.warehouse_id, bins.c.code, bins.c.kind, bins.c.walk_seq).where(bins.c.id.in_(chunk))
        out.update((r.id, Bin(r.id, r.warehouse_id, r.code, BinKind(r.kind), r.walk_seq)) for r in conn.execute(q))
    return out


def list_bins(conn: Connection, warehouse_id: str) -> list[Bin]:
    rows = conn.execute(select(bins).where(bins.c.warehouse_id == warehouse_id).order_by(bins.c.walk_seq, bins.c.code))
    return [_bin(r) for r in rows]


# ---- SKUs, packs, barcodes --------------------------------------------------------------------------


def insert_sku(conn: Connection, sku: Sku) -> Sku:
    if conn.execute(select(skus.c.id).where(skus.c.code == sku.code)).first():
        raise ConflictError("sku.duplicate_code", code=sku.code)
    insert_skus(conn, [sku])
    return sku


def insert_skus(conn: Connection, new_skus: Sequence[Sku]) -> None:
    if not new_skus:
        return
    now, seq = utc_now(), stamp(conn)
    try:
        conn.execute(skus.insert(), [
            {"id": s.id, "code": s.code, "name_zh": s.name_zh, "name_en": s.name_en, "spec": s.spec,
             "base_unit": s.base_unit, "weight_g": s.weight_g, "batch_tracked": s.batch_tracked,
             "unique_code_tracked": s.unique_code_tracked, "low_stock_threshold": s.low_stock_threshold,
             "cost_fen": s.cost_fen, "price_fen": s.price_fen, "archived": False, "created_at": now, "updated_at": now,
             "change_seq": seq}
            for s in new_skus])
    except IntegrityError:
        raise ConflictError("sku.duplicate_code", code=", ".join(s.code for s in new_skus[:3])) from None
    pack_rows = [{"sku_id": s.id, "code": p.code, "name_zh": p.name_zh, "name_en": p.name_en, "qty_base": p.qty_base}
                 for s in new_skus for p in s.packs]
    if pack_rows:
        conn.execute(sku_packs.insert(), pack_rows)


def _sku(row: Any, packs: tuple[Pack, ...] = ()) -> Sku:
    return Sku(row.id, row.code, row.name_zh, row.name_en, row.spec, row.base_unit, row.weight_g,
               row.batch_tracked, row.unique_code_tracked, row.low_stock_threshold, row.cost_fen,
               row.archived, packs, price_fen=row.price_fen)


def get_sku(conn: Connection, ref: str) -> Sku:
    """By id or code, with its packs."""
    row = conn.execute(select(skus).where((skus.c.id == ref) | (skus.c.code == ref.upper()))).first()
    if row is None:
        raise NotFoundError("sku.not_found", sku=ref)
    packs = tuple(Pack(p.code, p.name_zh, p.name_en, p.qty_base)
                  for p in conn.execute(select(sku_packs).where(sku_packs.c.sku_id == row.id).order_by(sku_packs.c.qty_base)))
    return _sku(row, packs)


def skus_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, Sku]:
    out: dict[str, Sku] = {}
    for chunk in _chunks(list(set(ids)), 900):
        out.update((r.id, _sku(r)) for r in conn.execute(select(skus).where(skus.c.id.in_(chunk))))
    return out


def archive_sku(conn: Connection, sku_id: str) -> None:
    conn.execute(skus.update().where(skus.c.id == sku_id).values(archived=True, updated_at=utc_now(), change_seq=stamp(conn)))


@dataclass(frozen=True, slots=True)
class BarcodeRow:
    key: str
    kind: str
    raw: str
    sku_id: str
    pack_qty_base: int


def add_barcode(conn: Connection, sku_id: str, raw: str, *, pack_qty_base: object = 1) -> BarcodeRow:
    """Attach a barcode to a SKU. GTINs are keyed by their GTIN-14 form, so a UPC-A and its EAN-13
    form are the same barcode."""
    kind, key = classify_barcode_for_storage(raw)
    qty = parse_qty(pack_qty_base)
    owner = conn.execute(select(barcodes.c.sku_id, skus.c.code).join(skus, skus.c.id == barcodes.c.sku_id)
                         .where(barcodes.c.key == key)).first()
    if owner is not None:
        raise ConflictError("barcode.taken", barcode=raw, sku_code=owner.code)
    conn.execute(barcodes.insert().values(id=new_id(), sku_id=sku_id, key=key, kind=kind, raw=raw.strip(),
                                          pack_qty_base=qty, created_at=utc_now(), change_seq=stamp(conn)))
    return BarcodeRow(key, kind, raw.strip(), sku_id, qty)


def insert_barcode_rows(conn: Connection, rows: Sequence[BarcodeRow]) -> None:
    """Bulk insert of already classified barcodes (demo data, confirmed imports)."""
    if not rows:
        return
    now, seq = utc_now(), stamp(conn)
    conn.execute(barcodes.insert(), [
        {"id": new_id(), "sku_id": r.sku_id, "key": r.key, "kind": r.kind, "raw": r.raw,
         "pack_qty_base": r.pack_qty_base, "created_at": now, "change_seq": seq} for r in rows])


def barcode_by_key(conn: Connection, key: str) -> tuple[BarcodeRow, Sku] | None:
    row = conn.execute(select(barcodes, skus).join(skus, skus.c.id == barcodes.c.sku_id).where(barcodes.c.key == key)).first()
    if row is None:
        return None
    m = row._mapping
    return (BarcodeRow(m[barcodes.c.key], m[barcodes.c.kind], m[barcodes.c.raw], m[barcodes.c.sku_id], m[barcodes.c.pack_qty_base]),
            _sku(row))


def barcodes_of(conn: Connection, sku_id: str) -> list[BarcodeRow]:
    rows = conn.execute(select(barcodes).where(barcodes.c.sku_id == sku_id).order_by(barcodes.c.pack_qty_base, barcodes.c.key))
    return [BarcodeRow(r.key, r.kind, r.raw, r.sku_id, r.pack_qty_base) for r in rows]


def existing_barcode_keys(conn: Connection, keys: Iterable[str]) -> dict[str, str]:
    """key -> owning SKU code, for those keys that exist."""
    out: dict[str, str] = {}
    for chunk in _chunks(list(set(keys)), 900):
        q = select(barcodes.c.key, skus.c.code).join(skus, skus.c.id == barcodes.c.sku_id).where(barcodes.c.key.in_(chunk))
        out.update((r.key, r.code) for r in conn.execute(q))
    return out


def existing_sku_codes(conn: Connection, codes: Iterable[str]) -> dict[str, str]:
    """code -> id, for those codes that exist."""
    out: dict[str, str] = {}
    for chunk in _chunks(list(set(codes)), 900):
        out.update((r.code, r.id) for r in conn.execute(select(skus.c.code, skus.c.id).where(skus.c.code.in_(chunk))))
    return out


def add_unique_code(conn: Connection, raw_code: str, sku_id: str, batch: str = "") -> None:
    """Register a per-unit code (唯一码); keyed like internal barcodes (upper-cased), as scans look it up."""
    code = internal_code_key(normalize_scan(raw_code))
    if conn.execute(select(unique_codes.c.code).where(unique_codes.c.code == code)).first():
        raise ConflictError("barcode.taken", barcode=code, sku_code=sku_id)
    conn.execute(unique_codes.insert().values(code=code, sku_id=sku_id, batch=batch, created_at=utc_now()))


def unique_code_row(conn: Connection, code: str) -> tuple[str, str, str] | None:
    """(code, sku_id, sku_code) or None."""
    row = conn.execute(select(unique_codes.c.code, skus.c.id, skus.c.code.label("sku_code"))
                       .join(skus, skus.c.id == unique_codes.c.sku_id).where(unique_codes.c.code == code)).first()
    return None if row is None else (row.code, row.id, row.sku_code)


def bin_by_code_any_warehouse(conn: Connection, code: str) -> Bin | None:
    row = conn.execute(select(bins).where(bins.c.code == code).limit(1)).first()
    return None if row is None else _bin(row)


# ---- platform SKU mapping ----------------------------------------------------------------------------


def insert_platform_sku(conn: Connection, mapping: PlatformSku) -> PlatformSku:
    exists = conn.execute(select(platform_skus.c.id).where(
        (platform_skus.c.platform == mapping.platform) & (platform_skus.c.shop_id == mapping.shop_id)
        & (platform_skus.c.platform_sku_id == mapping.platform_sku_id))).first()
    if exists:
        raise ConflictError("platform_sku.duplicate", platform=mapping.platform, shop=mapping.shop_id,
                            platform_sku=mapping.platform_sku_id)
    conn.execute(platform_skus.insert().values(
        id=mapping.id, platform=mapping.platform, shop_id=mapping.shop_id, platform_sku_id=mapping.platform_sku_id,
        sku_id=mapping.sku_id, qty_base=mapping.qty_base, created_at=utc_now()))
    return mapping


def resolve_platform_sku(conn: Connection, platform: str, shop_id: str, platform_sku_id: str) -> PlatformSku | None:
    row = conn.execute(select(platform_skus).where(
        (platform_skus.c.platform == platform) & (platform_skus.c.shop_id == shop_id)
        & (platform_skus.c.platform_sku_id == platform_sku_id))).first()
    if row is None:
        return None
    return PlatformSku(row.id, row.platform, row.shop_id, row.platform_sku_id, row.sku_id, row.qty_base)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]

