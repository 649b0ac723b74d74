"""Keyboard-wedge scanner input: a scanner "types" the code and ends it with Enter (or Tab).

    WedgeInput(debounce_ms=80, now_ms=...)
        .submit(raw)        -> str | None   one burst: the code, or None (empty, or a double read)
        .submit_many(raw)   -> list[str]    a buffer that may hold several bursts (one per line)

Only the framing is handled here: leading/trailing CR, LF and Tab are stripped; everything else
(NFKC, zero-width characters, AIM prefixes) is for ``shared.scan.resolve``. A double read is the same
code again within ``debounce_ms`` of the previous read of it (dropped or not, so a trigger held down
that reads every 50 ms stays one scan); a different code is never dropped, and the same code further
apart is a deliberate repeat (count up). ``now_ms`` should be a monotonic millisecond clock; if it
ever runs backwards the read is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

FRAMING = "\r\n\t"
_BURSTS = re.compile(r"[\r\n\t]+")


class WedgeInput:
    def __init__(self, debounce_ms: int = 80, *, now_ms: Callable[[], int]) -> None:
        if debounce_ms < 0:
            raise ValueError("debounce_ms must not be negative")
        self.debounce_ms = debounce_ms
        self._now_ms = now_ms
        self._last_code: str | None = None
        self._last_ms = 0

    def submit(self, raw: str) -> str | None:
        """The code of one scanner burst, or ``None`` when there is nothing to act on."""
        code = raw.strip(FRAMING)
        if not code:
            return None
        now = self._now_ms()
        repeat = code == self._last_code and 0 <= now - self._last_ms < self.debounce_ms
        self._last_code, self._last_ms = code, now
        return None if repeat else code

    def submit_many(self, raw: str) -> list[str]:
        """Every code in a buffer of bursts (a field that caught two scans before it was read)."""
        codes = (self.submit(part) for part in _BURSTS.split(raw))
        return [c for c in codes if c is not None]
