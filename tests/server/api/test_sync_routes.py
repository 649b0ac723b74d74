from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.store import devices, ledger, oplog, stocktakes, tasks
from shared.core import clock
from shared.core.ids import new_id
from sync.protocol import MAX_OPS_PER_PUSH
from tests.server.world import World


@dataclass
class Device:
    client: TestClient
    world: World
    device_id: str
    token: str
    seq: int = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def op(self, kind: str, payload: dict[str, Any], *, hlc: int | None = None, op_id: str | None = None, v: int = 2) -> dict[str, Any]:
        self.seq += 1
        return {"op_id": op_id or new_id(), "device_id": self.device_id, "seq": self.seq, "hlc": hlc or self.world.hlc(),
                "user_id": "zhangsan", "kind": kind, "v": v, "payload": payload}

    def push(self, *ops: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.client.post("/sync/v1/push", json={"ops": list(ops)}, headers=self.headers())
        assert r.status_code == 200, r.text
        results: list[dict[str, Any]] = r.json()["results"]
        return results


def _enrol(client: TestClient, world: World, name: str = "PDA-01") -> Device:
    with world.store.transaction() as conn:
        code, _ = devices.new_enrolment_code(conn, world.wh_a)
    r = client.post("/sync/v1/enrol", json={"code": code, "device_name": name, "hardware_id": "hw-" + name, "app_version": "0.1"})
    assert r.status_code == 200, r.text
    body = r.json()
    return Device(client, world, body["device_id"], body["token"])


@pytest.fixture
def device(world: World) -> Iterator[Device]:
    with TestClient(create_app(Settings(secret_key="test-secret"), store=world.store)) as client:
        yield _enrol(client, world)


def _pick(d: Device, qty: int = 1, **kw: Any) -> dict[str, Any]:
    return d.op("stock.pick", {"sku_id": d.world.sku, "bin_id": d.world.a1.id, "qty": qty, "batch": ""}, **kw)


def test_enrolment_code_works_once(device: Device) -> None:
    with device.world.store.transaction() as conn:
        code, _ = devices.new_enrolment_code(conn, device.world.wh_a)
    first = device.client.post("/sync/v1/enrol", json={"code": code, "device_name": "A"})
    again = device.client.post("/sync/v1/enrol", json={"code": code, "device_name": "B"})
    assert first.status_code == 200 and again.status_code == 422
    assert again.json()["error"]["code"] == "device.bad_enrolment_code"


def test_push_applies_once_and_a_replay_gets_the_original_result(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 10)
    op = _pick(device, 3)
    first = device.push(op)
    again = device.push(op)
    assert first[0]["status"] == "applied" and again[0]["status"] == "duplicate"
    assert again[0]["result"] == first[0]["result"]
    with device.world.store.read() as conn:
        assert ledger.balance(conn, device.world.sku, device.world.a1.id).on_hand == 7
        assert oplog.applied_count(conn, device.device_id) == 1


def test_same_op_twice_in_one_batch_counts_once(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 10)
    op = _pick(device, 2)
    results = device.push(op, op)
    assert [r["status"] for r in results] == ["applied", "duplicate"]
    with device.world.store.read() as conn:
        assert ledger.balance(conn, device.world.sku, device.world.a1.id).on_hand == 8


def test_same_op_id_with_another_payload_is_rejected_and_kept(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 10)
    op = _pick(device, 1)
    device.push(op)
    forged = {**op, "payload": {**op["payload"], "qty": 5}}
    result = device.push(forged)[0]
    assert result["status"] == "rejected" and result["error"]["code"] == "sync.replayed_different_payload"
    with device.world.store.read() as conn:
        assert ledger.balance(conn, device.world.sku, device.world.a1.id).on_hand == 9
        assert [c["code"] for c in oplog.open_conflicts(conn, device.device_id)] == ["sync.replayed_different_payload"]


def test_a_bad_op_is_rejected_without_stopping_the_batch(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 10)
    bad = device.op("stock.pick", {"sku_id": new_id(), "bin_id": device.world.a1.id, "qty": 1, "batch": ""})
    results = device.push(_pick(device, 1), bad, _pick(device, 1))
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["error"]["code"] == "sku.not_found" and "找不到商品" in results[1]["error"]["message"]
    with device.world.store.read() as conn:
        assert ledger.balance(conn, device.world.sku, device.world.a1.id).on_hand == 8
        assert len(oplog.open_conflicts(conn, device.device_id)) == 1


def test_overpick_is_applied_and_opens_an_exception_task(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 1)
    result = device.push(_pick(device, 3))[0]
    assert result["status"] == "applied" and result["result"]["negative"][0]["on_hand"] == -2
    with device.world.store.read() as conn:
        assert [t.data["reason"] for t in tasks.open_tasks(conn, device.world.wh_a, "exception")] == ["negative_balance"]


def test_previous_payload_version_is_accepted(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 5)
    op = device.op("stock.pick", {"sku_id": device.world.sku, "bin_id": device.world.a1.id, "qty": 1}, v=1)
    assert device.push(op)[0]["status"] == "applied"
    too_old = device.op("stock.pick", {"sku_id": device.world.sku, "bin_id": device.world.a1.id, "qty": 1}, v=0)
    assert device.push(too_old)[0]["error"]["code"] == "sync.bad_version"


def test_op_of_another_device_is_rejected(device: Device) -> None:
    op = {**_pick(device), "device_id": new_id()}
    assert device.push(op)[0]["error"]["code"] == "sync.wrong_device"


def test_clock_far_ahead_is_accepted_ordered_by_server_and_flagged(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 5)
    server_now = device.world.hlc()
    ahead = clock.pack(clock.wall_ms_of(server_now) + 48 * 3600 * 1000)
    assert device.push(_pick(device, 1, hlc=ahead))[0]["status"] == "applied"
    with device.world.store.read() as conn:
        moved = ledger.movements_for(conn, sku_id=device.world.sku, limit=1)[0]
    assert moved.hlc < ahead
    status = device.client.get("/sync/v1/status", headers=device.headers()).json()
    assert status["clock_flagged"] is True and status["clock_skew_ms"] >= 47 * 3600 * 1000


def test_claim_is_first_wins_and_the_loser_gets_a_conflict(device: Device) -> None:
    other = _enrol(device.client, device.world, "PDA-02")
    with device.world.store.transaction() as conn:
        task = tasks.create(conn, "pick", device.world.wh_a, {"lines": []}, hlc=device.world.hlc())
    assert device.push(device.op("task.claim", {"task_id": task.id}))[0]["status"] == "applied"
    lost = other.push(other.op("task.claim", {"task_id": task.id}))[0]
    assert lost["status"] == "rejected" and lost["error"]["code"] == "task.claimed_by_other"
    device.world.stock(device.world.sku, device.world.a1, 5)
    scan = other.op("stock.pick", {"sku_id": device.world.sku, "bin_id": device.world.a1.id, "qty": 1, "batch": "", "task_id": task.id})
    assert other.push(scan)[0]["status"] == "applied"  # the loser's scans still post


def test_differing_counts_open_a_recount_task(device: Device) -> None:
    with device.world.store.transaction() as conn:
        st = stocktakes.create(conn, device.world.wh_a, [device.world.a1.id], hlc=device.world.hlc())
    count = {"stocktake_id": st.id, "bin_id": device.world.a1.id, "sku_id": device.world.sku, "batch": "", "is_recount": False}
    device.push(device.op("stocktake.count", {**count, "counted_qty": 4}))
    result = device.push(device.op("stocktake.count", {**count, "counted_qty": 5}))[0]
    assert result["result"]["recount_opened"] is True
    with device.world.store.read() as conn:
        assert len(tasks.open_tasks(conn, device.world.wh_a, "recount")) == 1


def test_late_movement_before_an_approved_count_is_compensated(device: Device) -> None:
    w = device.world
    w.stock(w.sku, w.a1, 10)
    offline_pick_at = w.hlc()  # the device picked 2 here, offline
    with w.store.transaction() as conn:
        st = stocktakes.create(conn, w.wh_a, [w.a1.id], hlc=w.hlc())
        stocktakes.record_count(conn, st.id, w.a1.id, w.sku, 8, counted_hlc=w.hlc(), counted_by="lisi")
        stocktakes.approve(conn, st.id, approver="admin", hlc=w.hlc())
    with w.store.read() as conn:
        assert ledger.balance(conn, w.sku, w.a1.id).on_hand == 8  # count said 8 (the 2 were already gone)
    result = device.push(_pick(device, 2, hlc=offline_pick_at))[0]
    assert result["status"] == "applied" and result["result"]["compensations"] == 1
    with w.store.read() as conn:
        assert ledger.balance(conn, w.sku, w.a1.id).on_hand == 8  # the count stays true
        assert ledger.projection_drift(conn) == []


def test_master_edit_is_last_writer_wins_by_hlc(device: Device) -> None:
    w = device.world
    early, late = w.hlc(), w.hlc()
    edit = {"entity": "sku", "entity_id": w.sku, "field": "low_stock_threshold"}
    assert device.push(device.op("master.set", {**edit, "value": 9}, hlc=late))[0]["result"]["won"] is True
    assert device.push(device.op("master.set", {**edit, "value": 3}, hlc=early))[0]["result"]["won"] is False
    with w.store.read() as conn:
        from server.store.catalogue import get_sku

        assert get_sku(conn, w.sku).low_stock_threshold == 9
        assert [c["code"] for c in oplog.open_conflicts(conn, device.device_id)] == ["master.lww_lost"]


def test_pull_pages_through_changes_in_scope(device: Device) -> None:
    w = device.world
    w.stock(w.sku, w.a1, 3)
    w.stock(w.sku, w.b1, 4)  # another warehouse: not in this device's scope
    seen: list[dict[str, Any]] = []
    cursor, more = 0, True
    while more:
        page = device.client.get("/sync/v1/pull", params={"cursor": cursor, "limit": 2}, headers=device.headers()).json()
        seen += page["changes"]
        cursor, more = page["cursor"], page["more"]
    stock = [c["data"] for c in seen if c["entity"] == "stock"]
    assert stock == [{"sku_id": w.sku, "bin_id": w.a1.id, "batch": "", "warehouse_id": w.wh_a, "on_hand": 3, "reserved": 0}]
    assert {c["entity"] for c in seen} >= {"sku", "bin", "stock"}
    again = device.client.get("/sync/v1/pull", params={"cursor": cursor}, headers=device.headers()).json()
    assert again["changes"] == [] and again["more"] is False


def test_snapshot_is_a_ready_replica_with_its_cursor(device: Device, tmp_path: Any) -> None:
    import sqlite3

    device.world.stock(device.world.sku, device.world.a1, 6)
    r = device.client.get("/sync/v1/snapshot", headers=device.headers())
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.sqlite3"
    path = tmp_path / "replica.sqlite3"
    path.write_bytes(r.content)
    db = sqlite3.connect(path)
    assert db.execute("SELECT on_hand FROM stock WHERE bin_id = ?", (device.world.a1.id,)).fetchone() == (6,)
    assert db.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone() == (r.headers["x-erp-cursor"],)
    assert db.execute("SELECT count(*) FROM sku").fetchone()[0] == 3


def test_revoked_device_is_refused_at_once(device: Device) -> None:
    with device.world.store.transaction() as conn:
        devices.revoke(conn, device.device_id, hlc=device.world.hlc())
    for r in (device.client.post("/sync/v1/push", json={"ops": []}, headers=device.headers()),
              device.client.get("/sync/v1/pull", headers=device.headers())):
        assert r.status_code == 401 and r.json()["error"]["code"] == "device.revoked"


@pytest.mark.parametrize("token", [None, "garbage", "eyJkIjoiMSJ9.forged"])
def test_missing_or_forged_token_is_unauthorized(device: Device, token: str | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = device.client.get("/sync/v1/status", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "device.unauthorized"


def test_too_many_ops_is_413(device: Device) -> None:
    ops = [_pick(device) for _ in range(MAX_OPS_PER_PUSH + 1)]
    r = device.client.post("/sync/v1/push", json={"ops": ops}, headers=device.headers())
    assert r.status_code == 413 and r.json()["error"]["code"] == "sync.batch_too_large"


def test_oversize_body_is_413_counted_as_it_streams(device: Device) -> None:
    body = b'{"ops": [' + b" " * (5 * 1024 * 1024) + b"]}"
    r = device.client.post("/sync/v1/push", content=body, headers={**device.headers(), "Content-Length": "10"})
    assert r.status_code in (400, 413)
    r = device.client.post("/sync/v1/push", content=body, headers=device.headers())
    assert r.status_code == 413 and r.json()["error"]["code"] == "sync.body_too_large"


@pytest.mark.parametrize("body", [b"not json", b'{"ops": [NaN]}', b"[" * 100000, "{\"ops\": [\"\u00e9\"]}".encode("latin-1")])
def test_malformed_bodies_get_a_clear_422(device: Device, body: bytes) -> None:
    r = device.client.post("/sync/v1/push", content=body, headers=device.headers())
    assert r.status_code == 422 and r.json()["error"]["code"] in ("sync.bad_json", "sync.bad_envelope")


def test_gzip_push_is_accepted(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 5)
    body = gzip.compress(json.dumps({"ops": [_pick(device)]}).encode())
    r = device.client.post("/sync/v1/push", content=body, headers={**device.headers(), "Content-Encoding": "gzip",
                                                                    "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"


def test_movement_ids_derive_from_the_op_id(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 5)
    op = _pick(device)
    result = device.push(op)[0]
    assert result["result"]["movement_ids"] == [op["op_id"]]


def test_a_rejected_op_in_a_savepoint_does_not_hide_later_changes_from_pull(device: Device) -> None:
    """Regression (found by the simulation): a claim that loses used to take the change stamp inside
    its savepoint; the rollback undid the counter while later rows of the push kept the number."""
    from sqlalchemy import func, select

    from server.store.schema import stock_balances, sync_counter

    other = _enrol(device.client, device.world, "PDA-02")
    with device.world.store.transaction() as conn:
        task = tasks.create(conn, "pick", device.world.wh_a, {}, hlc=device.world.hlc())
    device.push(device.op("task.claim", {"task_id": task.id}))
    cursor = device.client.get("/sync/v1/pull", params={"cursor": 0, "limit": 5000}, headers=device.headers()).json()["cursor"]
    receive = other.op("stock.receive", {"sku_id": device.world.sku, "bin_id": device.world.a1.id, "qty": 2, "batch": ""})
    results = other.push(other.op("task.claim", {"task_id": task.id}), receive)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    with device.world.store.read() as conn:
        counter = conn.execute(select(sync_counter.c.value)).scalar_one()
        assert conn.execute(select(func.max(stock_balances.c.change_seq))).scalar_one() <= counter
    page = device.client.get("/sync/v1/pull", params={"cursor": cursor}, headers=device.headers()).json()
    assert any(c["entity"] == "stock" and c["data"]["on_hand"] == 2 for c in page["changes"])


def test_taking_a_new_stamp_inside_a_savepoint_is_refused(world: World) -> None:
    from server.store.changes import stamp

    with world.store.transaction() as conn, conn.begin_nested(), pytest.raises(RuntimeError):
        stamp(conn)


def test_device_ships_and_receives_a_transfer(device: Device) -> None:
    from server.store import transfers

    w = device.world
    w.stock(w.sku, w.a1, 10)
    with w.store.transaction() as conn:
        t = transfers.create(conn, w.wh_a, w.wh_b, [(w.sku, 6)], hlc=w.hlc())
    shipped = device.push(device.op("transfer.ship", {"transfer_id": t.id, "from_bin_id": w.a1.id, "lines": [{"line_no": 1, "qty": 4}]}))[0]
    assert shipped["status"] == "applied" and shipped["result"]["state"] == "in_transit"
    with w.store.read() as conn:
        assert ledger.warehouse_level(conn, w.sku, w.wh_b).in_transit == 4
    wrong = device.push(device.op("transfer.receive", {"transfer_id": t.id, "to_bin_id": w.b1.id, "sku_id": w.sku, "qty": 4}))[0]
    assert wrong["status"] == "rejected" and wrong["error"]["code"] == "bin.wrong_warehouse"  # not this device's warehouse


def test_completion_keeps_short_picks_with_their_reason(device: Device) -> None:
    w = device.world
    with w.store.transaction() as conn:
        task = tasks.create_pick(conn, w.wh_a, [{"sku_id": w.sku, "bin_id": w.a2.id, "qty": 2}, {"sku_id": w.sku2, "bin_id": w.a1.id, "qty": 1}],
                                 hlc=w.hlc())
    assert [ln["bin_code"] for ln in task.data["lines"]] == ["A-01-01-01", "A-01-01-02"]  # walking order
    device.push(device.op("task.claim", {"task_id": task.id}))
    done = device.push(device.op("task.complete", {"task_id": task.id, "shorts": [
        {"sku_id": w.sku, "bin_id": w.a2.id, "qty": 2, "reason": "not_found"}]}))[0]
    assert done["status"] == "applied"
    with w.store.read() as conn:
        assert tasks.get(conn, task.id).data["shorts"][0]["reason"] == "not_found"
    bad = device.push(device.op("task.complete", {"task_id": task.id, "shorts": [{"sku_id": w.sku, "bin_id": w.a2.id, "qty": 1, "reason": "lazy"}]}))[0]
    assert bad["error"]["code"] == "invalid.enum"


def test_pull_carries_receipts_transfers_and_the_devices_own_warehouse(device: Device) -> None:
    from server.store import receipts, transfers

    w = device.world
    with w.store.transaction() as conn:
        receipts.create(conn, w.wh_a, [(w.sku, 5)], hlc=w.hlc(), reference="DN-1")
        transfers.create(conn, w.wh_b, w.wh_a, [(w.sku2, 3)], hlc=w.hlc())
        receipts.create(conn, w.wh_b, [(w.sku, 5)], hlc=w.hlc(), reference="DN-OTHER")
    page = device.client.get("/sync/v1/pull", params={"cursor": 0, "limit": 5000}, headers=device.headers()).json()
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for c in page["changes"]:
        by_entity.setdefault(c["entity"], []).append(c["data"])
    assert [r["reference"] for r in by_entity["receipt"]] == ["DN-1"]
    assert json.loads(by_entity["receipt"][0]["lines"])[0]["expected_qty"] == 5
    assert len(by_entity["transfer"]) == 1 and by_entity["transfer"][0]["to_warehouse_id"] == w.wh_a
    assert [x["id"] for x in by_entity["warehouse"]] == [w.wh_a]


def test_ops_pushed_by_a_revoked_device_are_quarantined_not_applied_not_lost(device: Device) -> None:
    device.world.stock(device.world.sku, device.world.a1, 5)
    with device.world.store.transaction() as conn:
        devices.revoke(conn, device.device_id, hlc=device.world.hlc())
    op = _pick(device, 2)
    for _ in range(2):  # a retry keeps it once
        r = device.client.post("/sync/v1/push", json={"ops": [op]}, headers=device.headers())
        assert r.status_code == 401 and r.json()["error"]["code"] == "device.revoked"
    assert r.headers["x-erp-quarantined"] == "0"
    with device.world.store.read() as conn:
        kept = [c for c in oplog.open_conflicts(conn, device.device_id) if c["code"] == "device.revoked"]
        assert [c["op_id"] for c in kept] == [op["op_id"]] and kept[0]["payload"]["qty"] == 2
        assert ledger.balance(conn, device.world.sku, device.world.a1.id).on_hand == 5
