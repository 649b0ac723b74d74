"""What a handheld tells the server about itself on every sync request, in one header
(``X-Device-Status``, compact JSON): who is signed in, how many ops wait in its outbox, the median
scan→feedback time of its recent scans, and its app version. The back office's devices page shows it.

It is telemetry: a missing or malformed header is ignored (never a reason to refuse a push that carries
a picker's work), and every field is bounded before it is stored.

    DeviceStatus(user="zhangsan", pending=3, scan_ms_p50=6, app_version="0.1.0").to_header()
    DeviceStatus.from_header(value) -> DeviceStatus | None
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

HEADER = "X-Device-Status"
MAX_HEADER = 512
MAX_TEXT = 64
MAX_PENDING = 10**9
MAX_SCAN_MS = 10**7


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    user: str = ""
    pending: int = 0
    scan_ms_p50: int | None = None
    app_version: str = ""

    def to_header(self) -> str:
        body = {"user": self.user, "pending": self.pending, "scan_ms_p50": self.scan_ms_p50, "app": self.app_version}
        return json.dumps(body, separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def from_header(cls, value: str | None) -> DeviceStatus | None:
        """The status in ``value``, or ``None`` when absent or not a well-formed, bounded status."""
        if not value or len(value) > MAX_HEADER:
            return None
        try:
            raw: Any = json.loads(value)
        except ValueError:
            return None
        if not isinstance(raw, dict):
            return None
        user, pending, scan, app = raw.get("user", ""), raw.get("pending", 0), raw.get("scan_ms_p50"), raw.get("app", "")
        if not _text(user) or not _text(app) or not _count(pending, MAX_PENDING):
            return None
        if scan is not None and not _count(scan, MAX_SCAN_MS):
            return None
        return cls(user, pending, scan, app)


def _text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT and value.isprintable()


def _count(value: object, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit
