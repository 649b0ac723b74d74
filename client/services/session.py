"""The device session: the replica, enrolment, who is signed in, the language, home and sync.

    DeviceSession(replica_path, transport, *, now_ms, new_id=shared.core.ids.new_id, sleep=time.sleep,
                  device_name="handheld", hardware_id="", app_version="0.1.0", max_attempts=2)
        .enrolled -> bool                 .enrol(code) -> Feedback          (enrol, then bootstrap)
        .users() -> list[UserChoice]      .sign_in(username, pin) -> Feedback   .sign_out()   .user
        .language (settable) / .set_language(lang)   .warehouse -> WarehouseRow | None     .store_mode -> bool
        .context() -> FlowContext         (for the flow services; needs enrolment and a signed-in user)
        .home() -> Home                   .sync_status() -> SyncStatus       .sync_now() -> SyncOutcome
        .close()

Offline is a normal state: ``sync_now`` never raises for the network, the server or enrolment; its
outcome (and the persisted ``SyncStatus``) says what happened. PINs: 5 wrong in a row lock sign-in
on this device for 60 s (kept across restarts in ``client.services.prefs``).
"""

from __future__ import annotations

import math
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from client.replica.db import open_replica
from client.services import home as home_counts
from client.services.context import FlowContext
from client.services.errors import NotEnrolledYet, NotSignedIn
from client.services.feedback import LANGUAGES, Feedback, accepted, finished, from_error, refused, warned
from client.services.home import Home, SyncStatus
from client.services.prefs import prefs_for
from client.services.reads import ReplicaReads, WarehouseRow
from client.services.scan_timing import ScanTimer
from shared.core.errors import ValidationError
from shared.core.ids import new_id as make_id
from shared.core.pin import verify_pin
from sync.client import Replicator, SyncReport
from sync.device_status import DeviceStatus
from sync.transport import SyncError, Transport, TransportError

PIN_MAX_FAILURES = 5
PIN_LOCK_MS = 60_000
DEFAULT_LANGUAGE = "zh-CN"


