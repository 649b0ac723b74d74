"""``/app/transfers`` and ``/app/receipts``, with one page per document: transfers (state, from/to
warehouse, lines with quantity ordered/shipped/received) and expected receipts (supplier and
reference, state, lines expected/received/short/over), newest first, keyset-paginated.

Warehouse-scoped: a transfer is listed when the viewer holds ``transfers.view`` in its source or its
destination, a receipt when they hold ``receipts.view`` in its warehouse; any other id is a 404, the
same answer as for an id that does not exist."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, slots=True)
class _Kind:
    """What differs between the transfer and the receipt pages."""

    name: str  # the movements' document type and the templates' stem
    permission: str
    states: type[TransferState] | type[ReceiptState]
    list_rows: Callable[..., Any]
    detail: Callable[..., Any]
    head_var: str  # the detail template's name for the document


_TRANSFERS = _Kind("transfer", "transfers.view", TransferState, views.list_transfers, views.transfer_detail, "tr")
_RECEIPTS = _Kind("receipt", "receipts.view", ReceiptState, views.list_receipts, views.receipt_detail, "r")


def _list(ctx: Ctx, kind: _Kind) -> Response:
    scope = common.scope(ctx, kind.permission)
    state, warehouse_code = _state(ctx, kind.states), common.param(ctx, "warehouse")
    size, after = common.size(ctx), common.after(ctx, str)
    with ctx.store.read() as conn:
        warehouses = views.visible_warehouses(conn, scope)
        warehouse = views.find_warehouse(conn, warehouse_code, scope) if warehouse_code else None
        rows = kind.list_rows(conn, scope=scope, state=state, warehouse_id=warehouse.id if warehouse else "",
                              after=after, size=size)
    page = Page.of(rows, size, lambda r: (r.id,))
    return ctx.render(f"inventory/{kind.name}s.html", rows=page.rows, page=page, query=ctx.request.query_params,
                      warehouses=common.options(ctx.lang, warehouses), states=[s.value for s in kind.states],
                      f_state=state, f_warehouse=warehouse.code if warehouse else "", time=common.time_text,
                      wh=lambda w: f"{w.code} {common.named(ctx.lang, w)}")


def _show(ctx: Ctx, kind: _Kind) -> Response:
    ref = str(ctx.request.path_params[f"{kind.name}_id"])
    moves_scope = _moves_scope(ctx)
    with ctx.store.read() as conn:
        head, lines = kind.detail(conn, ref, scope=common.scope(ctx, kind.permission))
        moves = views.document_movements(conn, kind.name, head.id, scope=moves_scope, limit=DOC_MOVEMENTS)
    return ctx.render(f"inventory/{kind.name}.html", lines=lines, movements=movement_lines(ctx, moves),
                      show_movements=moves_scope is None or bool(moves_scope), limit=DOC_MOVEMENTS,
                      time=common.time_text, wh=lambda w: f"{w.code} {common.named(ctx.lang, w)}",
                      sku_name=lambda s: common.named(ctx.lang, s), **{kind.head_var: head})


def list_transfers(ctx: Ctx) -> Response:
    return _list(ctx, _TRANSFERS)


def show_transfer(ctx: Ctx) -> Response:
    return _show(ctx, _TRANSFERS)


def list_receipts(ctx: Ctx) -> Response:
    return _list(ctx, _RECEIPTS)


def show_receipt(ctx: Ctx) -> Response:
    return _show(ctx, _RECEIPTS)


def _moves_scope(ctx: Ctx) -> views.Scope:
    viewer = ctx.signed_in
    return common.scope(ctx, "movements.view") if viewer.can_somewhere("movements.view") else frozenset()
