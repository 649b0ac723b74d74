"""The stock ledger: append-only movements and the projections kept in the same transaction.

    movements         one row per leg, never updated or deleted (corrections are new movements)
    stock_balances    on_hand / reserved per SKU × bin × batch
    warehouse_stock   on_hand / reserved / in_transit per SKU × warehouse
                      (stock in a warehouse's transit bin counts as in_transit, not on_hand)

``post`` validates a batch against the catalogue, appends it, and updates the projections with
aggregated atomic upserts; a negative balance is not refused (physical events are facts) but recorded
as a ``stock.negative_balance`` event for the exception queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select, tuple_

from server.store import alerts, bulk, events, stock_push_queue
from server.store.catalogue import SkuFacts, bin_facts, sku_facts
from server.store.changes import stamp
from server.store.schema import movements, stock_balances, warehouse_stock
from shared.catalogue.model import Bin, BinKind
from shared.core.errors import ConflictError, NotFoundError, ValidationError
from shared.core.time import utc_now
from shared.inventory.movement import Movement, MovementKind, check_movement

_TRANSFER_KINDS = {MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN}


@dataclass(frozen=True, slots=True)
class Balance:
    sku_id: str
    bin_id: str
    batch: str
    warehouse_id: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class WarehouseStock:
    sku_id: str
    warehouse_id: str
    on_hand: int
    reserved: int
    in_transit: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class Facts:
    """Catalogue facts a caller already loaded and checked every leg against (``check_leg``)."""

    skus: dict[str, SkuFacts]
    bins: dict[str, Bin]


def load_facts(conn: Connection, legs: Sequence[Movement]) -> Facts:
    return Facts(sku_facts(conn, {m.sku_id for m in legs}), bin_facts(conn, {m.bin_id for m in legs}))


def post(conn: Connection, batch: Sequence[Movement], *, event_ref: tuple[str, str] = ("", ""),
         checked: Facts | None = None) -> list[Balance]:
    """Append ``batch`` to the ledger and update every projection, in the caller's transaction.
    Returns the bin balances the batch left negative (also recorded as events). With ``checked``,
    the caller has already run ``check_leg`` on every leg with those facts (the movement-id unique
    constraint still refuses a reused id)."""
    if not batch:
        return []
    if checked is None:
        bin_kinds, alerting_skus = _validate(conn, batch)
    else:
        bin_kinds = {b.id: b.kind for b in checked.bins.values()}
        alerting_skus = {s.id for s in checked.skus.values() if s.low_stock_threshold > 0}
    now = bulk.db_time(conn)
    bulk.executemany(conn, bulk.INSERT_MOVEMENTS, [
        (m.id, m.sku_id, m.warehouse_id, m.bin_id, m.batch, m.qty, int(m.reason), m.hlc, now, m.ref_type, m.ref_id,
         m.user_id, m.device_id) for m in batch])
    negative = _apply_projections(conn, batch, bin_kinds)
    hlc = max(m.hlc for m in batch)
    events.record_many(conn, [("stock.negative_balance", "bin", b.bin_id, {"sku_id": b.sku_id, "batch": b.batch,
                               "warehouse_id": b.warehouse_id, "on_hand": b.on_hand}) for b in negative], hlc=hlc)
    alerts.refresh(conn, {(m.sku_id, m.warehouse_id) for m in batch if m.sku_id in alerting_skus}, hlc=hlc)
    stock_push_queue.enqueue_skus(conn, {m.sku_id for m in batch})  # shops selling these SKUs get their new stock
    ref_type, ref_id = event_ref
    events.record(conn, "stock.movements_posted", ref_type or "ledger", ref_id or batch[0].id, {
        "movement_ids": [m.id for m in batch],
        "reasons": sorted({int(m.reason) for m in batch}),
    }, hlc=hlc)
    return negative


def _validate(conn: Connection, batch: Sequence[Movement]) -> tuple[dict[str, BinKind], set[str]]:
    """Check every leg against the catalogue; return bin kinds and the SKUs that have a low-stock threshold."""
    ids = [m.id for m in batch]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise ConflictError("movement.duplicate_id", movement_id=dup)
    for chunk_start in range(0, len(ids), 900):
        chunk = ids[chunk_start:chunk_start + 900]
        existing = conn.execute(select(movements.c.id).where(movements.c.id.in_(chunk)).limit(1)).first()
        if existing:
            raise ConflictError("movement.duplicate_id", movement_id=existing.id)
    facts = load_facts(conn, batch)
    for m in batch:
        check_leg(m, facts.skus, facts.bins)
    return {b.id: b.kind for b in facts.bins.values()}, {s.id for s in facts.skus.values() if s.low_stock_threshold > 0}


def check_leg(m: Movement, skus: dict[str, SkuFacts], bins: dict[str, Bin]) -> None:
    """One leg against the catalogue: SKU and bin exist, the bin is in the leg's warehouse and can
    hold this kind of movement, a batch is given exactly when the SKU is batch-tracked."""
    check_movement(m)
    sku = skus.get(m.sku_id)
    if sku is None:
        raise NotFoundError("sku.not_found", sku=m.sku_id)
    bin_ = bins.get(m.bin_id)
    if bin_ is None:
        raise NotFoundError("bin.not_found", bin=m.bin_id)
    if bin_.warehouse_id != m.warehouse_id:
        raise ValidationError("bin.wrong_warehouse", bin=bin_.code, warehouse=m.warehouse_id)
    if bin_.kind is BinKind.TRANSIT and m.kind not in _TRANSFER_KINDS:
        raise ValidationError("bin.not_stockable", bin=bin_.code)
    if sku.batch_tracked != bool(m.batch):
        raise ValidationError("sku.batch_required" if sku.batch_tracked else "sku.batch_not_tracked", sku=sku.code)


def _apply_projections(conn: Connection, batch: Sequence[Movement], bin_kinds: dict[str, BinKind]) -> list[Balance]:
    """Aggregate the batch per key and upsert both projections; return the bin balances now negative
    (they become exception events: a physical movement is never refused for stock reasons)."""
    per_bin: dict[tuple[str, str, str], int] = defaultdict(int)
    warehouse_of: dict[str, str] = {}
    per_wh: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # [on_hand, in_transit]
    for m in batch:
        per_bin[(m.sku_id, m.bin_id, m.batch)] += m.qty
        warehouse_of[m.bin_id] = m.warehouse_id
        per_wh[(m.sku_id, m.warehouse_id)][1 if bin_kinds[m.bin_id] is BinKind.TRANSIT else 0] += m.qty
    seq = stamp(conn)
    bulk.executemany(conn, bulk.ADD_TO_BIN, [(s, b, bt, warehouse_of[b], q, seq) for (s, b, bt), q in per_bin.items()])
    bulk.executemany(conn, bulk.ADD_TO_WAREHOUSE, [(s, w, oh, it) for (s, w), (oh, it) in per_wh.items()])
    fell = [key for key, q in per_bin.items() if q < 0]
    out: list[Balance] = []
    for start in range(0, len(fell), 300):
        rows = conn.execute(select(stock_balances).where(and_(
            tuple_(stock_balances.c.sku_id, stock_balances.c.bin_id, stock_balances.c.batch).in_(fell[start:start + 300]),
            stock_balances.c.on_hand < 0)))
        out.extend(Balance(r.sku_id, r.bin_id, r.batch, r.warehouse_id, r.on_hand, r.reserved) for r in rows)
    return out


# ---- reads -----------------------------------------------------------------------------------------


def balance(conn: Connection, sku_id: str, bin_id: str, batch: str = "") -> Balance:
    row = conn.execute(select(stock_balances).where(and_(
        stock_balances.c.sku_id == sku_id, stock_balances.c.bin_id == bin_id, stock_balances.c.batch == batch))).first()
    if row is None:
        return Balance(sku_id, bin_id, batch, "", 0, 0)
    return Balance(row.sku_id, row.bin_id, row.batch, row.warehouse_id, row.on_hand, row.reserved)


def balances_in_bins(conn: Connection, bin_ids: Iterable[str]) -> list[Balance]:
    ids = list(set(bin_ids))
    out: list[Balance] = []
    for start in range(0, len(ids), 900):
        rows = conn.execute(select(stock_balances).where(stock_balances.c.bin_id.in_(ids[start:start + 900])))
        out.extend(Balance(r.sku_id, r.bin_id, r.batch, r.warehouse_id, r.on_hand, r.reserved) for r in rows)
    return out


def balances_of_sku(conn: Connection, sku_id: str, warehouse_id: str | None = None) -> list[Balance]:
    q = select(stock_balances).where(stock_balances.c.sku_id == sku_id).order_by(stock_balances.c.bin_id)
    if warehouse_id:
        q = q.where(stock_balances.c.warehouse_id == warehouse_id)
    return [Balance(r.sku_id, r.bin_id, r.batch, r.warehouse_id, r.on_hand, r.reserved) for r in conn.execute(q)]


def warehouse_level(conn: Connection, sku_id: str, warehouse_id: str) -> WarehouseStock:
    row = conn.execute(select(warehouse_stock).where(and_(
        warehouse_stock.c.sku_id == sku_id, warehouse_stock.c.warehouse_id == warehouse_id))).first()
    if row is None:
        return WarehouseStock(sku_id, warehouse_id, 0, 0, 0)
    return WarehouseStock(row.sku_id, row.warehouse_id, row.on_hand, row.reserved, row.in_transit)


def balance_at(conn: Connection, sku_id: str, bin_id: str, batch: str, hlc: int) -> int:
    """The ledger balance of SKU × bin × batch including every movement with ``hlc <=`` the given one."""
    total = conn.execute(select(func.coalesce(func.sum(movements.c.qty), 0)).where(and_(
        movements.c.sku_id == sku_id, movements.c.bin_id == bin_id, movements.c.batch == batch,
        movements.c.hlc <= hlc))).scalar_one()
    return int(total)


def ledger_sum(conn: Connection, sku_id: str, bin_id: str, batch: str = "") -> int:
    total = conn.execute(select(func.coalesce(func.sum(movements.c.qty), 0)).where(and_(
        movements.c.sku_id == sku_id, movements.c.bin_id == bin_id, movements.c.batch == batch))).scalar_one()
    return int(total)


def movements_for(conn: Connection, *, sku_id: str | None = None, bin_id: str | None = None,
                  ref: tuple[str, str] | None = None, limit: int = 100) -> list[Movement]:
    from shared.inventory.movement import Reason

    q = select(movements).order_by(movements.c.seq.desc()).limit(limit)
    if sku_id:
        q = q.where(movements.c.sku_id == sku_id)
    if bin_id:
        q = q.where(movements.c.bin_id == bin_id)
    if ref:
        q = q.where(and_(movements.c.ref_type == ref[0], movements.c.ref_id == ref[1]))
    return [Movement(r.id, r.sku_id, r.warehouse_id, r.bin_id, r.qty, Reason(r.reason), r.hlc, r.batch,
                     r.ref_type, r.ref_id, r.user_id, r.device_id) for r in conn.execute(q)]


def projection_drift(conn: Connection) -> list[tuple[str, str, str, int, int]]:
    """Rows where stock_balances.on_hand differs from the ledger sum: (sku, bin, batch, projected, ledger).
    Empty when the projection is consistent (checked by tests and ``erp check``)."""
    ledger = (select(movements.c.sku_id, movements.c.bin_id, movements.c.batch, func.sum(movements.c.qty).label("total"))
              .group_by(movements.c.sku_id, movements.c.bin_id, movements.c.batch).subquery())
    rows = conn.execute(
        select(stock_balances.c.sku_id, stock_balances.c.bin_id, stock_balances.c.batch, stock_balances.c.on_hand, ledger.c.total)
        .select_from(stock_balances.outerjoin(ledger, and_(
            ledger.c.sku_id == stock_balances.c.sku_id, ledger.c.bin_id == stock_balances.c.bin_id,
            ledger.c.batch == stock_balances.c.batch)))
        .where(stock_balances.c.on_hand != func.coalesce(ledger.c.total, 0))).all()
    missing = conn.execute(
        select(ledger.c.sku_id, ledger.c.bin_id, ledger.c.batch, ledger.c.total)
        .select_from(ledger.outerjoin(stock_balances, and_(
            ledger.c.sku_id == stock_balances.c.sku_id, ledger.c.bin_id == stock_balances.c.bin_id,
            ledger.c.batch == stock_balances.c.batch)))
        .where(and_(stock_balances.c.sku_id.is_(None), ledger.c.total != 0))).all()
    return [(r[0], r[1], r[2], int(r[3]), int(r[4] or 0)) for r in rows] + [(r[0], r[1], r[2], 0, int(r[3])) for r in missing]
