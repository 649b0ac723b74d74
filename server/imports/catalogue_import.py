"""Catalogue import: check the whole file first, commit only what the user confirmed.

    plan(kind, table, conn) -> ImportPlan        validates every row; reads the store, writes nothing
    apply(plan, store, accept_partial=…) -> int   commits the accepted rows in one transaction
    write_rejected_csv(plan, path)                the rejected rows and their reasons (UTF-8 with BOM)

Kinds and columns (``*`` required; header aliases in ``server.imports.reader.HEADER_ALIASES``):

    skus   code*, name_zh*, name_en, spec, base_unit, weight_g, barcode (several, split by ; or |),
           case_barcode (several), pack_qty (one for every case barcode, or one each),
           batch_tracked (1/0, 是/否, true/false, yes/no), low_stock_threshold, cost_fen
    bins   warehouse*, bin*, walk_seq
    stock  warehouse*, bin*, code*, qty*, batch       opening stock (RECEIPT_OPENING_STOCK), empty bins only

A row is rejected with the first error found: the shared constructors (``new_sku``, ``new_bin``,
``new_pack``), ``classify_barcode_for_storage`` (bad check digit, bad length, scientific notation…),
``parse_qty`` (thousands separators such as ``1,000`` are refused, not guessed). Duplicates: rows of
the file sharing a SKU code, a barcode key (a UPC-A and its EAN-13 form share one), a bin or a stock
line are all rejected and each names the rows involved, since the file does not say which one is
meant; against the store by SKU code, barcode key, bin code and stock already in the bin. An import
only creates: it never changes an existing SKU, bin or balance.

Errors: ``ValidationError`` ``import.unknown_kind``, ``import.missing_column`` (from ``plan``, for
the whole file); ``RuleViolation`` ``import.not_confirmed`` (``apply`` of a plan with rejected rows
without ``accept_partial``); ``ConflictError`` ``import.stale_plan`` and the store's own conflicts
(the store changed between plan and apply; nothing is written).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from server.exports.catalogue_export import escape_formula
from server.imports.reader import SourceRow, Table, column_label
from server.store import catalogue, ledger
from server.store.db import Store
from shared.catalogue.barcode import classify_barcode_for_storage, normalize_scan
from shared.catalogue.model import Bin, BinKind, Pack, Sku, Warehouse, new_bin, new_pack, new_sku
from shared.core.errors import ConflictError, DomainError, RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.core.quantity import parse_qty
from shared.core.text import clean_code, clean_text
from shared.inventory.movement import Movement, Reason

KINDS = ("skus", "bins", "stock")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "skus": ("code", "name_zh"),
    "bins": ("warehouse", "bin"),
    "stock": ("warehouse", "bin", "code", "qty"),
}
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "skus": ("name_en", "spec", "base_unit", "weight_g", "barcode", "case_barcode", "pack_qty", "batch_tracked",
             "low_stock_threshold", "cost_fen"),
    "bins": ("walk_seq",),
    "stock": ("batch",),
}
APPLY_CHUNK_ROWS = 1000
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+")
_LIST_SPLIT = re.compile(r"[;|]")
_TRUE = frozenset({"1", "true", "t", "yes", "y", "是", "√", "✓"})
_FALSE = frozenset({"", "0", "false", "f", "no", "n", "否", "×"})
_SHOWN_ROWS = 10
T = TypeVar("T")
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class NewBarcode:
    raw: str
    kind: str
    key: str
    pack_qty_base: int


@dataclass(frozen=True, slots=True)
class OpeningStock:
    sku_id: str
    warehouse_id: str
    bin_id: str
    qty: int
    batch: str


@dataclass(frozen=True, slots=True)
class Accepted:
    row: int
    item: Sku | Bin | OpeningStock
    barcodes: tuple[NewBarcode, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejected:
    row: int
    label: str  # the row's SKU or bin code as written, for the report
    error: DomainError
    raw: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportPlan:
    kind: str
    headers: tuple[str, ...]
    ignored_columns: tuple[str, ...]  # headers this kind does not use: unknown, or for another kind
    accepted: tuple[Accepted, ...]
    rejected: tuple[Rejected, ...]

    @property
    def total(self) -> int:
        return len(self.accepted) + len(self.rejected)


Keys = tuple[tuple[str, str, str], ...]  # (duplicate error code, key, value shown) of one row


@dataclass(frozen=True, slots=True)
class _Kept:
    """An accepted row and what it takes to reject it later, when a duplicate turns up further down."""

    accepted: Accepted
    raw: tuple[str, ...]
    label: str


class _RowParser(Protocol):
    def parse(self, row: SourceRow) -> tuple[Accepted, Keys]: ...

    def store_clashes(self, accepted: Sequence[Accepted]) -> dict[int, DomainError]: ...


# ---- plan ----------------------------------------------------------------------------------------


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError("import.unknown_kind", kind=kind)
    return kind


def plan(kind: str, table: Table, conn: Connection, *, progress: Progress | None = None) -> ImportPlan:
    """Validate every row of ``table`` as ``kind`` against the store; write nothing."""
    missing = [c for c in REQUIRED_COLUMNS[check_kind(kind)] if c not in table.columns]
    if missing:
        raise ValidationError("import.missing_column", column=", ".join(column_label(c) for c in missing))
    parser, duplicates = _PARSERS[kind](conn), _Duplicates()
    kept: list[_Kept] = []
    rejected: list[Rejected] = []
    for row in table.rows:
        try:
            if row.problem is not None:
                raise row.problem
            accepted, keys = parser.parse(row)
            duplicates.add(row.number, keys)
            kept.append(_Kept(accepted, row.raw, _label(row)))
        except DomainError as exc:
            rejected.append(Rejected(row.number, _label(row), exc, row.raw))
        if progress is not None:
            progress(1)
    clashes = duplicates.clashes()
    clashes.update(parser.store_clashes([k.accepted for k in kept if k.accepted.row not in clashes]))
    rejected += [Rejected(k.accepted.row, k.label, clashes[k.accepted.row], k.raw) for k in kept if k.accepted.row in clashes]
    accepted_rows = tuple(k.accepted for k in kept if k.accepted.row not in clashes)
    used = REQUIRED_COLUMNS[kind] + OPTIONAL_COLUMNS[kind]
    ignored = tuple(h for h, c in zip(table.headers, table.columns, strict=True) if c not in used)
    return ImportPlan(kind, table.headers, ignored, accepted_rows, tuple(sorted(rejected, key=lambda r: r.row)))


def _label(row: SourceRow) -> str:
    parts = [row.cells.get(c, "").strip() for c in ("warehouse", "bin", "code")]
    return "/".join(p for p in parts if p)


class _Duplicates:
    """Keys seen in the file: the first row of each, and every row of the keys seen more than once."""

    def __init__(self) -> None:
        self._first: dict[str, int] = {}
        self._repeated: dict[str, tuple[str, str, list[int]]] = {}

    def add(self, row: int, keys: Keys) -> None:
        for code, key, value in keys:
            slot = f"{code}\x00{key}"
            first = self._first.setdefault(slot, row)
            if first != row:
                self._repeated.setdefault(slot, (code, value, [first]))[2].append(row)

    def clashes(self) -> dict[int, DomainError]:
        """Row number -> the duplicate error naming every row with the same key."""
        found: dict[int, DomainError] = {}
        for code, value, rows in self._repeated.values():
            listed = ", ".join(str(n) for n in rows[:_SHOWN_ROWS]) + (", …" if len(rows) > _SHOWN_ROWS else "")
            error = ConflictError(code, value=value, rows=listed)
            for number in rows:
                found.setdefault(number, error)
        return found


# ---- cells ---------------------------------------------------------------------------------------


def whole_number(text: str, column: str, *, default: int | None = 0, allow_zero: bool = True) -> int:
    """A cell holding a whole number; ``default`` when blank (``None``: the value is required)."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        if default is None:
            raise ValidationError("import.required_value", field=column_label(column))
        return default
    if _THOUSANDS.fullmatch(value):
        raise ValidationError("import.thousands_separator", field=column_label(column), value=value)
    return parse_qty(value, allow_zero=allow_zero)


