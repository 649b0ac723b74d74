"""Test support for the handheld services: the ``World`` of one test (a real server in-process, the
app over its SQLite store reached through starlette's TestClient, with the small demo data) and
handheld sessions enrolled against it through a transport that can be switched off ("the server is
down": every call raises ``TransportError``, as a lost network does)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select
from starlette.testclient import TestClient

from client.services.session import DeviceSession
from server import demo
from server.store import catalogue, devices, ledger, receipts, stocktakes, tasks, transfers
from server.store.db import Store
from server.store.schema import skus
from shared.core.ids import new_id
from sync.transport import TransportError
from tests.in_process_transport import InProcessTransport

START_MS = 1_780_000_000_000
SECRET = "handheld-services-test"


class Clock:
    """The one clock of a test: the server's wall clock and every device's ``now_ms``."""

    def __init__(self) -> None:
        self.ms = START_MS

    def now(self) -> int:
        return self.ms

    def advance(self, ms: int) -> None:
        self.ms += ms


class SwitchTransport(InProcessTransport):
    """``sync.transport.Transport`` to the in-process server; ``down = True`` makes every call fail."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.down = False
        self.calls = 0

    def _send(self, method: str, path: str, token: str | None, **kw: Any) -> Any:
        if self.down:
            raise TransportError("server down")
        self.calls += 1
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.request(method, path, headers=headers, **kw)


@dataclass
class World:
    folder: Path
    clock: Clock
    store: Store
    client: TestClient
    transport: SwitchTransport
    sessions: list[DeviceSession] = field(default_factory=list)

    # ---- devices -----------------------------------------------------------------------------------

    def code(self, warehouse: str = "WH-SH") -> str:
        with self.store.transaction() as conn:
            return devices.new_enrolment_code(conn, warehouse)[0]

    def session(self, name: str = "pda") -> DeviceSession:
        """A session over the replica file ``<name>.sqlite3`` (new or existing), not signed in."""
        s = DeviceSession(self.folder / f"{name}.sqlite3", self.transport, now_ms=self.clock.now, new_id=new_id,
                          sleep=lambda _s: None, device_name=name, hardware_id=f"hw-{name}")
        self.sessions.append(s)
        return s

    def device(self, name: str = "pda", warehouse: str = "WH-SH", user: str = "zhangsan") -> DeviceSession:
        """An enrolled, bootstrapped session with ``user`` signed in."""
        s = self.session(name)
        assert s.enrol(self.code(warehouse)).ok
        assert s.sign_in(user, demo.DEMO_PIN).ok
        return s

    def reopen(self, s: DeviceSession, user: str = "zhangsan") -> DeviceSession:
        """Close the replica (as if the app were killed: nothing else runs) and open it again."""
        s.close()
        self.sessions.remove(s)
        fresh = self.session(s.replica.path.stem)
        assert fresh.sign_in(user, demo.DEMO_PIN).ok
        return fresh

    # ---- server side -------------------------------------------------------------------------------

    def read(self, fn: Callable[[Connection], Any]) -> Any:
        with self.store.read() as conn:
            return fn(conn)

    def write(self, fn: Callable[[Connection], Any]) -> Any:
        with self.store.transaction() as conn:
            return fn(conn)

    def on_hand(self, sku_id: str, bin_id: str, batch: str = "") -> int:
        return int(self.read(lambda c: ledger.ledger_sum(c, sku_id, bin_id, batch)))

    def barcode(self, sku_id: str, pack_qty: int = 1) -> str:
        rows = self.read(lambda c: catalogue.barcodes_of(c, sku_id))
        return next(r.raw for r in rows if r.pack_qty_base == pack_qty)

    def bin_code(self, bin_id: str) -> str:
        return str(self.read(lambda c: catalogue.get_bin(c, bin_id)).code)

    def bin(self, warehouse: str, code: str) -> Any:
        wh = self.read(lambda c: catalogue.get_warehouse(c, warehouse))
        return self.read(lambda c: catalogue.find_bin(c, wh.id, code))

    def sku_ids(self, *, batch_tracked: bool | None = False) -> list[str]:
        """SKU ids by code; by default those without batches (a plain EAN scan is enough)."""
        rows = self.read(lambda c: c.execute(select(skus.c.id, skus.c.batch_tracked).order_by(skus.c.code)).all())
        return [r.id for r in rows if batch_tracked is None or bool(r.batch_tracked) == batch_tracked]

    def storage_bins(self, warehouse: str = "WH-SH") -> list[Any]:
        wh = self.warehouse_id(warehouse)
        return [b for b in self.read(lambda c: catalogue.list_bins(c, wh)) if b.kind == "storage"]

    def stocked(self, warehouse: str = "WH-SH", at_least: int = 3) -> list[Any]:
        """Server balances of SKUs without batches holding ``at_least`` units, in bin order."""
        plain = set(self.sku_ids())
        bins = [b.id for b in self.storage_bins(warehouse)]
        rows = self.read(lambda c: ledger.balances_in_bins(c, bins))
        return sorted((b for b in rows if b.sku_id in plain and b.on_hand >= at_least), key=lambda b: (b.bin_id, b.sku_id))

    def warehouse_id(self, code: str) -> str:
        return str(self.read(lambda c: catalogue.get_warehouse(c, code)).id)

    def task(self, task_id: str) -> tasks.Task:
        return self.read(lambda c: tasks.get(c, task_id))  # type: ignore[no-any-return]

    def receipt(self, ref: str) -> receipts.Receipt:
        return self.read(lambda c: receipts.get(c, ref))  # type: ignore[no-any-return]

    def transfer(self, ref: str) -> transfers.Transfer:
        return self.read(lambda c: transfers.get(c, ref))  # type: ignore[no-any-return]

    def count_lines(self, stocktake_id: str) -> list[Any]:
        return self.read(lambda c: stocktakes.count_lines(c, stocktake_id))  # type: ignore[no-any-return]

    def hlc(self) -> int:
        return self.store.clock.now()


def outbox_size(s: DeviceSession) -> int:
    return len(s.replica.outbox_entries())
