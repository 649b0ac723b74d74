"""Deterministic sync simulation: one seed drives the in-process server and N devices (each its own
SQLite replica file) through random work, with faults injected between steps; then the faults stop,
every device syncs to quiescence, and the promises of SYNC.md are checked.

Work: receipts, picks (and over-picks), moves, stocktake counts and recounts, task claims and
completions, master-data edits on the devices; stocktakes opened and approved and pick tasks made in
the back office. Faults: request dropped, response dropped after the server committed, duplicated
delivery, stale requests re-delivered later (reordering), device crash at a random SQLite instruction
(so between any two statements, inside or outside a transaction), server restart, device clock skew
(±48 h, a jump back, 1970), network partitions.

The same seed gives the same trace hash: ids, clocks and choices all come from the seed.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from client.replica.db import Replica, open_replica
from server.app import create_app
from server.settings import Settings
from server.store import catalogue, devices, ledger, stocktakes, tasks
from server.store.db import ServerClock, Store, open_store
from shared.catalogue.model import new_bin, new_sku, new_warehouse
from sync.client import Replicator
from sync.transport import TransportError
from tests.in_process_transport import InProcessTransport

START_MS = 1_780_000_000_000
HOUR_MS = 3_600_000
SECRET = "sim-secret"


@dataclass
class Faults:
    drop_request: float = 0.08
    drop_response: float = 0.08
    duplicate: float = 0.05
    stash: float = 0.05
    device_crash: float = 0.04
    server_restart: float = 0.03
    partition: float = 0.04
    skew: float = 0.04

    @classmethod
    def none(cls) -> Faults:
        return cls(0, 0, 0, 0, 0, 0, 0, 0)


class SimClock:
    def __init__(self) -> None:
        self.ms = START_MS

    def now(self) -> int:
        return self.ms


def seeded_uuid7(rng: random.Random, clock: SimClock) -> str:
    value = (clock.ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return str(uuid.UUID(int=value))


class SimServer:
    """The real app over a real SQLite file, reached in-process; restartable."""

    def __init__(self, folder: Path, clock: SimClock) -> None:
        self.url = f"sqlite:///{folder / 'server.sqlite3'}"
        self.folder, self.clock = folder, clock
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        self.store: Store = open_store(self.url, clock=ServerClock(wall_ms=self.clock.now))
        self.client = TestClient(create_app(Settings(secret_key=SECRET, data_dir=self.folder), store=self.store))
        self.client.__enter__()

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self._start()

    def stop(self) -> None:
        self.client.__exit__(None, None, None)
        self.store.dispose()

    def call(self, method: str, path: str, token: str | None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.request(method, path, headers=headers, **kw)


class FaultyTransport(InProcessTransport):
    """``sync.transport.Transport`` over the in-process server, with the seed's faults."""

    def __init__(self, sim: Simulation, index: int) -> None:
        self.sim, self.index = sim, index
        self.partitioned = False

    def _roll(self, p: float) -> bool:
        return self.sim.rng.random() < p

    def _send(self, method: str, path: str, token: str | None, **kw: Any) -> Any:
        f = self.sim.faults
        if self.partitioned:
            raise TransportError("partitioned")
        if self._roll(f.drop_request):
            self.sim.note("drop-request", self.index, path)
            raise TransportError("request dropped")
        if method == "POST" and self._roll(f.stash):
            self.sim.stashed.append((path, token, kw))
        response = self.sim.server.call(method, path, token, **kw)
        if self._roll(f.duplicate):
            self.sim.note("duplicate", self.index, path)
            response = self.sim.server.call(method, path, token, **kw)
        if self._roll(f.drop_response):
            self.sim.note("drop-response", self.index, path)
            raise TransportError("response dropped")
        return response


@dataclass
class SimDevice:
    index: int
    path: Path
    replica: Replica
    replicator: Replicator
    transport: FaultyTransport
    skew_ms: int = 0
    crash_armed: int = 0
    created: list[str] = field(default_factory=list)

    @property
    def user(self) -> str:
        return f"user{self.index}"


class Crash(Exception):
    """The device died at a random SQLite instruction."""


