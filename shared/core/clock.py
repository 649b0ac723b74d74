"""Hybrid logical clock (HLC) timestamps, packed into one signed 64-bit integer.

    hlc = (wall_ms << 16) | counter        wall_ms: Unix milliseconds, counter: 0..65535

Packed HLCs compare as integers in causal order, fit a BIGINT column on SQLite and PostgreSQL,
and survive JSON. Both ends keep a ``HybridClock``; the wall time is always passed in (no I/O here).
Device wall clocks never decide a conflict by themselves: the server bounds how far ahead a
remote timestamp may be (``max_ahead_ms``) and reports devices that exceed it.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTER_BITS = 16
COUNTER_MAX = (1 << COUNTER_BITS) - 1
WALL_MAX_MS = (1 << (63 - COUNTER_BITS)) - 1


def pack(wall_ms: int, counter: int = 0) -> int:
    if not 0 <= wall_ms <= WALL_MAX_MS or not 0 <= counter <= COUNTER_MAX:
        raise ValueError(f"HLC out of range: wall_ms={wall_ms} counter={counter}")
    return (wall_ms << COUNTER_BITS) | counter


def unpack(hlc: int) -> tuple[int, int]:
    return hlc >> COUNTER_BITS, hlc & COUNTER_MAX


def wall_ms_of(hlc: int) -> int:
    return hlc >> COUNTER_BITS


@dataclass
class HybridClock:
    """Kulkarni et al. HLC: monotonic, close to wall time, and causally consistent."""

    last: int = 0

    def now(self, wall_ms: int) -> int:
        """A timestamp for a local event at wall time ``wall_ms``."""
        last_wall, last_counter = unpack(self.last)
        if wall_ms > last_wall:
            self.last = pack(wall_ms, 0)
        else:
            self.last = _bump(last_wall, last_counter)
        return self.last

    def observe(self, remote: int, wall_ms: int) -> int:
        """Merge a timestamp received from elsewhere; returns the new local timestamp."""
        self.last = max(self.last, remote)
        return self.now(wall_ms)


def _bump(wall_ms: int, counter: int) -> int:
    if counter < COUNTER_MAX:
        return pack(wall_ms, counter + 1)
    return pack(wall_ms + 1, 0)
