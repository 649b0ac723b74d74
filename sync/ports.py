"""What the device-side replicator (``sync.client``) needs from the local replica.

``client.replica.Replica`` implements ``ReplicaPort`` over SQLite; a test may implement it in memory.
The replica is the one writer of its database, and every method that writes is one transaction.

Outbox rows move ``pending`` → ``acked`` | ``rejected`` exactly once, and only on the server's answer
for that op id (``mark_answered``). Nothing deletes a pending row.

Meta keys (strings): ``device_id``, ``token``, ``warehouse_id``, ``server_url``, ``cursor`` (last
pulled change stamp), ``last_seq`` (last op seq made here), ``hlc`` (last HLC made or seen here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from sync.protocol import Op

PENDING = "pending"
ACKED = "acked"
REJECTED = "rejected"

META_KEYS = frozenset({"device_id", "token", "warehouse_id", "server_url", "cursor", "last_seq", "hlc",
                       "schema_version",
                       # handheld preferences and sync status (client.services.prefs)
                       "language", "pin_failures", "pin_locked_until_ms", "sync_last_ok_ms", "sync_last_attempt_ms",
                       "sync_offline", "sync_last_error"})

# Local rows written with an op, by local table: {"local_count": [{"stocktake_id": …, …}]}.
LocalEffect = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer for one outbox op, as the outbox keeps it."""

    op_id: str
    state: str  # ACKED or REJECTED
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None


@runtime_checkable
class ReplicaPort(Protocol):
    def get_meta(self, key: str) -> str | None:
        """The meta value, or ``None`` when unset."""
        ...

    def set_meta(self, values: Mapping[str, str]) -> None:
        """Set several meta keys in one transaction."""
        ...

    def append_op(self, op: Op, *, created_at_ms: int, local_effect: LocalEffect | None = None) -> None:
        """Store ``op`` as pending with its local effect rows, and set meta ``last_seq`` = ``op.seq``
        and ``hlc`` = ``op.hlc``, all in one transaction (a crash leaves all or nothing)."""
        ...

    def pending_ops(self, limit: int) -> list[Op]:
        """Up to ``limit`` pending ops, lowest seq first."""
        ...

    def mark_answered(self, answers: Sequence[Answer], *, answered_at_ms: int) -> int:
        """Record answers for pending ops in one transaction; an answer for an op that is not pending
        changes nothing. Returns how many rows changed."""
        ...

    def apply_changes(self, changes: Sequence[Mapping[str, Any]], cursor: int) -> int:
        """Upsert pulled change rows and store ``cursor``, in one transaction. Returns rows applied."""
        ...

    def install_snapshot(self, path: Path) -> int:
        """Replace the server-state tables with those of the snapshot file at ``path`` and store its
        cursor, in one transaction, keeping the outbox and device meta. Returns the cursor."""
        ...
