"""Catalogue export: SKUs, bins and stock to XLSX or CSV, streamed (100k SKUs in little memory).

    export(kind, conn, path, progress=None, warehouse_ids=None) -> int   rows written; the format
                                                      comes from the suffix; bins and stock of the
                                                      given warehouses only (None: all)
    count_rows(kind, conn, warehouse_ids=None) -> int for a progress bar
    write_table(path, columns, title, rows) -> int    the writers, for other exports (movements)
    check_target(kind, path) -> ".xlsx" | ".csv"      before any work
    escape_formula(text) -> str                       the CSV formula-injection guard

Headers are one row written ``中文 (English)``, e.g. ``商品编码 (code)``: both languages are visible and
the file can be imported again as it is (the import reader takes either half of such a header).

- XLSX (openpyxl write-only): codes, barcodes and names are text cells with number format ``@``, so
  Excel shows ``0036000241457`` as written and never ``6.9E+12``; a text starting with ``=`` stays
  text, never a formula. Quantities and amounts are number cells.
- CSV: UTF-8 with BOM (Excel detects it), CRLF. A text cell starting with ``=`` ``+`` ``-`` ``@`` Tab
  or CR gets a leading ``'`` so a spreadsheet does not run it as a formula (the import removes it
  again). Excel drops leading zeros of codes when it opens a CSV: give Excel users the XLSX.

Columns:

    skus   code, name_zh, name_en, spec, base_unit, weight_g, barcode (unit barcodes joined by ;),
           case_barcode, pack_qty (one number, or one per case barcode), batch_tracked (1/0),
           low_stock_threshold, cost_fen
    bins   warehouse, bin, walk_seq          storage bins only (not the system dock and transit bins)
    stock  warehouse, bin, code, name_zh, batch, on_hand, reserved, available     per SKU × bin × batch

The queries here read whole tables in pages for export only; they belong with the catalogue SQL in
``server/store`` once that module is free to grow.

Errors (``ValidationError``): ``export.unknown_kind``, ``export.unknown_format``.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import Connection, Select, func, or_, select

from server.store.schema import barcodes, bins, sku_packs, skus, stock_balances, warehouses
from shared.catalogue.model import BinKind
from shared.core.errors import ValidationError

KINDS = ("skus", "bins", "stock")
FORMATS = (".xlsx", ".csv")
PAGE_ROWS = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLES = {"skus": "商品 SKUs", "bins": "库位 Bins", "stock": "库存 Stock"}
Progress = Callable[[int], None]
Row = tuple[str | int, ...]
Scope = Collection[str] | None  # warehouse ids, or None for every warehouse


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    zh: str
    text: bool = True

    @property
    def header(self) -> str:
        return f"{self.zh} ({self.name})"


COLUMNS: dict[str, tuple[Column, ...]] = {
    "skus": (Column("code", "商品编码"), Column("name_zh", "商品名称"), Column("name_en", "英文名称"),
             Column("spec", "规格"), Column("base_unit", "单位"), Column("weight_g", "重量(g)", False),
             Column("barcode", "条码"), Column("case_barcode", "箱码"), Column("pack_qty", "箱规"),
             Column("batch_tracked", "批次管理", False), Column("low_stock_threshold", "预警库存", False),
             Column("cost_fen", "成本(分)", False)),
    "bins": (Column("warehouse", "仓库编码"), Column("bin", "库位编码"), Column("walk_seq", "拣货顺序", False)),
    "stock": (Column("warehouse", "仓库编码"), Column("bin", "库位编码"), Column("code", "商品编码"),
              Column("name_zh", "商品名称"), Column("batch", "批次"), Column("on_hand", "实际库存", False),
              Column("reserved", "占用", False), Column("available", "可用", False)),
}


def escape_formula(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a leading ``'`` if it would start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export(kind: str, conn: Connection, path: Path, *, progress: Progress | None = None,
           warehouse_ids: Scope = None) -> int:
    """Write every ``kind`` row to ``path`` (``.xlsx`` or ``.csv``); return how many rows were written.
    The file appears only when complete. ``warehouse_ids`` limits bins and stock to those warehouses."""
    check_target(kind, path)
    return write_table(path, COLUMNS[kind], _SHEET_TITLES[kind], _ROWS[kind](conn, warehouse_ids), progress=progress)


def write_table(path: Path, columns: Sequence[Column], title: str, rows: Generator[Row, None, None], *,
                progress: Progress | None = None) -> int:
    """Write ``rows`` under ``columns`` to ``path`` (``.xlsx`` or ``.csv``, by suffix); the file
    appears only when complete, and ``rows`` is closed either way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    write = _write_xlsx if path.suffix.lower() == ".xlsx" else _write_csv
    try:
        count = write(partial, columns, title, rows, progress)
        os.replace(partial, path)
    finally:
        rows.close()  # closes a server-side cursor left open by a failure
        partial.unlink(missing_ok=True)
    return count


def check_target(kind: str, path: Path) -> str:
    """The file format (``.xlsx`` or ``.csv``) of an export of ``kind`` to ``path``, or a typed error."""
    if kind not in KINDS:
        raise ValidationError("export.unknown_kind", kind=kind)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError("export.unknown_format", path=str(path))
    return suffix


