"""What every flow works with: the signed-in user on this device's replica, and the scan helpers the
flows share.

    FlowContext(replica, replicator, reads, user_id, warehouse_id, store_mode, now_ms)
        .resolve(raw)            -> SkuScan | BinScan | DocumentScan | Feedback (a refusal)
        .record(kind, payload, local_effect=None) -> Op   (op + local effect, one replica transaction)
        .storage_bin(scan)       -> BinInfo | Feedback     (refuses the dock and transit system bins)
        .sku(sku_id)             -> SkuInfo
        .sku_detail(sku_id)      -> {"sku", "name_zh", "name_en"} for feedback
        .batch_for(scan, known)  -> str | Feedback         (the batch an op carries)
    NextQty                      a typed quantity that applies to the next item scan

``DeviceSession.context()`` builds the context; flows take it in their constructor.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from client.replica.db import Replica
from client.services.errors import DocumentNotFound
from client.services.feedback import Feedback, accepted, from_error, from_unknown, refused
from client.services.reads import BinInfo, ReplicaReads, SkuInfo
from shared.core.errors import ValidationError
from shared.core.quantity import parse_qty
from shared.scan.resolve import BinScan, DocumentScan, SkuScan, UniqueCodeScan, UnknownScan, resolve_scan
from sync.client import Replicator
from sync.ports import LocalEffect
from sync.protocol import Op

MAX_TYPED_QTY = 99_999  # one typed entry on a handheld; more is a typo (an extra zero) far more often than not
Resolved = SkuScan | BinScan | DocumentScan


@dataclass(frozen=True, slots=True)
class FlowContext:
    """The device, the signed-in user and the clock, as the flows see them."""

    replica: Replica
    replicator: Replicator
    reads: ReplicaReads
    user_id: str
    warehouse_id: str
    store_mode: bool
    now_ms: Callable[[], int]

    def resolve(self, raw: str) -> Resolved | Feedback:
        """Say what ``raw`` is, offline, or a refusal (empty, too long, unknown, archived SKU…)."""
        try:
            scan = resolve_scan(raw, self.replica.scan_index())
        except ValidationError as exc:
            return from_error(exc)
        if isinstance(scan, UnknownScan):
            return from_unknown(scan)
        if isinstance(scan, UniqueCodeScan):  # one unit of its SKU
            return SkuScan(sku_id=scan.sku_id, sku_code=scan.sku_code, qty_base=1, serial=scan.unique_code, raw=scan.raw)
        return scan

    def record(self, kind: str, payload: Mapping[str, Any], local_effect: LocalEffect | None = None) -> Op:
        return self.replicator.record(kind, payload, self.user_id, local_effect=local_effect)

    def storage_bin(self, scan: BinScan) -> BinInfo | Feedback:
        """The scanned bin if goods may be put in or taken from it by hand; the dock and transit bins
        are moved by documents only."""
        info = self.reads.bin(scan.bin_id)
        if info is None:
            raise DocumentNotFound("bin", scan.bin_id)
        if info.kind != "storage":
            return refused("handheld.system_bin", bin=info.code)
        return info

    def sku(self, sku_id: str) -> SkuInfo:
        info = self.reads.sku(sku_id)
        if info is None:
            raise DocumentNotFound("sku", sku_id)
        return info

    def sku_detail(self, sku_id: str) -> dict[str, Any]:
        info = self.reads.sku(sku_id)
        if info is None:
            return {"sku": sku_id, "name_zh": "", "name_en": ""}
        return {"sku": info.code, "name_zh": info.name_zh, "name_en": info.name_en}

    def batch_for(self, scan: SkuScan, known: Iterable[str] = ()) -> str | Feedback:
        """The batch an op about ``scan`` carries: none for a SKU without batches (a GS1 batch on its
        label is ignored), the scanned one, or the only one ``known`` here; else a refusal asking for
        the batch label."""
        if not self.sku(scan.sku_id).batch_tracked:
            return ""
        if scan.batch:
            return scan.batch
        candidates = sorted({b for b in known if b})
        if len(candidates) == 1:
            return candidates[0]
        return refused("handheld.batch_required", **self.sku_detail(scan.sku_id))


class NextQty:
    """A typed quantity: "12" then a scan counts 12 times the scanned barcode's quantity (a case of
    12 scanned after typing 3 is 36). Kept until an item scan is accepted; a refused scan keeps it."""

    def __init__(self) -> None:
        self.qty: int | None = None

    def arm(self, text: str | int) -> Feedback:
        raw = unicodedata.normalize("NFKC", text).strip() if isinstance(text, str) else text
        try:
            qty = parse_qty(raw)
        except ValidationError as exc:
            return from_error(exc)
        if qty > MAX_TYPED_QTY:
            return refused("handheld.qty_too_large", qty=qty, limit=MAX_TYPED_QTY)
        self.qty = qty
        return accepted("handheld.qty_armed", qty=qty)

    def of(self, scan: SkuScan) -> int:
        """The quantity the next accepted scan of ``scan`` stands for (does not consume it)."""
        return (self.qty or 1) * scan.qty_base

    def clear(self) -> None:
        self.qty = None
