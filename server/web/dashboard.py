"""``/app/``: the dashboard. Counts of SKUs, warehouses, open low-stock alerts, open tasks and active
devices, and the oldest open low-stock alerts, read through the existing store modules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from starlette.responses import Response

from server.exports.catalogue_export import count_rows
from server.store import alerts, catalogue, devices, tasks
from server.web.routing import Ctx

ALERTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class AlertRow:
    sku_code: str
    sku_name: str
    warehouse_name: str
    available: int
    threshold: int


def show(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        counts, rows = _counts_and_alerts(conn, ctx.lang)
    return ctx.render("dashboard/index.html", counts=counts, alerts=rows, alerts_shown=ALERTS_SHOWN)


def _counts_and_alerts(conn: Connection, lang: str) -> tuple[list[tuple[str, int]], list[AlertRow]]:
    warehouses = catalogue.list_warehouses(conn)
    open_alerts = alerts.open_alerts(conn)
    open_tasks = sum(len(tasks.open_tasks(conn, w.id)) for w in warehouses)
    active_devices = sum(1 for d in devices.list_all(conn) if d.revoked_at is None)
    counts = [("web.dashboard.skus", count_rows("skus", conn)), ("web.dashboard.warehouses", len(warehouses)),
              ("web.dashboard.low_stock", len(open_alerts)), ("web.dashboard.open_tasks", open_tasks),
              ("web.dashboard.devices", active_devices)]
    shown = open_alerts[:ALERTS_SHOWN]
    skus = catalogue.skus_by_id(conn, {a.sku_id for a in shown})
    names = {w.id: (w.name_en or w.name_zh) if lang == "en" else w.name_zh for w in warehouses}
    rows = [AlertRow(skus[a.sku_id].code, (skus[a.sku_id].name_en or skus[a.sku_id].name_zh) if lang == "en" else skus[a.sku_id].name_zh,
                     names.get(a.warehouse_id, ""), a.available, a.threshold) for a in shown]
    return counts, rows
