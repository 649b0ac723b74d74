"""The import reader: encodings, delimiters, line ends, headers and XLSX cells (BAD_INPUTS.md "CSV / Excel import")."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from server.imports.reader import SourceRow, Table, canonical_column, open_table
from shared.core.errors import ValidationError

LIMIT = 1 << 20


def read(source: bytes | Path, *, max_bytes: int = LIMIT) -> tuple[Table, list[SourceRow]]:
    with open_table(source, max_bytes=max_bytes) as table:
        return table, list(table.rows)


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_value(data: bytes, formula: str, value: str) -> bytes:
    """``data`` with the cached result ``value`` stored for ``formula``, as Excel saves it."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{value}</v>".encode())
            target.writestr(item, content)
    return out.getvalue()


def error_code(source: bytes | Path, *, max_bytes: int = LIMIT) -> str:
    with pytest.raises(ValidationError) as err:
        read(source, max_bytes=max_bytes)
    return err.value.code


SKU_CSV = "商品编码,商品名称,条码\nTEA-001,西湖龙井,6901234567892\n"


# ---- encodings -----------------------------------------------------------------------------------


def test_read_csv_utf8_maps_chinese_headers_to_canonical_columns() -> None:
    table, rows = read(SKU_CSV.encode())
    assert table.encoding == "utf-8"
    assert table.columns == ("code", "name_zh", "barcode")
    assert rows == [SourceRow(2, {"code": "TEA-001", "name_zh": "西湖龙井", "barcode": "6901234567892"},
                              ("TEA-001", "西湖龙井", "6901234567892"))]


def test_read_csv_utf8_bom_is_stripped_from_the_first_header() -> None:
    table, rows = read(codecs.BOM_UTF8 + SKU_CSV.encode())
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "商品编码"
    assert rows[0].cells["code"] == "TEA-001"


def test_read_csv_gbk_from_chinese_excel_is_decoded() -> None:
    table, rows = read(SKU_CSV.encode("gbk"))
    assert table.encoding == "gb18030"
    assert rows[0].cells["name_zh"] == "西湖龙井"


def test_read_csv_gb18030_only_characters_survive() -> None:
    name = "𠮷野家 㐀"
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    _, rows = read(f"商品编码,商品名称\nA-1,{name}\n".encode("gb18030"))
    assert rows[0].cells["name_zh"] == name


