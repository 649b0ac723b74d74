"""``/app/conflicts``: what went wrong on the floor. Open sync conflicts (ops a handheld pushed that the
server rejected, newest first, at most ``LIMIT``) with the device, op kind, error code, the message in
the viewer's language and the op's payload as pretty JSON (escaped like every other value); and each
warehouse's open exception and recount tasks. ``resolve`` closes a conflict with a required note."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.responses import RedirectResponse, Response

from server.store import catalogue, devices, oplog, tasks
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.core.errors import NotFoundError, ValidationError

LIMIT = 200
TASK_KINDS = ("exception", "recount")
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class ConflictRow:
    id: str
    created_at: datetime
    device_id: str
    device_name: str
    kind: str
    code: str
    message: str
    payload: str


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: str
    kind: str
    state: str
    claimed_by_device: str
    data: str


@dataclass(frozen=True, slots=True)
class WarehouseTasks:
    code: str
    name: str
    tasks: list[TaskRow]


def list_conflicts(ctx: Ctx) -> Response:
    """Conflicts of devices in the warehouses the viewer may see, and those warehouses' open tasks."""
    visible = ctx.signed_in.warehouses_for("conflicts.view")
    with ctx.store.read() as conn:
        all_devices = devices.list_all(conn)
        names = {d.id: d.name for d in all_devices}
        home = {d.id: d.warehouse_id for d in all_devices}
        rows = [_conflict_row(c, names, ctx.lang) for c in oplog.recent_open_conflicts(conn, limit=LIMIT)
                if visible is None or home.get(c["device_id"]) in visible]
        per_warehouse = []
        for w in catalogue.list_warehouses(conn):
            if visible is not None and w.id not in visible:
                continue
            open_ = [t for t in tasks.open_tasks(conn, w.id) if t.kind in TASK_KINDS]
            if open_:
                per_warehouse.append(WarehouseTasks(w.code, (w.name_en or w.name_zh) if ctx.lang == "en" else w.name_zh,
                                                    [TaskRow(t.id, t.kind, t.state, names.get(t.claimed_by_device, t.claimed_by_device),
                                                             _pretty(t.data)) for t in open_]))
    return ctx.render("conflicts/list.html", conflicts=rows, limited=len(rows) >= LIMIT, limit=LIMIT,
                      warehouses=per_warehouse, can_resolve=ctx.signed_in.can_somewhere("conflicts.resolve"))


def _conflict_row(c: dict[str, Any], names: dict[str, str], lang: str) -> ConflictRow:
    message = (c["message_en"] or c["message"]) if lang == "en" else (c["message"] or c["message_en"])
    return ConflictRow(c["id"], c["created_at"], c["device_id"], names.get(c["device_id"], ""), c["kind"], c["code"],
                       message, _pretty(c["payload"]))


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def resolve(ctx: Ctx) -> Response:
    conflict_id = str(ctx.request.path_params["conflict_id"])
    note = str(ctx.form.get("note", "")).strip()
    if not note or len(note) > MAX_NOTE:
        raise ValidationError("invalid.conflict_note")
    with ctx.store.transaction() as conn:
        device_id = oplog.conflict_device(conn, conflict_id)  # unknown → conflict.not_found
        if not ctx.signed_in.can_in("conflicts.resolve", devices.get(conn, device_id).warehouse_id):
            raise NotFoundError("conflict.not_found", conflict=conflict_id)  # another warehouse's
        oplog.resolve_conflict(conn, conflict_id, by=ctx.signed_in.account.username, resolution=note,
                               hlc=ctx.store.clock.now())
    return RedirectResponse(f"{PREFIX}/conflicts", status_code=303)
