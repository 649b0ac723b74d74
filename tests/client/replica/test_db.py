"""The local replica on real SQLite files: atomic outbox writes (also across a killed process),
answers recorded once, pruning that never loses a pending op, pulled pages with their cursor,
snapshots, and the rebased reads the screens use."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from client.replica import Replica, open_replica
from shared.scan.resolve import BinScan, SkuScan, resolve_scan
from sync.ports import ACKED, PENDING, REJECTED, Answer, ReplicaPort
from sync.protocol import Op
from sync.replica_schema import DDL, SCHEMA_VERSION
from sync.transport import BadResponse
from tests.strategies import EAN_13, EAN_13_KEY

ROOT = Path(__file__).resolve().parents[3]
DEVICE = "0193a000-0000-7000-8000-000000000001"
WH = "0193a000-0000-7000-8000-0000000000a1"
SKU = "0193a000-0000-7000-8000-000000000b01"
BIN_A = "0193a000-0000-7000-8000-000000000c01"
BIN_B = "0193a000-0000-7000-8000-000000000c02"
STOCKTAKE = "0193a000-0000-7000-8000-000000000d01"
TASK = "0193a000-0000-7000-8000-000000000e01"


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    r = open_replica(tmp_path / "replica.sqlite3")
    r.set_meta({"device_id": DEVICE, "warehouse_id": WH})
    yield r
    r.close()


def make_op(seq: int, kind: str = "stock.pick", **payload: Any) -> Op:
    body = payload or {"sku_id": SKU, "bin_id": BIN_A, "qty": 3, "batch": "", "task_id": ""}
    return Op(str(uuid.UUID(int=seq)), DEVICE, seq, 1000 + seq, "zhangsan", kind, 2, body)


def stock_change(bin_id: str, on_hand: int, seq: int = 1) -> dict[str, Any]:
    return {"seq": seq, "entity": "stock", "data": {"sku_id": SKU, "bin_id": bin_id, "batch": "", "warehouse_id": WH,
                                                     "on_hand": on_hand, "reserved": 0}}


def count_effect(qty: int) -> dict[str, list[dict[str, Any]]]:
    return {"local_count": [{"stocktake_id": STOCKTAKE, "bin_id": BIN_A, "sku_id": SKU, "batch": "",
                             "counted_qty": qty, "is_recount": False}]}


def count_rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# ---- opening ---------------------------------------------------------------------------------------


def test_open_replica_sets_wal_full_sync_and_foreign_keys(replica: Replica) -> None:
    conn = replica._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_replica_satisfies_the_replicator_port(replica: Replica) -> None:
    assert isinstance(replica, ReplicaPort)


def test_open_replica_twice_keeps_data(tmp_path: Path) -> None:
    first = open_replica(tmp_path / "r.sqlite3")
    first.set_meta({"cursor": "7"})
    first.close()
    again = open_replica(tmp_path / "r.sqlite3")
    assert again.get_meta("cursor") == "7"
    again.close()


def test_set_meta_unknown_key_is_refused(replica: Replica) -> None:
    with pytest.raises(KeyError):
        replica.set_meta({"cursr": "1"})


# ---- outbox ----------------------------------------------------------------------------------------


def test_append_op_writes_op_effect_and_meta_together(replica: Replica) -> None:
    op = make_op(1, "stocktake.count", stocktake_id=STOCKTAKE, bin_id=BIN_A, sku_id=SKU, batch="", counted_qty=5,
                 is_recount=False)
    replica.append_op(op, created_at_ms=5, local_effect=count_effect(5))
    assert replica.pending_ops(10) == [op]
    assert [c.counted_qty for c in replica.local_counts(STOCKTAKE)] == [5]
    assert (replica.get_meta("last_seq"), replica.get_meta("hlc")) == ("1", str(op.hlc))


def test_append_op_failing_inside_the_transaction_leaves_neither_op_nor_effect(replica: Replica) -> None:
    bad_effect = {"local_count": [*count_effect(5)["local_count"], {"no_such_column": 1}]}
    with pytest.raises(ValueError):
        replica.append_op(make_op(1), created_at_ms=5, local_effect=bad_effect)
    assert replica.pending_ops(10) == []
    assert replica.local_counts(STOCKTAKE) == []
    assert replica.get_meta("last_seq") is None


def test_append_op_killed_before_commit_leaves_neither_op_nor_effect(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    open_replica(path).close()
    script = textwrap.dedent(f"""
        import os
        from client.replica import outbox, open_replica
        from tests.client.replica.test_db import count_effect, make_op
        real = outbox.write_effect
        def write_then_die(conn, op, effect):
            real(conn, op, effect)
            os._exit(9)  # the process dies with the transaction open
        outbox.write_effect = write_then_die
        open_replica({str(path)!r}).append_op(make_op(1), created_at_ms=1, local_effect=count_effect(4))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr
    assert count_rows(path, "outbox") == 0
    assert count_rows(path, "local_count") == 0


