"""``/app/transfers`` and ``/app/receipts``, with one page per document: transfers (state, from/to
warehouse, lines with quantity ordered/shipped/received) and expected receipts (supplier and
reference, state, lines expected/received/short/over), newest first, keyset-paginated.

Warehouse-scoped: a transfer is listed when the viewer holds ``transfers.view`` in its source or its
destination, a receipt when they hold ``receipts.view`` in its warehouse; any other id is a 404, the
same answer as for an id that does not exist."""

from __future__ import annotations

from starlette.responses import Response

from server.store import inventory_views as views
from server.web import inventory_common as common
from server.web.inventory_movements import movement_lines
from server.web.paging import Page
from server.web.routing import Ctx
from shared.core.errors import ValidationError
from shared.inventory.documents import ReceiptState, TransferState

DOC_MOVEMENTS = 50


def _state(ctx: Ctx, states: type[TransferState] | type[ReceiptState]) -> str:
    value = common.param(ctx, "state", max_chars=32)
    if value and value not in {s.value for s in states}:
        raise ValidationError("invalid.enum", field="state", value=value)
    return value


def list_transfers(ctx: Ctx) -> Response:
    scope = common.scope(ctx, "transfers.view")
    state, warehouse_code = _state(ctx, TransferState), common.param(ctx, "warehouse")
    size, after = common.size(ctx), common.after(ctx, str)
    with ctx.store.read() as conn:
        warehouses = views.visible_warehouses(conn, scope)
        warehouse = views.find_warehouse(conn, warehouse_code, scope) if warehouse_code else None
        rows = views.list_transfers(conn, scope=scope, state=state, warehouse_id=warehouse.id if warehouse else "",
                                    after=after, size=size)  # type: ignore[arg-type]
    page = Page.of(rows, size, lambda r: (r.id,))
    return ctx.render("inventory/transfers.html", rows=page.rows, page=page, query=ctx.request.query_params,
                      warehouses=common.options(ctx.lang, warehouses), states=[s.value for s in TransferState],
                      f_state=state, f_warehouse=warehouse.code if warehouse else "", time=common.time_text,
                      wh=lambda w: f"{w.code} {common.named(ctx.lang, w)}")


def show_transfer(ctx: Ctx) -> Response:
    ref = str(ctx.request.path_params["transfer_id"])
    moves_scope = _moves_scope(ctx)
    with ctx.store.read() as conn:
        head, lines = views.transfer_detail(conn, ref, scope=common.scope(ctx, "transfers.view"))
        moves = views.document_movements(conn, "transfer", head.id, scope=moves_scope, limit=DOC_MOVEMENTS)
    return ctx.render("inventory/transfer.html", tr=head, lines=lines, movements=movement_lines(ctx, moves),
                      show_movements=moves_scope is None or bool(moves_scope), limit=DOC_MOVEMENTS,
                      time=common.time_text, wh=lambda w: f"{w.code} {common.named(ctx.lang, w)}",
                      sku_name=lambda s: common.named(ctx.lang, s))


def list_receipts(ctx: Ctx) -> Response:
    scope = common.scope(ctx, "receipts.view")
    state, warehouse_code = _state(ctx, ReceiptState), common.param(ctx, "warehouse")
    size, after = common.size(ctx), common.after(ctx, str)
    with ctx.store.read() as conn:
        warehouses = views.visible_warehouses(conn, scope)
        warehouse = views.find_warehouse(conn, warehouse_code, scope) if warehouse_code else None
        rows = views.list_receipts(conn, scope=scope, state=state, warehouse_id=warehouse.id if warehouse else "",
                                   after=after, size=size)  # type: ignore[arg-type]
    page = Page.of(rows, size, lambda r: (r.id,))
    return ctx.render("inventory/receipts.html", rows=page.rows, page=page, query=ctx.request.query_params,
                      warehouses=common.options(ctx.lang, warehouses), states=[s.value for s in ReceiptState],
                      f_state=state, f_warehouse=warehouse.code if warehouse else "", time=common.time_text,
                      wh=lambda w: f"{w.code} {common.named(ctx.lang, w)}")


def show_receipt(ctx: Ctx) -> Response:
    ref = str(ctx.request.path_params["receipt_id"])
    moves_scope = _moves_scope(ctx)
    with ctx.store.read() as conn:
        head, lines = views.receipt_detail(conn, ref, scope=common.scope(ctx, "receipts.view"))
        moves = views.document_movements(conn, "receipt", head.id, scope=moves_scope, limit=DOC_MOVEMENTS)
    return ctx.render("inventory/receipt.html", r=head, lines=lines, movements=movement_lines(ctx, moves),
                      show_movements=moves_scope is None or bool(moves_scope), limit=DOC_MOVEMENTS,
                      time=common.time_text, wh=lambda w: f"{w.code} {common.named(ctx.lang, w)}",
                      sku_name=lambda s: common.named(ctx.lang, s))


def _moves_scope(ctx: Ctx) -> views.Scope:
    viewer = ctx.signed_in
    return common.scope(ctx, "movements.view") if viewer.can_somewhere("movements.view") else frozenset()
