"""The server-side applier: exactly-once application of a pushed batch with per-kind merge rules.

For each op, in order, inside the caller's one transaction:

    seen before, same fingerprint     → duplicate: the original result (or rejection) again
    seen before, other fingerprint    → rejected sync.replayed_different_payload (+ conflict record)
    not this device's op              → rejected sync.wrong_device
    otherwise                         → check the payload (current or previous version), bound the
                                        clock, apply its kind's rule in a savepoint; a DomainError
                                        rolls the savepoint back and becomes a rejection (+ conflict)

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
    def record(self, op: Op, fingerprint: str, result: OpResult, effective_hlc: int) -> None: ...
    def record_conflict(self, op: Op, error: dict[str, Any]) -> None: ...
    def server_now(self) -> int: ...
    def observe(self, hlc: int) -> int: ...
    def post_single(self, op: Op, p: dict[str, Any], qty: int, reason: Reason, hlc: int) -> dict[str, Any]: ...
    def post_pair(self, op: Op, p: dict[str, Any], reason: Reason, hlc: int) -> dict[str, Any]: ...
    def receive_against(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def count(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def claim(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def complete(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...
    def set_field(self, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]: ...


Rule = Callable[[ApplyPort, Op, dict[str, Any], int], dict[str, Any]]


def _receive(port: ApplyPort, op: Op, p: dict[str, Any], hlc: int) -> dict[str, Any]:
    if p["receipt_id"]:
        return port.receive_against(op, p, hlc)
    return port.post_single(op, p, p["qty"], Reason.RECEIPT_UNEXPECTED, hlc)


MERGE_RULES: dict[str, Rule] = {
    "stock.receive": _receive,
    "stock.pick": lambda port, op, p, hlc: port.post_single(op, p, -p["qty"], Reason.PICK_TASK, hlc),
    "stock.move": lambda port, op, p, hlc: port.post_pair(op, p, Reason.MOVE, hlc),
    "stock.putaway": lambda port, op, p, hlc: port.post_pair(op, p, Reason.PUTAWAY, hlc),
    "stocktake.count": lambda port, op, p, hlc: port.count(op, p, hlc),
    "task.claim": lambda port, op, p, hlc: port.claim(op, p, hlc),
    "task.complete": lambda port, op, p, hlc: port.complete(op, p, hlc),
    "master.set": lambda port, op, p, hlc: port.set_field(op, p, hlc),
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
    in_batch: dict[str, tuple[str, OpResult]] = {}
    for op in ops:
        fingerprint = op.fingerprint()
        earlier = in_batch.get(op.op_id) or seen.get(op.op_id)
        if earlier is not None:
            report.results.append(_replayed(port, op, fingerprint, *earlier))
            continue
        result, effective = _apply_new(port, device_id, op, report)
        port.record(op, fingerprint, result, effective)
        in_batch[op.op_id] = (fingerprint, result)
        report.results.append(result)
        if op.device_id == device_id:
            report.max_seq = max(report.max_seq, op.seq)
    return report


def _replayed(port: ApplyPort, op: Op, fingerprint: str, original_fp: str, original: OpResult) -> OpResult:
    if fingerprint == original_fp:
        return OpResult(op.op_id, DUPLICATE, original.result, original.error)
    error = ValidationError("sync.replayed_different_payload", op_id=op.op_id).to_dict()
    port.record_conflict(op, error)
    return OpResult(op.op_id, REJECTED, {}, error)


def _apply_new(port: ApplyPort, device_id: str, op: Op, report: BatchReport) -> tuple[OpResult, int]:
    effective = _bounded_hlc(port, op, report)
    try:
        if op.device_id != device_id:
            raise ValidationError("sync.wrong_device", op_device=op.device_id, device=device_id)
        payload = check_payload(op.kind, op.v, op.payload)
        with port.savepoint():
            result = MERGE_RULES[op.kind](port, op, payload, effective)
        return OpResult(op.op_id, APPLIED, result), effective
    except DomainError as exc:
        error = exc.to_dict()
        port.record_conflict(op, error)
        return OpResult(op.op_id, REJECTED, {}, error), effective


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
