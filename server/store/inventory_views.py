"""Read-only SQL for the back office's inventory pages: SKUs with barcodes, stock by SKU × bin × batch
and per warehouse, the movement ledger, transfers and expected receipts.

Every list is keyset-paginated: it takes the last row's sort key (``after``, already decoded and
type-checked by the page) and returns up to ``size + 1`` rows, so ``server.web.paging.Page.of`` can
tell whether there is a next page. No ``OFFSET`` anywhere: the hundredth page costs what the first does.

    list                order (key)                                   index that drives it
    skus                code                                          skus.code (unique)
    stock               sku code, warehouse code, bin code, batch     skus.code, probing stock_balances (sku_id, bin_id, batch)
    warehouse stock     sku code, warehouse code                      skus.code, probing warehouse_stock (sku_id, warehouse_id)
    movements           seq, newest first (the ledger's append order) movements pk / (warehouse_id, seq)
    transfers/receipts  id, newest first (UUIDv7: time-ordered)        pk

Warehouse scope: ``scope`` is ``None`` for a viewer who holds the page's permission everywhere, else the
warehouse ids they hold it in (``Viewer.warehouses_for``); rows outside it are never returned, and a
single transfer or receipt outside it is ``*.not_found`` (as if it did not exist).

A movements page is one statement: the keyset page of bare ledger rows as a subquery with its LIMIT,
then the SKU, warehouse, bin, device, user and document of each of those rows by unique key. The
statement is built once per shape (which filters are set, how many warehouses, page size) and cached
with bound parameters: building SQLAlchemy aliases per request cost more than running the query. A
viewer scoped to several warehouses gets one ``(warehouse_id, seq)`` index range per warehouse, merged
with ``UNION ALL``: a single ``warehouse_id IN (…) ORDER BY seq`` would make the database sort every
matching row.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, ColumnElement, Select, and_, bindparam, false, func, or_, select, true, union_all

from server.store.schema import (
    barcodes,
    bins,
    devices,
    movements,
    platform_skus,
    receipt_lines,
    receipts,
    sku_packs,
    skus,
    stock_balances,
    stocktakes,
    transfer_lines,
    transfers,
    users,
    warehouse_stock,
    warehouses,
)
from shared.catalogue.barcode import classify_barcode_for_storage
from shared.core.errors import NotFoundError, ValidationError

Scope = Collection[str] | None  # None: every warehouse
_CHUNK = 900  # ids per IN (…), under SQLite's parameter limit


# ---- rows ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Named:
    """A warehouse, SKU or bin as the pages show it."""

    id: str
    code: str
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Barcode:
    raw: str
    key: str
    kind: str  # gtin | internal
    pack_qty: int  # > 1: a pack/case barcode

    @property
    def is_case(self) -> bool:
        return self.pack_qty > 1


@dataclass(frozen=True, slots=True)
class SkuRow:
    id: str
    code: str
    name_zh: str
    name_en: str
    base_unit: str
    price_fen: int
    archived: bool
    barcodes: tuple[Barcode, ...]


@dataclass(frozen=True, slots=True)
class Pack:
    code: str
    name_zh: str
    name_en: str
    qty_base: int


@dataclass(frozen=True, slots=True)
class PlatformMapping:
    platform: str
    shop_id: str
    platform_sku_id: str
    qty_base: int


@dataclass(frozen=True, slots=True)
class SkuInfo:
    id: str
    code: str
    name_zh: str
    name_en: str
    spec: str
    base_unit: str
    price_fen: int
    batch_tracked: bool
    archived: bool
    barcodes: tuple[Barcode, ...]
    packs: tuple[Pack, ...]
    mappings: tuple[PlatformMapping, ...]


@dataclass(frozen=True, slots=True)
class StockRow:
    """One SKU × bin × batch balance."""

    sku: Named
    base_unit: str
    warehouse: Named
    bin_id: str
    bin_code: str
    bin_kind: str
    batch: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.sku.code, self.warehouse.code, self.bin_code, self.batch)


@dataclass(frozen=True, slots=True)
class WarehouseTotal:
    """One SKU × warehouse total (stock in the warehouse's transit bin is in transit, not on hand)."""

    sku: Named
    base_unit: str
    warehouse: Named
    on_hand: int
    reserved: int
    in_transit: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def key(self) -> tuple[str, str]:
        return (self.sku.code, self.warehouse.code)


@dataclass(frozen=True, slots=True)
class MovementRow:
    seq: int
    id: str
    hlc: int
    sku: Named
    warehouse: Named
    bin_code: str
    batch: str
    qty: int
    reason: int
    ref_type: str
    ref_id: str
    ref_number: str  # the transfer's, receipt's or stocktake's number, "" otherwise
    user_id: str
    user_name: str  # display name when the user is known, else ""
    device_id: str
    device_name: str


@dataclass(frozen=True, slots=True)
class TransferRow:
    id: str
    number: str
    state: str
    from_warehouse: Named
    to_warehouse: Named
    created_at: datetime
    updated_at: datetime
    lines: int
    qty: int
    shipped: int
    received: int


@dataclass(frozen=True, slots=True)
class TransferLineRow:
    line_no: int
    sku: Named
    batch: str
    qty: int
    shipped: int
    received: int

    @property
    def in_transit(self) -> int:
        return self.shipped - self.received

    @property
    def to_ship(self) -> int:
        return self.qty - self.shipped


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    id: str
    number: str
    reference: str
    supplier_name: str
    state: str
    warehouse: Named
    created_at: datetime
    updated_at: datetime
    lines: int
    expected: int
    received: int
    over: int


@dataclass(frozen=True, slots=True)
class ReceiptLineRow:
    line_no: int
    sku: Named
    expected: int
    received: int

    @property
    def short(self) -> int:
        return max(self.expected - self.received, 0)

    @property
    def over(self) -> int:
        return max(self.received - self.expected, 0)


# ---- helpers ---------------------------------------------------------------------------------------


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix(text: str) -> str:
    return _like_escape(text) + "%"


def _contains(text: str) -> str:
    return "%" + _like_escape(text) + "%"


def _after(columns: Sequence[Any], values: Sequence[Any], *, descending: bool = False) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``columns`` (all ascending or all descending),
    with a plain range on the first column up front so the leading index can seek to it."""
    ahead = (lambda c, v: c < v) if descending else (lambda c, v: c > v)
    cond: ColumnElement[bool] = ahead(columns[-1], values[-1])
    for col, val in zip(reversed(columns[:-1]), reversed(values[:-1]), strict=True):
        cond = or_(ahead(col, val), and_(col == val, cond))
    lead = columns[0] <= values[0] if descending else columns[0] >= values[0]
    return and_(lead, cond) if len(columns) > 1 else cond


def _in_scope(column: Any, scope: Scope) -> ColumnElement[bool]:
    if scope is None:
        return true()
    if not scope:
        return false()
    return column.in_(sorted(scope))  # type: ignore[no-any-return]


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def sku_match(q: str, *, names: bool) -> ColumnElement[bool]:
    """SKUs matching what someone typed or scanned: code prefix (exact included), barcode exactly (as
    stored: a UPC-A finds its GTIN-14 key) or by prefix of what is printed, and with ``names`` the
    Chinese or English name containing it (case-insensitive)."""
    text = q.strip()
    code = text.upper()
    keys = {code}
    try:
        keys.add(classify_barcode_for_storage(text)[1])
    except ValidationError:
        pass
    by_barcode = select(barcodes.c.sku_id).where(or_(
        barcodes.c.key.in_(sorted(keys)),
        barcodes.c.raw.like(_prefix(text), escape="\\"),
        barcodes.c.key.like(_prefix(code), escape="\\")))
    conds: list[ColumnElement[bool]] = [skus.c.code.like(_prefix(code), escape="\\"), skus.c.id.in_(by_barcode)]
    if names:
        conds += [skus.c.name_zh.ilike(_contains(text), escape="\\"), skus.c.name_en.ilike(_contains(text), escape="\\")]
    return or_(*conds)


def _named(row: Any, prefix: str) -> Named:
    m = row._mapping
    return Named(m[f"{prefix}_id"], m[f"{prefix}_code"], m.get(f"{prefix}_name_zh", ""), m.get(f"{prefix}_name_en", ""))


def _sku_cols() -> list[Any]:
    return [skus.c.id.label("sku_id"), skus.c.code.label("sku_code"), skus.c.name_zh.label("sku_name_zh"),
            skus.c.name_en.label("sku_name_en"), skus.c.base_unit]


def _wh_cols(table: Any = warehouses, prefix: str = "wh") -> list[Any]:
    return [table.c.id.label(f"{prefix}_id"), table.c.code.label(f"{prefix}_code"),
            table.c.name_zh.label(f"{prefix}_name_zh"), table.c.name_en.label(f"{prefix}_name_en")]


def visible_warehouses(conn: Connection, scope: Scope) -> list[Named]:
    """The warehouses in ``scope``, by code (filter drop-downs)."""
    q = select(*_wh_cols()).where(_in_scope(warehouses.c.id, scope)).order_by(warehouses.c.code)
    return [_named(r, "wh") for r in conn.execute(q)]


def find_warehouse(conn: Connection, code: str, scope: Scope) -> Named:
    """A warehouse by code (or id) within ``scope``; one outside it is ``warehouse.not_found``."""
    q = select(*_wh_cols()).where(or_(warehouses.c.code == code.strip().upper(), warehouses.c.id == code),
                                  _in_scope(warehouses.c.id, scope))
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError("warehouse.not_found", warehouse=code)
    return _named(row, "wh")


def find_sku(conn: Connection, ref: str) -> Named | None:
    """The one SKU whose id or code is ``ref``, else the one owning the barcode ``ref``; else None."""
    text = ref.strip()
    cols = _sku_cols()[:4]
    row = conn.execute(select(*cols).where(or_(skus.c.id == text, skus.c.code == text.upper()))).first()
    if row is None:
        keys = {text.upper()}
        try:
            keys.add(classify_barcode_for_storage(text)[1])
        except ValidationError:
            pass
        row = conn.execute(select(*cols).join(barcodes, barcodes.c.sku_id == skus.c.id)
                           .where(barcodes.c.key.in_(sorted(keys))).limit(1)).first()
    return None if row is None else _named(row, "sku")


def _barcodes_of(conn: Connection, sku_ids: Sequence[str]) -> dict[str, list[Barcode]]:
    out: dict[str, list[Barcode]] = {}
    for chunk in _chunks(list(sku_ids)):
        q = (select(barcodes.c.sku_id, barcodes.c.raw, barcodes.c.key, barcodes.c.kind, barcodes.c.pack_qty_base)
             .where(barcodes.c.sku_id.in_(chunk)).order_by(barcodes.c.sku_id, barcodes.c.pack_qty_base, barcodes.c.key))
        for r in conn.execute(q):
            out.setdefault(r.sku_id, []).append(Barcode(r.raw, r.key, r.kind, r.pack_qty_base))
    return out


# ---- SKUs ------------------------------------------------------------------------------------------


def list_skus(conn: Connection, *, q: str = "", after: tuple[str] | None = None, size: int = 50) -> list[SkuRow]:
    """SKUs by code, with every barcode; ``q`` matches code/barcode (prefix or exact) or a name."""
    query = (select(skus.c.id, skus.c.code, skus.c.name_zh, skus.c.name_en, skus.c.base_unit, skus.c.price_fen, skus.c.archived)
             .order_by(skus.c.code).limit(size + 1))
    if q.strip():
        query = query.where(sku_match(q, names=True))
    if after is not None:
        query = query.where(_after([skus.c.code], after))
    rows = conn.execute(query).all()
    codes = _barcodes_of(conn, [r.id for r in rows])
    return [SkuRow(r.id, r.code, r.name_zh, r.name_en, r.base_unit, r.price_fen, r.archived, tuple(codes.get(r.id, ())))
            for r in rows]


def sku_info(conn: Connection, ref: str) -> SkuInfo:
    """One SKU by id (or code) with its barcodes, packs and platform mappings; else ``sku.not_found``."""
    row = conn.execute(select(skus).where(or_(skus.c.id == ref, skus.c.code == ref.strip().upper()))).first()
    if row is None:
        raise NotFoundError("sku.not_found", sku=ref)
    packs = tuple(Pack(p.code, p.name_zh, p.name_en, p.qty_base) for p in conn.execute(
        select(sku_packs).where(sku_packs.c.sku_id == row.id).order_by(sku_packs.c.qty_base, sku_packs.c.code)))
    maps = tuple(PlatformMapping(m.platform, m.shop_id, m.platform_sku_id, m.qty_base) for m in conn.execute(
        select(platform_skus).where(platform_skus.c.sku_id == row.id)
        .order_by(platform_skus.c.platform, platform_skus.c.shop_id, platform_skus.c.platform_sku_id)))
    return SkuInfo(row.id, row.code, row.name_zh, row.name_en, row.spec, row.base_unit, row.price_fen, row.batch_tracked,
                   row.archived, tuple(_barcodes_of(conn, [row.id]).get(row.id, ())), packs, maps)


def sku_warehouse_totals(conn: Connection, sku_id: str, scope: Scope) -> list[WarehouseTotal]:
    """This SKU's totals in every warehouse of ``scope`` that has (or had) it, by warehouse code."""
    q = (select(*_sku_cols(), *_wh_cols(), warehouse_stock.c.on_hand, warehouse_stock.c.reserved, warehouse_stock.c.in_transit)
         .select_from(warehouse_stock.join(skus, skus.c.id == warehouse_stock.c.sku_id)
                      .join(warehouses, warehouses.c.id == warehouse_stock.c.warehouse_id))
         .where(warehouse_stock.c.sku_id == sku_id, _in_scope(warehouse_stock.c.warehouse_id, scope))
         .order_by(warehouses.c.code))
    return [_total(r) for r in conn.execute(q)]


def sku_bin_balances(conn: Connection, sku_id: str, scope: Scope) -> list[StockRow]:
    """This SKU's non-zero balances per bin and batch in ``scope``, by warehouse, bin and batch."""
    q = (_stock_select().where(stock_balances.c.sku_id == sku_id, _in_scope(stock_balances.c.warehouse_id, scope))
         .order_by(warehouses.c.code, bins.c.code, stock_balances.c.batch))
    return [_stock(r) for r in conn.execute(q)]


# ---- stock -----------------------------------------------------------------------------------------


def _stock_select() -> Any:
    sb = stock_balances
    return (select(*_sku_cols(), *_wh_cols(), bins.c.id.label("bin_id"), bins.c.code.label("bin_code"), bins.c.kind.label("bin_kind"),
                   sb.c.batch, sb.c.on_hand, sb.c.reserved)
            .select_from(sb.join(skus, skus.c.id == sb.c.sku_id).join(bins, bins.c.id == sb.c.bin_id)
                         .join(warehouses, warehouses.c.id == sb.c.warehouse_id))
            .where(or_(sb.c.on_hand != 0, sb.c.reserved != 0)))


def _stock(r: Any) -> StockRow:
    return StockRow(_named(r, "sku"), r.base_unit, _named(r, "wh"), r.bin_id, r.bin_code, r.bin_kind, r.batch, r.on_hand, r.reserved)


def _total(r: Any) -> WarehouseTotal:
    return WarehouseTotal(_named(r, "sku"), r.base_unit, _named(r, "wh"), r.on_hand, r.reserved, r.in_transit)


def _next_skus(conn: Connection, table: Any, joined: Any, conds: list[ColumnElement[bool]], *, sku_q: str,
               after_code: str | None, size: int) -> list[str]:
    """Step one of a stock page: the ids of the next ``size + 1`` SKUs in code order that have a row
    of ``table`` matching ``conds`` (which may use the SKU's code: the keyset condition does). It walks
    the ``skus.code`` index and probes ``table``'s ``(sku_id, …)`` unique index for each SKU, so the
    page never sorts the whole stock table (SQLite would, for the plain join)."""
    q = (select(skus.c.id).where(select(1).select_from(joined).where(table.c.sku_id == skus.c.id, *conds).exists())
         .order_by(skus.c.code).limit(size + 1))
    if sku_q.strip():
        q = q.where(sku_match(sku_q, names=False))
    if after_code is not None:
        q = q.where(skus.c.code >= after_code)
    return [r.id for r in conn.execute(q)]


def list_stock(conn: Connection, *, scope: Scope, warehouse_id: str = "", bin_prefix: str = "", sku_q: str = "",
               after: tuple[str, str, str, str] | None = None, size: int = 50) -> list[StockRow]:
    """Non-zero balances per SKU × bin × batch, by SKU code, warehouse code, bin code and batch.
    Two steps: the next SKUs that have a matching row after the key, then their rows (each of those
    SKUs has one, so the first ``size + 1`` rows after the key are among them)."""
    if scope is not None and not scope:
        return []
    sb = stock_balances
    conds: list[ColumnElement[bool]] = [or_(sb.c.on_hand != 0, sb.c.reserved != 0), _in_scope(sb.c.warehouse_id, scope)]
    if warehouse_id:
        conds.append(sb.c.warehouse_id == warehouse_id)
    if bin_prefix.strip():
        conds.append(bins.c.code.like(_prefix(bin_prefix.strip().upper()), escape="\\"))
    if after is not None:
        conds.append(_after([skus.c.code, warehouses.c.code, bins.c.code, sb.c.batch], after))
    joined = sb.join(bins, bins.c.id == sb.c.bin_id).join(warehouses, warehouses.c.id == sb.c.warehouse_id)
    ids = _next_skus(conn, sb, joined, conds, sku_q=sku_q, after_code=after[0] if after else None, size=size)
    if not ids:
        return []
    q = (_stock_select().where(sb.c.sku_id.in_(ids), *conds)
         .order_by(skus.c.code, warehouses.c.code, bins.c.code, sb.c.batch).limit(size + 1))
    return [_stock(r) for r in conn.execute(q)]


def list_warehouse_totals(conn: Connection, *, scope: Scope, warehouse_id: str = "", sku_q: str = "",
                          after: tuple[str, str] | None = None, size: int = 50) -> list[WarehouseTotal]:
    """Per-warehouse totals per SKU (on hand, reserved, in transit), skipping all-zero rows, by SKU
    code and warehouse code; in two steps, like ``list_stock``."""
    if scope is not None and not scope:
        return []
    ws = warehouse_stock
    conds: list[ColumnElement[bool]] = [or_(ws.c.on_hand != 0, ws.c.reserved != 0, ws.c.in_transit != 0),
                                        _in_scope(ws.c.warehouse_id, scope)]
    if warehouse_id:
        conds.append(ws.c.warehouse_id == warehouse_id)
    if after is not None:
        conds.append(_after([skus.c.code, warehouses.c.code], after))
    joined = ws.join(warehouses, warehouses.c.id == ws.c.warehouse_id)
    ids = _next_skus(conn, ws, joined, conds, sku_q=sku_q, after_code=after[0] if after else None, size=size)
    if not ids:
        return []
    q = (select(*_sku_cols(), *_wh_cols(), ws.c.on_hand, ws.c.reserved, ws.c.in_transit)
         .select_from(ws.join(skus, skus.c.id == ws.c.sku_id).join(warehouses, warehouses.c.id == ws.c.warehouse_id))
         .where(ws.c.sku_id.in_(ids), *conds).order_by(skus.c.code, warehouses.c.code).limit(size + 1))
    return [_total(r) for r in conn.execute(q)]


# ---- movements -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MovementFilter:
    warehouse_id: str = ""
    sku_id: str = ""
    reason: int | None = None
    hlc_from: int | None = None  # inclusive
    hlc_to: int | None = None  # exclusive


_LEDGER_COLS = (movements.c.seq, movements.c.id, movements.c.sku_id, movements.c.warehouse_id, movements.c.bin_id,
                movements.c.batch, movements.c.qty, movements.c.reason, movements.c.hlc,
                movements.c.ref_type, movements.c.ref_id, movements.c.user_id, movements.c.device_id)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a movements statement depends on besides its values (one cached statement per shape)."""

    sku: bool
    reason: bool
    hlc_from: bool
    hlc_to: bool
    after: bool
    warehouses: int  # 0: no warehouse condition; 1: one; more: one index range each, merged
    size: int


def _page_values(scope: Scope, where: MovementFilter, after_seq: int | None, size: int) -> tuple[_Shape, dict[str, Any]] | None:
    """The statement shape and bound values of one page; ``None`` when nothing can match."""
    if scope is not None and not scope:
        return None
    if where.warehouse_id:
        if scope is not None and where.warehouse_id not in scope:
            return None
        ids: list[str] = [where.warehouse_id]
    else:
        ids = [] if scope is None else sorted(scope)
    values: dict[str, Any] = {"sku_id": where.sku_id, "reason": where.reason, "hlc_from": where.hlc_from,
                              "hlc_to": where.hlc_to, "after_seq": after_seq}
    values = {k: v for k, v in values.items() if v not in (None, "")}
    values.update((f"wh_{i}", w) for i, w in enumerate(ids))
    shape = _Shape(bool(where.sku_id), where.reason is not None, where.hlc_from is not None, where.hlc_to is not None,
                   after_seq is not None, len(ids), size)
    return shape, values


@functools.lru_cache(maxsize=256)
def _page_statement(shape: _Shape) -> Select[Any]:
    """The keyset page of bare ledger rows, newest first, ``size + 1`` rows. A viewer scoped to
    several warehouses gets one ``(warehouse_id, seq)`` index range per warehouse, each cut at
    ``size + 1`` and merged, instead of ``warehouse_id IN (…)``, which would sort every match."""
    m = movements.c
    q = select(*_LEDGER_COLS).order_by(m.seq.desc()).limit(shape.size + 1)
    for wanted, cond in ((shape.sku, m.sku_id == bindparam("sku_id")), (shape.reason, m.reason == bindparam("reason")),
                         (shape.hlc_from, m.hlc >= bindparam("hlc_from")), (shape.hlc_to, m.hlc < bindparam("hlc_to")),
                         (shape.after, m.seq < bindparam("after_seq"))):
        if wanted:
            q = q.where(cond)
    # With a SKU filter the SKU's index is the way in; ``warehouse_id || ''`` keeps the planner off
    # (warehouse_id, seq), which SQLite (no statistics) would otherwise walk through a whole warehouse.
    wh = m.warehouse_id.concat("") if shape.sku else m.warehouse_id
    if shape.warehouses <= 1:
        return q.where(wh == bindparam("wh_0")) if shape.warehouses else q
    ranges = [q.where(wh == bindparam(f"wh_{i}")).subquery() for i in range(shape.warehouses)]
    merged = union_all(*(select(*r.c) for r in ranges)).subquery("merged")
    return select(*merged.c).order_by(merged.c.seq.desc()).limit(shape.size + 1)


@functools.lru_cache(maxsize=256)
def _described_statement(shape: _Shape) -> Select[Any]:
    return _describe(_page_statement(shape).subquery("page"))


def movement_page(conn: Connection, *, scope: Scope, where: MovementFilter = MovementFilter(),
                  after_seq: int | None = None, size: int = 50) -> list[Any]:
    """The bare ledger rows of one page, newest first (``seq`` descending), ``size + 1`` at most."""
    found = _page_values(scope, where, after_seq, size)
    return [] if found is None else list(conn.execute(_page_statement(found[0]), found[1]))


def list_movements(conn: Connection, *, scope: Scope, where: MovementFilter = MovementFilter(),
                   after_seq: int | None = None, size: int = 50) -> list[MovementRow]:
    """One page of the ledger, newest first, with the names of what each row refers to, in one
    statement: the page first (a subquery with its LIMIT), then primary-key look-ups for its rows."""
    found = _page_values(scope, where, after_seq, size)
    return [] if found is None else _rows(conn.execute(_described_statement(found[0]), found[1]))


def document_movements(conn: Connection, ref_type: str, ref_id: str, *, scope: Scope, limit: int = 50) -> list[MovementRow]:
    """The newest ``limit`` movements of one document (a transfer, a receipt…) in ``scope``."""
    if scope is not None and not scope:
        return []
    q = (select(*_LEDGER_COLS).where(movements.c.ref_type == ref_type, movements.c.ref_id == ref_id,
                                     _in_scope(movements.c.warehouse_id, scope))
         .order_by(movements.c.seq.desc()).limit(limit))
    return _rows(conn.execute(_describe(q.subquery("page"))))


# Made once: an alias builds a proxy of every column of its table, which costs more than the query.
_BY_ID, _BY_NAME = users.alias("by_id"), users.alias("by_name")
_DOCS = {kind: table.alias(f"doc_{kind}")
         for kind, table in (("transfer", transfers), ("receipt", receipts), ("stocktake", stocktakes))}


def _describe(page: Any) -> Select[Any]:
    """``page`` (ledger rows) with the names of their SKU, warehouse, bin, device, user and document,
    each found by its unique key; newest first."""
    by_id, by_name, docs = _BY_ID, _BY_NAME, _DOCS
    joined = (page.outerjoin(skus, skus.c.id == page.c.sku_id)
              .outerjoin(warehouses, warehouses.c.id == page.c.warehouse_id)
              .outerjoin(bins, bins.c.id == page.c.bin_id)
              .outerjoin(devices, and_(page.c.device_id != "", devices.c.id == page.c.device_id))
              .outerjoin(by_id, and_(page.c.user_id != "", by_id.c.id == page.c.user_id))
              .outerjoin(by_name, and_(page.c.user_id != "", by_name.c.username == page.c.user_id)))
    for kind, doc in docs.items():
        joined = joined.outerjoin(doc, and_(page.c.ref_type == kind, doc.c.id == page.c.ref_id))
    number = func.coalesce(*(d.c.number for d in docs.values()), "")
    return (select(page, skus.c.code.label("sku_code"), skus.c.name_zh.label("sku_name_zh"), skus.c.name_en.label("sku_name_en"),
                   warehouses.c.code.label("wh_code"), warehouses.c.name_zh.label("wh_name_zh"),
                   warehouses.c.name_en.label("wh_name_en"), bins.c.code.label("bin_code"), devices.c.name.label("device_name"),
                   func.coalesce(by_id.c.display_name, by_name.c.display_name, "").label("user_name"), number.label("ref_number"))
            .select_from(joined).order_by(page.c.seq.desc()))


def _rows(result: Any) -> list[MovementRow]:
    """Rows of ``_describe`` (unpacked by position: a page is read on every request)."""
    out = []
    for (seq, id_, sku_id, warehouse_id, bin_id, batch, qty, reason, hlc, ref_type, ref_id, user_id, device_id,
         sku_code, sku_zh, sku_en, wh_code, wh_zh, wh_en, bin_code, device_name, user_name, ref_number) in result:
        out.append(MovementRow(seq, id_, hlc, Named(sku_id, sku_code or sku_id, sku_zh or "", sku_en or ""),
                               Named(warehouse_id, wh_code or warehouse_id, wh_zh or "", wh_en or ""), bin_code or bin_id,
                               batch, qty, reason, ref_type, ref_id, ref_number or "", user_id, user_name or "", device_id,
                               device_name or ""))
    return out


# ---- transfers -------------------------------------------------------------------------------------


_SRC, _DST = warehouses.alias("src"), warehouses.alias("dst")


def _transfer_scope(scope: Scope) -> ColumnElement[bool]:
    return or_(_in_scope(transfers.c.from_warehouse_id, scope), _in_scope(transfers.c.to_warehouse_id, scope))


def list_transfers(conn: Connection, *, scope: Scope, state: str = "", warehouse_id: str = "",
                   after: tuple[str] | None = None, size: int = 50) -> list[TransferRow]:
    """Transfers from or to a warehouse in ``scope``, newest first, with line totals."""
    if scope is not None and not scope:
        return []
    src, dst = _SRC, _DST
    tl = transfer_lines
    totals = (select(tl.c.transfer_id, func.count().label("lines"), func.sum(tl.c.qty).label("qty"),
                     func.sum(tl.c.shipped_qty).label("shipped"), func.sum(tl.c.received_qty).label("received"))
              .group_by(tl.c.transfer_id).subquery())
    page = select(transfers.c.id).where(_transfer_scope(scope)).order_by(transfers.c.id.desc()).limit(size + 1)
    if state:
        page = page.where(transfers.c.state == state)
    if warehouse_id:
        page = page.where(or_(transfers.c.from_warehouse_id == warehouse_id, transfers.c.to_warehouse_id == warehouse_id))
    if after is not None:
        page = page.where(transfers.c.id < after[0])
    ids = [r.id for r in conn.execute(page)]
    if not ids:
        return []
    q = (select(transfers, *_wh_cols(src, "src"), *_wh_cols(dst, "dst"), totals.c.lines, totals.c.qty, totals.c.shipped,
                totals.c.received)
         .select_from(transfers.join(src, src.c.id == transfers.c.from_warehouse_id)
                      .join(dst, dst.c.id == transfers.c.to_warehouse_id)
                      .outerjoin(totals, totals.c.transfer_id == transfers.c.id))
         .where(transfers.c.id.in_(ids)).order_by(transfers.c.id.desc()))
    return [_transfer(r) for r in conn.execute(q)]


def _transfer(r: Any) -> TransferRow:
    return TransferRow(r.id, r.number, r.state, _named(r, "src"), _named(r, "dst"), r.created_at, r.updated_at,
                       int(r.lines or 0), int(r.qty or 0), int(r.shipped or 0), int(r.received or 0))


def transfer_detail(conn: Connection, ref: str, *, scope: Scope) -> tuple[TransferRow, list[TransferLineRow]]:
    """One transfer by id or number, if it comes from or goes to a warehouse in ``scope``; else
    ``transfer.not_found`` (a foreign transfer is as good as missing)."""
    src, dst = _SRC, _DST
    q = (select(transfers, *_wh_cols(src, "src"), *_wh_cols(dst, "dst"))
         .select_from(transfers.join(src, src.c.id == transfers.c.from_warehouse_id)
                      .join(dst, dst.c.id == transfers.c.to_warehouse_id))
         .where(or_(transfers.c.id == ref, transfers.c.number == ref.strip().upper()), _transfer_scope(scope)))
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError("transfer.not_found", transfer=ref)
    tl = transfer_lines
    lines = [TransferLineRow(r.line_no, _named(r, "sku"), r.batch, r.qty, r.shipped_qty, r.received_qty) for r in conn.execute(
        select(tl.c.line_no, tl.c.batch, tl.c.qty, tl.c.shipped_qty, tl.c.received_qty, *_sku_cols())
        .join(skus, skus.c.id == tl.c.sku_id).where(tl.c.transfer_id == row.id).order_by(tl.c.line_no))]
    head = TransferRow(row.id, row.number, row.state, _named(row, "src"), _named(row, "dst"), row.created_at, row.updated_at,
                       len(lines), sum(ln.qty for ln in lines), sum(ln.shipped for ln in lines), sum(ln.received for ln in lines))
    return head, lines


# ---- expected receipts -----------------------------------------------------------------------------


def list_receipts(conn: Connection, *, scope: Scope, state: str = "", warehouse_id: str = "",
                  after: tuple[str] | None = None, size: int = 50) -> list[ReceiptRow]:
    """Expected receipts of warehouses in ``scope``, newest first, with line totals."""
    if scope is not None and not scope:
        return []
    rl = receipt_lines
    over = func.sum(func.max(rl.c.received_qty - rl.c.expected_qty, 0)) if conn.dialect.name == "sqlite" \
        else func.sum(func.greatest(rl.c.received_qty - rl.c.expected_qty, 0))
    totals = (select(rl.c.receipt_id, func.count().label("lines"), func.sum(rl.c.expected_qty).label("expected"),
                     func.sum(rl.c.received_qty).label("received"), over.label("over"))
              .group_by(rl.c.receipt_id).subquery())
    page = select(receipts.c.id).where(_in_scope(receipts.c.warehouse_id, scope)).order_by(receipts.c.id.desc()).limit(size + 1)
    if state:
        page = page.where(receipts.c.state == state)
    if warehouse_id:
        page = page.where(receipts.c.warehouse_id == warehouse_id)
    if after is not None:
        page = page.where(receipts.c.id < after[0])
    ids = [r.id for r in conn.execute(page)]
    if not ids:
        return []
    q = (select(receipts, *_wh_cols(), totals.c.lines, totals.c.expected, totals.c.received, totals.c.over)
         .select_from(receipts.join(warehouses, warehouses.c.id == receipts.c.warehouse_id)
                      .outerjoin(totals, totals.c.receipt_id == receipts.c.id))
         .where(receipts.c.id.in_(ids)).order_by(receipts.c.id.desc()))
    return [ReceiptRow(r.id, r.number, r.reference, r.supplier_name, r.state, _named(r, "wh"), r.created_at, r.updated_at,
                       int(r.lines or 0), int(r.expected or 0), int(r.received or 0), int(r.over or 0)) for r in conn.execute(q)]


def receipt_detail(conn: Connection, ref: str, *, scope: Scope) -> tuple[ReceiptRow, list[ReceiptLineRow]]:
    """One expected receipt by id or number in ``scope``; else ``receipt.not_found``."""
    q = (select(receipts, *_wh_cols()).join(warehouses, warehouses.c.id == receipts.c.warehouse_id)
         .where(or_(receipts.c.id == ref, receipts.c.number == ref.strip().upper()), _in_scope(receipts.c.warehouse_id, scope)))
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError("receipt.not_found", receipt=ref)
    rl = receipt_lines
    lines = [ReceiptLineRow(r.line_no, _named(r, "sku"), r.expected_qty, r.received_qty) for r in conn.execute(
        select(rl.c.line_no, rl.c.expected_qty, rl.c.received_qty, *_sku_cols()).join(skus, skus.c.id == rl.c.sku_id)
        .where(rl.c.receipt_id == row.id).order_by(rl.c.line_no))]
    head = ReceiptRow(row.id, row.number, row.reference, row.supplier_name, row.state, _named(row, "wh"), row.created_at,
                      row.updated_at, len(lines), sum(ln.expected for ln in lines), sum(ln.received for ln in lines),
                      sum(ln.over for ln in lines))
    return head, lines