def flag(text: str, column: str) -> bool:
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ValidationError("invalid.enum", field=column_label(column), value=value[:40])


def split_list(text: str) -> list[str]:
    """A cell holding several values separated by ``;`` or ``|`` (full-width forms too)."""
    return [part.strip() for part in _LIST_SPLIT.split(unicodedata.normalize("NFKC", text)) if part.strip()]


def _barcode(raw: str, pack_qty_base: int) -> NewBarcode:
    kind, key = classify_barcode_for_storage(raw)
    return NewBarcode(normalize_scan(raw), kind, key, pack_qty_base)


def _unique(barcodes: Iterable[NewBarcode]) -> list[NewBarcode]:
    """One barcode per key: the same code written twice in one row (UPC-A and EAN-13) is kept once."""
    first: dict[str, NewBarcode] = {}
    for barcode in barcodes:
        first.setdefault(barcode.key, barcode)
    return list(first.values())


def _case_barcodes(cells: dict[str, str]) -> tuple[list[NewBarcode], tuple[Pack, ...]]:
    raws = split_list(cells.get("case_barcode", ""))
    qtys = [whole_number(t, "pack_qty", allow_zero=False) for t in split_list(cells.get("pack_qty", ""))]
    if raws and not qtys:
        raise ValidationError("import.pack_qty_required")
    if raws and len(qtys) not in (1, len(raws)):
        raise ValidationError("import.pack_qty_mismatch", pack_qtys=len(qtys), case_barcodes=len(raws))
    per_barcode = qtys * len(raws) if len(qtys) == 1 else qtys
    packs = tuple(new_pack(f"CASE{q}", f"箱（{q}）", q, f"case of {q}") for q in sorted(set(qtys)))
    return _unique(_barcode(raw, q) for raw, q in zip(raws, per_barcode, strict=False)), packs


