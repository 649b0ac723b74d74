"""Tasks for handhelds (pick, count, recount, exception). Claims are server-authoritative: the first
claim wins, later claimants get ``task.claimed_by_other``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select

from server.store import events
from server.store.changes import stamp
from server.store.schema import tasks
from shared.core.errors import NotFoundError, RuleViolation
from shared.core.ids import new_id
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    kind: str
    warehouse_id: str
    state: str
    claimed_by_device: str
    claimed_by_user: str
    data: dict[str, Any]


def _task(row: Any) -> Task:
    return Task(row.id, row.kind, row.warehouse_id, row.state, row.claimed_by_device, row.claimed_by_user, dict(row.data))


def create(conn: Connection, kind: str, warehouse_id: str, data: dict[str, Any], *, hlc: int, task_id: str | None = None) -> Task:
    tid, now = task_id or new_id(), utc_now()
    conn.execute(tasks.insert().values(id=tid, kind=kind, warehouse_id=warehouse_id, state="open", claimed_by_device="",
                                       claimed_by_user="", data=data, created_at=now, updated_at=now, change_seq=stamp(conn)))
    events.record(conn, "task.created", "task", tid, {"kind": kind, "warehouse_id": warehouse_id, **data}, hlc=hlc)
    return get(conn, tid)


def get(conn: Connection, task_id: str) -> Task:
    row = conn.execute(select(tasks).where(tasks.c.id == task_id)).first()
    if row is None:
        raise NotFoundError("task.not_found", task=task_id)
    return _task(row)


def open_tasks(conn: Connection, warehouse_id: str, kind: str | None = None) -> list[Task]:
    q = select(tasks).where(and_(tasks.c.warehouse_id == warehouse_id, tasks.c.state.in_(["open", "claimed"]))).order_by(tasks.c.created_at)
    if kind:
        q = q.where(tasks.c.kind == kind)
    return [_task(r) for r in conn.execute(q)]


def claim(conn: Connection, task_id: str, *, device_id: str, user_id: str, hlc: int) -> Task:
    """First claim wins; the same device claiming again is a no-op."""
    t = get(conn, task_id)
    if t.state == "claimed" and t.claimed_by_device == device_id:
        return t
    done = conn.execute(tasks.update().where(and_(tasks.c.id == task_id, tasks.c.state == "open")).values(
        state="claimed", claimed_by_device=device_id, claimed_by_user=user_id, claim_hlc=hlc, updated_at=utc_now(),
        change_seq=stamp(conn))).rowcount
    if done != 1:
        t = get(conn, task_id)
        if t.state == "claimed":
            raise RuleViolation("task.claimed_by_other", task=task_id)
        raise RuleViolation("task.bad_state", task=task_id, state=t.state, action="claim")
    events.record(conn, "task.claimed", "task", task_id, {"device_id": device_id, "user_id": user_id}, hlc=hlc)
    return get(conn, task_id)


def complete(conn: Connection, task_id: str, *, device_id: str, hlc: int, shorts: list[dict[str, Any]] | None = None) -> Task:
    """Mark done; ``shorts`` (short-picked lines with a reason) are kept in the task and an event."""
    t = get(conn, task_id)
    if t.state == "done" and t.claimed_by_device == device_id:
        return t
    if t.state == "claimed" and t.claimed_by_device != device_id:
        raise RuleViolation("task.claimed_by_other", task=task_id)
    if t.state not in ("open", "claimed"):
        raise RuleViolation("task.bad_state", task=task_id, state=t.state, action="complete")
    data = {**t.data, "shorts": shorts} if shorts else t.data
    conn.execute(tasks.update().where(tasks.c.id == task_id).values(
        state="done", claimed_by_device=device_id, data=data, updated_at=utc_now(), change_seq=stamp(conn)))
    events.record(conn, "task.completed", "task", task_id, {"device_id": device_id, "shorts": shorts or []}, hlc=hlc)
    return get(conn, task_id)


def create_pick(conn: Connection, warehouse_id: str, lines: list[dict[str, Any]], *, hlc: int, slots: int = 0,
                task_id: str | None = None) -> Task:
    """A pick task whose lines (sku_id, bin_id, qty, batch, slot) are in the bins' walking order.
    ``slots`` > 0 makes it a sort-while-picking task: each line names the order slot to drop into."""
    from server.store.catalogue import bins_by_id

    order = bins_by_id(conn, (ln["bin_id"] for ln in lines))
    walk = sorted(lines, key=lambda ln: (order[ln["bin_id"]].walk_seq, order[ln["bin_id"]].code, ln["sku_id"]))
    clean = [{"sku_id": ln["sku_id"], "bin_id": ln["bin_id"], "bin_code": order[ln["bin_id"]].code, "qty": int(ln["qty"]),
              "batch": ln.get("batch", ""), "slot": int(ln.get("slot", 0))} for ln in walk]
    return create(conn, "pick", warehouse_id, {"lines": clean, "slots": slots}, hlc=hlc, task_id=task_id)


def open_once(conn: Connection, kind: str, warehouse_id: str, data: dict[str, Any], *, key: str, hlc: int) -> Task | None:
    """Open a task unless an open or claimed one with the same ``data[key]`` exists (recounts, exceptions)."""
    for t in open_tasks(conn, warehouse_id, kind):
        if t.data.get(key) == data[key]:
            return None
    return create(conn, kind, warehouse_id, data, hlc=hlc)


def cancel(conn: Connection, task_id: str, *, hlc: int, reason: str = "") -> Task:
    """Cancel an open or claimed task (its work is no longer wanted); a done or cancelled one is left as it is."""
    t = get(conn, task_id)
    if t.state in ("done", "cancelled"):
        return t
    conn.execute(tasks.update().where(tasks.c.id == task_id).values(state="cancelled", updated_at=utc_now(), change_seq=stamp(conn)))
    events.record(conn, "task.cancelled", "task", task_id, {"reason": reason}, hlc=hlc)
    return get(conn, task_id)
