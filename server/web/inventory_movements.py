"""``/app/movements``: the stock ledger, newest first (its append order, ``seq``), keyset-paginated:
time, SKU, warehouse and bin, batch, signed quantity, reason code with its name, the document it
belongs to (linked for transfers and receipts), and who did it on which device. Filters: warehouse,
SKU (code or barcode), reason, date range (UTC days, on the movement's HLC time). Only warehouses
where the viewer holds ``movements.view``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from server.store import inventory_views as views
from server.web import inventory_common as common
from server.web.paging import Page
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.inventory.movement import Reason, reason_of

_HLC_MAX = 2**63 - 1
_DOC_PAGES = {"transfer": ("transfers", "transfers.view"), "receipt": ("receipts", "receipts.view")}


@dataclass(frozen=True, slots=True)
class MovementLine:
    seq: int
    time: str
    sku_id: str
    sku_code: str
    sku_name: str
    warehouse_code: str
    bin_code: str
    batch: str
    qty: str
    negative: bool
    reason: int
    reason_name: str
    ref_label: str
    ref_text: str
    ref_href: str
    user: str
    device: str


def movement_lines(ctx: Ctx, rows: list[views.MovementRow]) -> list[MovementLine]:
    viewer = ctx.signed_in
    out = []
    for m in rows:
        page = _DOC_PAGES.get(m.ref_type)
        href = f"{PREFIX}/{page[0]}/{m.ref_id}" if page and m.ref_number and viewer.can_somewhere(page[1]) else ""
        ref_label = common.label(ctx, f"web.inv.ref.{m.ref_type}", m.ref_type) if m.ref_type else ""
        out.append(MovementLine(
            m.seq, common.hlc_text(m.hlc), m.sku.id, m.sku.code, common.named(ctx.lang, m.sku), m.warehouse.code, m.bin_code,
            m.batch, f"{m.qty:+d}", m.qty < 0, m.reason, common.label(ctx, f"web.inv.reason.{m.reason}", str(m.reason)),
            ref_label, m.ref_number or m.ref_id, href, m.user_name or m.user_id, m.device_name or m.device_id))
    return out


def list_movements(ctx: Ctx) -> Response:
    scope = common.scope(ctx, "movements.view")
    warehouse_code, sku_ref = common.param(ctx, "warehouse"), common.param(ctx, "sku")
    reason_text = common.param(ctx, "reason", max_chars=8)
    reason = reason_of(reason_text) if reason_text else None
    first, last = common.day(ctx, "from"), common.day(ctx, "to")
    size, after = common.size(ctx), common.after(ctx, int)
    with ctx.store.read() as conn:
        warehouses = views.visible_warehouses(conn, scope)
        warehouse = views.find_warehouse(conn, warehouse_code, scope) if warehouse_code else None
        sku = views.find_sku(conn, sku_ref) if sku_ref else None
        rows: list[views.MovementRow] = []
        if not sku_ref or sku is not None:
            where = views.MovementFilter(
                warehouse_id=warehouse.id if warehouse else "", sku_id=sku.id if sku else "",
                reason=int(reason) if reason is not None else None,
                hlc_from=_hlc(common.day_start_ms(first)) if first else None,
                hlc_to=_hlc(common.day_end_ms(last)) if last else None)
            rows = views.list_movements(conn, scope=scope, where=where, after_seq=after[0] if after else None, size=size)
    page = Page.of(rows, size, lambda r: (r.seq,))
    return ctx.render("inventory/movements.html", rows=movement_lines(ctx, page.rows), page=page,
                      query=ctx.request.query_params, warehouses=common.options(ctx.lang, warehouses),
                      reasons=[(int(r), f"{int(r)} {ctx.t(f'web.inv.reason.{int(r)}')}") for r in Reason],
                      f_warehouse=warehouse.code if warehouse else "", f_sku=sku_ref, f_reason=int(reason) if reason else "",
                      f_from=first.isoformat() if first else "", f_to=last.isoformat() if last else "",
                      sku=sku, unknown_sku=bool(sku_ref and sku is None))


def _hlc(ms: int) -> int:
    """The HLC at the start of millisecond ``ms``, kept within BIGINT."""
    return min(max(ms, 0) << 16, _HLC_MAX)
