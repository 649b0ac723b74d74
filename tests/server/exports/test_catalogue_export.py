"""Catalogue export: XLSX keeps codes as text, CSV is UTF-8 with BOM and formula-escaped, both stream and
read back through the import. Runs on SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from server.exports.catalogue_export import COLUMNS, count_rows, escape_formula, export
from server.imports.catalogue_import import plan
from server.imports.reader import canonical_column, open_table
from server.store import catalogue, moves, reservations
from server.store.db import Store
from shared.catalogue.model import new_bin, new_sku, new_warehouse
from shared.core.errors import ValidationError
from shared.inventory.movement import Reason
from tests.strategies import EAN_13, EAN_13_OF_UPC_A, with_check_digit

CASE_OF_UPC_A = with_check_digit("1003600024145")
HYPERLINK = '=HYPERLINK("http://evil.example","点我")'


@dataclass
class Filled:
    store: Store


@pytest.fixture
def filled(store: Store) -> Filled:
    with store.transaction() as conn:
        wh = catalogue.insert_warehouse(conn, new_warehouse("WH-SH", "上海仓"))
        a1, a2 = new_bin(wh.id, "A-01", walk_seq=1), new_bin(wh.id, "A-02", walk_seq=2)
        catalogue.insert_bins(conn, [a1, a2])
        zero = catalogue.insert_sku(conn, new_sku("0036000241457", "前导零商品", weight_g=250, low_stock_threshold=3))
        catalogue.add_barcode(conn, zero.id, EAN_13_OF_UPC_A)
        catalogue.add_barcode(conn, zero.id, CASE_OF_UPC_A, pack_qty_base=12)
        evil = catalogue.insert_sku(conn, new_sku("XSS-1", HYPERLINK, name_en="+1 555 0100", spec="-5%", base_unit="@SUM(A1)"))
        catalogue.add_barcode(conn, evil.id, EAN_13)
        lot = catalogue.insert_sku(conn, new_sku("MILK-1", "<script>alert(1)</script>", batch_tracked=True))
        hlc = store.clock.now
        moves.single(conn, zero.id, a1.id, 10, Reason.RECEIPT_OPENING_STOCK, hlc=hlc())
        moves.single(conn, lot.id, a2.id, 4, Reason.RECEIPT_OPENING_STOCK, hlc=hlc(), batch="L2401")
        moves.single(conn, lot.id, a2.id, 6, Reason.RECEIPT_OPENING_STOCK, hlc=hlc(), batch="L2402")
        reservations.reserve(conn, zero.id, wh.id, 3, hlc=hlc(), bin_id=a1.id)
    return Filled(store)


def export_to(store: Store, kind: str, path: Path) -> int:
    with store.read() as conn:
        return export(kind, conn, path)


def csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(path: Path) -> list[tuple[object, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(c.value for c in row) for row in book.worksheets[0].iter_rows()]
    finally:
        book.close()


@pytest.mark.parametrize("text,escaped", [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-5%", "'-5%"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("<script>", "<script>"), ("龙井", "龙井"), ("", ""), ("a=b", "a=b"),
])
def test_escape_formula_prefixes_only_cells_that_start_a_formula(text: str, escaped: str) -> None:
    assert escape_formula(text) == escaped


def test_export_headers_are_bilingual_and_read_back_as_their_columns() -> None:
    for columns in COLUMNS.values():
        for column in columns:
            assert column.header == f"{column.zh} ({column.name})"
            if column.name not in ("on_hand", "reserved", "available"):
                assert canonical_column(column.header) == column.name


def test_export_skus_csv_escapes_formula_injection_and_joins_barcodes(filled: Filled, tmp_path: Path) -> None:
    assert export_to(filled.store, "skus", tmp_path / "skus.csv") == 3
    header, *rows = csv_rows(tmp_path / "skus.csv")
    assert header[:3] == ["商品编码 (code)", "商品名称 (name_zh)", "英文名称 (name_en)"]
    by_code = {r[0]: dict(zip([c.name for c in COLUMNS["skus"]], r, strict=True)) for r in rows}
    evil = by_code["XSS-1"]
    assert (evil["name_zh"], evil["name_en"], evil["spec"], evil["base_unit"]) == ("'" + HYPERLINK, "'+1 555 0100", "'-5%", "'@SUM(A1)")
    assert by_code["MILK-1"]["name_zh"] == "<script>alert(1)</script>"
    zero = by_code["0036000241457"]
    assert (zero["barcode"], zero["case_barcode"], zero["pack_qty"], zero["weight_g"]) == (EAN_13_OF_UPC_A, CASE_OF_UPC_A, "12", "250")
    assert by_code["MILK-1"]["batch_tracked"] == "1"


def test_export_skus_xlsx_keeps_codes_as_text_cells(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "skus.xlsx"
    export_to(filled.store, "skus", path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    code, barcode, name = sheet["A2"], sheet["G2"], sheet["B4"]
    assert (code.value, code.data_type, code.number_format) == ("0036000241457", "s", "@")
    assert (barcode.value, barcode.data_type) == (EAN_13_OF_UPC_A, "s")
    assert (name.value, name.data_type) == (HYPERLINK, "s")  # text, never a formula
    assert sheet["F2"].value == 250 and sheet["F2"].data_type == "n"
    book.close()


def test_export_xlsx_reads_back_through_the_import_with_codes_intact(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "skus.xlsx"
    export_to(filled.store, "skus", path)
    with open_table(path, max_bytes=1 << 20) as table:
        assert table.unknown_headers == ()
        rows = list(table.rows)
    first = rows[0].cells
    assert (first["code"], first["barcode"], first["case_barcode"], first["pack_qty"]) == ("0036000241457", EAN_13_OF_UPC_A, CASE_OF_UPC_A, "12")
    assert rows[2].cells["name_zh"] == HYPERLINK
    with open_table(path, max_bytes=1 << 20) as table, filled.store.read() as conn:
        again = plan("skus", table, conn)
    assert {r.error.code for r in again.rejected} == {"sku.duplicate_code"} and len(again.rejected) == 3


def test_export_csv_reads_back_through_the_import_with_formulas_unescaped(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "skus.csv"
    export_to(filled.store, "skus", path)
    with open_table(path, max_bytes=1 << 20) as table:
        names = {r.cells["code"]: r.cells["name_zh"] for r in table.rows}
    assert names["XSS-1"] == HYPERLINK


def test_export_bins_lists_storage_bins_without_system_bins(filled: Filled, tmp_path: Path) -> None:
    export_to(filled.store, "bins", tmp_path / "bins.csv")
    assert csv_rows(tmp_path / "bins.csv")[1:] == [["WH-SH", "A-01", "1"], ["WH-SH", "A-02", "2"]]


def test_export_stock_per_sku_bin_and_batch_with_available(filled: Filled, tmp_path: Path) -> None:
    path = tmp_path / "stock.xlsx"
    assert export_to(filled.store, "stock", path) == 3
    assert xlsx_rows(path)[1:] == [
        ("WH-SH", "A-01", "0036000241457", "前导零商品", None, 10, 3, 7),  # an empty text cell reads as None
        ("WH-SH", "A-02", "MILK-1", "<script>alert(1)</script>", "L2401", 4, 0, 4),
        ("WH-SH", "A-02", "MILK-1", "<script>alert(1)</script>", "L2402", 6, 0, 6),
    ]
    with filled.store.read() as conn:
        assert count_rows("stock", conn) == 3


def test_export_many_skus_streams_pages_and_keeps_barcodes_with_their_sku(store: Store, tmp_path: Path) -> None:
    with store.transaction() as conn:
        skus = [new_sku(f"BULK-{n:05d}", f"商品{n}") for n in range(2300)]
        catalogue.insert_skus(conn, skus)
        catalogue.insert_barcode_rows(conn, [catalogue.BarcodeRow(f"INT-{n:05d}", "internal", f"int-{n:05d}", s.id, 1)
                                             for n, s in enumerate(skus)])
    path = tmp_path / "bulk.csv"
    assert export_to(store, "skus", path) == 2300
    rows = csv_rows(path)[1:]
    assert all(r[6] == f"int-{r[0][5:]}" for r in rows)


def test_export_unknown_format_or_kind_raises_and_writes_nothing(filled: Filled, tmp_path: Path) -> None:
    for kind, name, code in (("skus", "out.txt", "export.unknown_format"), ("orders", "out.csv", "export.unknown_kind")):
        with pytest.raises(ValidationError) as err:
            export_to(filled.store, kind, tmp_path / name)
        assert err.value.code == code
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("out")]


@pytest.mark.parametrize("name", ["skus.xlsx", "skus.csv"])
def test_export_that_fails_midway_leaves_no_file(filled: Filled, tmp_path: Path, name: str) -> None:
    def explode(_n: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError), filled.store.read() as conn:
        export("skus", conn, tmp_path / name, progress=explode)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("skus")]
