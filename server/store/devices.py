"""Devices (enrolled handhelds): one-time enrolment codes, signed device tokens checked against the
device row on every request (so revocation takes effect at once), and what the server knows of each
device (last seen, sequence, clock skew)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, and_, select

from server.store import events
from server.store.catalogue import get_warehouse
from server.store.schema import devices, enrolment_codes
from shared.core.errors import NotFoundError, ValidationError
from shared.core.ids import new_id
from shared.core.text import clean_text
from shared.core.time import utc_now
from sync.device_status import DeviceStatus

ENROLMENT_TTL = timedelta(minutes=15)
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


class Unauthorized(Exception):
    """Token missing, malformed, unknown or revoked; ``code`` is device.unauthorized or device.revoked."""

    def __init__(self, code: str, device_id: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.device_id = device_id  # known for a revoked device (its ops are quarantined)


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    name: str
    hardware_id: str
    warehouse_id: str
    app_version: str
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    last_seq: int
    seq_gaps: int
    clock_skew_ms: int
    clock_flagged: bool
    status_user: str = ""
    status_pending: int | None = None
    status_scan_ms: int | None = None
    status_at: datetime | None = None


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def new_enrolment_code(conn: Connection, warehouse: str, *, created_by: str = "") -> tuple[str, datetime]:
    """A one-time code (shown once, stored hashed) valid for ENROLMENT_TTL."""
    wh = get_warehouse(conn, warehouse)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
    expires = utc_now() + ENROLMENT_TTL
    conn.execute(enrolment_codes.insert().values(code_hash=_hash(code), warehouse_id=wh.id, created_by=created_by, expires_at=expires))
    return code, expires


def enrol(conn: Connection, code: object, *, name: object, hardware_id: object, app_version: object, secret: str,
          hlc: int) -> tuple[Device, str]:
    """Exchange a one-time code for a new device and its token."""
    if not isinstance(code, str) or not code.strip():
        raise ValidationError("device.bad_enrolment_code")
    row = conn.execute(select(enrolment_codes).where(enrolment_codes.c.code_hash == _hash(code))).first()
    if row is None or row.used_at is not None or _aware(row.expires_at) < utc_now():
        raise ValidationError("device.bad_enrolment_code")
    device_id, token_id = new_id(), secrets.token_hex(16)
    conn.execute(devices.insert().values(
        id=device_id, name=clean_text(name, "device_name", max_chars=100), warehouse_id=row.warehouse_id,
        hardware_id=clean_text(hardware_id, "hardware_id", max_chars=200, required=False), token_id=token_id,
        app_version=clean_text(app_version, "app_version", max_chars=32, required=False), enrolled_at=utc_now()))
    used = conn.execute(enrolment_codes.update().where(and_(enrolment_codes.c.code_hash == row.code_hash,
                                                            enrolment_codes.c.used_at.is_(None)))
                        .values(used_at=utc_now(), device_id=device_id)).rowcount
    if used != 1:  # a concurrent enrolment took it first
        raise ValidationError("device.bad_enrolment_code")
    events.record(conn, "device.enrolled", "device", device_id, {"warehouse_id": row.warehouse_id}, hlc=hlc)
    token = URLSafeSerializer(secret, salt="erp-device-token").dumps({"d": device_id, "t": token_id})
    return get(conn, device_id), token


def authenticate(conn: Connection, token: str | None, *, secret: str) -> Device:
    if not token:
        raise Unauthorized("device.unauthorized")
    try:
        claims = URLSafeSerializer(secret, salt="erp-device-token").loads(token)
    except BadSignature:
        raise Unauthorized("device.unauthorized") from None
    if not isinstance(claims, dict):
        raise Unauthorized("device.unauthorized")
    row = conn.execute(select(devices).where(devices.c.id == claims.get("d"))).first()
    if row is None or not secrets.compare_digest(str(row.token_id), str(claims.get("t", ""))):
        raise Unauthorized("device.unauthorized")
    if row.revoked_at is not None:
        raise Unauthorized("device.revoked", row.id)
    return _device(row)


def revoke(conn: Connection, device_id: str, *, hlc: int, by: str = "") -> Device:
    get(conn, device_id)
    conn.execute(devices.update().where(devices.c.id == device_id).values(revoked_at=utc_now()))
    events.record(conn, "device.revoked", "device", device_id, {"by": by}, hlc=hlc)
    return get(conn, device_id)


def seen(conn: Connection, device: Device, *, max_seq: int | None = None, skew_ms: int | None = None,
         clock_flagged: bool = False, gaps: int = 0) -> None:
    values: dict[str, object] = {"last_seen_at": utc_now()}
    if max_seq is not None and max_seq > device.last_seq:
        values["last_seq"] = max_seq
    if gaps:
        values["seq_gaps"] = device.seq_gaps + gaps
    if skew_ms is not None:
        values["clock_skew_ms"] = skew_ms
    if clock_flagged:
        values["clock_flagged"] = True
    conn.execute(devices.update().where(devices.c.id == device.id).values(**values))


STATUS_REFRESH = timedelta(seconds=60)


def report_status(conn: Connection, device: Device, status: DeviceStatus, *, now: datetime) -> bool:
    """Keep what the device said about itself (and its app version). Skipped when nothing changed and
    the last report is younger than ``STATUS_REFRESH`` (a pull every few seconds writes nothing)."""
    same = (device.status_user, device.status_pending, device.status_scan_ms) == (status.user, status.pending, status.scan_ms_p50)
    if same and device.status_at is not None and now - _aware(device.status_at) < STATUS_REFRESH \
            and (not status.app_version or status.app_version == device.app_version):
        return False
    values: dict[str, object] = {"status_user": status.user, "status_pending": status.pending,
                                 "status_scan_ms": status.scan_ms_p50, "status_at": now}
    if status.app_version:
        values["app_version"] = status.app_version[:32]
    conn.execute(devices.update().where(devices.c.id == device.id).values(**values))
    return True


def get(conn: Connection, device_id: str) -> Device:
    row = conn.execute(select(devices).where(devices.c.id == device_id)).first()
    if row is None:
        raise NotFoundError("device.not_found", device=device_id)
    return _device(row)


def list_all(conn: Connection) -> list[Device]:
    return [_device(r) for r in conn.execute(select(devices).order_by(devices.c.enrolled_at))]


def _device(row: object) -> Device:
    r = row
    return Device(r.id, r.name, r.hardware_id, r.warehouse_id, r.app_version, r.enrolled_at, r.revoked_at,  # type: ignore[attr-defined]
                  r.last_seen_at, r.last_seq, r.seq_gaps, r.clock_skew_ms, r.clock_flagged,  # type: ignore[attr-defined]
                  r.status_user, r.status_pending, r.status_scan_ms, r.status_at)  # type: ignore[attr-defined]


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
