"""Small device-level values the services keep across restarts: the UI language, failed PIN attempts
and the lock-out, and what the last sync attempt said. They live in the replica's meta table (keys
listed in ``sync.ports.META_KEYS``), so they share the replica's durability and transactions.

    prefs_for(replica) -> Prefs
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sync.ports import META_KEYS, ReplicaPort

PREF_KEYS = frozenset({"language", "pin_failures", "pin_locked_until_ms", "sync_last_ok_ms", "sync_last_attempt_ms",
                       "sync_offline", "sync_last_error"})


class Prefs(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, values: Mapping[str, str]) -> None: ...


class MetaPrefs:
    """Prefs in the replica's meta table (one transaction per ``set``)."""

    def __init__(self, replica: ReplicaPort) -> None:
        self._replica = replica

    def get(self, key: str) -> str | None:
        _check(key)
        return self._replica.get_meta(key)

    def set(self, values: Mapping[str, str]) -> None:
        for key in values:
            _check(key)
        self._replica.set_meta(values)


def prefs_for(replica: ReplicaPort) -> Prefs:
    if not PREF_KEYS <= META_KEYS:
        raise RuntimeError("sync.ports.META_KEYS must list every preference key")
    return MetaPrefs(replica)


def _check(key: str) -> None:
    if key not in PREF_KEYS:
        raise KeyError(f"unknown preference {key!r}")
