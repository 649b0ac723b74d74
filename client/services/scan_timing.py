"""How long a scan takes from the code arriving to its feedback (the local commit included): the last
``WINDOW`` scans, and their median for the device status the server shows on its devices page."""

from __future__ import annotations

from collections import deque
from statistics import median

WINDOW = 200


class ScanTimer:
    def __init__(self, window: int = WINDOW) -> None:
        self._recent: deque[float] = deque(maxlen=window)

    def record(self, ms: float) -> None:
        if ms >= 0:
            self._recent.append(ms)

    def p50_ms(self) -> int | None:
        """The median of the recent scans, rounded up to a whole millisecond; ``None`` before any."""
        if not self._recent:
            return None
        return int(-(-median(self._recent) // 1))
