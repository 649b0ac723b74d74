"""The replicator against an in-memory server that follows docs/sync-protocol.md (dedupe by op id
with a fingerprint check, one stamp per push, cursor paging), over real replica files, with faults
injected in the transport: dropped requests, dropped responses, 5xx, 413, revoked tokens."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.replica import Replica, open_replica
from shared.core.clock import HybridClock, pack, wall_ms_of
from shared.core.errors import ValidationError
from sync.client import Replicator
from sync.ports import ACKED, PENDING, REJECTED
from sync.protocol import Op
from sync.replica_schema import DDL
from sync.transport import BadResponse, NotEnrolled, ServerRefused, ServerUnavailable, TransportError

WH = "0193a000-0000-7000-8000-0000000000a1"
SKU = "0193a000-0000-7000-8000-000000000b01"
UNKNOWN_SKU = "0193a000-0000-7000-8000-000000000bff"
BIN_A = "0193a000-0000-7000-8000-000000000c01"
BIN_B = "0193a000-0000-7000-8000-000000000c02"
SERVER_WALL_MS = 1_780_000_000_000
JsonObject = dict[str, Any]
R = TypeVar("R")


def error(code: str) -> JsonObject:
    return {"error": {"code": code, "message": code, "message_en": code, "details": {}}}


def rejected(op: Op, code: str) -> JsonObject:
    return {"op_id": op.op_id, "status": "rejected", "result": {}, "error": error(code)["error"]}


@dataclass
class FakeServer:
    """/sync/v1 as documented, in memory. Faults: ``answer_first`` answers only that many results of a
    push (the others are applied but unanswered); ``process_first`` applies and answers only that many."""

    revoked: bool = False
    max_ops: int = 1000
    answer_first: int | None = None
    process_first: int | None = None
    clock: HybridClock = field(default_factory=HybridClock)
    device_id: str = "0193a000-0000-7000-8000-000000000001"
    token: str = "token-1"
    seen: dict[str, tuple[str, JsonObject]] = field(default_factory=dict)  # op_id -> (fingerprint, result)
    applied: Counter[str] = field(default_factory=Counter)
    stock: dict[tuple[str, str], int] = field(default_factory=dict)
    changes: list[JsonObject] = field(default_factory=list)
    stamp: int = 0

    def hlc(self) -> int:
        return self.clock.now(SERVER_WALL_MS)

    def enrol(self, body: Mapping[str, Any]) -> tuple[int, JsonObject]:
        if body.get("code") != "K7Q2-9MXD-4TZP":
            return 400, error("device.bad_enrolment_code")
        return 200, {"device_id": self.device_id, "token": self.token, "warehouse_id": WH, "server_hlc": self.hlc()}

    def auth(self, token: str | None) -> tuple[int, JsonObject] | None:
        if token != self.token:
            return 401, error("device.unauthorized")
        return (401, error("device.revoked")) if self.revoked else None

    def push(self, body: Mapping[str, Any], token: str | None) -> tuple[int, JsonObject]:
        refused = self.auth(token)
        if refused is not None:
            return refused
        if len(body["ops"]) > self.max_ops:
            return 413, error("sync.batch_too_large")
        self.stamp += 1
        results = [self.apply(Op(**wire)) for wire in body["ops"][:self.process_first]]
        return 200, {"results": results[:self.answer_first], "server_hlc": self.hlc()}

    def apply(self, op: Op) -> JsonObject:
        seen = self.seen.get(op.op_id)
        if seen is not None and seen[0] != op.fingerprint():
            return rejected(op, "sync.replayed_different_payload")
        if seen is not None:
            return {**seen[1], "status": "duplicate"}
        if op.device_id != self.device_id:
            return rejected(op, "sync.wrong_device")
        if op.payload["sku_id"] != SKU:
            result = rejected(op, "sku.not_found")
        else:
            self.applied[op.op_id] += 1
            self.move(op.payload["bin_id"], op.payload["qty"] if op.kind == "stock.receive" else -op.payload["qty"])
            result = {"op_id": op.op_id, "status": "applied", "result": {"movement_ids": [op.op_id]}}
        self.seen[op.op_id] = (op.fingerprint(), result)
        return result

    def move(self, bin_id: str, delta: int) -> None:
        self.stock[(SKU, bin_id)] = self.stock.get((SKU, bin_id), 0) + delta
        on_hand = self.stock[(SKU, bin_id)]
        row = {"sku_id": SKU, "bin_id": bin_id, "batch": "", "warehouse_id": WH, "on_hand": on_hand, "reserved": 0}
        self.changes.append({"seq": self.stamp, "entity": "stock", "data": row})

    def back_office_receive(self, bin_id: str, qty: int) -> None:
        self.stamp += 1
        self.move(bin_id, qty)

    def pull(self, params: Mapping[str, Any], token: str | None) -> tuple[int, JsonObject]:
        refused = self.auth(token)
        if refused is not None:
            return refused
        cursor, limit = int(params["cursor"]), int(params["limit"])
        after = [c for c in self.changes if c["seq"] > cursor]
        if not after:
            return 200, {"changes": [], "cursor": cursor, "more": False, "server_hlc": self.hlc()}
        upto = after[min(limit, len(after)) - 1]["seq"]  # a page ends on a whole stamp
        page = [c for c in after if c["seq"] <= upto]
        return 200, {"changes": page, "cursor": upto, "more": len(page) < len(after), "server_hlc": self.hlc()}

    def snapshot(self, token: str | None) -> tuple[int, dict[str, str], bytes]:
        refused = self.auth(token)
        if refused is not None:
            return refused[0], {}, json.dumps(refused[1]).encode()
        folder = Path(tempfile.mkdtemp())
        with sqlite3.connect(folder / "snap.sqlite3") as conn:
            conn.executescript(DDL)
            conn.executemany("INSERT INTO stock VALUES (?, ?, '', ?, ?, 0)", [(s, b, WH, n) for (s, b), n in self.stock.items()])
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [("cursor", str(self.stamp)), ("warehouse_id", WH)])
        conn.close()
        content = (folder / "snap.sqlite3").read_bytes()
        shutil.rmtree(folder)
        return 200, {"x-erp-cursor": str(self.stamp)}, content


@dataclass
class FakeTransport:
    """``sync.transport.Transport`` over a ``FakeServer``. Each call takes the next fault, if any:
    ``"drop_request"`` (the server never sees it), ``"drop_response"`` (it commits, the answer is lost),
    ``"cut_batch"`` (the server takes only the first op of a push) or an HTTP status answered instead."""

    server: FakeServer
    faults: list[str | int | None] = field(default_factory=list)
    pushed_batches: list[int] = field(default_factory=list)

    def post_json(self, path: str, body: Mapping[str, Any], token: str | None) -> tuple[int, JsonObject]:
        sent: JsonObject = json.loads(json.dumps(body))
        if path == "/sync/v1/push":
            self.pushed_batches.append(len(sent["ops"]))
            return self._json(lambda: self.server.push(sent, token))
        assert path == "/sync/v1/enrol"
        assert token is None
        return self._json(lambda: self.server.enrol(sent))

    def get_json(self, path: str, params: Mapping[str, str | int], token: str | None) -> tuple[int, JsonObject]:
        assert path == "/sync/v1/pull"
        return self._json(lambda: self.server.pull(params, token))

    def get_bytes(self, path: str, token: str | None) -> tuple[int, Mapping[str, str], bytes]:
        assert path == "/sync/v1/snapshot"
        return self._roundtrip(lambda: self.server.snapshot(token), lambda status: (status, {}, b""))

    def _json(self, handle: Callable[[], tuple[int, JsonObject]]) -> tuple[int, JsonObject]:
        status, answer = self._roundtrip(handle, lambda status: (status, error("sync.test_fault")))
        return status, json.loads(json.dumps(answer))

    def _roundtrip(self, handle: Callable[[], R], refuse: Callable[[int], R]) -> R:
        fault = self.faults.pop(0) if self.faults else None
        if fault == "drop_request":
            raise TransportError("request dropped")
        if isinstance(fault, int):
            return refuse(fault)
        self.server.process_first = 1 if fault == "cut_batch" else None
        answer = handle()
        self.server.process_first = None
        if fault == "drop_response":
            raise TransportError("response dropped")
        return answer


@dataclass
class Wall:
    ms: int = SERVER_WALL_MS

    def __call__(self) -> int:
        return self.ms


class Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return str(uuid.UUID(int=(0x0193A000 << 96) | (0x7 << 76) | (0x8 << 60) | self.n))


@dataclass
class Device:
    replica: Replica
    server: FakeServer
    transport: FakeTransport
    wall: Wall
    sleeps: list[float]
    sync: Replicator

    def pick(self, qty: int = 1, sku_id: str = SKU) -> Op:
        return self.sync.record("stock.pick", {"sku_id": sku_id, "bin_id": BIN_A, "qty": qty, "batch": ""}, "zhangsan")

    def states(self) -> dict[str, str]:
        return {e.op_id: e.state for e in self.replica.outbox_entries()}


def make_device(folder: Path, *, enrolled: bool = True, max_attempts: int = 5, page_limit: int = 1000) -> Device:
    replica, server = open_replica(folder / "replica.sqlite3"), FakeServer()
    if enrolled:
        replica.set_meta({"device_id": server.device_id, "token": server.token, "warehouse_id": WH})
    transport, wall, sleeps = FakeTransport(server), Wall(), list[float]()
    replicator = Replicator(replica, transport, device_id=server.device_id if enrolled else "", wall_ms=wall, new_id=Ids(),
                            sleep=sleeps.append, rng=_HalfRandom(), max_attempts=max_attempts, page_limit=page_limit)
    return Device(replica, server, transport, wall, sleeps, replicator)


class _HalfRandom:
    def random(self) -> float:
        return 0.5


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Device]:
    d = make_device(tmp_path)
    yield d
    d.replica.close()


# ---- record ----------------------------------------------------------------------------------------


def test_record_stamps_id_seq_and_hlc_and_stores_the_op(device: Device) -> None:
    first, second = device.pick(), device.pick(2)
    assert (first.seq, second.seq) == (1, 2) and second.hlc > first.hlc
    assert wall_ms_of(first.hlc) == SERVER_WALL_MS
    assert device.replica.pending_ops(10) == [first, second]
    assert (device.replica.get_meta("last_seq"), device.replica.get_meta("hlc")) == ("2", str(second.hlc))


def test_record_of_an_invalid_payload_stores_nothing(device: Device) -> None:
    with pytest.raises(ValidationError) as caught:
        device.sync.record("stock.pick", {"sku_id": SKU, "bin_id": BIN_A, "qty": 0.5}, "zhangsan")
    assert caught.value.code == "invalid.quantity"
    assert device.replica.pending_ops(10) == [] and device.replica.get_meta("last_seq") is None


def test_record_before_enrolment_is_refused(tmp_path: Path) -> None:
    d = make_device(tmp_path, enrolled=False)
    with pytest.raises(NotEnrolled):
        d.pick()


def test_hlc_never_goes_backwards_when_the_wall_clock_jumps_back_or_resets_to_1970(device: Device) -> None:
    hlcs = [device.pick().hlc]
    for wall in (SERVER_WALL_MS - 3_600_000, 0, -5, SERVER_WALL_MS + 1):
        device.wall.ms = wall
        hlcs.append(device.pick().hlc)
    assert hlcs == sorted(set(hlcs))


def test_hlc_runs_ahead_of_every_server_hlc_it_has_seen(device: Device) -> None:
    device.server.clock.last = pack(SERVER_WALL_MS + 86_400_000)  # the server is a day ahead
    device.wall.ms = 0  # and the device thinks it is 1970
    device.pick()
    device.sync.push()
    assert device.pick().hlc > device.server.clock.last


# ---- push ------------------------------------------------------------------------------------------


def test_push_acks_every_op_and_observes_the_server_hlc(device: Device) -> None:
    ops = [device.pick() for _ in range(3)]
    report = device.sync.push()
    assert (report.batches, report.acked, report.rejected, report.stopped_by) == (1, 3, 0, None)
    assert set(device.states().values()) == {ACKED}
    assert device.server.applied == Counter({op.op_id: 1 for op in ops})
    assert int(device.replica.get_meta("hlc") or 0) >= device.server.clock.last


def test_push_retries_a_dropped_request_with_backoff(device: Device) -> None:
    op = device.pick()
    device.transport.faults = ["drop_request", 503]
    assert device.sync.push().acked == 1
    assert device.server.applied == Counter({op.op_id: 1})
    assert device.sleeps == [0.375, 0.75]  # equal jitter with random() = 0.5: 0.5 s, then 1 s


def test_push_after_a_dropped_response_gets_duplicate_and_acks_once(device: Device) -> None:
    op = device.pick()
    device.transport.faults = ["drop_response"]
    assert device.sync.push().acked == 1
    assert device.server.applied == Counter({op.op_id: 1})
    [entry] = device.replica.outbox_entries()
    assert (entry.state, entry.result) == (ACKED, {"movement_ids": [op.op_id]})


def test_push_that_never_gets_an_answer_raises_and_keeps_the_op_pending(device: Device) -> None:
    op = device.pick()
    device.transport.faults = ["drop_response"] * 5
    with pytest.raises(TransportError):
        device.sync.push()
    assert device.states() == {op.op_id: PENDING} and len(device.sleeps) == 4
    assert device.sync.push().acked == 1  # the next push is answered "duplicate"
    assert device.server.applied == Counter({op.op_id: 1})


def test_push_answered_5xx_every_time_raises_server_unavailable(device: Device) -> None:
    device.pick()
    device.transport.faults = [502] * 5
    with pytest.raises(ServerUnavailable) as caught:
        device.sync.push()
    assert caught.value.retryable and set(device.states().values()) == {PENDING}


def test_push_marks_nothing_answered_without_an_answer_for_that_op(device: Device) -> None:
    ops = [device.pick() for _ in range(3)]
    device.server.answer_first = 1
    report = device.sync.push(batch_size=3)
    assert report.batches == 3 and report.acked == 3  # each round trip answered one op
    assert device.server.applied == Counter({op.op_id: 1 for op in ops})


def test_push_whose_answer_names_no_op_sent_raises_and_marks_nothing(device: Device) -> None:
    device.pick()
    device.server.answer_first = 0
    with pytest.raises(BadResponse):
        device.sync.push()
    assert set(device.states().values()) == {PENDING}


def test_push_halves_the_batch_on_413(device: Device) -> None:
    ops = [device.pick() for _ in range(5)]
    device.server.max_ops = 2
    assert device.sync.push(batch_size=8).acked == 5
    assert device.transport.pushed_batches == [5, 2, 2, 1]
    assert device.server.applied == Counter({op.op_id: 1 for op in ops})


def test_push_of_one_op_answered_413_raises(device: Device) -> None:
    device.pick()
    device.server.max_ops = 0
    with pytest.raises(ServerRefused) as caught:
        device.sync.push()
    assert caught.value.code == "sync.batch_too_large" and caught.value.status == 413


def test_push_of_a_revoked_device_stops_and_keeps_its_ops(device: Device) -> None:
    op = device.pick()
    device.server.revoked = True
    report = device.sync.sync()
    assert report.push.stopped_by == "device.revoked" and report.pull is None
    assert device.states() == {op.op_id: PENDING}


def test_push_sends_the_replicators_device_id_even_if_meta_lacks_it(tmp_path: Path) -> None:
    d = make_device(tmp_path, enrolled=False)
    d.replica.set_meta({"token": d.server.token})
    replicator = Replicator(d.replica, d.transport, device_id=d.server.device_id, wall_ms=d.wall, new_id=Ids())
    replicator.record("stock.pick", {"sku_id": SKU, "bin_id": BIN_A, "qty": 1, "batch": ""}, "zhangsan")
    assert d.replica.pending_ops(1)[0].device_id == ""
    assert replicator.push().acked == 1


def test_push_keeps_a_rejection_with_its_reason(device: Device) -> None:
    op = device.pick(sku_id=UNKNOWN_SKU)
    assert device.sync.push().rejected == 1
    [entry] = device.replica.outbox_entries()
    assert entry.op_id == op.op_id and entry.state == REJECTED and entry.error is not None
    assert entry.error["code"] == "sku.not_found"


def test_duplicate_of_a_rejected_op_after_a_lost_response_is_kept_rejected(device: Device) -> None:
    device.pick(sku_id=UNKNOWN_SKU)
    device.transport.faults = ["drop_response"]
    assert device.sync.push().rejected == 1
    [entry] = device.replica.outbox_entries()
    assert entry.state == REJECTED and entry.error is not None and entry.error["code"] == "sku.not_found"


# ---- pull, bootstrap, enrol -----------------------------------------------------------------------


def test_pull_pages_until_done_and_stores_the_cursor(tmp_path: Path) -> None:
    d = make_device(tmp_path, page_limit=2)
    for qty in (5, 6, 7, 8, 9):
        d.server.back_office_receive(BIN_A if qty % 2 else BIN_B, qty)
    report = d.sync.pull()
    assert (report.pages, report.changes, report.cursor) == (3, 5, 5)
    assert d.replica.get_meta("cursor") == "5"
    assert [(line.bin_id, line.on_hand) for line in d.replica.stock_view(sku_id=SKU)] == [(BIN_A, 21), (BIN_B, 14)]
    assert d.sync.pull().changes == 0


def test_pull_failing_mid_way_keeps_the_pages_applied_with_their_cursor(tmp_path: Path) -> None:
    d = make_device(tmp_path, page_limit=1, max_attempts=1)
    for qty in (5, 6, 7):
        d.server.back_office_receive(BIN_A, qty)
    d.transport.faults = [None, "drop_response"]
    with pytest.raises(TransportError):
        d.sync.pull()
    assert d.replica.get_meta("cursor") == "1"
    assert d.replica.stock_view(bin_id=BIN_A)[0].on_hand == 5
    assert d.sync.pull().cursor == 3 and d.replica.stock_view(bin_id=BIN_A)[0].on_hand == 18


def test_pull_then_acked_op_is_not_counted_twice(device: Device) -> None:
    device.server.back_office_receive(BIN_A, 10)
    device.sync.pull()
    device.pick(3)
    assert device.replica.stock_view(bin_id=BIN_A)[0].on_hand == 7  # 10 on the server, 3 pending
    device.sync.sync()
    [line] = device.replica.stock_view(bin_id=BIN_A)
    assert (line.server_on_hand, line.pending_qty, line.on_hand) == (7, 0, 7)


def test_pull_cursor_going_back_is_a_bad_response(device: Device) -> None:
    device.replica.set_meta({"cursor": "50"})
    device.server.pull = lambda params, token: (200, {"changes": [], "cursor": 10, "more": False})  # type: ignore[method-assign]
    with pytest.raises(BadResponse):
        device.sync.pull()


def test_bootstrap_installs_the_snapshot_then_pulls(device: Device) -> None:
    device.server.back_office_receive(BIN_A, 10)
    device.replica.apply_changes([{"seq": 1, "entity": "stock", "data": {
        "sku_id": SKU, "bin_id": BIN_B, "batch": "", "warehouse_id": WH, "on_hand": 99, "reserved": 0}}], cursor=0)
    op = device.pick(2)
    report = device.sync.bootstrap()
    assert report.cursor == 1
    assert [(line.bin_id, line.server_on_hand) for line in device.replica.stock_view(sku_id=SKU)] == [(BIN_A, 10)]
    assert device.states() == {op.op_id: PENDING}  # pending work survives a re-bootstrap


def test_enrol_stores_device_token_and_warehouse(tmp_path: Path) -> None:
    d = make_device(tmp_path, enrolled=False)
    enrolment = d.sync.enrol("K7Q2-9MXD-4TZP", "PDA-07", "android-5f3c", "0.1.0")
    assert (enrolment.device_id, enrolment.warehouse_id) == (d.server.device_id, WH)
    assert (d.replica.get_meta("token"), d.sync.device_id) == (d.server.token, d.server.device_id)
    assert d.pick().device_id == d.server.device_id


def test_enrol_with_a_used_code_raises_the_servers_code(tmp_path: Path) -> None:
    d = make_device(tmp_path, enrolled=False)
    with pytest.raises(ServerRefused) as caught:
        d.sync.enrol("USED-CODE", "PDA-07", "android-5f3c", "0.1.0")
    assert caught.value.code == "device.bad_enrolment_code" and d.replica.get_meta("token") is None


# ---- property: exactly once under any interleaving of faults --------------------------------------

STEP = st.one_of(
    st.tuples(st.just("record"), st.integers(1, 5)),
    st.tuples(st.just("record_unknown_sku"), st.integers(1, 5)),
    st.tuples(st.just("push"), st.sampled_from(["ok", "drop_request", "drop_response", "cut_batch"])),
    st.tuples(st.just("pull"), st.sampled_from(["ok", "drop_request", "drop_response"])),
)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(STEP, max_size=25), batch_size=st.integers(1, 4))
def test_every_op_is_acked_exactly_once_after_a_final_clean_sync(steps: list[tuple[str, Any]], batch_size: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="erp-client-prop-"))
    d = make_device(folder, max_attempts=1)
    changed: Counter[str] = Counter()
    real_mark = d.replica.mark_answered

    def counting_mark(answers: Any, *, answered_at_ms: int) -> int:
        for answer in answers:
            changed[answer.op_id] += real_mark([answer], answered_at_ms=answered_at_ms)
        return 0

    d.replica.mark_answered = counting_mark  # type: ignore[method-assign]
    recorded: dict[str, str] = {}  # op_id -> the state the server's rules give it
    try:
        for action, arg in steps:
            if action.startswith("record"):
                op = d.pick(arg, UNKNOWN_SKU if action == "record_unknown_sku" else SKU)
                recorded[op.op_id] = REJECTED if action == "record_unknown_sku" else ACKED
                continue
            d.transport.faults = [] if arg == "ok" else [arg]
            try:
                if action == "push":
                    d.sync.push(batch_size)
                else:
                    d.sync.pull()
            except TransportError:
                pass
            states = d.states()
            assert set(recorded) <= set(states)  # the outbox never loses a row
            assert all(state == PENDING or (op_id in d.server.seen and state == recorded[op_id])
                       for op_id, state in states.items())  # nor answers one the server did not answer
            assert max(d.server.applied.values(), default=1) == 1
        d.transport.faults = []
        d.sync.sync()
        assert d.states() == recorded
        assert d.server.applied == Counter({op_id: 1 for op_id, state in recorded.items() if state == ACKED})
        assert changed == Counter(dict.fromkeys(recorded, 1))
        on_hand = {line.bin_id: line.on_hand for line in d.replica.stock_view(sku_id=SKU)}
        assert on_hand == {b: n for (_s, b), n in d.server.stock.items()}
    finally:
        d.replica.close()
        shutil.rmtree(folder)
