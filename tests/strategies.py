"""Reusable hypothesis strategies and the BAD_INPUTS.md fixtures, one section per kind of bad input.

Add a new section per domain; keep each self-contained so tests import only what they use.
"""

from __future__ import annotations

from hypothesis import strategies as st
from stdnum import ean

# ---------------------------------------------------------------------------------------------
# Barcodes / SKUs (BAD_INPUTS.md "Barcodes / SKUs"; used by tests/shared/catalogue and tests/shared/scan)
# ---------------------------------------------------------------------------------------------

# One real item written the three ways it turns up; all three share the GTIN-14 key.
UPC_A = "036000241457"
EAN_13_OF_UPC_A = "0036000241457"
GTIN_14_OF_UPC_A = "00036000241457"
UPC_A_KEY = "00036000241457"

EAN_13 = "6901234567892"
EAN_13_KEY = "06901234567892"
GTIN_8 = "96385074"
GTIN_8_KEY = "00000096385074"
CASE_GTIN_14 = "16901234567899"  # indicator 1: a case of EAN_13's item
UPC_E = "04252614"  # expands to UPC-A 042100005264 when scanned with "]E0"
UPC_E_KEY = "00042100005264"

WRONG_CHECK_DIGIT = "6901234567891"  # EAN_13 with its last digit changed
SHORT_7 = "9638507"  # GTIN-8 with its check digit lost
UPC_A_ZERO_STRIPPED = "36000241457"  # 11 digits: Excel dropped the leading zero of UPC_A
EXCEL_SCIENTIFIC = "6.90123E+12"
FULL_WIDTH_EAN_13 = "６９０１２３４５６７８９２"
ZERO_WIDTH_EAN_13 = "690123\u200b4567892"
SCANNER_SUFFIXES = ("\r", "\n", "\r\n", "\t", "\r\n\t")
AIM_EAN_PREFIX = "]E0"
LOWERCASE_CODE128 = "]C0abc-123"
INTERNAL_CODE_KEY = "ABC-123"
FOUR_KB = "6" * 4096
BLANK_SCANS = ("", " ", "\r\n", "\t", "\u200b", "\ufeff\r\n")

# GS1 element strings for EAN_13's item: expiry 2026-12-31, batch LOT42, serial SN001.
GS1_HRI = "(01)06901234567892(17)261231(10)LOT42"
GS1_128_WITH_GS = "]C1010690123456789217261231" "10LOT42\x1d" "21SN001"
GS1_DATAMATRIX = "]d2010690123456789210LOT42\x1d17261231"
GS1_WITHOUT_PREFIX = "\x1d010690123456789217261231" "10LOT42"
GS1_CASE_COUNT = "]C1" "02" "06901234567892" "37" "24"  # 24 units of EAN_13's item in a logistic unit
GS1_BAD_CHECK_DIGIT = "(01)06901234567891(10)LOT42"
GS1_BAD_DATE = "(01)06901234567892(17)261340"

_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def full_width(text: str) -> str:
    """``text`` with ASCII letters, digits and punctuation turned into their full-width forms."""
    return text.translate(_FULL_WIDTH)


def with_check_digit(body: str) -> str:
    return body + ean.calc_check_digit(body)


def valid_gtin13s() -> st.SearchStrategy[str]:
    """Any GTIN-13: 12 random digits and their computed check digit."""
    return st.text("0123456789", min_size=12, max_size=12).map(with_check_digit)


@st.composite
def noisy_scans(draw: st.DrawFn, code: str) -> str:
    """``code`` as a scanner may send it: full-width, AIM prefix, zero-width and CR/LF/Tab noise."""
    text = full_width(code) if draw(st.booleans()) else code
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + "\u200b" + text[cut:]
    prefix = draw(st.sampled_from(("", AIM_EAN_PREFIX, full_width(AIM_EAN_PREFIX))))
    suffix = draw(st.sampled_from(("", *SCANNER_SUFFIXES)))
    return draw(st.sampled_from(("", " ", "\t"))) + prefix + text + suffix


@st.composite
def single_digit_substitutions(draw: st.DrawFn, code: str) -> str:
    """``code`` with exactly one digit replaced by a different digit."""
    position = draw(st.integers(0, len(code) - 1))
    digit = draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    return code[:position] + digit + code[position + 1 :]


def scan_like_text() -> st.SearchStrategy[str]:
    """Text near the shapes scanners send: prefixes, brackets, GS, digits, letters and junk."""
    pieces = st.sampled_from(
        ["]E0", "]C1", "]d2", "]Q3", "]e0", "]C0", "]Y", "]", "(01)", "(17)", "(10)", "(21)", "(30)",
         "(37)", "(02)", "(", ")", "\x1d", "01", "17", "10", "0690123456789", "6901234567892", "SF",
         "YT", "SO-", "73", "E+", ".", " ", "\r\n", "\u200b", "ａ", "６", "https://id.gs1.org/01/"]
    )
    return st.lists(pieces | st.text(max_size=6), max_size=12).map("".join)
