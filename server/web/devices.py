"""``/app/devices``: enrolled handhelds. The list shows what the server knows of each device (last sync,
sequence, gaps, open conflicts, clock skew, state); ``enrol`` makes a one-time code (15 min) shown as
text and as a QR code (inline SVG, drawn by ``segno``) for the handheld to scan; ``revoke`` stops a lost
device at once (its token is checked against the device row on every sync request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import segno
from markupsafe import Markup
from sqlalchemy import Connection
from starlette.responses import RedirectResponse, Response

from server.store import catalogue, devices, oplog
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.catalogue.model import Warehouse
from shared.core.errors import NotFoundError

QR_SCALE = 6  # pixels per module: a version-1 code is ~174 px square, easy for a handheld camera


@dataclass(frozen=True, slots=True)
class DeviceRow:
    id: str
    name: str
    warehouse_code: str
    app_version: str
    enrolled_at: datetime
    last_seen_at: datetime | None
    last_seq: int
    seq_gaps: int
    open_conflicts: int
    applied_ops: int
    clock_skew_ms: int
    clock_flagged: bool
    revoked_at: datetime | None
    revocable: bool = False  # the viewer may revoke it (its warehouse)
    user: str = ""  # as the device last reported (sync.device_status)
    pending: int | None = None
    scan_ms: int | None = None
    reported_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def list_devices(ctx: Ctx) -> Response:
    """The devices of the warehouses the viewer may see; revoke only where they may revoke."""
    viewer = ctx.signed_in
    with ctx.store.read() as conn:
        rows = _rows(conn, viewer.warehouses_for("devices.view"), lambda w: viewer.can_in("devices.revoke", w))
    return ctx.render("devices/list.html", devices=rows, can_enrol=viewer.can_somewhere("devices.enrol"),
                      can_revoke=any(r.revocable for r in rows))


def _rows(conn: Connection, visible: frozenset[str] | None, may_revoke: Callable[[str], bool]) -> list[DeviceRow]:
    codes = {w.id: w.code for w in catalogue.list_warehouses(conn)}
    return [DeviceRow(d.id, d.name, codes.get(d.warehouse_id, "?"), d.app_version, d.enrolled_at, d.last_seen_at,
                      d.last_seq, d.seq_gaps, oplog.count_open_conflicts(conn, d.id), oplog.applied_count(conn, d.id),
                      d.clock_skew_ms, d.clock_flagged, d.revoked_at, may_revoke(d.warehouse_id), d.status_user,
                      d.status_pending, d.status_scan_ms, d.status_at)
            for d in devices.list_all(conn) if visible is None or d.warehouse_id in visible]


def _enrollable(ctx: Ctx, conn: Connection) -> list[Warehouse]:
    return [w for w in catalogue.list_warehouses(conn) if ctx.signed_in.can_in("devices.enrol", w.id)]


def enrol_form(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        warehouses = _enrollable(ctx, conn)
    return _enrol_page(ctx, warehouses)


def enrol(ctx: Ctx) -> Response:
    chosen = ctx.form.get("warehouse", "")
    with ctx.store.transaction() as conn:
        warehouses = _enrollable(ctx, conn)
        warehouse = next((w for w in warehouses if w.id == chosen), None)
        if warehouse is None:
            return _enrol_page(ctx, warehouses, status=422, error=True)
        code, expires = devices.new_enrolment_code(conn, warehouse.id, created_by=ctx.signed_in.account.username)
    qr = segno.make(code, micro=False, error="m")
    svg = Markup(qr.svg_inline(scale=QR_SCALE, border=4, title=code, svgclass="qr"))  # drawn here from the code alone
    return _enrol_page(ctx, warehouses, chosen=warehouse, code=code, expires=expires, qr_svg=svg)


def _enrol_page(ctx: Ctx, warehouses: list[Warehouse], *, status: int = 200, chosen: Warehouse | None = None,
                code: str = "", expires: datetime | None = None, qr_svg: Markup | None = None, error: bool = False) -> Response:
    names = {w.id: _name(w, ctx.lang) for w in warehouses}
    ttl_minutes = int(devices.ENROLMENT_TTL.total_seconds() // 60)
    response = ctx.render("devices/enrol.html", status=status, warehouses=warehouses, names=names, chosen=chosen,
                          code=code, expires=expires, qr_svg=qr_svg, error=error, ttl_minutes=ttl_minutes)
    response.headers["cache-control"] = "no-store"  # a live one-time code: never cached anywhere
    response.headers["pragma"] = "no-cache"
    return response


def _name(w: Warehouse, lang: str) -> str:
    return (w.name_en or w.name_zh) if lang == "en" else w.name_zh


def revoke(ctx: Ctx) -> Response:
    device_id = str(ctx.request.path_params["device_id"])
    with ctx.store.transaction() as conn:
        device = devices.get(conn, device_id)  # unknown → device.not_found (404)
        if not ctx.signed_in.can_in("devices.revoke", device.warehouse_id):
            raise NotFoundError("device.not_found", device=device_id)  # another warehouse's: not even its existence
        if device.revoked_at is None:
            devices.revoke(conn, device_id, hlc=ctx.store.clock.now(), by=ctx.signed_in.account.username)
    return RedirectResponse(f"{PREFIX}/devices", status_code=303)