def count_rows(kind: str, conn: Connection, warehouse_ids: Scope = None) -> int:
    if kind not in KINDS:
        raise ValidationError("export.unknown_kind", kind=kind)
    query = _QUERIES[kind](warehouse_ids)
    return int(conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


# ---- writers -------------------------------------------------------------------------------------


def _write_csv(path: Path, columns: Sequence[Column], title: str, rows: Iterator[Row], progress: Progress | None) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([escape_formula(c.header) for c in columns])
        for row in rows:
            writer.writerow([escape_formula(v) if isinstance(v, str) else v for v in row])
            count += _tick(progress)
    return count


def _write_xlsx(path: Path, columns: Sequence[Column], title: str, rows: Iterator[Row], progress: Progress | None) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 24 if column.text else 12
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, c.header, font=bold) for c in columns])
    count = 0
    try:
        for row in rows:
            sheet.append([_text_cell(sheet, v) if c.text else v for c, v in zip(columns, row, strict=True)])
            count += _tick(progress)
    except BaseException:
        sheet.close()  # finish openpyxl's row writer; its temporary file goes at exit
        raise
    book.save(path)
    return count


def _text_cell(sheet: WriteOnlyWorksheet, value: object, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
    cell.number_format = "@"
    if font is not None:
        cell.font = font
    return cell


def _tick(progress: Progress | None) -> int:
    if progress is not None:
        progress(1)
    return 1


# ---- rows ----------------------------------------------------------------------------------------


def _sku_query(_warehouse_ids: Scope = None) -> Select[Any]:
    return select(skus).order_by(skus.c.code)


def _bin_query(warehouse_ids: Scope = None) -> Select[Any]:
    query = (select(warehouses.c.code.label("warehouse"), bins.c.code, bins.c.walk_seq)
             .join(warehouses, warehouses.c.id == bins.c.warehouse_id)
             .where(bins.c.kind == BinKind.STORAGE.value)
             .order_by(warehouses.c.code, bins.c.walk_seq, bins.c.code))
    return query if warehouse_ids is None else query.where(bins.c.warehouse_id.in_(list(warehouse_ids)))


def _stock_query(warehouse_ids: Scope = None) -> Select[Any]:
    query = (select(warehouses.c.code.label("warehouse"), bins.c.code.label("bin"), skus.c.code.label("sku"),
                    skus.c.name_zh, stock_balances.c.batch, stock_balances.c.on_hand, stock_balances.c.reserved)
             .join(bins, bins.c.id == stock_balances.c.bin_id)
             .join(warehouses, warehouses.c.id == stock_balances.c.warehouse_id)
             .join(skus, skus.c.id == stock_balances.c.sku_id)
             .where(or_(stock_balances.c.on_hand != 0, stock_balances.c.reserved != 0))
             .order_by(warehouses.c.code, bins.c.code, skus.c.code, stock_balances.c.batch))
    return query if warehouse_ids is None else query.where(stock_balances.c.warehouse_id.in_(list(warehouse_ids)))


def _sku_rows(conn: Connection, _warehouse_ids: Scope = None) -> Generator[Row, None, None]:
    with conn.execution_options(yield_per=PAGE_ROWS).execute(_sku_query()) as result:
        for page in result.partitions():
            codes, packs = _barcodes_and_packs(conn, [r.id for r in page])
            for r in page:
                units = [raw for raw, qty in codes[r.id] if qty == 1]
                cases = [(raw, qty) for raw, qty in codes[r.id] if qty > 1]
                yield (r.code, r.name_zh, r.name_en, r.spec, r.base_unit, r.weight_g, ";".join(units),
                       ";".join(raw for raw, _ in cases), _pack_qty(cases, packs[r.id]), int(r.batch_tracked),
                       r.low_stock_threshold, r.cost_fen)


def _barcodes_and_packs(conn: Connection, sku_ids: Sequence[str]) -> tuple[dict[str, list[tuple[str, int]]], dict[str, list[int]]]:
    codes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    packs: dict[str, list[int]] = defaultdict(list)
    query = select(barcodes.c.sku_id, barcodes.c.raw, barcodes.c.pack_qty_base).where(barcodes.c.sku_id.in_(sku_ids))
    for b in conn.execute(query.order_by(barcodes.c.sku_id, barcodes.c.pack_qty_base, barcodes.c.created_at, barcodes.c.key)):
        codes[b.sku_id].append((b.raw, b.pack_qty_base))
    for p in conn.execute(select(sku_packs.c.sku_id, sku_packs.c.qty_base).where(sku_packs.c.sku_id.in_(sku_ids))
                          .order_by(sku_packs.c.qty_base)):
        packs[p.sku_id].append(p.qty_base)
    return codes, packs


def _pack_qty(cases: list[tuple[str, int]], pack_sizes: list[int]) -> str:
    """One number when every case barcode holds as many (or when there are only packs), else one each."""
    qtys = [qty for _, qty in cases] or pack_sizes
    return str(qtys[0]) if len(set(qtys)) == 1 else ";".join(str(q) for q in qtys)


def _bin_rows(conn: Connection, warehouse_ids: Scope = None) -> Generator[Row, None, None]:
    with conn.execution_options(yield_per=PAGE_ROWS).execute(_bin_query(warehouse_ids)) as result:
        for r in result:
            yield (r.warehouse, r.code, r.walk_seq)


def _stock_rows(conn: Connection, warehouse_ids: Scope = None) -> Generator[Row, None, None]:
    with conn.execution_options(yield_per=PAGE_ROWS).execute(_stock_query(warehouse_ids)) as result:
        for r in result:
            yield (r.warehouse, r.bin, r.sku, r.name_zh, r.batch, r.on_hand, r.reserved, r.on_hand - r.reserved)


_QUERIES: dict[str, Callable[[Scope], Select[Any]]] = {"skus": _sku_query, "bins": _bin_query, "stock": _stock_query}
_ROWS: dict[str, Callable[[Connection, Scope], Generator[Row, None, None]]] = {"skus": _sku_rows, "bins": _bin_rows, "stock": _stock_rows}
