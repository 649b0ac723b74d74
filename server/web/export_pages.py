"""``/app/export``: download SKUs with barcodes, bins, stock by bin, or movements for a date range, as
XLSX (codes as text cells) or CSV (UTF-8 with BOM, formula-escaped).

    GET /export                                           the form
    GET /export?what=&format=&warehouse=&from=&to=        the file (a download; nothing changes)

Bins, stock and movements belong to warehouses: a viewer gets those of the warehouses where they
hold ``export.run`` (all of them without a choice, or the one chosen, else 403). SKUs are shared.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from starlette.responses import Response

from server.exports import catalogue_export, movement_export
from server.exports.catalogue_export import Scope
from server.store import catalogue
from server.web.downloads import file_download
from server.web.errors import PermissionDenied
from server.web.routing import Ctx
from shared.catalogue.model import Warehouse
from shared.core.errors import ValidationError

WHAT = ("skus", "bins", "stock", "movements")
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}
FILE_STEMS = {"skus": "商品", "bins": "库位", "stock": "库存", "movements": "库存流水"}
DEFAULT_DAYS = 30


def show(ctx: Ctx) -> Response:
    """The form, or with ``what`` in the query the file it asks for."""
    if "what" in ctx.request.query_params:
        return download(ctx)
    today = ctx.now.date()
    return ctx.render("files/export.html", what=WHAT, formats=list(FORMATS), warehouses=_visible(ctx),
                      date_from=(today - timedelta(days=DEFAULT_DAYS)).isoformat(), date_to=today.isoformat())


def download(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    what, fmt = query.get("what", ""), query.get("format", "")
    if what not in WHAT:
        raise ValidationError("export.unknown_kind", kind=what[:40])
    if fmt not in FORMATS:
        raise ValidationError("export.unknown_format", path=fmt[:40])
    warehouse_code = query.get("warehouse", "")
    scope = _scope(ctx, warehouse_code) if what != "skus" else None
    handle, name = tempfile.mkstemp(prefix="erp-export-", suffix=f".{fmt}")
    os.close(handle)
    path = Path(name)
    try:
        with ctx.store.read() as conn:
            if what == "movements":
                start, end = _date(query.get("from", "")), _date(query.get("to", ""))
                movement_export.export(conn, path, start=start, end=end, warehouse_ids=scope)
                label = f"{start:%Y%m%d}-{end:%Y%m%d}"
            else:
                catalogue_export.export(what, conn, path, warehouse_ids=scope)
                label = f"{ctx.now:%Y%m%d}"
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    parts = [FILE_STEMS[what], warehouse_code if what != "skus" and warehouse_code else "", label]
    return file_download(path, "_".join(p for p in parts if p) + f".{fmt}", FORMATS[fmt], delete_after=True)


def _visible(ctx: Ctx) -> list[Warehouse]:
    allowed = ctx.signed_in.warehouses_for("export.run")
    with ctx.store.read() as conn:
        return [w for w in catalogue.list_warehouses(conn) if allowed is None or w.id in allowed]


def _scope(ctx: Ctx, warehouse_code: str) -> Scope:
    """The warehouse ids to export: the chosen one if the viewer may, else all the viewer may see."""
    allowed = ctx.signed_in.warehouses_for("export.run")
    if not warehouse_code:
        return allowed
    chosen = next((w for w in _visible(ctx) if w.code == warehouse_code), None)
    if chosen is None:
        raise PermissionDenied("web.files.warehouse_not_permitted", warehouse=warehouse_code[:64])
    return [chosen.id]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("web.files.bad_date", value=text[:40]) from None
