"""Pack verification (验货): every unit of a package is scanned before it ships. Pure: a frozen
state, a command that returns the next state or raises, and the payload completion sends.

    start(package_id, lines)              -> PackState   expected lines (same SKU merged), nothing scanned
    scan(state, sku_id, qty=1)            -> PackState   ``qty`` units of ``sku_id`` go into the box
    PackState.done / .remaining / .lines
    verified_lines(state)                 -> [{sku_id, qty}]   what ``task.complete`` carries

Errors (``RuleViolation`` unless said; nothing changes when one is raised):

    pack.no_lines        ValidationError  a package with no lines
    pack.wrong_item      the SKU is not in this package
    pack.over_scan       more units of the SKU than the package still needs
    pack.already_done    every line is complete; nothing more goes in
    invalid.quantity     ValidationError  qty not a positive whole number (``parse_qty``)

The caller resolves the scanned code (barcode, SKU code) to a SKU id and, for a case barcode,
multiplies the quantity by its pack size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from shared.core.errors import RuleViolation, ValidationError
from shared.core.quantity import parse_qty


@dataclass(frozen=True, slots=True)
class PackLine:
    sku_id: str
    sku_code: str
    name: str
    qty: int
    scanned: int = 0

    @property
    def remaining(self) -> int:
        return self.qty - self.scanned

    @property
    def done(self) -> bool:
        return self.scanned >= self.qty


@dataclass(frozen=True, slots=True)
class PackState:
    package_id: str
    lines: tuple[PackLine, ...]

    @property
    def done(self) -> bool:
        return all(line.done for line in self.lines)

    @property
    def remaining(self) -> int:
        return sum(line.remaining for line in self.lines)

    @property
    def scanned(self) -> int:
        return sum(line.scanned for line in self.lines)

    def line(self, sku_id: str) -> PackLine | None:
        return next((line for line in self.lines if line.sku_id == sku_id), None)


def start(package_id: str, lines: Iterable[Mapping[str, Any]]) -> PackState:
    """The expected lines ({sku_id, sku_code?, name?, qty}); lines of one SKU become one line."""
    merged: dict[str, PackLine] = {}
    for raw in lines:
        sku_id, qty = str(raw["sku_id"]), parse_qty(raw.get("qty"))
        before = merged.get(sku_id)
        merged[sku_id] = (replace(before, qty=before.qty + qty) if before else
                          PackLine(sku_id, str(raw.get("sku_code", "")), str(raw.get("name", "")), qty))
    if not merged:
        raise ValidationError("pack.no_lines", package=package_id)
    return PackState(package_id, tuple(merged.values()))


def scan(state: PackState, sku_id: str, qty: object = 1) -> PackState:
    amount = parse_qty(qty)
    if state.done:
        raise RuleViolation("pack.already_done", package=state.package_id)
    line = state.line(sku_id)
    if line is None:
        raise RuleViolation("pack.wrong_item", sku=sku_id, package=state.package_id)
    if amount > line.remaining:
        raise RuleViolation("pack.over_scan", sku=line.sku_code or sku_id, qty=amount, remaining=line.remaining)
    return replace(state, lines=tuple(replace(ln, scanned=ln.scanned + amount) if ln.sku_id == sku_id else ln
                                      for ln in state.lines))


def replay(state: PackState, scans: Iterable[tuple[str, int]]) -> PackState:
    """``state`` after ``scans`` (sku_id, qty), oldest first (a resumed verification)."""
    for sku_id, qty in scans:
        state = scan(state, sku_id, qty)
    return state


def verified_lines(state: PackState) -> list[dict[str, Any]]:
    return [{"sku_id": line.sku_id, "qty": line.scanned} for line in state.lines if line.scanned]
