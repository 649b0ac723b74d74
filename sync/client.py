"""The device side of sync: record ops offline, push them exactly once, pull the server's state.

    Replicator(replica, transport, *, device_id, wall_ms, new_id, sleep=time.sleep, rng=None,
               max_attempts=5, page_limit=PULL_PAGE_LIMIT)
        .enrol(code, device_name, hardware_id, app_version) -> Enrolment
        .record(kind, payload, user_id, local_effect=None)  -> Op
        .push(batch_size=500)                               -> PushReport
        .pull()                                             -> PullReport
        .bootstrap()                                        -> PullReport   (snapshot, then pull)
        .sync()                                             -> SyncReport   (push, then pull)

The replica (``sync.ports.ReplicaPort``) and the transport (``sync.transport.Transport``) are
injected, and so are the wall clock, the id maker, ``sleep`` and the jitter source, so a
deterministic simulation can drive any number of devices from one seed. ``device_id=""`` means
"the one in the replica's meta" (set by ``enrol``); whichever it is, it is stamped on every op sent.

**Exactly once.** An op gets its id, seq and HLC before it is first stored, and is stored with its
local effect and the new ``last_seq``/``hlc`` in one replica transaction. Push re-sends pending ops
with the same ids until the server answers for them; the server answers a re-sent op ``duplicate``
with the original result. An op leaves ``pending`` only on an answer carrying its op id — a lost
request, a lost response, a 5xx, a 413 or a half-answered batch leave it pending for the next push.

**Clocks.** The HLC lives in the replica's meta: each new op takes ``HybridClock.now`` over the
stored value, and every ``server_hlc`` seen is merged in, so the device's HLC never runs behind
what it has seen, whatever its wall clock says (an RTC reset to 1970 just bumps the counter).

**Rebase.** The replica holds server state exactly as pulled and keeps pending ops apart in the
outbox; what the screens show is computed on read as server state + pending ops
(``client.replica`` ``stock_view``, ``open_tasks``). A pull therefore rebases the pending ops by
itself: nothing is re-applied to local rows, and an op stops counting the moment it is acked. Two
short windows remain: between a lost push response and the re-push, a pulled balance that already
holds the op is counted with the still-pending op; between an ack and the next pull the op is in
neither. ``sync()`` pushes and pulls back to back, which keeps the second window to one round trip.

**Errors.** Typed, from ``sync.transport`` (``TransportError``, ``ServerUnavailable``,
``BadResponse``, ``ServerRefused``, ``NotEnrolled``) and ``ValidationError`` for a bad op. A 401
(``device.revoked``, ``device.unauthorized``) is not raised: the report's ``stopped_by`` carries
its code and the pending ops stay in the outbox, for export.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from shared.core.clock import WALL_MAX_MS, HybridClock
from shared.core.errors import ValidationError
from shared.core.text import clean_text
from sync.kinds import CURRENT_VERSION, check_payload
from sync.ports import ACKED, REJECTED, LocalEffect, ReplicaPort
from sync.protocol import MAX_OPS_PER_PUSH, MAX_PAYLOAD_BYTES, Op
from sync.responses import answers_for, enrolment_of, page_of, server_hlc_of
from sync.transport import BadResponse, NotEnrolled, ServerRefused, ServerUnavailable, Transport, TransportError, error_code

ENROL_PATH = "/sync/v1/enrol"
PUSH_PATH = "/sync/v1/push"
PULL_PATH = "/sync/v1/pull"
SNAPSHOT_PATH = "/sync/v1/snapshot"
RETRY_STATUSES = frozenset({408, 429})
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
# Changes asked for per pull page: the server's largest page. Each page is one request and one replica
# transaction (a WAL fsync, often a checkpoint), so a catch-up of 10,000 changes costs 2 of each, not 10.
PULL_PAGE_LIMIT = 5000

T = TypeVar("T", bound=tuple[Any, ...])


class RandomSource(Protocol):
    def random(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Enrolment:
    device_id: str
    warehouse_id: str


@dataclass(frozen=True, slots=True)
class PushReport:
    """``stopped_by`` is the server's code when it refused the device (401), else ``None``."""

    batches: int = 0
    acked: int = 0
    rejected: int = 0
    stopped_by: str | None = None