def test_append_op_with_a_used_seq_is_refused_and_changes_nothing(replica: Replica) -> None:
    replica.append_op(make_op(1), created_at_ms=1)
    clash = Op(str(uuid.uuid4()), DEVICE, 1, 5000, "lisi", "stock.pick", 2, make_op(1).payload)
    with pytest.raises(sqlite3.IntegrityError):
        replica.append_op(clash, created_at_ms=2, local_effect=count_effect(1))
    assert [op.op_id for op in replica.pending_ops(10)] == [make_op(1).op_id]
    assert replica.local_counts(STOCKTAKE) == []


def test_pending_ops_come_in_seq_order_with_the_device_id(replica: Replica) -> None:
    for seq in (3, 1, 2):
        replica.append_op(make_op(seq), created_at_ms=seq)
    ops = replica.pending_ops(2)
    assert [op.seq for op in ops] == [1, 2]
    assert {op.device_id for op in ops} == {DEVICE}


def test_mark_answered_changes_a_pending_row_once(replica: Replica) -> None:
    op = make_op(1)
    replica.append_op(op, created_at_ms=1)
    assert replica.mark_answered([Answer(op.op_id, ACKED, {"movement_ids": ["m1"]})], answered_at_ms=10) == 1
    assert replica.mark_answered([Answer(op.op_id, REJECTED, {}, {"code": "x"})], answered_at_ms=20) == 0
    [entry] = replica.outbox_entries()
    assert (entry.state, entry.result, entry.error, entry.answered_at_ms) == (ACKED, {"movement_ids": ["m1"]}, None, 10)


def test_mark_answered_keeps_a_rejection_and_its_error(replica: Replica) -> None:
    op = make_op(1)
    replica.append_op(op, created_at_ms=1)
    error = {"code": "sku.not_found", "message": "找不到商品", "message_en": "Unknown SKU"}
    replica.mark_answered([Answer(op.op_id, REJECTED, {}, error)], answered_at_ms=10)
    assert replica.outbox_entries(REJECTED)[0].error == error
    assert replica.pending_ops(10) == []


def test_mark_answered_for_an_unknown_op_changes_nothing(replica: Replica) -> None:
    replica.append_op(make_op(1), created_at_ms=1)
    assert replica.mark_answered([Answer(str(uuid.uuid4()), ACKED)], answered_at_ms=10) == 0
    assert len(replica.pending_ops(10)) == 1


def test_prune_answered_deletes_old_answered_rows_only(replica: Replica) -> None:
    for seq in (1, 2, 3):
        replica.append_op(make_op(seq), created_at_ms=seq)
    replica.mark_answered([Answer(make_op(1).op_id, ACKED)], answered_at_ms=100)
    replica.mark_answered([Answer(make_op(2).op_id, REJECTED, {}, {})], answered_at_ms=300)
    assert replica.prune_answered(older_than_ms=200) == 1
    assert [(e.seq, e.state) for e in replica.outbox_entries()] == [(2, REJECTED), (3, PENDING)]
    assert replica.prune_answered(older_than_ms=10**15) == 1
    assert [(e.seq, e.state) for e in replica.outbox_entries()] == [(3, PENDING)]


