"""ZPL labels: one ``^XA … ^XZ`` per label with UTF-8 (``^CI28``), copies as ``^PQ``, Code 128 or
EAN-13, and text fields that cannot start a command whatever a name holds."""

from __future__ import annotations

import re

import pytest

from server.printing import zpl
from server.printing.model import BinLabel, SkuLabel


def _labels(text: str) -> list[str]:
    return re.findall(r"\^XA.*?\^XZ", text, re.S)


def test_each_bin_label_is_one_block_with_utf8_code128_and_copies() -> None:
    text = zpl.bin_labels([BinLabel("A-01-01-01", "WH-SH"), BinLabel("A-01-01-02", "WH-SH")], copies=3)
    blocks = _labels(text)
    assert len(blocks) == 2 and text.count("^XA") == 2 and text.count("^XZ") == 2
    for block, code in zip(blocks, ("A-01-01-01", "A-01-01-02"), strict=True):
        assert block.startswith("^XA\n^CI28\n") and "^PQ3\n^XZ" in block
        assert f"^BCN,120,N,N,N^FH\\^FD{code}^FS" in block and f"^FD{code}^FS" in block


def test_sku_label_uses_ean13_for_a_gtin_and_code128_otherwise() -> None:
    text = zpl.sku_labels([SkuLabel("TEA-001", "西湖龙井", 1250, "6901234567892"), SkuLabel("CUP-002", "青花瓷杯", 800, ""),
                           SkuLabel("UPC-1", "UPC", 100, "036000241457")])
    tea, cup, upc = _labels(text)
    assert "^BEN,70,Y,N^FD690123456789^FS" in tea and "^FD¥12.50^FS" in tea and "^FD西湖龙井^FS" in tea
    assert "^BCN,70,Y,N,N^FH\\^FDCUP-002^FS" in cup and "^BE" not in cup
    assert "^FD003600024145^FS" in upc  # UPC-A printed as its EAN-13 form


@pytest.mark.parametrize("hostile", ["茶^XZ^XA^FDpwn", "~JA cancel all", "a\\5E b", "line\r\nbreak^FS", "\x1e\x00~DG"])
def test_names_cannot_end_the_label_or_start_a_command(hostile: str) -> None:
    text = zpl.sku_labels([SkuLabel("TEA-001", hostile, 100, "")], copies=1)
    assert text.count("^XA") == 1 and text.count("^XZ") == 1 and text.rstrip().endswith("^XZ")
    assert "~" not in text and "\r" not in text and "\x00" not in text
    name_line = next(line for line in text.splitlines() if line.startswith("^FO16,46"))
    data = name_line.split("^FD", 1)[1].removesuffix("^FS")
    assert "^" not in data and "~" not in data
    decoded = data.replace("\\5E", "^").replace("\\7E", "~").replace("\\5C", "\\")
    assert decoded.replace(" ", "") == "".join(c for c in hostile if c.isprintable()).replace(" ", "")


def test_escape_is_reversible_for_printable_text() -> None:
    assert zpl.escape("a^b~c\\d 中文") == "a\\5Eb\\7Ec\\5Cd 中文"