class Simulation:
    def __init__(self, seed: int, folder: Path, *, devices_n: int = 3, steps: int = 50, faults: Faults | None = None) -> None:
        self.seed, self.folder, self.steps = seed, folder, steps
        folder.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.faults = faults or Faults()
        self.clock = SimClock()
        self.trace: list[str] = []
        self.stashed: list[tuple[str, str | None, dict[str, Any]]] = []
        self.server = SimServer(folder, self.clock)
        self._world()
        self.devices = [self._new_device(i) for i in range(devices_n)]

    # ---- set-up ------------------------------------------------------------------------------------

    def _id(self) -> str:
        return seeded_uuid7(self.rng, self.clock)

    def _world(self) -> None:
        with self.server.store.transaction() as conn:
            wh = catalogue.insert_warehouse(conn, new_warehouse("WH-SIM", "模拟仓", id=self._id()))
            other = catalogue.insert_warehouse(conn, new_warehouse("WH-OUT", "范围外仓", id=self._id()))
            self.bins = [new_bin(wh.id, f"S-{i:02d}", walk_seq=i, id=self._id()) for i in range(6)]
            catalogue.insert_bins(conn, [*self.bins, new_bin(other.id, "O-01", id=self._id())])
            self.skus = [new_sku(f"SIM-{i}", f"模拟商品{i}", low_stock_threshold=3, id=self._id()) for i in range(5)]
            catalogue.insert_skus(conn, self.skus)
        self.warehouse_id = wh.id

    def _new_device(self, index: int) -> SimDevice:
        path = self.folder / f"device{index}.sqlite3"
        with self.server.store.transaction() as conn:
            code, _ = devices.new_enrolment_code(conn, self.warehouse_id)
        device = self._open_device(index, path)
        self._quiet(device, lambda: device.replicator.enrol(code, f"PDA-{index}", f"hw-{index}", "sim"))
        self._quiet(device, device.replicator.bootstrap)
        return device

    def _open_device(self, index: int, path: Path, old: SimDevice | None = None) -> SimDevice:
        replica = open_replica(path)
        transport = old.transport if old else FaultyTransport(self, index)
        device = SimDevice(index, path, replica, transport=transport, replicator=None,  # type: ignore[arg-type]
                           skew_ms=old.skew_ms if old else 0, created=old.created if old else [])
        device.replicator = Replicator(replica, transport, device_id="", wall_ms=lambda: self.clock.ms + device.skew_ms,
                                       new_id=self._id, sleep=lambda _s: None, rng=self.rng, max_attempts=2)
        return device

    # ---- the run -------------------------------------------------------------------------------------

    def note(self, *parts: object) -> None:
        self.trace.append(" ".join(str(p) for p in parts))

    def run(self) -> str:
        for step in range(self.steps):
            self.clock.ms += self.rng.randint(1, 5000)
            self._inject_faults(step)
            self._back_office(step)
            device = self.rng.choice(self.devices)
            self._device_step(step, device)
        self.heal()
        return self.trace_hash()

    def _inject_faults(self, step: int) -> None:
        f = self.faults
        if self.rng.random() < f.server_restart:
            self.note(step, "server-restart")
            self.server.restart()
        for d in self.devices:
            if self.rng.random() < f.partition:
                d.transport.partitioned = not d.transport.partitioned
                self.note(step, "partition", d.index, d.transport.partitioned)
            if self.rng.random() < f.skew:
                d.skew_ms = self.rng.choice([48 * HOUR_MS, -48 * HOUR_MS, -HOUR_MS, -self.clock.ms, 0])
                self.note(step, "skew", d.index, d.skew_ms)
            if self.rng.random() < f.device_crash:
                d.crash_armed = self.rng.randint(1, 400)
        if self.stashed and self.rng.random() < 0.3:
            path, token, kw = self.stashed.pop(self.rng.randrange(len(self.stashed)))
            self.note(step, "redeliver", path)
            self.server.call("POST", path, token, **kw)

    def _back_office(self, step: int) -> None:
        store, roll = self.server.store, self.rng.random()
        with store.transaction() as conn:
            open_st = [st for st in _open_stocktakes(conn, self.warehouse_id)]
            if roll < 0.05 and not open_st:
                bins = self.rng.sample([b.id for b in self.bins], 2)
                stocktakes.create(conn, self.warehouse_id, bins, hlc=store.clock.now(), user_id="admin")
                self.note(step, "stocktake-open")
            elif roll < 0.12 and open_st and not stocktakes.review(conn, open_st[0]).recounts:
                stocktakes.approve(conn, open_st[0], approver="admin", hlc=store.clock.now())
                self.note(step, "stocktake-approve")
            elif roll < 0.17:
                tasks.create(conn, "pick", self.warehouse_id, {"note": f"step {step}"}, hlc=store.clock.now(), task_id=self._id())
                self.note(step, "task-open")

    def _device_step(self, step: int, device: SimDevice) -> None:
        if device.crash_armed:
            self._arm_crash(device)
        try:
            action = self._act(device)
            self.note(step, "device", device.index, action)
        except TransportError as exc:
            self.note(step, "device", device.index, "transport-error", exc.code)
        except (Crash, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            if "interrupted" not in str(exc) and not isinstance(exc, Crash):
                raise
            self.note(step, "device", device.index, "crashed")
            self._restart_device(device)
            return
        if device.crash_armed:  # it survived the step: disarm
            device.replica._conn.set_progress_handler(None, 0)
            device.crash_armed = 0

    def _arm_crash(self, device: SimDevice) -> None:
        countdown = [device.crash_armed]

        def handler() -> int:
            countdown[0] -= 1
            return 1 if countdown[0] <= 0 else 0

        device.replica._conn.set_progress_handler(handler, 1)

    def _restart_device(self, device: SimDevice) -> None:
        try:
            device.replica._conn.set_progress_handler(None, 0)
            device.replica._conn.rollback()
        finally:
            device.replica.close()
        fresh = self._open_device(device.index, device.path, device)
        fresh.crash_armed = 0
        self.devices[device.index] = fresh

    def _act(self, d: SimDevice) -> str:
        roll = self.rng.random()
        if roll < 0.3:
            return self._sync(d)
        sku, bin_ = self.rng.choice(self.skus), self.rng.choice(self.bins)
        if roll < 0.5:
            return self._record(d, "stock.receive", {"sku_id": sku.id, "bin_id": bin_.id, "qty": self.rng.randint(1, 9), "batch": ""})
        if roll < 0.65:
            return self._record(d, "stock.pick", {"sku_id": sku.id, "bin_id": bin_.id, "qty": self.rng.randint(1, 6), "batch": ""})
        if roll < 0.75:
            to = self.rng.choice([b for b in self.bins if b.id != bin_.id])
            return self._record(d, "stock.move", {"sku_id": sku.id, "from_bin_id": bin_.id, "to_bin_id": to.id,
                                                  "qty": self.rng.randint(1, 4), "batch": ""})
        if roll < 0.85:
            return self._count(d)
        if roll < 0.93:
            return self._task(d)
        return self._record(d, "master.set", {"entity": "sku", "entity_id": sku.id, "field": "low_stock_threshold",
                                              "value": self.rng.randint(0, 9)})

    def _record(self, d: SimDevice, kind: str, payload: dict[str, Any]) -> str:
        op = d.replicator.record(kind, payload, d.user)
        d.created.append(op.op_id)
        return f"{kind} {op.op_id}"

    def _count(self, d: SimDevice) -> str:
        rows = d.replica._conn.execute("SELECT id, bin_ids FROM stocktake WHERE state = 'open' ORDER BY id").fetchall()
        if not rows:
            return "no-stocktake"
        import json

        st_id, bin_ids = rows[0][0], json.loads(rows[0][1])
        bin_id, sku = self.rng.choice(bin_ids), self.rng.choice(self.skus)
        seen = sum(line.server_on_hand + line.pending_qty for line in d.replica.stock_view(bin_id=bin_id, sku_id=sku.id))
        qty = max(0, seen + self.rng.choice([0, 0, 0, 1, -1]))
        recount = any(t.kind == "recount" for t in d.replica.open_tasks())
        return self._record(d, "stocktake.count", {"stocktake_id": st_id, "bin_id": bin_id, "sku_id": sku.id, "batch": "",
                                                   "counted_qty": qty, "is_recount": recount})

    def _task(self, d: SimDevice) -> str:
        open_ = [t for t in d.replica.open_tasks() if t.kind == "pick" and t.state in ("open", "claimed")]
        if not open_:
            return "no-task"
        t = self.rng.choice(open_)
        kind = "task.claim" if t.state == "open" else "task.complete"
        return self._record(d, kind, {"task_id": t.id})

    def _sync(self, d: SimDevice) -> str:
        report = d.replicator.sync()
        pulled = report.pull.changes if report.pull else -1
        return f"sync pushed={report.push.acked}+{report.push.rejected} pulled={pulled}"

    def _quiet(self, d: SimDevice, call: Any) -> Any:
        saved, self.faults = self.faults, Faults.none()
        try:
            return call()
        finally:
            self.faults = saved

    # ---- heal and check --------------------------------------------------------------------------------

    def heal(self) -> None:
        """Stop the faults, re-deliver what was stashed, and sync every device until quiet."""
        self.faults = Faults.none()
        for d in self.devices:
            d.transport.partitioned = False
            d.crash_armed = 0
        for path, token, kw in self.stashed:
            self.server.call("POST", path, token, **kw)
        self.stashed.clear()
        for _round in range(5):
            for d in self.devices:
                d.replicator.sync()
            if all(d.replica.pending_count() == 0 for d in self.devices):
                break
        for d in self.devices:  # a final pull so every replica sees the others' last pushes
            d.replicator.pull()

    def trace_hash(self) -> str:
        digest = hashlib.sha256()
        for line in self.trace:
            digest.update(line.encode())
            digest.update(b"\n")
        for key, on_hand in sorted(self.server_stock().items()):
            digest.update(f"{key}={on_hand}\n".encode())
        return digest.hexdigest()

    def server_stock(self) -> dict[tuple[str, str, str], int]:
        with self.server.store.read() as conn:
            return {(b.sku_id, b.bin_id, b.batch): b.on_hand for b in ledger.balances_in_bins(conn, [b.id for b in self.bins])}

    def close(self) -> None:
        for d in self.devices:
            d.replica.close()
        self.server.stop()


def _open_stocktakes(conn: Any, warehouse_id: str) -> list[str]:
    from sqlalchemy import select

    from server.store.schema import stocktakes as table

    rows = conn.execute(select(table.c.id).where((table.c.warehouse_id == warehouse_id) & (table.c.state == "open")).order_by(table.c.id))
    return [r.id for r in rows]