# ---- pulled state ----------------------------------------------------------------------------------


def test_apply_changes_upserts_rows_and_stores_the_cursor(replica: Replica) -> None:
    assert replica.apply_changes([stock_change(BIN_A, 10, 1), stock_change(BIN_A, 12, 2)], cursor=2) == 2
    assert [line.server_on_hand for line in replica.stock_view(bin_id=BIN_A)] == [12]
    assert replica.get_meta("cursor") == "2"


def test_apply_changes_skips_entities_it_does_not_know(replica: Replica) -> None:
    assert replica.apply_changes([{"seq": 1, "entity": "hologram", "data": {}}, stock_change(BIN_A, 1)], cursor=1) == 1


def test_apply_changes_with_a_bad_row_applies_nothing_and_keeps_the_cursor(replica: Replica) -> None:
    replica.apply_changes([stock_change(BIN_A, 10)], cursor=1)
    broken = {"seq": 3, "entity": "stock", "data": {"sku_id": SKU, "bin_id": BIN_B}}
    with pytest.raises(BadResponse):
        replica.apply_changes([stock_change(BIN_A, 99, 2), broken], cursor=3)
    assert [line.server_on_hand for line in replica.stock_view(sku_id=SKU)] == [10]
    assert replica.get_meta("cursor") == "1"


def write_snapshot(path: Path, cursor: int, on_hand: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(DDL)
        conn.execute("INSERT INTO stock VALUES (?, ?, '', ?, ?, 0)", (SKU, BIN_B, WH, on_hand))
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [("cursor", str(cursor)), ("warehouse_id", WH),
                                                            ("schema_version", str(SCHEMA_VERSION))])
    conn.close()


def test_install_snapshot_replaces_server_state_and_keeps_the_outbox(replica: Replica, tmp_path: Path) -> None:
    replica.apply_changes([stock_change(BIN_A, 10)], cursor=1)
    replica.append_op(make_op(1), created_at_ms=1)
    write_snapshot(tmp_path / "snap.sqlite3", cursor=40, on_hand=6)
    assert replica.install_snapshot(tmp_path / "snap.sqlite3") == 40
    assert [(line.bin_id, line.server_on_hand) for line in replica.stock_view(sku_id=SKU)] == [(BIN_A, 0), (BIN_B, 6)]
    assert replica.stock_view(bin_id=BIN_A)[0].pending_qty == -3  # the pending pick survived
    assert (replica.get_meta("cursor"), replica.get_meta("device_id")) == ("40", DEVICE)


def test_install_snapshot_of_a_file_that_is_not_a_replica_changes_nothing(replica: Replica, tmp_path: Path) -> None:
    replica.apply_changes([stock_change(BIN_A, 10)], cursor=1)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"<html>captive portal</html>" * 100)
    with pytest.raises(BadResponse):
        replica.install_snapshot(junk)
    assert replica.get_meta("cursor") == "1"
    assert replica.stock_view(bin_id=BIN_A)[0].server_on_hand == 10


# ---- reads -----------------------------------------------------------------------------------------


def test_stock_view_is_server_stock_plus_pending_stock_ops(replica: Replica) -> None:
    replica.apply_changes([stock_change(BIN_A, 10)], cursor=1)
    replica.append_op(make_op(1), created_at_ms=1)  # pick 3 from A
    replica.append_op(make_op(2, "stock.move", sku_id=SKU, from_bin_id=BIN_A, to_bin_id=BIN_B, qty=2, batch=""),
                      created_at_ms=2)
    replica.append_op(make_op(3, "stock.receive", sku_id=SKU, bin_id=BIN_B, qty=5, batch="", receipt_id=""),
                      created_at_ms=3)
    assert [(line.bin_id, line.on_hand) for line in replica.stock_view(sku_id=SKU)] == [(BIN_A, 5), (BIN_B, 7)]
    assert [line.on_hand for line in replica.stock_view(bin_id=BIN_B, sku_id=SKU)] == [7]


