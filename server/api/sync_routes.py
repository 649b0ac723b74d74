"""The sync endpoints (``/sync/v1``), documented in docs/sync-protocol.md. Thin: authenticate, read
the body within limits, call ``sync.applier`` / ``server.store`` in one transaction, answer."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Route

from server.api.body import TooLarge, read_json
from server.store import audit, changes, devices, oplog
from server.store.db import Store
from server.sync_port import StorePort
from shared.core.errors import DomainError, ValidationError
from shared.core.time import utc_now
from sync.applier import apply_batch, iter_ops
from sync.device_status import HEADER as STATUS_HEADER
from sync.device_status import DeviceStatus
from sync.protocol import MAX_OPS_PER_PUSH, MAX_PUSH_BYTES

PULL_LIMIT_DEFAULT = 1000
PULL_LIMIT_MAX = 5000


def _store(request: Request) -> Store:
    store: Store = request.state.store
    return store


def _secret(request: Request) -> str:
    secret: str = request.state.secret
    return secret


def _token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def _unauthorized(code: str) -> JSONResponse:
    err = devices.Unauthorized(code)
    from shared.core.messages import MESSAGES

    zh, en = MESSAGES[err.code]
    return JSONResponse({"error": {"code": err.code, "message": zh, "message_en": en, "details": {}}}, status_code=401)


async def enrol(request: Request) -> JSONResponse:
    body = await read_json(request, 16 * 1024)
    if not isinstance(body, dict):
        raise ValidationError("sync.bad_envelope", reason="the body must be an object")
    store = _store(request)
    with store.transaction() as conn:
        device, token = devices.enrol(conn, body.get("code"), name=body.get("device_name", ""), hardware_id=body.get("hardware_id", ""),
                                      app_version=body.get("app_version", ""), secret=_secret(request), hlc=store.clock.now())
    return JSONResponse({"device_id": device.id, "token": token, "warehouse_id": device.warehouse_id, "server_hlc": store.clock.now()})


async def push(request: Request) -> JSONResponse:
    store = _store(request)
    with store.read() as conn:  # refuse a bad token before reading a large body
        try:
            devices.authenticate(conn, _token(request), secret=_secret(request))
        except devices.Unauthorized as exc:
            if exc.code == "device.revoked" and exc.device_id:
                return await _quarantine(request, store, exc.device_id)
            return _unauthorized(exc.code)
    body = await read_json(request, MAX_PUSH_BYTES)
    raw_ops = body.get("ops") if isinstance(body, dict) else None
    if not isinstance(raw_ops, list):
        raise ValidationError("sync.bad_envelope", reason="the body must be {\"ops\": [...]}")
    if len(raw_ops) > MAX_OPS_PER_PUSH:
        raise TooLarge("sync.batch_too_large", limit=MAX_OPS_PER_PUSH, count=len(raw_ops))
    ops = list(iter_ops(raw_ops))
    with store.transaction() as conn:
        try:
            device = devices.authenticate(conn, _token(request), secret=_secret(request))
        except devices.Unauthorized as exc:
            return _unauthorized(exc.code)
        with audit.acting(device.id, f"device:{device.id}"):
            report = apply_batch(StorePort(conn, store.clock, device), device.id, ops)
        gaps = _gaps(device.last_seq, [op.seq for op in ops if op.device_id == device.id])
        devices.seen(conn, device, max_seq=report.max_seq, skew_ms=report.max_skew_ms, clock_flagged=report.clock_flagged, gaps=gaps)
        status = DeviceStatus.from_header(request.headers.get(STATUS_HEADER))
        if status is not None:
            devices.report_status(conn, device, status, now=utc_now())
    return JSONResponse({"results": [r.to_wire() for r in report.results], "server_hlc": store.clock.now()})


async def _quarantine(request: Request, store: Store, device_id: str) -> JSONResponse:
    """A revoked device's push: refused (401 device.revoked), but its ops are kept for review."""
    try:
        body = await read_json(request, MAX_PUSH_BYTES)
        raw_ops = body.get("ops") if isinstance(body, dict) else None
        ops = list(iter_ops(raw_ops[:MAX_OPS_PER_PUSH])) if isinstance(raw_ops, list) else []
    except DomainError:
        ops = []
    with store.transaction() as conn:
        kept = oplog.quarantine(conn, device_id, ops)
    response = _unauthorized("device.revoked")
    response.headers["X-ERP-Quarantined"] = str(kept)
    return response