@dataclass(frozen=True, slots=True)
class PullReport:
    pages: int = 0
    changes: int = 0
    cursor: int = 0
    stopped_by: str | None = None


@dataclass(frozen=True, slots=True)
class SyncReport:
    push: PushReport
    pull: PullReport | None  # None when the push was stopped


class Replicator:
    """Records, pushes and pulls for one device over one replica (see the module docstring)."""

    def __init__(self, replica: ReplicaPort, transport: Transport, *, device_id: str,
                 wall_ms: Callable[[], int], new_id: Callable[[], str],
                 sleep: Callable[[float], None] = time.sleep, rng: RandomSource | None = None,
                 max_attempts: int = 5, page_limit: int = PULL_PAGE_LIMIT) -> None:
        if max_attempts < 1 or page_limit < 1:
            raise ValueError("max_attempts and page_limit must be at least 1")
        self._replica = replica
        self._transport = transport
        self._device_id = device_id
        self._wall_ms = wall_ms
        self._new_id = new_id
        self._sleep = sleep
        self._rng: RandomSource = rng if rng is not None else random.Random()
        self._max_attempts = max_attempts
        self._page_limit = page_limit

    @property
    def device_id(self) -> str:
        return self._device_id or self._replica.get_meta("device_id") or ""

    # ---- record -----------------------------------------------------------------------------------

    def record(self, kind: str, payload: Mapping[str, Any], user_id: str,
               local_effect: LocalEffect | None = None) -> Op:
        """Validate, stamp (id, seq, HLC) and store one op with its local effect, atomically."""
        device_id = self.device_id
        if not device_id:
            raise NotEnrolled()
        clean = check_payload(kind, CURRENT_VERSION, dict(payload))
        _check_payload_size(clean)
        user = clean_text(user_id, "user_id", max_chars=64)
        wall = self._wall()
        hlc = HybridClock(self._meta_int("hlc")).now(wall)
        op = Op(self._new_id(), device_id, self._meta_int("last_seq") + 1, hlc, user, kind, CURRENT_VERSION, clean)
        self._replica.append_op(op, created_at_ms=wall, local_effect=local_effect)
        return op

    # ---- push -------------------------------------------------------------------------------------

    def push(self, batch_size: int = 500) -> PushReport:
        """Send pending ops oldest first until none is left; halve the batch on 413."""
        token, device_id = self._token(), self.device_id
        size = max(1, min(batch_size, MAX_OPS_PER_PUSH))
        batches = acked = rejected = 0
        while pending := self._replica.pending_ops(size):
            ops = [replace(op, device_id=device_id) for op in pending]  # the id record() stamps, always
            body = {"ops": [op.to_wire() for op in ops]}
            status, answer = self._retrying(partial(self._transport.post_json, PUSH_PATH, body, token))
            if status == 413 and len(ops) > 1:
                size = len(ops) // 2
                continue
            if status == 401:
                return PushReport(batches, acked, rejected, error_code(answer) or "device.unauthorized")
            if status != 200:
                raise ServerRefused(status, answer)
            self._observe(answer)
            answers = answers_for(ops, answer)
            if not answers:
                raise BadResponse("the push answer holds no result for any op sent")
            self._replica.mark_answered(answers, answered_at_ms=self._wall())
            batches += 1
            acked += sum(1 for a in answers if a.state == ACKED)
            rejected += sum(1 for a in answers if a.state == REJECTED)
        return PushReport(batches, acked, rejected)

    # ---- pull -------------------------------------------------------------------------------------

    def pull(self) -> PullReport:
        """Apply change pages from the stored cursor until the server says there is no more."""
        token = self._token()
        cursor, pages, changes = self._meta_int("cursor"), 0, 0
        while True:
            params = {"cursor": cursor, "limit": self._page_limit}
            status, answer = self._retrying(partial(self._transport.get_json, PULL_PATH, params, token))
            if status == 401:
                return PullReport(pages, changes, cursor, error_code(answer) or "device.unauthorized")
            if status != 200:
                raise ServerRefused(status, answer)
            rows, new_cursor, more = page_of(answer, cursor)
            changes += self._replica.apply_changes(rows, new_cursor)
            self._observe(answer)
            pages, cursor = pages + 1, new_cursor
            if not more:
                return PullReport(pages, changes, cursor)

    def bootstrap(self) -> PullReport:
        """Install the server's snapshot of this device's scope, then pull what came after it."""
        token = self._token()
        status, _headers, content = self._retrying(partial(self._transport.get_bytes, SNAPSHOT_PATH, token))
        if status == 401:
            return PullReport(0, 0, self._meta_int("cursor"), error_code(_json_or_empty(content)) or "device.unauthorized")
        if status != 200:
            raise ServerRefused(status, _json_or_empty(content))
        fd, name = tempfile.mkstemp(prefix="erp-snapshot-", suffix=".sqlite3")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
            self._replica.install_snapshot(Path(name))
        finally:
            Path(name).unlink(missing_ok=True)
        return self.pull()

    def sync(self) -> SyncReport:
        """Push, then pull (unless the server stopped the push)."""
        pushed = self.push()
        if pushed.stopped_by is not None:
            return SyncReport(pushed, None)
        return SyncReport(pushed, self.pull())

    # ---- enrol ------------------------------------------------------------------------------------

    def enrol(self, code: str, device_name: str, hardware_id: str, app_version: str) -> Enrolment:
        """Trade a one-time enrolment code for a device token; store id, token and warehouse."""
        body = {"code": code, "device_name": device_name, "hardware_id": hardware_id, "app_version": app_version}
        status, answer = self._retrying(partial(self._transport.post_json, ENROL_PATH, body, None))
        if status != 200:
            raise ServerRefused(status, answer)
        device_id, token, warehouse_id = enrolment_of(answer)
        self._replica.set_meta({"device_id": device_id, "token": token, "warehouse_id": warehouse_id})
        self._device_id = device_id
        self._observe(answer)
        return Enrolment(device_id, warehouse_id)

    # ---- helpers ----------------------------------------------------------------------------------

    def _retrying(self, send: Callable[[], T]) -> T:
        """Call ``send`` until it gets an answer that is not a 5xx/408/429, at most ``max_attempts``
        times, sleeping an exponential backoff with jitter in between."""
        for attempt in range(1, self._max_attempts + 1):
            try:
                result = send()
            except TransportError:
                if attempt == self._max_attempts:
                    raise
            else:
                status = int(result[0])
                if status < 500 and status not in RETRY_STATUSES:
                    return result
                if attempt == self._max_attempts:
                    raise ServerUnavailable(status)
            self._sleep(self._backoff_s(attempt))
        raise AssertionError("unreachable")

    def _backoff_s(self, attempt: int) -> float:
        """Equal jitter: half the exponential delay, plus up to the other half at random."""
        delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(attempt - 1, 32))
        return delay / 2 + self._rng.random() * delay / 2

    def _observe(self, answer: Mapping[str, Any]) -> None:
        """Merge the server's HLC into the stored one (only ever forwards)."""
        remote = server_hlc_of(answer)
        if remote is not None and remote > self._meta_int("hlc"):
            self._replica.set_meta({"hlc": str(remote)})

    def _wall(self) -> int:
        return min(max(0, int(self._wall_ms())), WALL_MAX_MS)

    def _meta_int(self, key: str) -> int:
        value = self._replica.get_meta(key)
        return int(value) if value else 0

    def _token(self) -> str:
        token = self._replica.get_meta("token")
        if not token or not self.device_id:
            raise NotEnrolled()
        return token


def _check_payload_size(payload: Mapping[str, Any]) -> None:
    size = len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise ValidationError("sync.bad_envelope", reason=f"payload of {size} bytes exceeds {MAX_PAYLOAD_BYTES}")


def _json_or_empty(content: bytes) -> dict[str, Any]:
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
