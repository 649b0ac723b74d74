"""Reading the server's ``/sync/v1`` answers on the device (shapes in ``docs/sync-protocol.md``).

Each function takes the decoded JSON object and returns typed values, or raises ``BadResponse``
naming what is wrong. A push result that is malformed, unknown or for an op not sent is simply not
an answer: its op stays pending, so nothing is marked answered without an answer for its op id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.core.clock import COUNTER_BITS, WALL_MAX_MS
from sync.ports import ACKED, REJECTED, Answer
from sync.protocol import APPLIED, DUPLICATE, Op
from sync.protocol import REJECTED as STATUS_REJECTED
from sync.transport import BadResponse

MAX_HLC = (WALL_MAX_MS << COUNTER_BITS) | ((1 << COUNTER_BITS) - 1)


def server_hlc_of(answer: Mapping[str, Any]) -> int | None:
    """The answer's ``server_hlc``, ``None`` when absent."""
    value = answer.get("server_hlc")
    if value is None:
        return None
    if not _is_int(value) or not 0 <= value <= MAX_HLC:
        raise BadResponse("server_hlc is not an HLC")
    return int(value)


def answers_for(ops: Sequence[Op], answer: Mapping[str, Any]) -> list[Answer]:
    """The outbox answers in a push answer, for ops of this batch only, first result per op id."""
    results = answer.get("results")
    if not isinstance(results, list):
        raise BadResponse("the push answer has no results list")
    sent = {op.op_id for op in ops}
    found: dict[str, Answer] = {}
    for item in results:
        parsed = _answer_of(item)
        if parsed is not None and parsed.op_id in sent:
            found.setdefault(parsed.op_id, parsed)
    return list(found.values())


def _answer_of(item: object) -> Answer | None:
    if not isinstance(item, dict) or not isinstance(item.get("op_id"), str):
        return None
    result = item.get("result")
    result = result if isinstance(result, dict) else {}
    error = item.get("error")
    error = error if isinstance(error, dict) else None
    status = item.get("status")
    if status == APPLIED:
        return Answer(item["op_id"], ACKED, result, error)
    if status == DUPLICATE:  # the original answer again; with an error, the original was a rejection
        return Answer(item["op_id"], ACKED if error is None else REJECTED, result, error)
    if status == STATUS_REJECTED:
        return Answer(item["op_id"], REJECTED, result, error if error is not None else {})
    return None


def page_of(answer: Mapping[str, Any], cursor: int) -> tuple[list[dict[str, Any]], int, bool]:
    """``(changes, new cursor, more)`` of a pull page asked for from ``cursor``."""
    changes, new_cursor, more = answer.get("changes"), answer.get("cursor"), answer.get("more")
    if not isinstance(changes, list) or not all(_is_change(c) for c in changes):
        raise BadResponse("the pull answer has no valid changes list")
    if not _is_int(new_cursor) or not isinstance(more, bool):
        raise BadResponse("the pull answer lacks cursor or more")
    assert isinstance(new_cursor, int)
    if new_cursor < cursor or (more and new_cursor == cursor):
        raise BadResponse(f"the pull cursor went from {cursor} to {new_cursor}")
    return changes, new_cursor, more


def enrolment_of(answer: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(device_id, token, warehouse_id)`` of an enrolment answer."""
    values = tuple(answer.get(k) for k in ("device_id", "token", "warehouse_id"))
    if not all(isinstance(v, str) and v for v in values):
        raise BadResponse("the enrolment answer lacks device_id, token or warehouse_id")
    return str(values[0]), str(values[1]), str(values[2])


def _is_change(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("entity"), str) and isinstance(item.get("data"), dict)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
