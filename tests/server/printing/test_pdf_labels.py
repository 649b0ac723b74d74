"""PDF labels and pick lists: the files parse (pypdf), hold the codes and the Chinese text, have the
right page sizes and counts, and take any name (markup, astral characters, long text) as plain text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from server.printing import pdf_labels, pick_list
from server.printing.model import BinLabel, PickLine, PickSheet, SkuLabel, price, symbology
from shared.core.messages import MESSAGES

MM = 72 / 25.4


def _t(key: str, /, **values: object) -> str:
    return MESSAGES[key][0].format(**values)


def _read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_bin_labels_one_50x30_page_per_label_and_copy() -> None:
    reader = _read(pdf_labels.bin_labels([BinLabel("A-01-01-01", "WH-SH"), BinLabel("B-02", "WH-SH")], copies=2))
    assert len(reader.pages) == 4
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 50 and round(float(box.height) / MM) == 30
    assert "A-01-01-01" in reader.pages[1].extract_text() and "B-02" in reader.pages[3].extract_text()


def test_bin_labels_on_a4_sheets_of_36() -> None:
    labels = [BinLabel(f"A-{n:03d}", "WH-SH") for n in range(40)]
    reader = _read(pdf_labels.bin_labels(labels, sheet=True))
    assert len(reader.pages) == 2 and round(float(reader.pages[0].mediabox.width) / MM) == 210
    assert "A-000" in reader.pages[0].extract_text() and "A-035" in reader.pages[0].extract_text()
    assert "A-036" in reader.pages[1].extract_text() and "A-039" in reader.pages[1].extract_text()


def test_sku_labels_carry_code_chinese_name_and_price() -> None:
    reader = _read(pdf_labels.sku_labels([SkuLabel("TEA-001", "西湖龙井 250g", 1250, "6901234567892"),
                                          SkuLabel("CUP-002", "青花瓷杯", 0, "")]))
    first, second = (page.extract_text() for page in reader.pages)
    assert "TEA-001" in first and "西湖龙井" in first and "¥12.50" in first
    assert "CUP-002" in second and "青花瓷杯" in second


@pytest.mark.parametrize("name", ["<b>粗体</b> & <script>", "𠮷野家 😀", "龍" * 300, "\u202egnp.exe", ""])
def test_any_name_prints_as_plain_text(name: str) -> None:
    reader = _read(pdf_labels.sku_labels([SkuLabel("X-1", name, 100, "")], sheet=True))
    assert "X-1" in _text(reader)
    if name.startswith("<b>"):
        assert "<b>粗体</b>" in _text(reader)


def test_symbology_prefers_ean13_for_gtins() -> None:
    assert symbology(SkuLabel("A", "", 0, "6901234567892")) == ("EAN13", "690123456789")
    assert symbology(SkuLabel("A", "", 0, "036000241457")) == ("EAN13", "003600024145")
    assert symbology(SkuLabel("A", "", 0, "6901234567891")) == ("Code128", "6901234567891")  # bad check digit
    assert symbology(SkuLabel("A-1", "", 0, "")) == ("Code128", "A-1")
    assert price(1250) == "¥12.50" and price(5) == "¥0.05"


def test_pick_list_lines_in_the_given_order_with_totals_and_pages() -> None:
    lines = [PickLine(n, f"A-{n:02d}", "TEA-001", "西湖龙井 <i>", "", n) for n in range(1, 61)]
    sheet = PickSheet("T-123", "WH-SH 上海仓", lines, datetime(2026, 12, 4, 9, 30, tzinfo=UTC))
    reader = _read(pick_list.pick_list(sheet, _t))
    text = _text(reader)
    assert len(reader.pages) >= 2 and "第 2 页" in text
    assert "拣货单" in text and "T-123" in text and "上海仓" in text and "60 行 · 1830 件" in text
    assert "库位" in text and "已拣" in text and "西湖龙井 <i>" in text
    assert text.index("A-01") < text.index("A-02") < text.index("A-60")


def test_pick_list_shows_slots_for_sort_while_picking() -> None:
    sheet = PickSheet("T-9", "WH-SH", [PickLine(1, "A-01", "TEA-001", "茶", "L1", 2, slot=3)],
                      datetime(2026, 12, 4, tzinfo=UTC), slots=4)
    text = _text(_read(pick_list.pick_list(sheet, _t)))
    assert "格口" in text and "L1" in text
