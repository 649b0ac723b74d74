"""Catalogue import: plan validates every row and writes nothing; apply commits only accepted rows.
Runs on SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from server.imports.catalogue_import import ImportPlan, OpeningStock, apply, plan, write_rejected_csv
from server.imports.reader import open_table
from server.store import catalogue, ledger
from server.store.db import Store
from server.store.schema import barcodes, bins, movements, skus
from shared.catalogue.model import Bin, Sku, new_bin, new_sku, new_warehouse
from shared.core.errors import ConflictError, RuleViolation, ValidationError
from shared.inventory.movement import Reason
from tests.strategies import (
    EAN_13,
    EAN_13_OF_UPC_A,
    EXCEL_SCIENTIFIC,
    FULL_WIDTH_EAN_13,
    UPC_A,
    UPC_A_ZERO_STRIPPED,
    WRONG_CHECK_DIGIT,
)

OWNED_EAN_13 = "4006381333931"  # registered to OLD-1 in the store


@dataclass
class Places:
    store: Store
    wh: str
    a1: Bin
    a2: Bin
    old: Sku
    lot: Sku


@pytest.fixture
def places(store: Store) -> Places:
    with store.transaction() as conn:
        wh = catalogue.insert_warehouse(conn, new_warehouse("WH-SH", "上海仓", "Shanghai DC"))
        a1, a2 = new_bin(wh.id, "A-01", walk_seq=1), new_bin(wh.id, "A-02", walk_seq=2)
        catalogue.insert_bins(conn, [a1, a2])
        old = catalogue.insert_sku(conn, new_sku("OLD-1", "旧商品"))
        lot = catalogue.insert_sku(conn, new_sku("MILK-1", "牛奶", batch_tracked=True))
        catalogue.add_barcode(conn, old.id, OWNED_EAN_13)
    return Places(store, wh.id, a1, a2, old, lot)


def make_plan(store: Store, kind: str, data: str | bytes) -> ImportPlan:
    source = data.encode() if isinstance(data, str) else data
    with open_table(source, max_bytes=1 << 20) as table, store.read() as conn:
        return plan(kind, table, conn)


def reasons(result: ImportPlan) -> dict[int, str]:
    return {r.row: r.error.code for r in result.rejected}


def count(store: Store, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


SKUS_HEADER = "商品编码,商品名称,英文名称,条码,箱码,箱规,批次管理,预警库存,成本(分)\n"


# ---- skus ----------------------------------------------------------------------------------------


def test_plan_skus_accepts_valid_rows_and_writes_nothing(places: Places) -> None:
    result = make_plan(places.store, "skus", SKUS_HEADER + f"TEA-1,龙井,Longjing,{EAN_13},,,是,5,1250\n")
    assert [a.row for a in result.accepted] == [2] and result.rejected == ()
    assert count(places.store, skus) == 2


def test_apply_skus_commits_skus_unit_and_case_barcodes_and_packs(places: Places) -> None:
    result = make_plan(places.store, "skus", SKUS_HEADER + f"tea-1,龙井,Longjing,{EAN_13}|{UPC_A},16901234567899,12,1,5,1250\n")
    assert apply(result, places.store) == 1
    with places.store.read() as conn:
        sku = catalogue.get_sku(conn, "TEA-1")
        codes = {(b.raw, b.pack_qty_base) for b in catalogue.barcodes_of(conn, sku.id)}
    assert (sku.name_zh, sku.name_en, sku.batch_tracked, sku.low_stock_threshold, sku.cost_fen) == ("龙井", "Longjing", True, 5, 1250)
    assert codes == {(EAN_13, 1), (UPC_A, 1), ("16901234567899", 12)}
    assert [p.qty_base for p in sku.packs] == [12]


def test_plan_script_tag_in_name_is_accepted_and_stored_verbatim(places: Places) -> None:
    name = "<script>alert(1)</script>'; DROP TABLE skus;--"
    apply(make_plan(places.store, "skus", f'code,name_zh\nXSS-1,"{name}"\n'), places.store)
    with places.store.read() as conn:
        assert catalogue.get_sku(conn, "XSS-1").name_zh == name


@pytest.mark.parametrize("barcode,code", [
    (EXCEL_SCIENTIFIC, "barcode.scientific_notation"),
    (UPC_A_ZERO_STRIPPED, "barcode.bad_length"),  # Excel dropped UPC-A's leading zero
    ("1234565", "barcode.bad_length"),  # GTIN-8 01234565 without its leading zero
    (WRONG_CHECK_DIGIT, "barcode.bad_check_digit"),
    ("(01)06901234567892(10)LOT42", "barcode.gs1_element_string"),
])
def test_plan_rejects_bad_barcodes_with_their_reason(places: Places, barcode: str, code: str) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode\nA-1,x,{barcode}\nA-2,y,\n")
    assert reasons(result) == {2: code}
    assert [a.row for a in result.accepted] == [3]


def test_plan_full_width_code_digits_and_quantities_are_normalised(places: Places) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode,预警库存\nＴＥＡ－９,茶,{FULL_WIDTH_EAN_13},１２\n")
    sku = result.accepted[0].item
    assert isinstance(sku, Sku) and (sku.code, sku.low_stock_threshold) == ("TEA-9", 12)
    assert result.accepted[0].barcodes[0].raw == EAN_13


def test_plan_duplicate_sku_code_within_file_rejects_every_row_and_names_them(places: Places) -> None:
    result = make_plan(places.store, "skus", "code,name_zh\nDUP-1,a\nOK-1,b\ndup-1,c\n")
    assert reasons(result) == {2: "import.duplicate_sku_code", 4: "import.duplicate_sku_code"}
    assert result.rejected[0].error.details["rows"] == "2, 4"
    assert "2, 4" in result.rejected[1].error.message("zh-CN")


def test_plan_duplicate_sku_code_against_store_is_rejected(places: Places) -> None:
    result = make_plan(places.store, "skus", "code,name_zh\nold-1,again\n")
    assert reasons(result) == {2: "sku.duplicate_code"}


def test_plan_upc_a_and_its_ean_13_form_are_the_same_barcode_within_file(places: Places) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode\nA-1,a,{UPC_A}\nA-2,b,{EAN_13_OF_UPC_A}\n")
    assert reasons(result) == {2: "import.duplicate_barcode", 3: "import.duplicate_barcode"}


def test_plan_barcode_registered_in_store_is_rejected_in_any_form(places: Places) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode\nA-1,a,0{OWNED_EAN_13}\n")
    assert reasons(result) == {2: "barcode.taken"}
    assert result.rejected[0].error.details["sku_code"] == "OLD-1"


def test_plan_same_barcode_twice_in_one_row_is_kept_once(places: Places) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode\nA-1,a,{UPC_A};{EAN_13_OF_UPC_A}\n")
    assert result.rejected == () and len(result.accepted[0].barcodes) == 1


@pytest.mark.parametrize("cells,code", [
    ("16901234567899,", "import.pack_qty_required"),
    ("16901234567899;26901234567896,12;24;36", "import.pack_qty_mismatch"),
    (f"{EAN_13},12", "import.case_barcode_is_unit"),
    (",1", "invalid.quantity"),
    (",\"1,000\"", "import.thousands_separator"),
])
def test_plan_rejects_bad_case_barcodes_and_pack_quantities(places: Places, cells: str, code: str) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode,case_barcode,pack_qty\nA-1,a,{EAN_13},{cells}\n")
    assert reasons(result) == {2: code}


@pytest.mark.parametrize("cells,code", [
    (",x", "invalid.code"), ("A-1,", "invalid.text"), ("A 1,x", "invalid.code"), ("A-1,\"x\u202e\"", "invalid.text"),
])
def test_plan_rejects_bad_codes_and_names(places: Places, cells: str, code: str) -> None:
    assert reasons(make_plan(places.store, "skus", f"code,name_zh\n{cells}\n")) == {2: code}


def test_plan_rejects_unknown_batch_flag(places: Places) -> None:
    assert reasons(make_plan(places.store, "skus", "code,name_zh,batch_tracked\nA-1,a,maybe\n")) == {2: "invalid.enum"}


def test_plan_missing_required_column_raises_before_any_row(places: Places) -> None:
    with pytest.raises(ValidationError) as err:
        make_plan(places.store, "skus", "商品名称,条码\nx,1\n")
    assert err.value.code == "import.missing_column" and "商品编码" in err.value.message("zh-CN")


def test_plan_unknown_kind_raises(places: Places) -> None:
    with pytest.raises(ValidationError) as err:
        make_plan(places.store, "orders", "code\nA\n")
    assert err.value.code == "import.unknown_kind"


def test_plan_xlsx_number_that_lost_its_leading_zero_is_rejected(places: Places) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["商品编码", "商品名称", "条码"], ["A-1", "a", 36000241457], ["A-2", "b", 6901234567892], ["A-3", "c", "=1+2"]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    result = make_plan(places.store, "skus", out.getvalue())
    assert reasons(result) == {2: "barcode.bad_length", 4: "import.formula_without_value"}


# ---- apply ---------------------------------------------------------------------------------------


def test_apply_plan_with_rejected_rows_refuses_without_accept_partial(places: Places) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode\nA-1,a,\nA-2,b,{EXCEL_SCIENTIFIC}\n")
    with pytest.raises(RuleViolation) as err:
        apply(result, places.store)
    assert err.value.code == "import.not_confirmed"
    assert count(places.store, skus) == 2


def test_apply_with_accept_partial_commits_only_accepted_rows(places: Places) -> None:
    result = make_plan(places.store, "skus", f"code,name_zh,barcode\nA-1,a,{EAN_13}\nA-2,b,{EXCEL_SCIENTIFIC}\n")
    assert apply(result, places.store, accept_partial=True) == 1
    with places.store.read() as conn:
        assert catalogue.existing_sku_codes(conn, ["A-1", "A-2"]).keys() == {"A-1"}
    assert count(places.store, barcodes) == 2


def test_apply_after_the_store_changed_writes_nothing(places: Places) -> None:
    result = make_plan(places.store, "skus", "code,name_zh\nNEW-1,a\nNEW-2,b\n")
    with places.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("NEW-2", "抢先"))
    with pytest.raises(ConflictError):
        apply(result, places.store)
    with places.store.read() as conn:
        assert catalogue.existing_sku_codes(conn, ["NEW-1", "NEW-2"]).keys() == {"NEW-2"}


def test_apply_many_rows_commits_across_chunks(places: Places) -> None:
    lines = "".join(f"BULK-{n:05d},商品{n}\n" for n in range(2500))
    assert apply(make_plan(places.store, "skus", "code,name_zh\n" + lines), places.store) == 2500
    assert count(places.store, skus) == 2502


# ---- bins ----------------------------------------------------------------------------------------


def test_plan_and_apply_bins(places: Places) -> None:
    result = make_plan(places.store, "bins", "仓库编码,库位编码,拣货顺序\nwh-sh,B-01,10\nWH-SH,A-01,1\nWH-XX,B-02,1\n"
                                             "WH-SH,B-03,-1\nWH-SH,b-01,11\nWH-SH,B-04,\n")
    assert reasons(result) == {2: "import.duplicate_bin", 3: "bin.duplicate_code", 4: "warehouse.not_found",
                               5: "invalid.quantity", 6: "import.duplicate_bin"}
    apply(result, places.store, accept_partial=True)
    with places.store.read() as conn:
        assert [(b.code, b.walk_seq) for b in catalogue.list_bins(conn, places.wh) if b.code.startswith("B")] == [("B-04", 0)]
    assert count(places.store, bins) == 5  # _DOCK, _TRANSIT, A-01, A-02, B-04


# ---- opening stock -------------------------------------------------------------------------------

STOCK_HEADER = "仓库,库位,商品编码,数量,批次\n"


def test_apply_stock_posts_opening_stock_movements(places: Places) -> None:
    result = make_plan(places.store, "stock", STOCK_HEADER + "WH-SH,A-01,OLD-1,10,\nWH-SH,A-02,MILK-1,５,L2401\n")
    assert result.rejected == ()
    assert isinstance(result.accepted[1].item, OpeningStock) and result.accepted[1].item.qty == 5
    apply(result, places.store)
    with places.store.read() as conn:
        assert ledger.balance(conn, places.old.id, places.a1.id).on_hand == 10
        assert ledger.balance(conn, places.lot.id, places.a2.id, "L2401").on_hand == 5
        assert {m.reason for m in ledger.movements_for(conn, sku_id=places.old.id)} == {Reason.RECEIPT_OPENING_STOCK}
        assert ledger.projection_drift(conn) == []


@pytest.mark.parametrize("line,code", [
    ("WH-SH,A-01,OLD-1,\"1,000\",", "import.thousands_separator"),
    ("WH-SH,A-01,OLD-1,0,", "invalid.quantity"),
    ("WH-SH,A-01,OLD-1,-3,", "invalid.quantity"),
    ("WH-SH,A-01,OLD-1,2.5,", "invalid.quantity"),
    ("WH-SH,A-01,OLD-1,1E+3,", "invalid.quantity"),
    ("WH-SH,A-01,OLD-1,,", "import.required_value"),
    ("WH-SH,A-01,NOPE,1,", "sku.not_found"),
    ("WH-SH,Z-99,OLD-1,1,", "bin.not_found"),
    ("WH-SH,_TRANSIT,OLD-1,1,", "bin.not_stockable"),
    ("WH-XX,A-01,OLD-1,1,", "warehouse.not_found"),
    ("WH-SH,A-01,MILK-1,1,", "sku.batch_required"),
    ("WH-SH,A-01,OLD-1,1,L1", "sku.batch_not_tracked"),
])
def test_plan_stock_rejects_bad_rows(places: Places, line: str, code: str) -> None:
    assert reasons(make_plan(places.store, "stock", STOCK_HEADER + line + "\n")) == {2: code}


def test_plan_stock_into_a_bin_that_already_has_stock_is_rejected(places: Places) -> None:
    apply(make_plan(places.store, "stock", STOCK_HEADER + "WH-SH,A-01,OLD-1,10,\n"), places.store)
    again = make_plan(places.store, "stock", STOCK_HEADER + "WH-SH,A-01,OLD-1,10,\nWH-SH,A-02,OLD-1,3,\n")
    assert reasons(again) == {2: "import.stock_exists"}


def test_plan_stock_same_line_twice_in_file_is_rejected(places: Places) -> None:
    result = make_plan(places.store, "stock", STOCK_HEADER + "WH-SH,A-01,OLD-1,1,\nwh-sh,a-01,old-1,2,\n")
    assert reasons(result) == {2: "import.duplicate_stock_line", 3: "import.duplicate_stock_line"}
    assert count(places.store, movements) == 0


# ---- the rejected-rows file ----------------------------------------------------------------------


def test_write_rejected_csv_keeps_the_rows_adds_reasons_and_escapes_formulas(places: Places, tmp_path: Path) -> None:
    result = make_plan(places.store, "skus", f'code,name_zh,barcode\nA-1,"=HYPERLINK(""http://x"")",{EXCEL_SCIENTIFIC}\nA-2,ok,\n')
    path = write_rejected_csv(result, tmp_path / "rejected.csv")
    data = path.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["code", "name_zh", "barcode"] and "错误原因 (reason)" in rows[0]
    assert rows[1][:4] == ["A-1", "'=HYPERLINK(\"http://x\")", EXCEL_SCIENTIFIC, "2"]
    assert rows[1][4] == "barcode.scientific_notation" and "科学计数法" in rows[1][5] and "scientific" in rows[1][6]
    assert len(rows) == 2


def test_rejected_csv_fixed_and_imported_again_reads_the_original_values(places: Places, tmp_path: Path) -> None:
    result = make_plan(places.store, "skus", f'code,name_zh,barcode\nA-1,"=1+2",{EXCEL_SCIENTIFIC}\n')
    fixed = write_rejected_csv(result, tmp_path / "rejected.csv").read_text("utf-8-sig").replace(EXCEL_SCIENTIFIC, EAN_13)
    again = make_plan(places.store, "skus", fixed.encode("utf-8-sig"))
    assert again.rejected == ()
    assert again.ignored_columns == ("行号 (row)", "错误代码 (error_code)", "错误原因 (reason)", "Reason (English)")
    sku = again.accepted[0].item
    assert isinstance(sku, Sku) and sku.name_zh == "=1+2"


def test_plan_reports_columns_the_kind_does_not_use_as_ignored(places: Places) -> None:
    result = make_plan(places.store, "stock", STOCK_HEADER.strip() + ",商品名称,备注\nWH-SH,A-01,OLD-1,1,,旧商品,x\n")
    assert result.ignored_columns == ("商品名称", "备注")
    assert result.rejected == ()
