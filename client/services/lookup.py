"""Lookup (查询): scan anything and see what it is. Writes nothing.

    LookupFlow(ctx, recent_limit=10)
        .scan(raw) -> LookupResult
    LookupResult(feedback, sku: SkuCard | None, bin: BinCard | None, document: DocumentCard | None)
    format_price(fen) -> "¥12.34"

A SKU shows its stock per bin in this warehouse (the replica's figures rebased with this device's
pending ops; ``pending_qty`` says how much of it is not on the server yet) and this device's recent
movements of it from the outbox, newest first; in store mode (a warehouse of kind store) also its
shelf price. A bin shows what it holds. A document number shows the document's state if the device
has it.
"""

from __future__ import annotations

from dataclasses import dataclass

from client.replica.outbox import OutboxEntry
from client.replica.views import STOCK_KINDS, op_stock_deltas
from client.services.context import FlowContext
from client.services.feedback import Feedback, accepted
from shared.scan.resolve import BinScan, DocumentScan, SkuScan


@dataclass(frozen=True, slots=True)
class BinStock:
    bin_id: str
    bin_code: str
    batch: str
    on_hand: int  # as the device believes: server + pending
    pending_qty: int


@dataclass(frozen=True, slots=True)
class LocalMovement:
    """One of this device's ops touching the SKU: ``qty`` is the signed change at ``bin_code`` (for a
    count, the counted quantity); ``state`` is pending, acked or rejected."""

    op_id: str
    kind: str
    bin_code: str
    qty: int
    state: str
    created_at_ms: int
    user_id: str


@dataclass(frozen=True, slots=True)
class SkuCard:
    sku_id: str
    code: str
    name_zh: str
    name_en: str
    spec: str
    price_text: str  # store mode only, else ""
    stock: tuple[BinStock, ...]
    total_on_hand: int
    recent: tuple[LocalMovement, ...]


@dataclass(frozen=True, slots=True)
class BinLine:
    sku_id: str
    sku_code: str
    name_zh: str
    name_en: str
    batch: str
    on_hand: int


@dataclass(frozen=True, slots=True)
class BinCard:
    bin_id: str
    code: str
    lines: tuple[BinLine, ...]
    total_on_hand: int


@dataclass(frozen=True, slots=True)
class DocumentCard:
    doc_type: str
    number: str
    state: str  # "" when this device does not hold the document


@dataclass(frozen=True, slots=True)
class LookupResult:
    feedback: Feedback
    sku: SkuCard | None = None
    bin: BinCard | None = None
    document: DocumentCard | None = None


def format_price(fen: int) -> str:
    """Integer fen as yuan with two decimals: 12345 → "¥123.45"."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan}.{cents:02d}"


class LookupFlow:
    def __init__(self, ctx: FlowContext, recent_limit: int = 10) -> None:
        self.ctx = ctx
        self.recent_limit = recent_limit
        self.prompt_code = "ui.prompt.scan_anything"

    def scan(self, raw: str) -> LookupResult:
        scan = self.ctx.resolve(raw)
        if isinstance(scan, Feedback):
            return LookupResult(scan)
        if isinstance(scan, SkuScan):
            card = self.sku_card(scan.sku_id)
            return LookupResult(accepted("handheld.lookup_sku", total=card.total_on_hand, price=card.price_text,
                                         **self.ctx.sku_detail(scan.sku_id)), sku=card)
        if isinstance(scan, BinScan):
            bin_card = self.bin_card(scan)
            return LookupResult(accepted("handheld.lookup_bin", bin=bin_card.code, lines=len(bin_card.lines),
                                         total=bin_card.total_on_hand), bin=bin_card)
        return self._document(scan)

    def sku_card(self, sku_id: str) -> SkuCard:
        info = self.ctx.sku(sku_id)
        stock = tuple(BinStock(ln.bin_id, self._bin_code(ln.bin_id), ln.batch, ln.on_hand, ln.pending_qty)
                      for ln in self.ctx.replica.stock_view(sku_id=sku_id) if ln.on_hand or ln.pending_qty)
        price = format_price(info.price_fen) if self.ctx.store_mode else ""
        return SkuCard(info.id, info.code, info.name_zh, info.name_en, info.spec, price, stock,
                       sum(s.on_hand for s in stock), self._recent(sku_id))

    def bin_card(self, scan: BinScan) -> BinCard:
        lines = []
        for ln in self.ctx.replica.stock_view(bin_id=scan.bin_id):
            if ln.on_hand:
                d = self.ctx.sku_detail(ln.sku_id)
                lines.append(BinLine(ln.sku_id, d["sku"], d["name_zh"], d["name_en"], ln.batch, ln.on_hand))
        lines.sort(key=lambda ln: (ln.sku_code, ln.batch))
        return BinCard(scan.bin_id, scan.bin_code, tuple(lines), sum(ln.on_hand for ln in lines))

    def _document(self, scan: DocumentScan) -> LookupResult:
        reads = self.ctx.reads
        doc = {"receipt": reads.receipt, "transfer": reads.transfer, "stocktake": reads.stocktake}.get(scan.doc_type)
        found = doc(scan.number) if doc else None
        state = str(getattr(found, "state", "")) if found else ""
        card = DocumentCard(scan.doc_type, scan.number, state)
        return LookupResult(accepted("handheld.lookup_document", doc_type=scan.doc_type, number=scan.number,
                                     state=state or "-"), document=card)

    def _recent(self, sku_id: str) -> tuple[LocalMovement, ...]:
        out: list[LocalMovement] = []
        for entry in reversed(self.ctx.replica.outbox_entries()):
            out.extend(self._movements(entry, sku_id))
            if len(out) >= self.recent_limit:
                break
        return tuple(out[: self.recent_limit])

    def _movements(self, e: OutboxEntry, sku_id: str) -> list[LocalMovement]:
        p = e.payload
        if e.kind in STOCK_KINDS and p.get("sku_id") == sku_id:
            return [self._moved(e, bin_id, qty) for (_sku, bin_id, _batch), qty in op_stock_deltas(e.kind, p)]
        if e.kind == "transfer.receive" and p.get("sku_id") == sku_id:
            return [self._moved(e, p["to_bin_id"], int(p["qty"]))]
        if e.kind == "stocktake.count" and p.get("sku_id") == sku_id:
            return [self._moved(e, p["bin_id"], int(p["counted_qty"]))]
        if e.kind == "transfer.ship":
            doc = self.ctx.reads.transfer(p["transfer_id"])
            nos = {ln.line_no for ln in doc.lines if ln.sku_id == sku_id} if doc else set()
            qty = sum(int(ln["qty"]) for ln in p["lines"] if int(ln["line_no"]) in nos)
            return [self._moved(e, p["from_bin_id"], -qty)] if qty else []
        return []

    def _moved(self, e: OutboxEntry, bin_id: str, qty: int) -> LocalMovement:
        return LocalMovement(e.op_id, e.kind, self._bin_code(bin_id), qty, e.state, e.created_at_ms, e.user_id)

    def _bin_code(self, bin_id: str) -> str:
        info = self.ctx.reads.bin(bin_id)
        return info.code if info else bin_id
