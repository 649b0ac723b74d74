"""Stocktake rules (pure).

A count line is a statement: "bin B held n of SKU X (batch L) at HLC T". For each key (bin, SKU, batch)
of a session the decisive statement is:

    a recount exists            → the latest recount line
    all lines agree             → the latest line
    lines disagree              → none: the key needs a recount (approval is refused until done)

A counted bin is counted in full: a key with ledger stock in that bin at the bin's last count time
but no count line is taken as counted 0 (an implicit zero). The adjustment of a key is
``counted − ledger balance at the decisive line's time``: movements after that time stay applied.
Approval is refused to anyone who counted in the session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from shared.core.errors import RuleViolation

Key = tuple[str, str, str]  # (bin_id, sku_id, batch)


class StocktakeState(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class CountLine:
    bin_id: str
    sku_id: str
    batch: str
    counted_qty: int
    counted_hlc: int
    counted_by: str
    is_recount: bool = False

    @property
    def key(self) -> Key:
        return (self.bin_id, self.sku_id, self.batch)


@dataclass(frozen=True, slots=True)
class Decision:
    key: Key
    counted_qty: int | None  # None: lines disagree, a recount is needed
    counted_hlc: int
    implicit: bool = False

    @property
    def needs_recount(self) -> bool:
        return self.counted_qty is None


@dataclass(frozen=True, slots=True)
class Variance:
    key: Key
    counted_qty: int
    expected_qty: int  # ledger balance at counted_hlc
    counted_hlc: int
    implicit: bool

    @property
    def delta(self) -> int:
        return self.counted_qty - self.expected_qty


def decide(lines: Iterable[CountLine]) -> dict[Key, Decision]:
    by_key: dict[Key, list[CountLine]] = defaultdict(list)
    for line in lines:
        by_key[line.key].append(line)
    out: dict[Key, Decision] = {}
    for key, group in by_key.items():
        recounts = [ln for ln in group if ln.is_recount]
        if recounts:
            last = max(recounts, key=lambda ln: ln.counted_hlc)
            out[key] = Decision(key, last.counted_qty, last.counted_hlc)
        elif len({ln.counted_qty for ln in group}) == 1:
            last = max(group, key=lambda ln: ln.counted_hlc)
            out[key] = Decision(key, last.counted_qty, last.counted_hlc)
        else:
            out[key] = Decision(key, None, max(ln.counted_hlc for ln in group))
    return out


def last_count_per_bin(lines: Iterable[CountLine]) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in lines:
        out[line.bin_id] = max(out.get(line.bin_id, line.counted_hlc), line.counted_hlc)
    return out


def with_implicit_zeros(decisions: Mapping[Key, Decision], stocked_keys_at_bin_time: Iterable[Key],
                        bin_count_hlc: Mapping[str, int]) -> dict[Key, Decision]:
    """Add a counted-0 decision for each key that had stock in a counted bin but was not counted."""
    out = dict(decisions)
    for key in stocked_keys_at_bin_time:
        if key not in out and key[0] in bin_count_hlc:
            out[key] = Decision(key, 0, bin_count_hlc[key[0]], implicit=True)
    return out


def variances(decisions: Mapping[Key, Decision], expected_at: Mapping[Key, int]) -> list[Variance]:
    """One variance per decided key (keys that need a recount are left out; see ``pending_recounts``)."""
    return [
        Variance(key, d.counted_qty, expected_at.get(key, 0), d.counted_hlc, d.implicit)
        for key, d in sorted(decisions.items())
        if d.counted_qty is not None
    ]


def pending_recounts(decisions: Mapping[Key, Decision]) -> list[Key]:
    return sorted(k for k, d in decisions.items() if d.needs_recount)


def check_can_approve(state: str, stocktake_id: str, approver: str, lines: Iterable[CountLine],
                      decisions: Mapping[Key, Decision]) -> None:
    if state != StocktakeState.OPEN:
        raise RuleViolation("stocktake.bad_state", stocktake=stocktake_id, state=state, action="approve")
    counters = {ln.counted_by for ln in lines}
    if approver in counters:
        raise RuleViolation("stocktake.approver_is_counter", user=approver)
    pending = pending_recounts(decisions)
    if pending:
        raise RuleViolation("stocktake.recount_pending", count=len(pending))