@dataclass(frozen=True, slots=True)
class UserChoice:
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class SignedInUser:
    id: str
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What one ``sync_now`` did. ``offline``: the server could not be reached (ops stay pending)."""

    ok: bool
    offline: bool
    acked: int
    rejected: int
    changes: int
    error_code: str
    feedback: Feedback


class DeviceSession:
    """One handheld: see the module docstring."""

    def __init__(self, replica_path: str | Path, transport: Transport, *, now_ms: Callable[[], int],
                 new_id: Callable[[], str] = make_id, sleep: Callable[[float], None] = time.sleep,
                 device_name: str = "handheld", hardware_id: str = "", app_version: str = "0.1.0",
                 max_attempts: int = 2) -> None:
        path = Path(replica_path)
        self.replica = open_replica(path)
        self.reads = ReplicaReads(path)
        self._prefs = prefs_for(self.replica)
        self._now_ms = now_ms
        self.replicator = Replicator(self.replica, transport, device_id="", wall_ms=now_ms, new_id=new_id, sleep=sleep,
                                     max_attempts=max_attempts)
        self._device = (device_name, hardware_id or f"hw-{new_id()}", app_version)
        self.user: SignedInUser | None = None
        self.scan_timer = ScanTimer()

    def close(self) -> None:
        self.reads.close()
        self.replica.close()

    # ---- enrolment ---------------------------------------------------------------------------------

    @property
    def enrolled(self) -> bool:
        return bool(self.replica.get_meta("token")) and bool(self.replicator.device_id)

    def enrol(self, code: str) -> Feedback:
        """Trade the one-time code (scanned from the back office's QR code, or typed) for a device
        token, then install the snapshot of this warehouse."""
        if self.enrolled:
            return refused("handheld.already_enrolled")
        clean = unicodedata.normalize("NFKC", code).strip().upper()
        try:
            self.replicator.enrol(clean, *self._device)
        except SyncError as exc:
            return from_error(exc)  # a bad or used code, or no server: the operator tries again
        try:
            self.replicator.bootstrap()
        except SyncError as exc:
            self._remember_sync(ok=False, offline=isinstance(exc, TransportError), error=exc.code)
            return warned("handheld.enrolled_no_data")
        self._remember_sync(ok=True, offline=False, error="")
        return finished("handheld.enrolled", warehouse=self.warehouse.code if self.warehouse else "")

    # ---- people ------------------------------------------------------------------------------------

    def users(self) -> list[UserChoice]:
        """Active users to pick from (a shared device)."""
        return [UserChoice(u.username, u.display_name) for u in self.reads.users()]

    def sign_in(self, username: str, pin: str) -> Feedback:
        """Check the PIN; 5 wrong in a row lock sign-in for 60 s."""
        now = self._now_ms()
        locked_until = int(self._prefs.get("pin_locked_until_ms") or 0)
        if now < locked_until:
            return refused("handheld.pin_locked", seconds=math.ceil((locked_until - now) / 1000))
        user = self.reads.user(username)
        if user is not None and user.active and not user.pin_hash:
            return refused("handheld.no_pin", name=user.display_name)
        typed = unicodedata.normalize("NFKC", str(pin)).strip()  # full-width digits from a Chinese IME
        if user is None or not user.active or not verify_pin(typed, user.pin_hash):
            return self._wrong_pin(now)
        self._prefs.set({"pin_failures": "0", "pin_locked_until_ms": "0"})
        self.user = SignedInUser(user.id, user.username, user.display_name)
        return accepted("handheld.signed_in", name=user.display_name)

    def _wrong_pin(self, now: int) -> Feedback:
        failures = int(self._prefs.get("pin_failures") or 0) + 1
        if failures >= PIN_MAX_FAILURES:
            self._prefs.set({"pin_failures": "0", "pin_locked_until_ms": str(now + PIN_LOCK_MS)})
            return refused("handheld.pin_locked", seconds=PIN_LOCK_MS // 1000)
        self._prefs.set({"pin_failures": str(failures)})
        return refused("handheld.wrong_pin", left=PIN_MAX_FAILURES - failures)

    def sign_out(self) -> None:
        self.user = None

    # ---- settings and scope ------------------------------------------------------------------------

    @property
    def language(self) -> str:
        return self._prefs.get("language") or DEFAULT_LANGUAGE

    @language.setter
    def language(self, lang: str) -> None:
        self.set_language(lang)

    def set_language(self, lang: str) -> None:
        """Set the UI language ("zh-CN" or "en"), kept across restarts; anything else is ``invalid.enum``."""
        if lang not in LANGUAGES:
            raise ValidationError("invalid.enum", field="language", value=lang)
        self._prefs.set({"language": lang})

    @property
    def warehouse(self) -> WarehouseRow | None:
        warehouse_id = self.replica.get_meta("warehouse_id")
        return self.reads.warehouse(warehouse_id) if warehouse_id else None

    @property
    def store_mode(self) -> bool:
        wh = self.warehouse
        return wh is not None and wh.kind == "store"

    def context(self) -> FlowContext:
        """What a flow service needs; raises ``NotEnrolledYet`` / ``NotSignedIn``."""
        warehouse_id = self.replica.get_meta("warehouse_id")
        if not self.enrolled or not warehouse_id:
            raise NotEnrolledYet()
        if self.user is None:
            raise NotSignedIn()
        return FlowContext(self.replica, self.replicator, self.reads, self.user.username, warehouse_id, self.store_mode,
                           self._now_ms)

    # ---- home and sync -----------------------------------------------------------------------------

    def home(self) -> Home:
        """Open work per flow and the sync status, for the home screen."""
        warehouse_id = self.replica.get_meta("warehouse_id") or ""
        counts = home_counts.work_counts(self.replica, self.reads, warehouse_id, self.replicator.device_id)
        return Home(counts, self.sync_status(), self.user.display_name if self.user else "", self.warehouse,
                    self.store_mode, self.language)

    def device_status(self) -> DeviceStatus:
        """What this device tells the server on every sync request (the devices page shows it)."""
        return DeviceStatus(self.user.username if self.user else "", self.replica.pending_count(),
                            self.scan_timer.p50_ms(), self._device[2])

    def sync_status(self) -> SyncStatus:
        return home_counts.sync_status(self.replica, self._prefs)

    def sync_now(self) -> SyncOutcome:
        """Push pending ops and pull what changed (a first pull installs the snapshot). Never raises
        for the network: an unreachable server is ``offline``."""
        if not self.enrolled:
            return SyncOutcome(False, False, 0, 0, 0, "sync.not_enrolled", refused("sync.not_enrolled"))
        try:
            report = self._sync()
        except SyncError as exc:
            offline = isinstance(exc, TransportError)
            self._remember_sync(ok=False, offline=offline, error=exc.code)
            pending = self.replica.pending_count()
            feedback = warned("handheld.offline", pending=pending) if offline else from_error(exc)
            return SyncOutcome(False, offline, 0, 0, 0, exc.code, feedback)
        return self._sync_outcome(report)

    def _sync(self) -> SyncReport:
        if self.replica.get_meta("cursor") is None:  # enrolled, but the snapshot never arrived
            self.replicator.bootstrap()
        return self.replicator.sync()

    def _sync_outcome(self, report: SyncReport) -> SyncOutcome:
        push, pull = report.push, report.pull
        stopped = push.stopped_by or (pull.stopped_by if pull else None)
        if stopped:
            self._remember_sync(ok=False, offline=False, error=stopped)
            return SyncOutcome(False, False, push.acked, push.rejected, 0, stopped, refused(stopped))
        self._remember_sync(ok=True, offline=False, error="")
        changes = pull.changes if pull else 0
        feedback = (warned if push.rejected else finished)("handheld.synced", sent=push.acked, rejected=push.rejected,
                                                           changes=changes)
        return SyncOutcome(True, False, push.acked, push.rejected, changes, "", feedback)

    def _remember_sync(self, *, ok: bool, offline: bool, error: str) -> None:
        now = str(self._now_ms())
        values = {"sync_last_attempt_ms": now, "sync_offline": "1" if offline else "0", "sync_last_error": error}
        if ok:
            values["sync_last_ok_ms"] = now
        self._prefs.set(values)
