"""resolve_scan over a tiny in-memory ScanIndex: every barcode item of BAD_INPUTS.md, the order of
look-ups, GS1 element strings, document patterns, and properties over random GTINs and text."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.catalogue.barcode import classify_barcode_for_storage
from shared.core.errors import ValidationError
from shared.core.messages import MESSAGES
from shared.scan.resolve import (
    DOCUMENT_PATTERNS,
    BarcodeHit,
    BinHit,
    BinScan,
    DocumentPattern,
    DocumentScan,
    ScanIndex,
    ScanResult,
    SkuScan,
    UniqueCodeHit,
    UniqueCodeScan,
    UnknownScan,
    match_document,
    resolve_scan,
)
from tests.strategies import (
    BLANK_SCANS,
    CASE_GTIN_14,
    EAN_13,
    EAN_13_KEY,
    EAN_13_OF_UPC_A,
    EXCEL_SCIENTIFIC,
    FOUR_KB,
    FULL_WIDTH_EAN_13,
    GS1_128_WITH_GS,
    GS1_BAD_CHECK_DIGIT,
    GS1_BAD_DATE,
    GS1_CASE_COUNT,
    GS1_DATAMATRIX,
    GS1_HRI,
    GS1_WITHOUT_PREFIX,
    GTIN_14_OF_UPC_A,
    LOWERCASE_CODE128,
    SCANNER_SUFFIXES,
    SHORT_7,
    UPC_A,
    UPC_A_KEY,
    UPC_A_ZERO_STRIPPED,
    UPC_E,
    WRONG_CHECK_DIGIT,
    ZERO_WIDTH_EAN_13,
    full_width,
    noisy_scans,
    scan_like_text,
    single_digit_substitutions,
    valid_gtin13s,
)

ARCHIVED_EAN_13 = "6901234567885"
UNREGISTERED_EAN_13 = "6901234567878"
UPC_A_STARTING_73 = "731234567891"  # a UPC-A that a ZTO waybill pattern would also match
SCAN_REASONS = [code for code in MESSAGES if code.startswith("scan.")]


@dataclass
class MemoryIndex:
    """ScanIndex over dicts, keyed the way the store keys its rows."""

    barcodes: dict[str, BarcodeHit] = field(default_factory=dict)
    bins: dict[str, BinHit] = field(default_factory=dict)
    unique_codes: dict[str, UniqueCodeHit] = field(default_factory=dict)

    def add_barcode(self, code: str, sku_code: str, pack_qty_base: int = 1, archived: bool = False) -> None:
        _, key = classify_barcode_for_storage(code)
        hit = BarcodeHit(sku_id=f"id-{sku_code}", sku_code=sku_code, pack_qty_base=pack_qty_base, archived=archived)
        self.barcodes[key] = hit

    def sku_for_barcode(self, key: str) -> BarcodeHit | None:
        return self.barcodes.get(key)

    def bin_for_code(self, code: str) -> BinHit | None:
        return self.bins.get(code)

    def unique_code(self, code: str) -> UniqueCodeHit | None:
        return self.unique_codes.get(code)


def _index() -> MemoryIndex:
    index = MemoryIndex()
    index.add_barcode(EAN_13, "TEA-1")
    index.add_barcode(CASE_GTIN_14, "TEA-1", pack_qty_base=12)
    index.add_barcode(UPC_A, "COLA-1")
    index.add_barcode("042100005264", "GUM-1")  # the UPC-A of UPC_E
    index.add_barcode("abc-123", "CABLE-1")
    index.add_barcode("SO-PROMO-1", "PROMO-1")  # an internal barcode that looks like an order number
    index.add_barcode(ARCHIVED_EAN_13, "OLD-1", archived=True)
    index.add_barcode(UPC_A_STARTING_73, "SOAP-1")
    for code in ("A-01-02-03", "ST-01", "U0001"):
        index.bins[code] = BinHit(bin_id=f"bin-{code}", bin_code=code, warehouse_id="wh-1")
    index.unique_codes["U0001"] = UniqueCodeHit(unique_code="U0001", sku_id="id-TEA-1", sku_code="TEA-1")
    return index


INDEX = _index()
_index_check: ScanIndex = INDEX  # MemoryIndex satisfies the protocol (checked by mypy)


def _sku(raw: str, index: ScanIndex = INDEX) -> SkuScan:
    result = resolve_scan(raw, index)
    assert isinstance(result, SkuScan), result
    return result


def _unknown(raw: str, index: ScanIndex = INDEX) -> UnknownScan:
    result = resolve_scan(raw, index)
    assert isinstance(result, UnknownScan), result
    return result


def _document(raw: str) -> DocumentScan:
    result = resolve_scan(raw, INDEX)
    assert isinstance(result, DocumentScan), result
    return result


# GTINs and their forms


@pytest.mark.parametrize("raw", [UPC_A, EAN_13_OF_UPC_A, GTIN_14_OF_UPC_A, "]E0" + EAN_13_OF_UPC_A, "]E0" + UPC_A])
def test_resolve_upc_a_and_ean13_forms_hit_same_sku(raw: str) -> None:
    scan = _sku(raw)
    assert (scan.sku_code, scan.gtin, scan.qty_base, scan.raw) == ("COLA-1", UPC_A_KEY, 1, raw)


@pytest.mark.parametrize("suffix", SCANNER_SUFFIXES)
def test_resolve_keyboard_wedge_suffix_is_ignored(suffix: str) -> None:
    assert _sku(EAN_13 + suffix).sku_code == "TEA-1"


@pytest.mark.parametrize("prefix", ["]E0", "]E3", "]C0", "]I1", "]Q1", full_width("]E0")])
def test_resolve_aim_prefix_is_ignored(prefix: str) -> None:
    assert _sku(prefix + EAN_13).sku_code == "TEA-1"


def test_resolve_full_width_digits_hit_the_sku() -> None:
    assert _sku(FULL_WIDTH_EAN_13).gtin == EAN_13_KEY


def test_resolve_zero_width_space_is_removed() -> None:
    assert _sku(ZERO_WIDTH_EAN_13).sku_code == "TEA-1"


def test_resolve_ean13_that_looks_like_gs1_ai_95_is_still_an_ean13() -> None:
    index = MemoryIndex()
    index.add_barcode("9501101530003", "GLOBAL-1")
    assert _sku("9501101530003", index).sku_code == "GLOBAL-1"
    assert _sku("]E09501101530003", index).sku_code == "GLOBAL-1"


def test_resolve_case_gtin14_gives_the_pack_quantity() -> None:
    scan = _sku(CASE_GTIN_14)
    assert (scan.sku_code, scan.qty_base, scan.gtin) == ("TEA-1", 12, CASE_GTIN_14)


def test_resolve_upc_e_with_aim_prefix_hits_its_upc_a() -> None:
    assert _sku("]E0" + UPC_E).sku_code == "GUM-1"


def test_resolve_wrong_check_digit_is_unknown_with_reason() -> None:
    scan = _unknown(WRONG_CHECK_DIGIT)
    assert scan.reason_code == "scan.bad_check_digit"
    assert WRONG_CHECK_DIGIT in scan.reason_zh and WRONG_CHECK_DIGIT in scan.reason_en


@pytest.mark.parametrize("raw", [SHORT_7, UPC_A_ZERO_STRIPPED, "690123456", "6901234567"])
def test_resolve_gtin_with_missing_digits_is_unknown_bad_length(raw: str) -> None:
    scan = _unknown(raw)
    assert scan.reason_code == "scan.bad_length"
    assert str(len(raw)) in scan.reason_en


def test_resolve_excel_scientific_notation_is_unknown_with_reason() -> None:
    assert _unknown(EXCEL_SCIENTIFIC).reason_code == "scan.scientific_notation"


def test_resolve_unregistered_gtin_is_unknown_barcode() -> None:
    scan = _unknown(UNREGISTERED_EAN_13)
    assert scan.reason_code == "scan.unknown_barcode"
    assert "0" + UNREGISTERED_EAN_13 in scan.reason_en


def test_resolve_archived_sku_barcode_is_unknown_and_names_the_sku() -> None:
    scan = _unknown(ARCHIVED_EAN_13)
    assert scan.reason_code == "scan.archived_sku"
    assert "OLD-1" in scan.reason_zh and "OLD-1" in scan.reason_en


# internal codes, bins and unique codes


@pytest.mark.parametrize("raw", [LOWERCASE_CODE128, "abc-123", "ABC-123\r\n", "ａｂｃ－１２３"])
def test_resolve_lowercase_code128_hits_the_internal_barcode(raw: str) -> None:
    scan = _sku(raw)
    assert (scan.sku_code, scan.gtin, scan.qty_base) == ("CABLE-1", "", 1)


@pytest.mark.parametrize("raw", ["A-01-02-03", "a-01-02-03\r\n", "]C0A-01-02-03"])
def test_resolve_bin_code_is_a_bin_scan(raw: str) -> None:
    expected = BinScan(bin_id="bin-A-01-02-03", bin_code="A-01-02-03", warehouse_id="wh-1", raw=raw)
    assert resolve_scan(raw, INDEX) == expected


def test_resolve_unique_code_wins_over_a_bin_with_the_same_code() -> None:
    scan = resolve_scan("u0001", INDEX)
    assert scan == UniqueCodeScan(unique_code="U0001", sku_id="id-TEA-1", sku_code="TEA-1", raw="u0001")


def test_resolve_unique_code_wins_over_a_barcode() -> None:
    index = _index()
    index.unique_codes[EAN_13] = UniqueCodeHit(unique_code=EAN_13, sku_id="id-TEA-1", sku_code="TEA-1")
    assert isinstance(resolve_scan(EAN_13, index), UniqueCodeScan)


def test_resolve_bin_that_looks_like_a_stocktake_number_is_a_bin() -> None:
    assert isinstance(resolve_scan("ST-01", INDEX), BinScan)
    assert _document("ST-02").doc_type == "stocktake"


def test_resolve_internal_barcode_that_looks_like_an_order_number_is_the_sku() -> None:
    assert _sku("SO-PROMO-1").sku_code == "PROMO-1"


@pytest.mark.parametrize("raw", ["hello world", "你好", "XYZ-999", "A" * 65, "]Y1abc", "(hello)", "ABC\x00DEF"])
def test_resolve_unmatched_text_is_unknown_code(raw: str) -> None:
    assert _unknown(raw).reason_code == "scan.unknown_code"


# GS1 element strings


def test_resolve_gs1_hri_gives_gtin_expiry_and_batch() -> None:
    scan = _sku(GS1_HRI)
    assert (scan.sku_code, scan.gtin, scan.expiry, scan.batch, scan.serial) == (
        "TEA-1", EAN_13_KEY, date(2026, 12, 31), "LOT42", "",
    )


@pytest.mark.parametrize("raw", [GS1_128_WITH_GS, GS1_128_WITH_GS + "\r\n", GS1_WITHOUT_PREFIX, full_width(GS1_HRI)])
def test_resolve_gs1_128_with_group_separators(raw: str) -> None:
    scan = _sku(raw)
    assert (scan.sku_code, scan.qty_base, scan.expiry, scan.batch) == ("TEA-1", 1, date(2026, 12, 31), "LOT42")


def test_resolve_gs1_serial_goes_to_serial() -> None:
    assert _sku(GS1_128_WITH_GS).serial == "SN001"


def test_resolve_gs1_datamatrix_with_batch_before_expiry() -> None:
    scan = _sku(GS1_DATAMATRIX)
    assert (scan.batch, scan.expiry) == ("LOT42", date(2026, 12, 31))


@pytest.mark.parametrize("prefix", ["]Q3", "]Q1", "]d2", ""])
def test_resolve_gs1_digital_link_in_a_qr_code(prefix: str) -> None:
    scan = _sku(prefix + "https://id.gs1.org/01/06901234567892/10/LOT42?17=261231")
    assert (scan.sku_code, scan.batch, scan.expiry) == ("TEA-1", "LOT42", date(2026, 12, 31))


def test_resolve_plain_url_in_a_qr_code_is_unknown_code() -> None:
    assert _unknown("]Q1https://example.com/p/123").reason_code == "scan.unknown_code"


def test_resolve_plain_code128_of_sixteen_digits_is_not_read_as_gs1() -> None:
    index = _index()
    index.add_barcode("]C00106901234567892", "LONG-1")  # without the prefix it reads as GS1
    assert _sku("]C00106901234567892", index).sku_code == "LONG-1"


def test_resolve_gs1_bare_digits_without_prefix_or_separator() -> None:
    assert _sku("0106901234567892" "17261231" "10LOT42").batch == "LOT42"


def test_resolve_gs1_day_00_expiry_is_the_last_day_of_the_month() -> None:
    assert _sku("(01)06901234567892(17)260200").expiry == date(2026, 2, 28)


def test_resolve_gs1_count_of_contained_units_multiplies_the_pack() -> None:
    assert _sku(GS1_CASE_COUNT).qty_base == 24
    assert _sku(f"(01){CASE_GTIN_14}(30)5").qty_base == 60


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (GS1_BAD_CHECK_DIGIT, "scan.bad_check_digit"),
        (GS1_BAD_DATE, "scan.bad_gs1"),
        ("]C1hello", "scan.bad_gs1"),
        ("]Q3hello", "scan.bad_gs1"),
        ("(01)123", "scan.bad_gs1"),
        ("(9999)1", "scan.bad_gs1"),
        ("(01)06901234567892(30)0", "scan.bad_gs1"),
        ("(10)LOT42", "scan.gs1_no_gtin"),
        (f"(01){UNREGISTERED_EAN_13.zfill(14)}(10)X", "scan.unknown_barcode"),
        (f"(01){ARCHIVED_EAN_13.zfill(14)}(10)X", "scan.archived_sku"),
    ],
)
def test_resolve_bad_gs1_is_unknown_with_reason(raw: str, reason: str) -> None:
    assert _unknown(raw).reason_code == reason


# documents


@pytest.mark.parametrize("pattern", DOCUMENT_PATTERNS, ids=lambda p: p.example)
def test_resolve_document_pattern_examples_are_documents(pattern: DocumentPattern) -> None:
    scan = _document(pattern.example.lower() + "\r\n")
    assert (scan.doc_type, scan.number, scan.carrier) == (pattern.doc_type, pattern.example, pattern.carrier)


@pytest.mark.parametrize(
    ("raw", "doc_type", "carrier"),
    [
        ("]C0SF1234567890123", "waybill", "SF"),
        ("731000123456", "waybill", "ZTO"),
        ("TR-2024-7", "transfer", ""),
        ("rc-abc", "receipt", ""),
    ],
)
def test_resolve_document_numbers(raw: str, doc_type: str, carrier: str) -> None:
    scan = _document(raw)
    assert (scan.doc_type, scan.carrier) == (doc_type, carrier)


def test_resolve_registered_upc_a_wins_over_the_zto_waybill_pattern() -> None:
    assert _sku(UPC_A_STARTING_73).sku_code == "SOAP-1"
    assert _document("731234567890").carrier == "ZTO"


@pytest.mark.parametrize("raw", ["SF12345", "YT123", "SO-", "XX-1234", "7312345678901"])
def test_resolve_near_document_numbers_are_not_documents(raw: str) -> None:
    assert not isinstance(resolve_scan(raw, INDEX), DocumentScan)


@given(st.text("0123456789", min_size=13, max_size=13))
def test_no_document_pattern_matches_a_13_digit_number(code: str) -> None:
    assert match_document(code) is None


# empty and oversize input


@pytest.mark.parametrize("raw", [*BLANK_SCANS, "]E0", "]C1\r\n", "\x1d"])
def test_resolve_empty_scan_raises_barcode_empty(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        resolve_scan(raw, INDEX)
    assert info.value.code == "barcode.empty"


def test_resolve_4kb_string_raises_barcode_too_long() -> None:
    with pytest.raises(ValidationError) as info:
        resolve_scan(FOUR_KB, INDEX)
    assert info.value.code == "barcode.too_long"


# results and reasons


def test_scan_results_are_frozen() -> None:
    scan = _sku(EAN_13)
    with pytest.raises(dataclasses.FrozenInstanceError):
        scan.qty_base = 2  # type: ignore[misc]


@pytest.mark.parametrize("code", SCAN_REASONS)
def test_every_scan_reason_has_chinese_and_english_text(code: str) -> None:
    zh, en = MESSAGES[code]
    assert zh and en and zh != en


# properties


@given(valid_gtin13s().flatmap(lambda code: noisy_scans(code).map(lambda noisy: (code, noisy))))
def test_any_gtin13_resolves_to_its_sku_whatever_the_scanner_noise(pair: tuple[str, str]) -> None:
    code, noisy = pair
    index = MemoryIndex()
    index.add_barcode(code, "SKU-X")
    scan = _sku(noisy, index)
    assert (scan.sku_code, scan.gtin, scan.raw) == ("SKU-X", "0" + code, noisy)


@given(valid_gtin13s().flatmap(lambda code: single_digit_substitutions(code).map(lambda bad: (code, bad))))
def test_any_single_digit_substitution_in_a_gtin13_is_a_bad_check_digit(pair: tuple[str, str]) -> None:
    code, mistyped = pair
    index = MemoryIndex()
    index.add_barcode(code, "SKU-X")
    assert _unknown(mistyped, index).reason_code == "scan.bad_check_digit"


@given(st.text() | scan_like_text())
def test_resolve_scan_never_raises_anything_but_empty_or_too_long(raw: str) -> None:
    try:
        result: ScanResult = resolve_scan(raw, INDEX)
    except ValidationError as exc:
        assert exc.code in {"barcode.empty", "barcode.too_long"}
    else:
        assert isinstance(result, SkuScan | BinScan | UniqueCodeScan | DocumentScan | UnknownScan)
        assert result.raw == raw
        if isinstance(result, UnknownScan):
            assert result.reason_code in SCAN_REASONS
