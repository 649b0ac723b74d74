"""Catalogue entities as validated, frozen values: warehouses, bins, SKUs, pack sizes, platform SKU
mappings. Constructors (``new_*``) validate and normalise input and raise typed errors; the store
persists what they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.core.errors import ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.text import clean_code, clean_text


class WarehouseKind(StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"


class BinKind(StrEnum):
    STORAGE = "storage"
    DOCK = "dock"  # receiving dock: goods land here before putaway
    TRANSIT = "transit"  # system bin holding stock in transit to this warehouse


TRANSIT_BIN_CODE = "_TRANSIT"
DOCK_BIN_CODE = "_DOCK"

PLATFORMS = ("taobao", "tmall", "jd", "douyin", "pinduoduo", "shopify")


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    code: str
    name_zh: str
    name_en: str
    kind: WarehouseKind


@dataclass(frozen=True, slots=True)
class Bin:
    id: str
    warehouse_id: str
    code: str
    kind: BinKind = BinKind.STORAGE
    walk_seq: int = 0


@dataclass(frozen=True, slots=True)
class Pack:
    code: str
    name_zh: str
    name_en: str
    qty_base: int


@dataclass(frozen=True, slots=True)
class Sku:
    id: str
    code: str
    name_zh: str
    name_en: str = ""
    spec: str = ""
    base_unit: str = "pcs"
    weight_g: int = 0
    batch_tracked: bool = False
    unique_code_tracked: bool = False
    low_stock_threshold: int = 0
    cost_fen: int = 0
    archived: bool = False
    packs: tuple[Pack, ...] = field(default=())
    price_fen: int = 0  # shelf price (store mode lookups); cost_fen is the purchase cost


@dataclass(frozen=True, slots=True)
class PlatformSku:
    id: str
    platform: str
    shop_id: str
    platform_sku_id: str
    sku_id: str
    qty_base: int = 1


def _enum(enum: type[StrEnum], value: object, field_name: str) -> StrEnum:
    try:
        return enum(value)
    except ValueError:
        raise ValidationError("invalid.enum", field=field_name, value=value) from None


def new_warehouse(code: object, name_zh: object, name_en: object = "", kind: object = "warehouse", *, id: str | None = None) -> Warehouse:
    return Warehouse(
        id=id or new_id(),
        code=clean_code(code, "warehouse.code"),
        name_zh=clean_text(name_zh, "warehouse.name_zh"),
        name_en=clean_text(name_en, "warehouse.name_en", required=False),
        kind=WarehouseKind(_enum(WarehouseKind, kind, "warehouse.kind")),
    )


def new_bin(warehouse_id: str, code: object, *, kind: object = "storage", walk_seq: object = 0, id: str | None = None) -> Bin:
    return Bin(
        id=id or new_id(),
        warehouse_id=warehouse_id,
        code=clean_code(code, "bin.code"),
        kind=BinKind(_enum(BinKind, kind, "bin.kind")),
        walk_seq=parse_qty(walk_seq, allow_zero=True),
    )


def new_pack(code: object, name_zh: object, qty_base: object, name_en: object = "") -> Pack:
    qty = parse_qty(qty_base)
    if qty < 2:
        raise ValidationError("invalid.quantity", reason="a pack holds at least 2 base units")
    return Pack(clean_code(code, "pack.code", max_chars=32), clean_text(name_zh, "pack.name_zh", max_chars=50),
                clean_text(name_en, "pack.name_en", max_chars=50, required=False), qty)


def new_sku(
    code: object,
    name_zh: object,
    *,
    name_en: object = "",
    spec: object = "",
    base_unit: object = "pcs",
    weight_g: object = 0,
    batch_tracked: bool = False,
    unique_code_tracked: bool = False,
    low_stock_threshold: object = 0,
    cost_fen: object = 0,
    price_fen: object = 0,
    packs: tuple[Pack, ...] = (),
    id: str | None = None,
) -> Sku:
    for name, money in (("cost", cost_fen), ("price", price_fen)):
        if money is not None and (isinstance(money, bool) or not isinstance(money, int) or money < 0):
            raise ValidationError("invalid.money", reason=f"{name} must be a non-negative whole number of fen, got {money!r:.40}")
    return Sku(
        id=id or new_id(),
        code=clean_code(code, "sku.code"),
        name_zh=clean_text(name_zh, "sku.name_zh"),
        name_en=clean_text(name_en, "sku.name_en", required=False),
        spec=clean_text(spec, "sku.spec", required=False),
        base_unit=clean_text(base_unit, "sku.base_unit", max_chars=16),
        weight_g=parse_qty(weight_g, allow_zero=True),
        batch_tracked=bool(batch_tracked),
        unique_code_tracked=bool(unique_code_tracked),
        low_stock_threshold=parse_qty(low_stock_threshold, allow_zero=True),
        cost_fen=int(cost_fen or 0),  # type: ignore[call-overload]
        packs=tuple(packs),
        price_fen=int(price_fen or 0),  # type: ignore[call-overload]
    )


def new_platform_sku(platform: object, shop_id: object, platform_sku_id: object, sku_id: str, qty_base: object = 1) -> PlatformSku:
    if platform not in PLATFORMS:
        raise ValidationError("invalid.enum", field="platform", value=platform)
    return PlatformSku(
        id=new_id(),
        platform=str(platform),
        shop_id=clean_text(shop_id, "shop_id", max_chars=64),
        platform_sku_id=clean_text(platform_sku_id, "platform_sku_id", max_chars=128),
        sku_id=sku_id,
        qty_base=parse_qty(qty_base),
    )
