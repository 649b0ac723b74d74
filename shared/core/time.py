"""Time helpers. Domain code takes times as arguments; only edges call ``utc_now``."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
