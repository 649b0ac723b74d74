"""``/app/``: the dashboard. Counts of SKUs, warehouses, open low-stock alerts, open tasks and active
devices, and the oldest open low-stock alerts, read through the existing store modules; today's stock
movements by reason band, sync health (devices synced in the last hour, stale ones, open conflicts),
and two ECharts charts (movements per hour today, units in stock by warehouse).

The chart figures are embedded in the page as JSON (``data-chart``) and served by
``/app/dashboard/data``; ``static/dashboard.js`` draws them (no inline script under the CSP), and a
table under each chart shows the same figures without JavaScript.

"Today" is the calendar day in China Standard Time (UTC+8, no daylight saving). Movement figures,
units and devices are limited to the warehouses the viewer holds ``dashboard.view`` in. Paired
movements (putaway, move, transfer legs) count once, by their inbound leg; "moves" includes putaway.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection
from starlette.responses import JSONResponse, Response

from server.exports.catalogue_export import count_rows
from server.store import alerts, catalogue, dashboard_figures, devices, tasks
from server.web.routing import Ctx
from shared.inventory.movement import MovementKind, Reason

ALERTS_SHOWN = 10
BUSINESS_UTC_OFFSET = timedelta(hours=8)
SYNC_FRESH = timedelta(hours=1)
BANDS: tuple[tuple[str, frozenset[MovementKind]], ...] = (
    ("receipts", frozenset({MovementKind.RECEIPT})),
    ("picks", frozenset({MovementKind.PICK})),
    ("moves", frozenset({MovementKind.MOVE, MovementKind.PUTAWAY})),
    ("adjustments", frozenset({MovementKind.ADJUSTMENT})),
)
_PAIRED = frozenset({MovementKind.PUTAWAY, MovementKind.MOVE, MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN})


@dataclass(frozen=True, slots=True)
class AlertRow:
    sku_code: str
    sku_name: str
    warehouse_name: str
    available: int
    threshold: int


@dataclass(frozen=True, slots=True)
class SyncHealth:
    synced: int
    stale: int
    open_conflicts: int


def show(ctx: Ctx) -> Response:
    scope = ctx.signed_in.warehouses_for("dashboard.view")
    with ctx.store.read() as conn:
        counts, rows = _counts_and_alerts(conn, ctx.lang)
        bands, chart = _today(conn, ctx.now, scope, ctx.lang)
        health = _sync_health(conn, ctx.now, scope)
    day = dashboard_figures.window_start(ctx.now, BUSINESS_UTC_OFFSET) + BUSINESS_UTC_OFFSET
    return ctx.render("dashboard/index.html", counts=counts, alerts=rows, alerts_shown=ALERTS_SHOWN, bands=bands,
                      health=health, chart=chart, today=day.strftime("%Y-%m-%d"))


def data(ctx: Ctx) -> Response:
    """The chart figures as JSON (the same as the page's ``data-chart``)."""
    with ctx.store.read() as conn:
        _, chart = _today(conn, ctx.now, ctx.signed_in.warehouses_for("dashboard.view"), ctx.lang)
    return JSONResponse(chart)


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


def _today(conn: Connection, now: datetime, scope: Collection[str] | None,
           lang: str) -> tuple[list[tuple[str, int]], dict[str, Any]]:
    """Today's counts per band, and the charts' figures."""
    start = dashboard_figures.window_start(now, BUSINESS_UTC_OFFSET)
    per_band = dict.fromkeys((name for name, _ in BANDS), 0)
    per_hour = [0] * dashboard_figures.HOURS
    for c in dashboard_figures.movement_counts(conn, start, scope):
        kind = _kind(c.reason)
        if kind is None or (kind in _PAIRED and not c.inbound):
            continue
        if 0 <= c.hour < dashboard_figures.HOURS:
            per_hour[c.hour] += c.count
        for name, kinds in BANDS:
            if kind in kinds:
                per_band[name] += c.count
    units = dashboard_figures.units_by_warehouse(conn, scope)
    names = {w.id: (w.name_en or w.name_zh) if lang == "en" else w.name_zh for w in catalogue.list_warehouses(conn)}
    shown = sorted((w for w in units if w in names), key=lambda w: names[w])
    chart = {"hours": [f"{h:02d}" for h in range(dashboard_figures.HOURS)], "movements": per_hour,
             "warehouses": [names[w] for w in shown], "units": [units[w] for w in shown]}
    return [(f"web.dash.band.{name}", n) for name, n in per_band.items()], chart


def _kind(reason: int) -> MovementKind | None:
    try:
        return Reason(reason).kind
    except ValueError:
        return None


def _sync_health(conn: Connection, now: datetime, scope: Collection[str] | None) -> SyncHealth:
    active = dashboard_figures.active_devices(conn, scope)
    synced = sum(1 for d in active if d.last_seen_at is not None and now - d.last_seen_at <= SYNC_FRESH)
    return SyncHealth(synced, len(active) - synced, dashboard_figures.open_conflict_count(conn, scope))