def _gaps(last_seq: int, seqs: list[int]) -> int:
    """Sequence numbers skipped beyond what the device had sent before (reported, not fatal)."""
    new = sorted(s for s in set(seqs) if s > last_seq)
    if not new:
        return 0
    return (new[-1] - last_seq) - len(new)


def _int_query(request: Request, name: str, default: int, upper: int, code: str) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit() or int(raw) > upper:
        raise ValidationError(code, cursor=raw[:40]) if code == "sync.bad_cursor" else ValidationError(
            "invalid.quantity", reason=f"{name} must be a whole number up to {upper}")
    return int(raw)


async def pull(request: Request) -> JSONResponse:
    store = _store(request)
    cursor = _int_query(request, "cursor", 0, 2**62, "sync.bad_cursor")
    limit = max(1, _int_query(request, "limit", PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX, "invalid.quantity"))
    with store.read() as conn:
        try:
            device = devices.authenticate(conn, _token(request), secret=_secret(request))
        except devices.Unauthorized as exc:
            return _unauthorized(exc.code)
        page, new_cursor, more = changes.pull(conn, device.warehouse_id, cursor, limit)
    status = DeviceStatus.from_header(request.headers.get(STATUS_HEADER))
    if status is not None and not more:  # once per pull cycle (its last page), and only if it changed
        with store.transaction() as conn:
            devices.report_status(conn, device, status, now=utc_now())
    return JSONResponse({"changes": [c.to_wire() for c in page], "cursor": new_cursor, "more": more, "server_hlc": store.clock.now()})


async def snapshot(request: Request) -> Any:
    store = _store(request)
    fd, path = tempfile.mkstemp(prefix="erp-snapshot-", suffix=".sqlite3")
    os.close(fd)
    os.unlink(path)
    try:
        with store.read() as conn:
            try:
                device = devices.authenticate(conn, _token(request), secret=_secret(request))
            except devices.Unauthorized as exc:
                return _unauthorized(exc.code)
        cursor = await run_in_threadpool(_write_snapshot, store, device.warehouse_id, device.id, path)
    except BaseException:
        if os.path.exists(path):
            os.unlink(path)
        raise
    return FileResponse(path, media_type="application/vnd.sqlite3", headers={"X-ERP-Cursor": str(cursor)},
                        background=BackgroundTask(os.unlink, path))


def _write_snapshot(store: Store, warehouse_id: str, device_id: str, path: str) -> int:
    """Off the event loop: other devices keep syncing while a large snapshot is written."""
    from pathlib import Path

    with store.snapshot_read() as conn:
        return changes.write_snapshot(conn, warehouse_id, Path(path), [("device_id", device_id)])


async def status(request: Request) -> JSONResponse:
    store = _store(request)
    with store.read() as conn:
        try:
            device = devices.authenticate(conn, _token(request), secret=_secret(request))
        except devices.Unauthorized as exc:
            return _unauthorized(exc.code)
        pending = oplog.count_open_conflicts(conn, device.id)
    return JSONResponse({
        "device_id": device.id, "name": device.name, "warehouse_id": device.warehouse_id,
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None, "last_seq": device.last_seq,
        "seq_gaps": device.seq_gaps, "pending_conflicts": pending, "clock_skew_ms": device.clock_skew_ms,
        "clock_flagged": device.clock_flagged, "server_hlc": store.clock.now()})


routes = [
    Route("/enrol", enrol, methods=["POST"]),
    Route("/push", push, methods=["POST"]),
    Route("/pull", pull, methods=["GET"]),
    Route("/snapshot", snapshot, methods=["GET"]),
    Route("/status", status, methods=["GET"]),
]
