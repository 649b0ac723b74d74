"""Barcode cleaning, GTIN check digits and storage keys, against the barcode items of BAD_INPUTS.md."""

from __future__ import annotations

import pytest
from hypothesis import given

from shared.catalogue.barcode import (
    MAX_SCAN_CHARS,
    canonical_gtin,
    classify_barcode,
    classify_barcode_for_storage,
    gtin_check_digit,
    is_gs1_element_string,
    is_valid_gtin,
    normalize_scan,
    shown,
    split_symbology,
)
from shared.core.errors import ValidationError
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
    GS1_DATAMATRIX,
    GS1_HRI,
    GS1_WITHOUT_PREFIX,
    GTIN_8,
    GTIN_8_KEY,
    GTIN_14_OF_UPC_A,
    INTERNAL_CODE_KEY,
    LOWERCASE_CODE128,
    SCANNER_SUFFIXES,
    SHORT_7,
    UPC_A,
    UPC_A_KEY,
    UPC_A_ZERO_STRIPPED,
    UPC_E,
    UPC_E_KEY,
    WRONG_CHECK_DIGIT,
    ZERO_WIDTH_EAN_13,
    noisy_scans,
    single_digit_substitutions,
    valid_gtin13s,
)


def _code_of(call: object, *args: str) -> str:
    assert callable(call)
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value.code


# normalize_scan


def test_normalize_scan_full_width_digits_become_ascii() -> None:
    assert normalize_scan(FULL_WIDTH_EAN_13) == EAN_13


@pytest.mark.parametrize("suffix", SCANNER_SUFFIXES)
def test_normalize_scan_strips_keyboard_wedge_cr_lf_tab(suffix: str) -> None:
    assert normalize_scan(EAN_13 + suffix) == EAN_13
    assert normalize_scan(suffix + " " + EAN_13 + suffix) == EAN_13


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_normalize_scan_removes_zero_width_characters(char: str) -> None:
    assert normalize_scan(char + "690123" + char + "4567892" + char) == EAN_13
    assert normalize_scan(ZERO_WIDTH_EAN_13) == EAN_13


def test_normalize_scan_keeps_inner_group_separators_and_drops_edge_ones() -> None:
    assert normalize_scan("\x1d0106901234567892\x1d10AB\x1d\r\n") == "0106901234567892\x1d10AB"


def test_normalize_scan_keeps_aim_prefix_for_the_resolver() -> None:
    assert normalize_scan("]E0" + EAN_13 + "\r\n") == "]E0" + EAN_13


@pytest.mark.parametrize("raw", BLANK_SCANS)
def test_normalize_scan_blank_raises_barcode_empty(raw: str) -> None:
    assert _code_of(normalize_scan, raw) == "barcode.empty"


def test_normalize_scan_4kb_string_raises_barcode_too_long() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_scan(FOUR_KB)
    assert info.value.code == "barcode.too_long"
    assert info.value.details == {"length": 4096, "limit": MAX_SCAN_CHARS}


def test_normalize_scan_limit_is_counted_after_cleaning() -> None:
    assert normalize_scan("A" * MAX_SCAN_CHARS + "\r\n") == "A" * MAX_SCAN_CHARS
    assert normalize_scan("\u200b" * 100 + "A" * MAX_SCAN_CHARS) == "A" * MAX_SCAN_CHARS
    assert _code_of(normalize_scan, "A" * (MAX_SCAN_CHARS + 1)) == "barcode.too_long"


def test_normalize_scan_non_text_raises_bad_characters() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_scan(6901234567892)  # type: ignore[arg-type]
    assert info.value.code == "barcode.bad_characters"


# symbology prefixes and GS1 detection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("]E0" + EAN_13, ("]E0", EAN_13)),
        ("]C1\x1d0106901234567892", ("]C1", "0106901234567892")),
        ("]d2010690123456789210AB", ("]d2", "010690123456789210AB")),
        ("]Q3https://id.gs1.org/01/06901234567892", ("]Q3", "https://id.gs1.org/01/06901234567892")),
        (EAN_13, ("", EAN_13)),
        ("]Y1abc", ("", "]Y1abc")),  # system expansion is not supported
        ("]", ("", "]")),
        ("]E", ("", "]E")),
    ],
)
def test_split_symbology_separates_aim_prefix(text: str, expected: tuple[str, str]) -> None:
    assert split_symbology(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        GS1_HRI,
        GS1_128_WITH_GS,
        GS1_DATAMATRIX,
        normalize_scan(GS1_WITHOUT_PREFIX),
        "0106901234567892",
        "]Q3x",
        "https://id.gs1.org/01/06901234567892",
        "]Q1HTTPS://example.com/shop/01/06901234567892?10=AB",
        "]C0(01)06901234567892",
    ],
)
def test_is_gs1_element_string_recognises_ai_forms(text: str) -> None:
    assert is_gs1_element_string(text)