def _cached(cache: dict[str, T | DomainError], key: str, load: Callable[[], T]) -> T:
    """``load()`` once per key; a failure is remembered too and raised afresh for every row."""
    if key not in cache:
        try:
            cache[key] = load()
        except DomainError as exc:
            cache[key] = exc
    hit = cache[key]
    if isinstance(hit, DomainError):
        raise type(hit)(hit.code, **hit.details)
    return hit


# ---- the three kinds -----------------------------------------------------------------------------


class _SkuRows:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def parse(self, row: SourceRow) -> tuple[Accepted, Keys]:
        cells = row.cells
        cases, packs = _case_barcodes(cells)
        units = _unique(_barcode(raw, 1) for raw in split_list(cells.get("barcode", "")))
        unit_keys = {b.key for b in units}
        for case in cases:
            if case.key in unit_keys:
                raise ValidationError("import.case_barcode_is_unit", barcode=case.raw)
        sku = new_sku(
            cells.get("code", ""), cells.get("name_zh", ""), name_en=cells.get("name_en", ""), spec=cells.get("spec", ""),
            base_unit=cells.get("base_unit", "").strip() or "pcs", weight_g=whole_number(cells.get("weight_g", ""), "weight_g"),
            batch_tracked=flag(cells.get("batch_tracked", ""), "batch_tracked"),
            low_stock_threshold=whole_number(cells.get("low_stock_threshold", ""), "low_stock_threshold"),
            cost_fen=whole_number(cells.get("cost_fen", ""), "cost_fen"), packs=packs)
        barcodes = tuple(units + cases)
        keys = (("import.duplicate_sku_code", sku.code, sku.code),
                *(("import.duplicate_barcode", b.key, b.raw) for b in barcodes))
        return Accepted(row.number, sku, barcodes), keys

    def store_clashes(self, accepted: Sequence[Accepted]) -> dict[int, DomainError]:
        rows = [(a, a.item) for a in accepted if isinstance(a.item, Sku)]
        codes = catalogue.existing_sku_codes(self.conn, (sku.code for _, sku in rows))
        owners = catalogue.existing_barcode_keys(self.conn, (b.key for a in accepted for b in a.barcodes))
        clashes: dict[int, DomainError] = {}
        for row, sku in rows:
            taken = next((b for b in row.barcodes if b.key in owners), None)
            if sku.code in codes:
                clashes[row.row] = ConflictError("sku.duplicate_code", code=sku.code)
            elif taken is not None:
                clashes[row.row] = ConflictError("barcode.taken", barcode=taken.raw, sku_code=owners[taken.key])
        return clashes


