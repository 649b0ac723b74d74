"""Platform times to aware UTC ``datetime``s.

    Taobao/Tmall, JD   "yyyy-MM-dd HH:mm:ss" in China time (+08:00)
    Douyin             Unix seconds (0 means "not yet", e.g. an unpaid order's pay_time)
    Pinduoduo          Unix seconds per PLATFORMS.md; the order list's SDK models send the China-time
                       string instead, so both are read (see ``unix_or_china_time``)
    Shopify            ISO 8601 with the shop's offset

Naive ISO times, milliseconds where seconds are expected, and anything before 2000 or after 2100
(an RTC reset, a unit mix-up) raise ``order.bad_time`` with the payload path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from shared.orders.errors import OrderPayloadError

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_CHINA_FORMAT = "%Y-%m-%d %H:%M:%S"


def china_time(value: object, *, path: str) -> datetime:
    """``"2024-11-18 16:02:31"`` (China time) → aware UTC."""
    if not isinstance(value, str) or len(value) != 19 or not value.isascii():
        raise OrderPayloadError("order.bad_time", path=path, reason=f"expected yyyy-MM-dd HH:mm:ss, got {value!r:.40}")
    try:
        local = datetime.strptime(value, _CHINA_FORMAT)
    except ValueError:
        raise OrderPayloadError("order.bad_time", path=path, reason=f"expected yyyy-MM-dd HH:mm:ss, got {value!r:.40}") from None
    return _bounded(local.replace(tzinfo=CHINA).astimezone(UTC), path=path)


def unix_seconds(value: object, *, path: str) -> datetime:
    """Unix seconds (a JSON integer or a string of ASCII digits) → aware UTC."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise OrderPayloadError("order.bad_time", path=path, reason=f"expected Unix seconds, got {value!r:.40}")
    if value > 10**11:
        raise OrderPayloadError("order.bad_time", path=path, reason=f"{value} looks like milliseconds, expected seconds")
    if value < 0:
        raise OrderPayloadError("order.bad_time", path=path, reason=f"negative Unix time {value}")
    return _bounded(datetime.fromtimestamp(value, UTC), path=path)


def unix_or_china_time(value: object, *, path: str) -> datetime:
    """Either form: an integer is Unix seconds, a string with a space is China time."""
    if isinstance(value, str) and " " in value:
        return china_time(value, path=path)
    return unix_seconds(value, path=path)


def iso_time(value: object, *, path: str) -> datetime:
    """ISO 8601 with an offset (``2024-05-01T10:00:00-04:00`` or ``...Z``) → aware UTC."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40 or not value.isascii():
        raise OrderPayloadError("order.bad_time", path=path, reason=f"expected an ISO 8601 time, got {value!r:.40}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise OrderPayloadError("order.bad_time", path=path, reason=f"expected an ISO 8601 time, got {value!r:.40}") from None
    if parsed.tzinfo is None:
        raise OrderPayloadError("order.bad_time", path=path, reason=f"no UTC offset in {value!r:.40}")
    return _bounded(parsed.astimezone(UTC), path=path)


def to_china_time(moment: datetime) -> str:
    """Aware ``moment`` → the Taobao/JD request format (for pull windows)."""
    return moment.astimezone(CHINA).strftime(_CHINA_FORMAT)


def _bounded(moment: datetime, *, path: str) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise OrderPayloadError("order.bad_time", path=path, reason=f"{moment.isoformat()} is outside 2000-2100")
    return moment
