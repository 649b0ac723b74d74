"""Stocktakes (盘点): a session over chosen bins, blind or not; count lines recorded with the time they
were counted; variance review; approval by someone who did not count; adjustments computed as
counted − ledger balance at the count's time, so movements after the count stay applied.
The rules are in ``shared.inventory.stocktake``; this module reads and writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select, tuple_

from server.store import events, ledger
from server.store.catalogue import get_bin, get_warehouse
from server.store.changes import stamp
from server.store.numbering import next_number
from server.store.schema import movements, stocktake_bins, stocktake_counts, stocktakes
from shared.catalogue.model import BinKind
from shared.core.errors import NotFoundError, RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.time import utc_now
from shared.inventory import stocktake as rules
from shared.inventory.movement import Movement, Reason


@dataclass(frozen=True, slots=True)
class Stocktake:
    id: str
    number: str
    warehouse_id: str
    blind: bool
    state: rules.StocktakeState
    bin_ids: tuple[str, ...]
    created_by: str
    approved_by: str | None


@dataclass(frozen=True, slots=True)
class Review:
    stocktake: Stocktake
    variances: list[rules.Variance]
    recounts: list[rules.Key]


def create(conn: Connection, warehouse: str, bin_ids: Sequence[str], *, hlc: int, blind: bool = True, user_id: str = "") -> Stocktake:
    wh = get_warehouse(conn, warehouse)
    if not bin_ids:
        raise ValidationError("stocktake.no_bins")
    for bin_id in set(bin_ids):
        b = get_bin(conn, bin_id)
        if b.warehouse_id != wh.id or b.kind is BinKind.TRANSIT:
            raise ValidationError("bin.wrong_warehouse", bin=b.code, warehouse=wh.code)
    sid = new_id()
    number = next_number(conn, "ST")
    conn.execute(stocktakes.insert().values(id=sid, number=number, warehouse_id=wh.id, blind=blind, state=rules.StocktakeState.OPEN.value,
                                            created_by=user_id, created_at=utc_now(), change_seq=stamp(conn)))
    conn.execute(stocktake_bins.insert(), [{"stocktake_id": sid, "bin_id": b} for b in sorted(set(bin_ids))])
    events.record(conn, "stocktake.created", "stocktake", sid, {"number": number, "warehouse_id": wh.id, "bins": len(set(bin_ids)), "blind": blind}, hlc=hlc)
    return get(conn, sid)


def get(conn: Connection, ref: str) -> Stocktake:
    row = conn.execute(select(stocktakes).where((stocktakes.c.id == ref) | (stocktakes.c.number == ref))).first()
    if row is None:
        raise NotFoundError("stocktake.not_found", stocktake=ref)
    bin_ids = tuple(r.bin_id for r in conn.execute(select(stocktake_bins.c.bin_id).where(stocktake_bins.c.stocktake_id == row.id)))
    return Stocktake(row.id, row.number, row.warehouse_id, row.blind, rules.StocktakeState(row.state), bin_ids, row.created_by, row.approved_by)


def record_count(conn: Connection, stocktake_id: str, bin_id: str, sku_id: str, counted_qty: object, *, counted_hlc: int,
                 counted_by: str, batch: str = "", device_id: str = "", is_recount: bool = False, count_id: str | None = None) -> str:
    """Record the statement "bin held ``counted_qty`` of the SKU at ``counted_hlc``"."""
    st = get(conn, stocktake_id)
    if st.state is not rules.StocktakeState.OPEN:
        raise RuleViolation("stocktake.bad_state", stocktake=st.number, state=st.state.value, action="count")
    if bin_id not in st.bin_ids:
        raise ValidationError("stocktake.bin_not_in_scope", bin=bin_id, stocktake=st.number)
    qty = parse_qty(counted_qty, allow_zero=True)
    cid = count_id or new_id()
    conn.execute(stocktake_counts.insert().values(id=cid, stocktake_id=st.id, bin_id=bin_id, sku_id=sku_id, batch=batch,
                                                  counted_qty=qty, counted_hlc=counted_hlc, counted_by=counted_by,
                                                  device_id=device_id, is_recount=is_recount, recorded_at=utc_now()))
    events.record(conn, "stocktake.counted", "stocktake", st.id, {"count_id": cid, "bin_id": bin_id, "sku_id": sku_id,
                  "batch": batch, "counted_qty": qty, "counted_hlc": counted_hlc, "recount": is_recount}, hlc=counted_hlc)
    return cid


def count_lines(conn: Connection, stocktake_id: str) -> list[rules.CountLine]:
    rows = conn.execute(select(stocktake_counts).where(stocktake_counts.c.stocktake_id == stocktake_id))
    return [rules.CountLine(r.bin_id, r.sku_id, r.batch, r.counted_qty, r.counted_hlc, r.counted_by, r.is_recount) for r in rows]


def review(conn: Connection, stocktake_id: str) -> Review:
    """Variances for every decided key and the keys that need a recount."""
    st = get(conn, stocktake_id)
    lines = count_lines(conn, st.id)
    decisions = rules.decide(lines)
    bin_times = rules.last_count_per_bin(lines)
    decisions = rules.with_implicit_zeros(decisions, _stocked_keys(conn, bin_times), bin_times)
    expected = {key: ledger.balance_at(conn, key[1], key[0], key[2], d.counted_hlc)
                for key, d in decisions.items() if not d.needs_recount}
    return Review(st, rules.variances(decisions, expected), rules.pending_recounts(decisions))


def approve(conn: Connection, stocktake_id: str, *, approver: str, hlc: int) -> Review:
    """Approve and post one adjustment per non-zero variance, dated at its count's time."""
    st = get(conn, stocktake_id)
    lines = count_lines(conn, st.id)
    rules.check_can_approve(st.state.value, st.number, approver, lines, rules.decide(lines))
    result = review(conn, st.id)
    legs = [Movement(new_id(), v.key[1], st.warehouse_id, v.key[0], v.delta,
                     Reason.ADJUST_STOCKTAKE_GAIN if v.delta > 0 else Reason.ADJUST_STOCKTAKE_LOSS,
                     v.counted_hlc, v.key[2], "stocktake", st.id, approver, "")
            for v in result.variances if v.delta]
    ledger.post(conn, legs, event_ref=("stocktake", st.id))
    conn.execute(stocktakes.update().where(stocktakes.c.id == st.id).values(
        state=rules.StocktakeState.APPROVED.value, approved_by=approver, approved_at=utc_now(), approved_hlc=hlc,
        change_seq=stamp(conn)))
    events.record(conn, "stocktake.approved", "stocktake", st.id, {"number": st.number, "approved_by": approver,
                  "adjustments": len(legs), "net_qty": sum(m.qty for m in legs)}, hlc=hlc)
    return Review(get(conn, st.id), result.variances, [])


