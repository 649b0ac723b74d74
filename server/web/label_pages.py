"""``/app/labels``: print bin labels, SKU labels and pick lists (downloads; nothing changes).

    GET /labels                                                  the forms, and the open pick tasks
    GET /labels?labels=bins&warehouse=&prefix=&format=&copies=   bin labels of one warehouse (code prefix)
    GET /labels?labels=skus&codes=&q=&format=&copies=            SKU labels of the codes listed, or found by ``q``
    GET /labels/pick/{task_id}                                   a pick task's list (A4 PDF)

Formats: ``pdf_label`` (50×30 mm pages), ``pdf_a4`` (A4 sheets of 36), ``zpl`` (thermal printers).
Bins and pick tasks belong to warehouses: only those where the viewer holds ``labels.print`` (a pick
task elsewhere is answered 404, like an unknown one).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from server.printing import pdf_labels, pick_list, sources, zpl
from server.printing.model import MAX_COPIES, MAX_LABELS
from server.store import catalogue, tasks
from server.web.downloads import bytes_download
from server.web.errors import PermissionDenied
from server.web.routing import Ctx
from shared.catalogue.model import Warehouse
from shared.core.errors import NotFoundError, ValidationError

FORMATS = ("pdf_label", "pdf_a4", "zpl")
PDF = "application/pdf"
ZPL = "text/plain; charset=utf-8"
MAX_CODES_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class PickTaskRow:
    id: str
    warehouse: str
    lines: int
    units: int
    state: str


def show(ctx: Ctx) -> Response:
    """The page, or with ``labels=bins|skus`` in the query the labels it asks for."""
    wanted = ctx.request.query_params.get("labels", "")
    if wanted == "bins":
        return bin_labels(ctx)
    if wanted == "skus":
        return sku_labels(ctx)
    warehouses = _visible(ctx)
    with ctx.store.read() as conn:
        picks = [_pick_row(t, w.code) for w in warehouses for t in tasks.open_tasks(conn, w.id, "pick")]
    return ctx.render("files/labels.html", warehouses=warehouses, formats=FORMATS, max_copies=MAX_COPIES, picks=picks)


def _pick_row(task: tasks.Task, warehouse_code: str) -> PickTaskRow:
    lines = task.data.get("lines", [])
    return PickTaskRow(task.id, warehouse_code, len(lines), sum(int(ln.get("qty", 0)) for ln in lines), task.state)


def bin_labels(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    fmt, copies = _format(query.get("format", "")), _copies(query.get("copies", "1"))
    code = query.get("warehouse", "")
    warehouse = next((w for w in _visible(ctx) if w.code == code), None)
    if warehouse is None:
        raise PermissionDenied("web.files.warehouse_not_permitted", warehouse=code[:64])
    with ctx.store.read() as conn:
        labels = sources.bin_labels(conn, warehouse.id, query.get("prefix", "")[:64])
    _check_total(len(labels), copies)
    content = zpl.bin_labels(labels, copies=copies) if fmt == "zpl" else \
        pdf_labels.bin_labels(labels, sheet=fmt == "pdf_a4", copies=copies)
    return _send(content, f"库位标签_{warehouse.code}")


def sku_labels(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    fmt, copies = _format(query.get("format", "")), _copies(query.get("copies", "1"))
    codes = sources.split_codes(query.get("codes", "")[:MAX_CODES_CHARS])
    with ctx.store.read() as conn:
        if not codes and query.get("q", "").strip():
            codes = sources.search_codes(conn, query.get("q", "")[:100])
        labels = sources.sku_labels(conn, codes)
    _check_total(len(labels), copies)
    content = zpl.sku_labels(labels, copies=copies) if fmt == "zpl" else \
        pdf_labels.sku_labels(labels, sheet=fmt == "pdf_a4", copies=copies)
    return _send(content, "商品标签")


def pick_list_pdf(ctx: Ctx) -> Response:
    task_id = str(ctx.request.path_params["task_id"])
    with ctx.store.read() as conn:
        task = tasks.get(conn, task_id)  # unknown → task.not_found (404)
        if not ctx.signed_in.can_in("labels.print", task.warehouse_id):
            raise NotFoundError("task.not_found", task=task_id)
        if task.kind != "pick":
            raise NotFoundError("print.not_pick_task")
        sheet = sources.pick_sheet(conn, task, ctx.now)
    return bytes_download(pick_list.pick_list(sheet, ctx.t), f"拣货单_{task.id}.pdf", PDF, inline=True)


def _send(content: bytes | str, stem: str) -> Response:
    if isinstance(content, str):
        return bytes_download(content.encode("utf-8"), f"{stem}.zpl", ZPL)
    return bytes_download(content, f"{stem}.pdf", PDF, inline=True)


def _visible(ctx: Ctx) -> list[Warehouse]:
    allowed = ctx.signed_in.warehouses_for("labels.print")
    with ctx.store.read() as conn:
        return [w for w in catalogue.list_warehouses(conn) if allowed is None or w.id in allowed]


def _format(value: str) -> str:
    if value not in FORMATS:
        raise ValidationError("print.bad_format", format=value[:40])
    return value


def _copies(value: str) -> int:
    text = value.strip()
    if not (text.isdigit() and text.isascii()) or not 1 <= int(text) <= MAX_COPIES:
        raise ValidationError("print.bad_copies", limit=MAX_COPIES)
    return int(text)


def _check_total(count: int, copies: int) -> None:
    if count * copies > MAX_LABELS:
        raise ValidationError("print.too_many", limit=MAX_LABELS, count=count * copies)