@pytest.mark.parametrize(
    "text",
    [
        EAN_13,
        "]E0" + EAN_13,
        CASE_GTIN_14,
        "]C0ABC-123",
        "(hello)",
        "010690123456789",
        "]C00106901234567892",  # plain Code 128: any digits
        "]E3" + "0106901234567" + "89012",  # EAN-13 with a 5-digit add-on
        "https://example.com/p/123",
    ],
)
def test_is_gs1_element_string_leaves_plain_codes_alone(text: str) -> None:
    assert not is_gs1_element_string(text)


# check digits


@pytest.mark.parametrize(
    ("body", "check"),
    [("690123456789", 2), ("03600024145", 7), ("9638507", 4), ("1690123456789", 9), ("003600024145", 7)],
)
def test_gtin_check_digit_matches_gs1_mod10(body: str, check: int) -> None:
    assert gtin_check_digit(body) == check


@pytest.mark.parametrize("body", ["6901234567", "6901234567890123", "123456"])
def test_gtin_check_digit_wrong_body_length_raises_bad_length(body: str) -> None:
    assert _code_of(gtin_check_digit, body) == "barcode.bad_length"


@pytest.mark.parametrize("body", ["69012345678X", "６９０１２３４５６７８９", "٦٩٠١٢٣٤٥٦٧٨٩", ""])
def test_gtin_check_digit_non_ascii_digits_raise_bad_characters(body: str) -> None:
    assert _code_of(gtin_check_digit, body) == "barcode.bad_characters"


@pytest.mark.parametrize("code", [GTIN_8, UPC_A, EAN_13, CASE_GTIN_14, EAN_13_OF_UPC_A])
def test_is_valid_gtin_accepts_all_four_lengths(code: str) -> None:
    assert is_valid_gtin(code)


@pytest.mark.parametrize(
    "code", [WRONG_CHECK_DIGIT, SHORT_7, UPC_A_ZERO_STRIPPED, "0036000-241457", " 6901234567892", "٦٩٠١٢٣٤٥٦٧٨٩٢", ""]
)
def test_is_valid_gtin_rejects_bad_check_digit_length_or_characters(code: str) -> None:
    assert not is_valid_gtin(code)


# canonical GTIN-14 keys


def test_canonical_gtin_upc_a_ean13_and_gtin14_share_one_key() -> None:
    keys = {canonical_gtin(code) for code in (UPC_A, EAN_13_OF_UPC_A, GTIN_14_OF_UPC_A)}
    assert keys == {UPC_A_KEY}


def test_canonical_gtin_pads_gtin8_and_ean13() -> None:
    assert canonical_gtin(GTIN_8) == GTIN_8_KEY
    assert canonical_gtin(EAN_13) == EAN_13_KEY
    assert canonical_gtin(CASE_GTIN_14) == CASE_GTIN_14


def test_canonical_gtin_full_width_and_scanner_noise_are_cleaned_first() -> None:
    assert canonical_gtin(FULL_WIDTH_EAN_13 + "\r\n") == EAN_13_KEY
    assert canonical_gtin(ZERO_WIDTH_EAN_13) == EAN_13_KEY


def test_canonical_gtin_wrong_check_digit_raises_with_the_barcode() -> None:
    with pytest.raises(ValidationError) as info:
        canonical_gtin(WRONG_CHECK_DIGIT)
    assert info.value.code == "barcode.bad_check_digit"
    assert info.value.details == {"barcode": WRONG_CHECK_DIGIT}
    assert WRONG_CHECK_DIGIT in info.value.message("zh-CN")


@pytest.mark.parametrize("code", [SHORT_7, "690123456", "6901234567", UPC_A_ZERO_STRIPPED, "690123456789212"])
def test_canonical_gtin_non_gtin_lengths_raise_bad_length(code: str) -> None:
    with pytest.raises(ValidationError) as info:
        canonical_gtin(code)
    assert info.value.code == "barcode.bad_length"
    assert info.value.details == {"length": len(code), "barcode": code}


@pytest.mark.parametrize("code", [EXCEL_SCIENTIFIC, "6.90123e+12", "6,90123E+12", "7E+11"])
def test_canonical_gtin_excel_scientific_notation_raises(code: str) -> None:
    assert _code_of(canonical_gtin, code) == "barcode.scientific_notation"


@pytest.mark.parametrize("code", ["ABC-123", "690123-456789", "]E0" + EAN_13])
def test_canonical_gtin_non_digits_raise_bad_characters(code: str) -> None:
    assert _code_of(canonical_gtin, code) == "barcode.bad_characters"


@given(valid_gtin13s())
def test_canonical_gtin_of_any_gtin13_is_it_with_one_leading_zero(code: str) -> None:
    assert canonical_gtin(code) == "0" + code


@given(valid_gtin13s().flatmap(single_digit_substitutions))
def test_canonical_gtin_catches_every_single_digit_substitution(code: str) -> None:
    assert _code_of(canonical_gtin, code) == "barcode.bad_check_digit"


# storage keys