def cancel(conn: Connection, stocktake_id: str, *, hlc: int, user_id: str = "") -> Stocktake:
    st = get(conn, stocktake_id)
    if st.state is not rules.StocktakeState.OPEN:
        raise RuleViolation("stocktake.bad_state", stocktake=st.number, state=st.state.value, action="cancel")
    conn.execute(stocktakes.update().where(stocktakes.c.id == st.id).values(state=rules.StocktakeState.CANCELLED.value, change_seq=stamp(conn)))
    events.record(conn, "stocktake.cancelled", "stocktake", st.id, {"number": st.number, "by": user_id}, hlc=hlc)
    return get(conn, st.id)


def _stocked_keys(conn: Connection, bin_times: dict[str, int]) -> list[rules.Key]:
    """Keys with a non-zero ledger balance in each counted bin at that bin's last count time."""
    out: list[rules.Key] = []
    for bin_id, at in bin_times.items():
        rows = conn.execute(select(movements.c.sku_id, movements.c.batch)
                            .where(and_(movements.c.bin_id == bin_id, movements.c.hlc <= at))
                            .group_by(movements.c.sku_id, movements.c.batch)
                            .having(func.sum(movements.c.qty) != 0))
        out.extend((bin_id, r.sku_id, r.batch) for r in rows)
    return out


