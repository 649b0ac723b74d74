"""``/app/skus``: the SKU list (code, Chinese and English name, unit, price in yuan, every barcode, archived
flag), searchable by code or barcode (exact or prefix) and by name, keyset-paginated by code; and
``/app/skus/{sku_id}``: one SKU with all its barcodes (pack/case codes with their quantity), packs,
platform SKU mappings, its stock per warehouse and per bin (warehouses where the viewer holds
``stock.view``) and its last movements (where the viewer holds ``movements.view``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.responses import Response

from server.store import inventory_views as views
from server.web import inventory_common as common
from server.web.inventory_movements import MovementLine, movement_lines
from server.web.paging import Page
from server.web.render import PREFIX
from server.web.routing import Ctx

RECENT_MOVEMENTS = 20


@dataclass(frozen=True, slots=True)
class BarcodeCell:
    raw: str
    kind: str  # shown label
    is_case: bool


@dataclass(frozen=True, slots=True)
class SkuLine:
    id: str
    code: str
    name_zh: str
    name_en: str
    unit: str
    price: str
    archived: bool
    barcodes: list[BarcodeCell]


def _barcode(ctx: Ctx, b: views.Barcode) -> BarcodeCell:
    kind = ctx.t("web.inv.barcode.case", qty=b.pack_qty) if b.is_case else ctx.t(f"web.inv.barcode.{b.kind}")
    return BarcodeCell(b.raw, kind, b.is_case)


def list_skus(ctx: Ctx) -> Response:
    q = common.param(ctx, "q")
    size, after = common.size(ctx), common.after(ctx, str)
    with ctx.store.read() as conn:
        fetched = views.list_skus(conn, q=q, after=after, size=size)  # type: ignore[arg-type]
    page = Page.of(fetched, size, lambda r: (r.code,))
    rows = [SkuLine(r.id, r.code, r.name_zh, r.name_en, r.base_unit, common.yuan(r.price_fen), r.archived,
                    [_barcode(ctx, b) for b in r.barcodes]) for r in page.rows]
    return ctx.render("inventory/skus.html", rows=rows, page=page, q=q, query=ctx.request.query_params)


@dataclass(frozen=True, slots=True)
class StockCell:
    warehouse: str
    bin_code: str
    batch: str
    on_hand: int
    reserved: int
    available: int
    in_transit: int = 0


def show_sku(ctx: Ctx) -> Response:
    ref = str(ctx.request.path_params["sku_id"])
    viewer = ctx.signed_in
    stock_scope = common.scope(ctx, "stock.view") if viewer.can_somewhere("stock.view") else frozenset()
    moves_scope = common.scope(ctx, "movements.view") if viewer.can_somewhere("movements.view") else frozenset()
    with ctx.store.read() as conn:
        sku = views.sku_info(conn, ref)
        totals = views.sku_warehouse_totals(conn, sku.id, stock_scope)
        per_bin = views.sku_bin_balances(conn, sku.id, stock_scope)
        recent = views.list_movements(conn, scope=moves_scope, where=views.MovementFilter(sku_id=sku.id),
                                      size=RECENT_MOVEMENTS)
    lang = ctx.lang
    warehouse_rows = [StockCell(f"{w.warehouse.code} {common.named(lang, w.warehouse)}", "", "", w.on_hand, w.reserved,
                                w.available, w.in_transit) for w in totals]
    bin_rows = [StockCell(b.warehouse.code, b.bin_code, b.batch, b.on_hand, b.reserved, b.available) for b in per_bin]
    lines: list[MovementLine] = movement_lines(ctx, recent[:RECENT_MOVEMENTS])  # the list reads one row more
    return ctx.render("inventory/sku.html", sku=sku, price=common.yuan(sku.price_fen),
                      barcodes=[_barcode(ctx, b) for b in sku.barcodes],
                      show_stock=bool(stock_scope is None or stock_scope), show_movements=bool(moves_scope is None or moves_scope),
                      warehouse_rows=warehouse_rows, bin_rows=bin_rows, movements=lines, recent=RECENT_MOVEMENTS,
                      movements_href=f"{PREFIX}/movements?{urlencode({'sku': sku.code})}")