def test_stock_view_does_not_count_an_acked_op_the_server_already_holds(replica: Replica) -> None:
    replica.apply_changes([stock_change(BIN_A, 10)], cursor=1)
    op = make_op(1)
    replica.append_op(op, created_at_ms=1)
    replica.mark_answered([Answer(op.op_id, ACKED, {})], answered_at_ms=2)
    replica.apply_changes([stock_change(BIN_A, 7, 2)], cursor=2)  # the server applied the pick
    [line] = replica.stock_view(bin_id=BIN_A)
    assert (line.server_on_hand, line.pending_qty, line.on_hand) == (7, 0, 7)


def test_stock_view_ignores_rejected_ops(replica: Replica) -> None:
    replica.apply_changes([stock_change(BIN_A, 10)], cursor=1)
    replica.append_op(make_op(1), created_at_ms=1)
    replica.mark_answered([Answer(make_op(1).op_id, REJECTED, {}, {"code": "sku.archived"})], answered_at_ms=2)
    assert replica.stock_view(bin_id=BIN_A)[0].on_hand == 10


def test_stock_view_needs_a_bin_or_a_sku(replica: Replica) -> None:
    with pytest.raises(ValueError):
        replica.stock_view()


def add_catalogue(replica: Replica) -> None:
    replica.apply_changes([
        {"seq": 1, "entity": "sku", "data": {"id": SKU, "code": "TEA-01", "name_zh": "茶", "name_en": "Tea", "spec": "",
                                             "base_unit": "pc", "batch_tracked": 0, "unique_code_tracked": 0,
                                             "low_stock_threshold": 0, "archived": 0, "price_fen": 0}},
        {"seq": 1, "entity": "barcode", "data": {"key": EAN_13_KEY, "sku_id": SKU, "kind": "gtin", "raw": EAN_13,
                                                 "pack_qty_base": 1}},
        {"seq": 1, "entity": "bin", "data": {"id": BIN_A, "warehouse_id": WH, "code": "A-01-01", "kind": "storage",
                                             "walk_seq": 1, "archived": 0}},
        {"seq": 1, "entity": "task", "data": {"id": TASK, "kind": "pick", "warehouse_id": WH, "state": "open",
                                              "claimed_by_device": "", "claimed_by_user": "", "data": '{"lines": 2}'}},
    ], cursor=1)


def test_scans_resolve_offline_against_the_replica(replica: Replica) -> None:
    add_catalogue(replica)
    index = replica.scan_index()
    sku = resolve_scan(EAN_13 + "\r\n", index)
    assert isinstance(sku, SkuScan) and (sku.sku_id, sku.sku_code, sku.qty_base) == (SKU, "TEA-01", 1)
    found = resolve_scan("a-01-01", index)
    assert isinstance(found, BinScan) and found.bin_id == BIN_A
    assert replica.bin_by_code("0193a000-0000-7000-8000-0000000000ff", "A-01-01") is None
    assert replica.lookup_barcode("00000000000000") is None


def test_open_tasks_show_a_pending_claim_and_hide_a_pending_completion(replica: Replica) -> None:
    add_catalogue(replica)
    [task] = replica.open_tasks()
    assert (task.state, task.data, task.pending) == ("open", {"lines": 2}, "")
    replica.append_op(make_op(1, "task.claim", task_id=TASK), created_at_ms=1)
    [task] = replica.open_tasks()
    assert (task.state, task.claimed_by_device, task.claimed_by_user, task.pending) == ("claimed", DEVICE, "zhangsan", "claim")
    replica.append_op(make_op(2, "task.complete", task_id=TASK), created_at_ms=2)
    assert replica.open_tasks() == []
