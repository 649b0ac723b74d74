"""Applied operations and conflicts: the server's memory of every op a device pushed.

An applied (or rejected) op is recorded in the same transaction as its effect, so a retry after a
lost response finds it and gets the original result back. A rejected op is also kept in
``conflicts`` with its payload for the back office, never dropped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select

from server.store import bulk, events
from server.store.bulk import db_time
from server.store.schema import applied_ops, conflicts
from shared.core.errors import NotFoundError, RuleViolation
from shared.core.ids import new_id
from shared.core.time import utc_now
from sync.protocol import Op, OpResult


@dataclass(frozen=True, slots=True)
class Seen:
    fingerprint: str
    result: OpResult


def find(conn: Connection, op_ids: list[str]) -> dict[str, Seen]:
    out: dict[str, Seen] = {}
    for i in range(0, len(op_ids), 900):
        rows = conn.execute(select(applied_ops).where(applied_ops.c.op_id.in_(op_ids[i:i + 900])))
        out.update((r.op_id, Seen(r.fingerprint, OpResult(r.op_id, r.status, dict(r.result), r.error))) for r in rows)
    return out


def record_all(conn: Connection, records: list[tuple[Op, str, OpResult, int]]) -> None:
    """Remember applied and rejected ops with their results: (op, fingerprint, result, effective hlc)."""
    if not records:
        return
    now = db_time(conn)
    bulk.executemany(conn, bulk.INSERT_APPLIED_OPS, [
        (op.op_id, op.device_id, op.seq, op.kind[:32], fp, result.status, _json(result.result),
         None if result.error is None else _json(result.error), op.hlc, effective, now)
        for op, fp, result, effective in records])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def record_conflict(conn: Connection, op: Op, error: dict[str, Any]) -> str:
    cid = new_id()
    conn.execute(conflicts.insert().values(
        id=cid, op_id=op.op_id, device_id=op.device_id, kind=op.kind[:32], payload=op.payload, code=error["code"],
        message=error["message"], message_en=error["message_en"], state="open", created_at=utc_now()))
    return cid


def quarantine(conn: Connection, device_id: str, ops: list[Op]) -> int:
    """Keep ops pushed by a revoked device for review (conflict code ``device.revoked``): not applied,
    not lost, each kept once however often it is re-sent. Returns how many were newly kept."""
    from shared.core.errors import RuleViolation

    ids = [op.op_id for op in ops]
    known = {r.op_id for r in conn.execute(select(conflicts.c.op_id).where(and_(
        conflicts.c.op_id.in_(ids), conflicts.c.code == "device.revoked")))} if ids else set()
    known |= find(conn, ids).keys()
    error = RuleViolation("device.revoked").to_dict()
    fresh = [op for op in {op.op_id: op for op in ops}.values() if op.op_id not in known]
    for op in fresh:
        record_conflict(conn, Op(op.op_id, device_id, op.seq, op.hlc, op.user_id, op.kind, op.v, op.payload), error)
    return len(fresh)


def open_conflicts(conn: Connection, device_id: str | None = None) -> list[dict[str, Any]]:
    q = select(conflicts).where(conflicts.c.state == "open").order_by(conflicts.c.created_at)
    if device_id:
        q = q.where(conflicts.c.device_id == device_id)
    return [dict(r._mapping) for r in conn.execute(q)]


def count_open_conflicts(conn: Connection, device_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(conflicts).where(and_(
        conflicts.c.device_id == device_id, conflicts.c.state == "open"))).scalar_one())


def applied_count(conn: Connection, device_id: str | None = None) -> int:
    q = select(func.count()).select_from(applied_ops)
    if device_id:
        q = q.where(applied_ops.c.device_id == device_id)
    return int(conn.execute(q).scalar_one())


def recent_open_conflicts(conn: Connection, *, limit: int = 200) -> list[dict[str, Any]]:
    """Open conflicts, newest first, at most ``limit`` (the back-office list)."""
    q = select(conflicts).where(conflicts.c.state == "open").order_by(
        conflicts.c.created_at.desc(), conflicts.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(q)]


def conflict_device(conn: Connection, conflict_id: str) -> str:
    """The device whose op made the conflict, or ``conflict.not_found``."""
    device_id = conn.execute(select(conflicts.c.device_id).where(conflicts.c.id == conflict_id)).scalar()
    if device_id is None:
        raise NotFoundError("conflict.not_found", conflict=conflict_id)
    return str(device_id)


def resolve_conflict(conn: Connection, conflict_id: str, *, by: str, resolution: str, hlc: int) -> dict[str, Any]:
    """Mark an open conflict resolved (who, when, the note) and record ``conflict.resolved``.
    Unknown id → ``conflict.not_found``; already resolved → ``conflict.resolved``. The state check is
    part of the UPDATE, so two concurrent resolutions cannot both succeed."""
    row = conn.execute(select(conflicts).where(conflicts.c.id == conflict_id)).first()
    if row is None:
        raise NotFoundError("conflict.not_found", conflict=conflict_id)
    now = utc_now()
    done = conn.execute(conflicts.update().where(and_(conflicts.c.id == conflict_id, conflicts.c.state == "open")).values(
        state="resolved", resolved_at=now, resolved_by=by[:64], resolution=resolution))
    if done.rowcount != 1:
        raise RuleViolation("conflict.resolved", conflict=conflict_id)
    events.record(conn, "conflict.resolved", "conflict", conflict_id,
                  {"op_id": row.op_id, "device_id": row.device_id, "code": row.code, "by": by, "resolution": resolution}, hlc=hlc)
    return dict(conn.execute(select(conflicts).where(conflicts.c.id == conflict_id)).one()._mapping)