def test_read_csv_utf16le_tab_separated_unicode_text() -> None:
    text = "商品编码\t商品名称\t规格\r\nTEA-001\t龙井, 明前\t250g\r\n"
    table, rows = read(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert table.encoding == "utf-16"
    assert rows[0].cells == {"code": "TEA-001", "name_zh": "龙井, 明前", "spec": "250g"}


def test_read_csv_utf16_without_bom_is_found_by_the_fallback_detector() -> None:
    table, rows = read(SKU_CSV.encode("utf-16-le"))
    assert table.encoding.replace("_", "-") == "utf-16-le"
    assert rows[0].cells["name_zh"] == "西湖龙井"


def test_read_csv_with_nul_characters_raises_import_encoding() -> None:
    assert error_code(b"code,name_zh\nA-1\x00\x00,x\x00\n" * 20) == "import.encoding"


@pytest.mark.parametrize("garbage", [bytes(range(128, 256)) * 8, b"\x80\xff\xfe\x81" * 100, b"code,name\n\xff\xfe\xfd,\x80\x80\n"])
def test_read_csv_undecodable_bytes_raise_import_encoding(garbage: bytes) -> None:
    assert error_code(garbage) == "import.encoding"


def test_read_csv_single_byte_code_page_is_refused_rather_than_guessed() -> None:
    assert error_code("code;name_zh\nA-1;Crème brûlée à la française\n".encode("cp1252")) == "import.encoding"


# ---- CSV structure -------------------------------------------------------------------------------


def test_read_csv_semicolon_delimiter_from_eu_excel() -> None:
    _, rows = read("商品编码;商品名称;重量(g)\nTEA-001;龙井, 特级;250\n".encode())
    assert rows[0].cells == {"code": "TEA-001", "name_zh": "龙井, 特级", "weight_g": "250"}


def test_read_csv_mixed_line_ends_and_quoted_newlines_keep_spreadsheet_row_numbers() -> None:
    text = 'code,name_zh,spec\r\nA-1,"两行\n名称",x\rA-2,"say ""hi""\r\nthere",y\nA-3,三,z\r\n'
    _, rows = read(text.encode())
    assert [(r.number, r.cells["code"]) for r in rows] == [(2, "A-1"), (3, "A-2"), (4, "A-3")]
    assert rows[0].cells["name_zh"] == "两行\n名称"
    assert rows[1].cells["name_zh"] == 'say "hi"\r\nthere'


def test_read_csv_blank_rows_are_skipped_but_counted() -> None:
    _, rows = read(b"code,name_zh\n\nA-1,x\n,\n  ,\t\nA-2,y\n")
    assert [(r.number, r.cells["code"]) for r in rows] == [(3, "A-1"), (6, "A-2")]


def test_read_csv_removes_the_formula_escape_our_export_adds() -> None:
    _, rows = read(b"code,name_zh\nA-1,'=HYPERLINK(\"x\")\nA-2,'plain\n")
    assert rows[0].cells["name_zh"] == '=HYPERLINK("x")'
    assert rows[1].cells["name_zh"] == "'plain"


# ---- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("header,column", [
    ("商品编码", "code"), ("SKU编码", "code"), ("Code", "code"), ("\ufeffSKU_Code ", "code"), ("商品名称", "name_zh"),
    ("名称", "name_zh"), ("重量（g）", "weight_g"), ("成本(分)", "cost_fen"), ("仓库编码", "warehouse"), ("库位", "bin"),
    ("拣货顺序", "walk_seq"), ("数量", "qty"), ("批次", "batch"), ("商品编码 (code)", "code"), ("重量(g) (weight_g)", "weight_g"),
    ("箱规", "pack_qty"), ("批次管理", "batch_tracked"), ("预警库存", "low_stock_threshold"), ("ＣＯＤＥ", "code"),
])
def test_canonical_column_accepts_chinese_english_and_export_headers(header: str, column: str) -> None:
    assert canonical_column(header) == column


@pytest.mark.parametrize("header_line", ["商品编码,code,商品名称", "code,name_zh,Code", "code,备注,备注"])
def test_read_duplicate_headers_raise(header_line: str) -> None:
    assert error_code(f"{header_line}\nA,B,C\n".encode()) == "import.duplicate_header"


def test_read_blank_header_between_columns_raises() -> None:
    assert error_code(b"code,,name_zh\nA,B,C\n") == "import.blank_header"


def test_read_trailing_empty_columns_are_ignored() -> None:
    table, rows = read(b"code,name_zh,,,\nA-1,x,,,\nA-2,y\n")
    assert table.headers == ("code", "name_zh")
    assert [r.problem for r in rows] == [None, None]


def test_read_content_under_a_missing_header_marks_the_row() -> None:
    _, rows = read(b"code,name_zh\nA-1,x,,surprise\n")
    assert rows[0].problem is not None and rows[0].problem.code == "import.extra_cells"
    assert rows[0].problem.details["column"] == "D"


def test_read_unknown_headers_are_reported_and_their_columns_ignored() -> None:
    table, rows = read("code,备注,name_zh\nA-1,随便,x\n".encode())
    assert table.unknown_headers == ("备注",)
    assert rows[0].cells == {"code": "A-1", "name_zh": "x"}
    assert rows[0].raw == ("A-1", "随便", "x")


@pytest.mark.parametrize("data", [b"", b"\n\r\n", codecs.BOM_UTF8])
def test_read_empty_file_raises_import_empty(data: bytes) -> None:
    assert error_code(data) == "import.empty"


# ---- size and format -----------------------------------------------------------------------------


def test_read_oversize_bytes_raise_import_too_large() -> None:
    data = SKU_CSV.encode() * 100
    assert error_code(data, max_bytes=len(data) - 1) == "import.too_large"


