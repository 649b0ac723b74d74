"""The server-side applier: exactly-once application of a pushed batch with per-kind merge rules.

For each op, in order, inside the caller's one transaction:

    seen before, same fingerprint     → duplicate: the original result (or rejection) again
    seen before, other fingerprint    → rejected sync.replayed_different_payload (+ conflict record)
    not this device's op              → rejected sync.wrong_device
    otherwise                         → check the payload (current or previous version), bound the
                                        clock, and apply its kind's rule:
        stock receive/pick/move/putaway: deltas commute, so the batch's stock ops are checked against
            the catalogue together and posted as one ledger batch; an op that fails its check is
            rejected alone and the others still post
        everything else: in its own savepoint; a DomainError rolls it back and becomes a rejection

Applied and rejected ops are both recorded (``ApplyPort.record``) in the same transaction as their
effect, so a retry finds them. Clock rule: an op whose HLC wall time is more than ``MAX_AHEAD_MS``
ahead of the server is accepted but ordered at the server's HLC, and the device is flagged.
The store is reached only through ``ApplyPort``; the server implements it over its store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.core import clock
from shared.core.errors import DomainError, ValidationError
from shared.inventory.movement import Reason
from sync.kinds import check_payload
from sync.protocol import APPLIED, DUPLICATE, REJECTED, Op, OpResult

MAX_AHEAD_MS = 5 * 60 * 1000


class ApplyPort(Protocol):
    """What the applier needs from the server's store (all inside one transaction)."""

    def seen(self, op_ids: list[str]) -> dict[str, tuple[str, OpResult]]: ...
    def savepoint(self) -> AbstractContextManager[None]: ...
    def record_all(self, records: list[tuple[Op, str, OpResult, int]]) -> None: ...
    def record_conflict(self, op: Op, error: dict[str, Any]) -> None: ...
    def server_now(self) -> int: ...
    def observe(self, hlc: int) -> int: ...
    def post_stock(self, items: list[StockItem]) -> dict[str, dict[str, Any] | DomainError]: ...
    def receive_against(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def count(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def claim(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def complete(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def set_field(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def ship_transfer(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def receive_transfer(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class StockItem:
    """A stock op reduced to ledger terms: one leg (``to_bin_id`` empty) or a pair."""

    op: Op
    sku_id: str
    from_bin_id: str
    to_bin_id: str
    qty: int  # signed for one leg; the moved quantity for a pair
    batch: str
    reason: Reason
    hlc: int
    task_id: str = ""


def _stock_item(op: Op, p: dict[str, Any], hlc: int) -> StockItem | None:
    """Stock deltas commute, so the applier posts a batch's stock ops together (one ledger batch)."""
    if op.kind == "stock.receive" and not p["receipt_id"]:
        return StockItem(op, p["sku_id"], p["bin_id"], "", p["qty"], p["batch"], Reason.RECEIPT_UNEXPECTED, hlc)
    if op.kind == "stock.pick":
        return StockItem(op, p["sku_id"], p["bin_id"], "", -p["qty"], p["batch"], Reason.PICK_TASK, hlc, p["task_id"])
    if op.kind in ("stock.move", "stock.putaway"):
        reason = Reason.MOVE if op.kind == "stock.move" else Reason.PUTAWAY
        return StockItem(op, p["sku_id"], p["from_bin_id"], p["to_bin_id"], p["qty"], p["batch"], reason, hlc)
    return None


Rule = Callable[[ApplyPort, Op, dict[str, Any], int], dict[str, Any]]

MERGE_RULES: dict[str, Rule] = {
    "stock.receive": lambda port, op, p, hlc: port.receive_against(op, p, hlc),  # with a receipt_id (else batched)
    "stocktake.count": lambda port, op, p, hlc: port.count(op, p, hlc),
    "task.claim": lambda port, op, p, hlc: port.claim(op, p, hlc),
    "task.complete": lambda port, op, p, hlc: port.complete(op, p, hlc),
    "master.set": lambda port, op, p, hlc: port.set_field(op, p, hlc),
    "transfer.ship": lambda port, op, p, hlc: port.ship_transfer(op, p, hlc),
    "transfer.receive": lambda port, op, p, hlc: port.receive_transfer(op, p, hlc),
}


@dataclass
class BatchReport:
    results: list[OpResult] = field(default_factory=list)
    max_seq: int = 0
    clock_flagged: bool = False
    max_skew_ms: int = 0


def apply_batch(port: ApplyPort, device_id: str, ops: list[Op]) -> BatchReport:
    report = BatchReport()
    seen = port.seen([op.op_id for op in ops])
    answers: dict[int, OpResult] = {}
    first_of: dict[str, tuple[str, int]] = {}  # op_id -> (fingerprint, index of its first occurrence)
    stock: list[tuple[int, StockItem]] = []
    records: dict[int, tuple[Op, str, int]] = {}
    for i, op in enumerate(ops):
        fingerprint = op.fingerprint()
        if op.op_id in seen:
            answers[i] = _replayed(port, op, fingerprint, *seen[op.op_id])
            continue
        if op.op_id in first_of:
            continue  # answered below, once the first occurrence has its result
        first_of[op.op_id] = (fingerprint, i)
        effective = _bounded_hlc(port, op, report)
        records[i] = (op, fingerprint, effective)
        if op.device_id == device_id:
            report.max_seq = max(report.max_seq, op.seq)
        try:
            if op.device_id != device_id:
                raise ValidationError("sync.wrong_device", op_device=op.device_id, device=device_id)
            payload = check_payload(op.kind, op.v, op.payload)
            item = _stock_item(op, payload, effective)
            if item is not None:
                stock.append((i, item))
                continue
            with port.savepoint():
                answers[i] = OpResult(op.op_id, APPLIED, MERGE_RULES[op.kind](port, op, payload, effective))
        except DomainError as exc:
            answers[i] = _rejected(port, op, exc)
    if stock:
        outcomes = port.post_stock([item for _, item in stock])
        for i, item in stock:
            outcome = outcomes[item.op.op_id]
            answers[i] = _rejected(port, item.op, outcome) if isinstance(outcome, DomainError) else OpResult(item.op.op_id, APPLIED, outcome)
    port.record_all([(op, fp, answers[i], eff) for i, (op, fp, eff) in sorted(records.items())])
    for i, op in enumerate(ops):  # repeats inside this batch get their first occurrence's answer
        if i not in answers:
            fp, first = first_of[op.op_id]
            answers[i] = _replayed(port, op, op.fingerprint(), fp, answers[first])
    report.results = [answers[i] for i in range(len(ops))]
    return report


def _rejected(port: ApplyPort, op: Op, exc: DomainError) -> OpResult:
    error = exc.to_dict()
    port.record_conflict(op, error)
    return OpResult(op.op_id, REJECTED, {}, error)


def _replayed(port: ApplyPort, op: Op, fingerprint: str, original_fp: str, original: OpResult) -> OpResult:
    if fingerprint == original_fp:
        return OpResult(op.op_id, DUPLICATE, original.result, original.error)
    error = ValidationError("sync.replayed_different_payload", op_id=op.op_id).to_dict()
    port.record_conflict(op, error)
    return OpResult(op.op_id, REJECTED, {}, error)


def _bounded_hlc(port: ApplyPort, op: Op, report: BatchReport) -> int:
    server = port.server_now()
    skew_ms = clock.wall_ms_of(op.hlc) - clock.wall_ms_of(server)
    report.max_skew_ms = skew_ms if abs(skew_ms) > abs(report.max_skew_ms) else report.max_skew_ms
    if skew_ms > MAX_AHEAD_MS or op.hlc <= 0 or op.hlc > clock.pack(clock.WALL_MAX_MS):
        report.clock_flagged = True
        return server
    port.observe(op.hlc)
    return op.hlc


def iter_ops(raw_ops: list[Any]) -> Iterator[Op]:
    """Decode wire ops; a malformed envelope raises ``sync.bad_envelope``."""
    for raw in raw_ops:
        if not isinstance(raw, dict):
            raise ValidationError("sync.bad_envelope", reason="an op must be an object")
        try:
            op = Op(str(raw["op_id"]), str(raw["device_id"]), _int(raw["seq"]), _int(raw["hlc"]), str(raw.get("user_id", "")),
                    str(raw["kind"]), _int(raw["v"]), raw["payload"])
        except KeyError as missing:
            raise ValidationError("sync.bad_envelope", reason=f"missing field {missing}") from None
        if not isinstance(op.payload, dict):
            raise ValidationError("sync.bad_envelope", reason="payload must be an object")
        from shared.core.ids import parse_id

        parse_id(op.op_id, "op_id")
        yield op


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise ValidationError("sync.bad_envelope", reason=f"expected a non-negative 64-bit integer, got {value!r:.30}")
    return value