@pytest.mark.parametrize(
    ("code", "key"),
    [
        (UPC_A, UPC_A_KEY),
        (EAN_13_OF_UPC_A, UPC_A_KEY),
        (GTIN_14_OF_UPC_A, UPC_A_KEY),
        ("]E0" + EAN_13_OF_UPC_A, UPC_A_KEY),
        (FULL_WIDTH_EAN_13, EAN_13_KEY),
        (EAN_13 + "\r\n", EAN_13_KEY),
        (ZERO_WIDTH_EAN_13, EAN_13_KEY),
        (GTIN_8, GTIN_8_KEY),
        ("]E0" + UPC_E, UPC_E_KEY),
    ],
)
def test_classify_barcode_for_storage_numeric_gtin_lengths_are_gtins(code: str, key: str) -> None:
    assert classify_barcode_for_storage(code) == ("gtin", key)


def test_classify_barcode_for_storage_eight_digits_starting_with_zero_are_a_upc_e() -> None:
    assert classify_barcode_for_storage(UPC_E) == ("gtin", UPC_E_KEY)


def test_classify_barcode_for_storage_eight_digits_under_ean8_prefix_are_a_gtin8() -> None:
    assert classify_barcode_for_storage("]E4" + GTIN_8) == ("gtin", GTIN_8_KEY)
    assert _code_of(classify_barcode_for_storage, "]E4" + UPC_E) == "barcode.bad_check_digit"


def test_classify_barcode_for_storage_upc_e_number_system_1_needs_the_upc_e_prefix() -> None:
    upc_e_1 = "1" + UPC_E[1:-1] + "1"  # number system 1, same digits: UPC-A 142100005261
    assert classify_barcode_for_storage("]E0" + upc_e_1)[1] == "00142100005261"
    assert _code_of(classify_barcode_for_storage, upc_e_1) == "barcode.bad_check_digit"


@pytest.mark.parametrize(
    "code", [LOWERCASE_CODE128, "abc-123", "ABC-123", "Abc-123\r\n", "ａｂｃ－１２３", "]C0ABC-123"]
)
def test_classify_barcode_for_storage_internal_codes_are_case_insensitive(code: str) -> None:
    assert classify_barcode_for_storage(code) == ("internal", INTERNAL_CODE_KEY)


@pytest.mark.parametrize("code", ["1", "123456", "690123456789212", "0" * 20, "A-01-02-03", "SKU_1.2/3#4:5+6"])
def test_classify_barcode_for_storage_short_long_or_lettered_codes_are_internal(code: str) -> None:
    assert classify_barcode_for_storage(code) == ("internal", code.upper())


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (WRONG_CHECK_DIGIT, "barcode.bad_check_digit"),
        ("036000241458", "barcode.bad_check_digit"),
        ("00036000241458", "barcode.bad_check_digit"),
        ("96385075", "barcode.bad_check_digit"),
        ("]E004252615", "barcode.bad_check_digit"),  # UPC-E with a wrong check digit
        (SHORT_7, "barcode.bad_length"),
        ("690123456", "barcode.bad_length"),
        ("6901234567", "barcode.bad_length"),
        (UPC_A_ZERO_STRIPPED, "barcode.bad_length"),
        (EXCEL_SCIENTIFIC, "barcode.scientific_notation"),
        (GS1_HRI, "barcode.gs1_element_string"),
        (GS1_128_WITH_GS, "barcode.gs1_element_string"),
        (GS1_WITHOUT_PREFIX, "barcode.gs1_element_string"),
        ("0106901234567892", "barcode.gs1_element_string"),
        ("https://id.gs1.org/01/06901234567892", "barcode.gs1_element_string"),
        ("ABC 123", "barcode.bad_characters"),
        ("商品-1", "barcode.bad_characters"),
        ("ABC\x00", "barcode.bad_characters"),
        ("A" * 65, "barcode.too_long"),
        ("", "barcode.empty"),
        ("]E0\r\n", "barcode.empty"),
        (FOUR_KB, "barcode.too_long"),
    ],
)
def test_classify_barcode_for_storage_refuses_bad_barcodes(code: str, error: str) -> None:
    assert _code_of(classify_barcode_for_storage, code) == error


def test_classify_barcode_leading_zero_stripped_ean13_still_lands_on_the_upc_a_key() -> None:
    # Excel turns EAN-13 0036000241457 into 36000241457 only if it also drops the second zero;
    # dropping one zero gives the UPC-A, which is the same item.
    assert classify_barcode(EAN_13_OF_UPC_A[1:]) == ("gtin", UPC_A_KEY)


@given(valid_gtin13s().flatmap(lambda code: noisy_scans(code).map(lambda noisy: (code, noisy))))
def test_classify_barcode_for_storage_ignores_scanner_noise(pair: tuple[str, str]) -> None:
    code, noisy = pair
    assert classify_barcode_for_storage(noisy) == ("gtin", "0" + code)


def test_shown_escapes_control_characters_and_truncates() -> None:
    assert shown("AB\x00\x1d") == "AB\\x00\\x1d"
    assert shown("条码") == "条码"
    assert shown("9" * 50) == "9" * 40 + "…"
