"""``/app/stock``: stock per SKU × bin × batch (on hand, reserved, available), filtered by warehouse,
bin code prefix and SKU code/barcode; ``?view=warehouse`` shows each SKU's totals per warehouse (on
hand, reserved, available, in transit) instead. Both keyset-paginated by SKU code, and only
warehouses where the viewer holds ``stock.view``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from server.store import inventory_views as views
from server.web import inventory_common as common
from server.web.paging import Page
from server.web.routing import Ctx
from shared.core.errors import ValidationError

VIEWS = ("bin", "warehouse")


@dataclass(frozen=True, slots=True)
class StockLine:
    sku_id: str
    sku_code: str
    sku_name: str
    unit: str
    warehouse_code: str
    warehouse_name: str
    bin_code: str
    batch: str
    on_hand: int
    reserved: int
    available: int
    in_transit: int


def show_stock(ctx: Ctx) -> Response:
    scope = common.scope(ctx, "stock.view")
    view = common.param(ctx, "view") or "bin"
    if view not in VIEWS:
        raise ValidationError("invalid.enum", field="view", value=view)
    warehouse_code, sku_q = common.param(ctx, "warehouse"), common.param(ctx, "sku")
    bin_prefix = common.param(ctx, "bin", max_chars=64) if view == "bin" else ""
    size = common.size(ctx)
    lang = ctx.lang
    with ctx.store.read() as conn:
        warehouses = views.visible_warehouses(conn, scope)
        warehouse = views.find_warehouse(conn, warehouse_code, scope) if warehouse_code else None
        wid = warehouse.id if warehouse else ""
        if view == "bin":
            rows = views.list_stock(conn, scope=scope, warehouse_id=wid, bin_prefix=bin_prefix, sku_q=sku_q,
                                    after=common.after(ctx, str, str, str, str), size=size)  # type: ignore[arg-type]
            page = Page.of(rows, size, lambda r: r.key)
            lines = [StockLine(r.sku.id, r.sku.code, common.named(lang, r.sku), r.base_unit, r.warehouse.code,
                               common.named(lang, r.warehouse), r.bin_code, r.batch, r.on_hand, r.reserved, r.available, 0)
                     for r in page.rows]
        else:
            totals = views.list_warehouse_totals(conn, scope=scope, warehouse_id=wid, sku_q=sku_q,
                                                 after=common.after(ctx, str, str), size=size)  # type: ignore[arg-type]
            page = Page.of(totals, size, lambda r: r.key)  # type: ignore[arg-type]
            lines = [StockLine(r.sku.id, r.sku.code, common.named(lang, r.sku), r.base_unit, r.warehouse.code,
                               common.named(lang, r.warehouse), "", "", r.on_hand, r.reserved, r.available, r.in_transit)
                     for r in page.rows]
    return ctx.render("inventory/stock.html", view=view, rows=lines, page=page, query=ctx.request.query_params,
                      warehouses=common.options(lang, warehouses), f_warehouse=warehouse.code if warehouse else "",
                      f_sku=sku_q, f_bin=bin_prefix)