def compensate_late(conn: Connection, late: Sequence[Movement], *, user_id: str = "") -> dict[str, Movement]:
    """A movement dated before an approved count of its key, arriving after the approval, changes the
    ledger balance at the count's time; post the opposite quantity at that time so the count's
    statement ("bin held n at T") stays true. Returns late movement id -> its compensation."""
    out: dict[str, Movement] = {}
    counted = _approved_count_keys(conn, {(m.bin_id, m.sku_id, m.batch) for m in late})
    for m in late:
        if (m.bin_id, m.sku_id, m.batch) not in counted:
            continue
        row = conn.execute(
            select(stocktake_counts.c.stocktake_id, func.max(stocktake_counts.c.counted_hlc).label("at"))
            .join(stocktakes, stocktakes.c.id == stocktake_counts.c.stocktake_id)
            .where(and_(stocktakes.c.state == rules.StocktakeState.APPROVED.value, stocktake_counts.c.bin_id == m.bin_id,
                        stocktake_counts.c.sku_id == m.sku_id, stocktake_counts.c.batch == m.batch))
            .group_by(stocktake_counts.c.stocktake_id)
            .having(func.max(stocktake_counts.c.counted_hlc) > m.hlc)
            .order_by(func.max(stocktake_counts.c.counted_hlc)).limit(1)).first()
        if row is None:
            continue
        reason = Reason.ADJUST_STOCKTAKE_GAIN if m.qty < 0 else Reason.ADJUST_STOCKTAKE_LOSS
        out[m.id] = Movement(new_id(), m.sku_id, m.warehouse_id, m.bin_id, -m.qty, reason, int(row.at), m.batch,
                             "stocktake", row.stocktake_id, user_id, m.device_id)
    if out:
        first = next(iter(out.values()))
        ledger.post(conn, list(out.values()), event_ref=("stocktake", first.ref_id))
    return out


def _approved_count_keys(conn: Connection, keys: set[rules.Key]) -> set[rules.Key]:
    """Which of ``keys`` have a count line in an approved stocktake (usually none: one cheap query)."""
    found: set[rules.Key] = set()
    wanted = sorted(keys)
    for start in range(0, len(wanted), 300):
        rows = conn.execute(
            select(stocktake_counts.c.bin_id, stocktake_counts.c.sku_id, stocktake_counts.c.batch).distinct()
            .join(stocktakes, stocktakes.c.id == stocktake_counts.c.stocktake_id)
            .where(and_(stocktakes.c.state == rules.StocktakeState.APPROVED.value,
                        tuple_(stocktake_counts.c.bin_id, stocktake_counts.c.sku_id, stocktake_counts.c.batch)
                        .in_(wanted[start:start + 300]))))
        found.update((r.bin_id, r.sku_id, r.batch) for r in rows)
    return found


def disagreeing_keys(conn: Connection, stocktake_id: str, bin_id: str, sku_id: str, batch: str) -> bool:
    """True when the key's count lines (without a recount) disagree, so a recount is needed."""
    decisions = rules.decide(ln for ln in count_lines(conn, stocktake_id) if ln.key == (bin_id, sku_id, batch))
    return any(d.needs_recount for d in decisions.values())


# ---- back-office review of an approved session ---------------------------------------------------------


def review_as_counted(conn: Connection, stocktake_id: str) -> Review:
    """``review`` as it stood at approval: the ledger balances leave out this session's own
    adjustments (after approval ``review`` would show every variance as zero)."""
    st = get(conn, stocktake_id)
    if st.state is not rules.StocktakeState.APPROVED:
        return review(conn, st.id)
    lines = count_lines(conn, st.id)
    decisions = rules.decide(lines)
    bin_times = rules.last_count_per_bin(lines)
    own = and_(movements.c.ref_type == "stocktake", movements.c.ref_id == st.id)
    stocked: list[rules.Key] = []
    for bin_id, at in bin_times.items():
        rows = conn.execute(select(movements.c.sku_id, movements.c.batch)
                            .where(and_(movements.c.bin_id == bin_id, movements.c.hlc <= at, ~own))
                            .group_by(movements.c.sku_id, movements.c.batch)
                            .having(func.sum(movements.c.qty) != 0))
        stocked.extend((bin_id, r.sku_id, r.batch) for r in rows)
    decisions = rules.with_implicit_zeros(decisions, stocked, bin_times)
    expected = {key: _balance_at_without(conn, key, d.counted_hlc, own) for key, d in decisions.items() if not d.needs_recount}
    return Review(st, rules.variances(decisions, expected), rules.pending_recounts(decisions))


def _balance_at_without(conn: Connection, key: rules.Key, hlc: int, excluded: object) -> int:
    bin_id, sku_id, batch = key
    total = conn.execute(select(func.coalesce(func.sum(movements.c.qty), 0)).where(and_(
        movements.c.sku_id == sku_id, movements.c.bin_id == bin_id, movements.c.batch == batch,
        movements.c.hlc <= hlc, ~excluded))).scalar_one()  # type: ignore[operator]
    return int(total)