def test_read_oversize_path_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(SKU_CSV.encode() * 1000)
    assert error_code(path, max_bytes=1000) == "import.too_large"


def test_read_path_and_bytes_give_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "skus.csv"
    path.write_bytes(SKU_CSV.encode("gbk"))
    assert read(path)[1] == read(SKU_CSV.encode("gbk"))[1]


def test_read_old_xls_is_refused() -> None:
    assert error_code(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) == "import.old_xls"


def test_read_broken_xlsx_raises_bad_format() -> None:
    assert error_code(b"PK\x03\x04" + b"not really a zip" * 10) == "import.bad_format"


def test_read_xlsx_with_a_corrupt_cell_raises_bad_format() -> None:
    data = with_cached_value(xlsx([["code", "name_zh"], ["A-1", "=1+1"]]), "1+1", "not a number")
    assert error_code(data) == "import.bad_format"


# ---- XLSX ----------------------------------------------------------------------------------------


def test_read_xlsx_numbers_come_back_as_text_without_decimal_point() -> None:
    data = xlsx([["商品编码", "条码", "重量(g)", "规格", "预警库存"],
                 [10023, 6901234567892, 250.0, 1.5, 3]])
    table, rows = read(data)
    assert table.file_format == "xlsx"
    assert rows[0].cells == {"code": "10023", "barcode": "6901234567892", "weight_g": "250", "spec": "1.5",
                             "low_stock_threshold": "3"}


def test_read_xlsx_leading_zeros_excel_dropped_stay_dropped() -> None:
    _, rows = read(xlsx([["条码"], [36000241457], ["0036000241457"]]))
    assert [r.cells["barcode"] for r in rows] == ["36000241457", "0036000241457"]


def test_read_xlsx_dates_read_as_iso_text() -> None:
    _, rows = read(xlsx([["批次", "spec"], [datetime(2024, 1, 2), date(2024, 1, 3)]]))
    assert rows[0].cells == {"batch": "2024-01-02", "spec": "2024-01-03"}


def test_read_xlsx_formula_reads_its_cached_value() -> None:
    data = with_cached_value(xlsx([["code", "name_zh"], ["A-1", '=20+22']]), "20+22", "42")
    _, rows = read(data)
    assert rows[0].problem is None
    assert rows[0].cells["name_zh"] == "42"


def test_read_xlsx_formula_without_cached_value_marks_the_row() -> None:
    _, rows = read(xlsx([["code", "name_zh"], ["A-1", "=1+2"], ["A-2", "ok"]]))
    assert rows[0].problem is not None and rows[0].problem.code == "import.formula_without_value"
    assert rows[0].problem.details["cell"] == "B2"
    assert rows[1].problem is None


def test_read_xlsx_blank_rows_and_trailing_columns() -> None:
    _, rows = read(xlsx([["code", "name_zh", None], [], ["A-1", "x", None], [None, None], ["A-2", "y"]]))
    assert [(r.number, r.cells["code"]) for r in rows] == [(3, "A-1"), (5, "A-2")]


# ---- property: whatever the encoding and delimiter, the cells come back -------------------------

_cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufeff'"),
                     max_size=12).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(_cell_text, min_size=2, max_size=2).filter(any), min_size=1, max_size=5),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
       delimiter=st.sampled_from([",", ";", "\t"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_read_csv_round_trips_any_text(rows: list[list[str]], encoding: str, delimiter: str, newline: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL)
    writer.writerow(["code", "name_zh"])
    writer.writerows(rows)
    _, read_rows = read(out.getvalue().encode(encoding))
    assert [[r.cells["code"], r.cells["name_zh"]] for r in read_rows] == rows


def test_read_xlsx_that_inflates_far_beyond_the_limit_is_refused() -> None:
    data = xlsx([["code", "name_zh"], *([f"A-{n}", "龙" * 2000] for n in range(200))])
    assert len(data) < 100_000
    assert error_code(data, max_bytes=len(data) + 1) == "import.too_large"
    assert read(data, max_bytes=len(data) * 20)[1][0].cells["code"] == "A-0"