class _Places:
    """Warehouses and bins by code, looked up once each."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._warehouses: dict[str, Warehouse | DomainError] = {}
        self._bins: dict[str, Bin | DomainError] = {}

    def warehouse(self, text: str) -> Warehouse:
        code = clean_code(text, "warehouse.code")
        return _cached(self._warehouses, code, lambda: catalogue.get_warehouse(self.conn, code))

    def bin(self, warehouse: Warehouse, text: str) -> Bin:
        code = clean_code(text, "bin.code")
        return _cached(self._bins, f"{warehouse.id}|{code}", lambda: catalogue.find_bin(self.conn, warehouse.id, code))


class _BinRows:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.places = _Places(conn)
        self._codes: dict[str, set[str]] = {}

    def parse(self, row: SourceRow) -> tuple[Accepted, Keys]:
        warehouse = self.places.warehouse(row.cells.get("warehouse", ""))
        bin_ = new_bin(warehouse.id, row.cells.get("bin", ""), walk_seq=whole_number(row.cells.get("walk_seq", ""), "walk_seq"))
        if bin_.code in self._existing(warehouse.id):
            raise ConflictError("bin.duplicate_code", code=bin_.code, warehouse=warehouse.code)
        keys = (("import.duplicate_bin", f"{warehouse.id}|{bin_.code}", f"{warehouse.code}/{bin_.code}"),)
        return Accepted(row.number, bin_), keys

    def _existing(self, warehouse_id: str) -> set[str]:
        if warehouse_id not in self._codes:
            self._codes[warehouse_id] = {b.code for b in catalogue.list_bins(self.conn, warehouse_id)}
        return self._codes[warehouse_id]

    def store_clashes(self, accepted: Sequence[Accepted]) -> dict[int, DomainError]:
        return {}  # checked row by row in parse


class _StockRows:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.places = _Places(conn)
        self._skus: dict[str, Sku | DomainError] = {}
        self._on_hand: dict[str, dict[tuple[str, str], int]] = {}

    def parse(self, row: SourceRow) -> tuple[Accepted, Keys]:
        cells = row.cells
        warehouse = self.places.warehouse(cells.get("warehouse", ""))
        bin_ = self.places.bin(warehouse, cells.get("bin", ""))
        if bin_.kind is BinKind.TRANSIT:
            raise ValidationError("bin.not_stockable", bin=bin_.code)
        sku = self._sku(cells.get("code", ""))
        batch = clean_text(cells.get("batch", ""), "batch", max_chars=64, required=False)
        if sku.batch_tracked != bool(batch):
            raise ValidationError("sku.batch_required" if sku.batch_tracked else "sku.batch_not_tracked", sku=sku.code)
        qty = whole_number(cells.get("qty", ""), "qty", default=None, allow_zero=False)
        on_hand = self._balances(bin_.id).get((sku.id, batch), 0)
        if on_hand:
            raise ConflictError("import.stock_exists", sku=sku.code, bin=f"{warehouse.code}/{bin_.code}", on_hand=on_hand)
        shown = "/".join(p for p in (warehouse.code, bin_.code, sku.code, batch) if p)
        keys = (("import.duplicate_stock_line", f"{sku.id}|{bin_.id}|{batch}", shown),)
        return Accepted(row.number, OpeningStock(sku.id, warehouse.id, bin_.id, qty, batch)), keys

    def _sku(self, text: str) -> Sku:
        code = clean_code(text, "sku.code")
        sku = _cached(self._skus, code, lambda: catalogue.get_sku(self.conn, code))
        if sku.archived:
            raise RuleViolation("sku.archived", sku=sku.code)
        return sku

    def _balances(self, bin_id: str) -> dict[tuple[str, str], int]:
        if bin_id not in self._on_hand:
            found = ledger.balances_in_bins(self.conn, [bin_id])
            self._on_hand[bin_id] = {(b.sku_id, b.batch): b.on_hand for b in found if b.on_hand}
        return self._on_hand[bin_id]

    def store_clashes(self, accepted: Sequence[Accepted]) -> dict[int, DomainError]:
        return {}  # checked row by row in parse


_PARSERS: dict[str, Callable[[Connection], _RowParser]] = {"skus": _SkuRows, "bins": _BinRows, "stock": _StockRows}


# ---- apply ---------------------------------------------------------------------------------------


def apply(plan: ImportPlan, store: Store, *, accept_partial: bool = False, progress: Progress | None = None) -> int:
    """Commit the accepted rows of ``plan`` in one transaction and return how many were written.

    A plan with rejected rows is committed only with ``accept_partial``; if the store changed since
    the plan was made so that a row no longer fits, nothing is written.
    """
    if plan.rejected and not accept_partial:
        raise RuleViolation("import.not_confirmed")
    import_id = new_id()
    try:
        with store.transaction() as conn:
            for chunk in _chunks(plan.accepted, APPLY_CHUNK_ROWS):
                _write(plan.kind, conn, chunk, store, import_id)
                if progress is not None:
                    progress(len(chunk))
    except IntegrityError:
        raise ConflictError("import.stale_plan") from None
    return len(plan.accepted)


def _write(kind: str, conn: Connection, chunk: Sequence[Accepted], store: Store, import_id: str) -> None:
    if kind == "skus":
        new_skus = [_as(Sku, a.item) for a in chunk]
        catalogue.insert_skus(conn, new_skus)
        catalogue.insert_barcode_rows(conn, [catalogue.BarcodeRow(b.key, b.kind, b.raw, sku.id, b.pack_qty_base)
                                             for a, sku in zip(chunk, new_skus, strict=True) for b in a.barcodes])
    elif kind == "bins":
        catalogue.insert_bins(conn, [_as(Bin, a.item) for a in chunk])
    else:
        lines = [_as(OpeningStock, a.item) for a in chunk]
        ledger.post(conn, [Movement(new_id(), s.sku_id, s.warehouse_id, s.bin_id, s.qty, Reason.RECEIPT_OPENING_STOCK,
                                    store.clock.now(), s.batch, "import", import_id) for s in lines],
                    event_ref=("import", import_id))


def _as(kind: type[T], item: object) -> T:
    if not isinstance(item, kind):
        raise TypeError(f"a {type(item).__name__} in a plan of {kind.__name__}")
    return item


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ---- the rejected-rows file ----------------------------------------------------------------------

REJECTED_EXTRA_HEADERS = ("行号 (row)", "错误代码 (error_code)", "错误原因 (reason)", "Reason (English)")


def write_rejected_csv(plan: ImportPlan, path: Path) -> Path:
    """The rejected rows as they were in the file, with the reasons after them: UTF-8 with BOM (so Excel
    opens it), formula-escaped. Fixed and saved, the file can be imported again."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([escape_formula(h) for h in (*plan.headers, *REJECTED_EXTRA_HEADERS)])
        for r in plan.rejected:
            writer.writerow([escape_formula(c) for c in (*r.raw, str(r.row), r.error.code,
                                                         r.error.message("zh-CN"), r.error.message("en"))])
    return path
