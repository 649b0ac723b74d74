"""The operation envelope: one client-made change that crosses the wire.

    Op(op_id, device_id, seq, hlc, user_id, kind, v, payload)

- ``op_id``: UUIDv7 made on the device before the op is first stored; the exactly-once key.
- ``seq``: per-device sequence number, 1, 2, 3 … in creation order (gaps are reported, not fatal).
- ``hlc``: the device's hybrid logical clock when the op was made (``shared.core.clock``).
- ``kind`` + ``v``: the payload's type and schema version (``sync.kinds``).

Wire limits (enforced by ``sync.codec`` on both ends and by the server before reading a body):
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

MAX_OPS_PER_PUSH = 1000
MAX_PUSH_BYTES = 4 * 1024 * 1024
MAX_PAYLOAD_BYTES = 16 * 1024
PROTOCOL_VERSION = 1


@dataclass(frozen=True, slots=True)
class Op:
    op_id: str
    device_id: str
    seq: int
    hlc: int
    user_id: str
    kind: str
    v: int
    payload: dict[str, Any]

    def fingerprint(self) -> str:
        """What must be equal for a re-sent op to count as the same op (payload included)."""
        body = json.dumps([self.device_id, self.seq, self.hlc, self.user_id, self.kind, self.v, self.payload],
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def to_wire(self) -> dict[str, Any]:
        return {"op_id": self.op_id, "device_id": self.device_id, "seq": self.seq, "hlc": self.hlc,
                "user_id": self.user_id, "kind": self.kind, "v": self.v, "payload": self.payload}


APPLIED = "applied"
DUPLICATE = "duplicate"
REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class OpResult:
    """The server's answer for one op. ``result`` carries what applying produced (ids, balances);
    ``error`` the code and messages of a rejection."""

    op_id: str
    status: str
    result: dict[str, Any]
    error: dict[str, Any] | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op_id": self.op_id, "status": self.status, "result": self.result}
        if self.error is not None:
            out["error"] = self.error
        return out

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> OpResult:
        return cls(str(data["op_id"]), str(data["status"]), dict(data.get("result") or {}), data.get("error"))
