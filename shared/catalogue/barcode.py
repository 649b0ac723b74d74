"""Barcodes: cleaning what a scanner sends, checking GTINs, and the one key a barcode is stored under.

Every way of writing the same barcode must find the same row, so a barcode row is stored and looked
up under a key made by ``classify_barcode_for_storage`` (or ``classify_barcode`` for a scan that is
already cleaned and split from its symbology prefix):

    kind       key                          written as
    gtin       the GTIN-14, zero-padded     UPC-A 036000241457, EAN-13 0036000241457, GTIN-14 00036000241457
    internal   the code, upper-cased        Code 128 ``abc-12`` and ``ABC-12``

Rules (the barcode items of BAD_INPUTS.md):

- ``normalize_scan`` first: NFKC (full-width ``６９０…`` becomes ASCII), zero-width characters
  removed, the CR/LF/Tab/space (and stray GS) a keyboard-wedge scanner adds at either end stripped.
  GS (``\\x1d``, FNC1) inside the text is kept: it separates GS1 fields.
- A numeric string of 8, 12, 13 or 14 digits is a GTIN and must carry the right GS1 check digit.
  UPC-A and EAN-13 that Excel stripped of one leading zero still land on the same key.
- A numeric string of 7, 9, 10 or 11 digits is a GTIN with a digit missing (or leading zeros that
  Excel stripped): refused, never padded on a guess. Shorter or longer numbers are internal codes.
- Excel's scientific notation (``6.90123E+12``) is refused: the digits are already lost.
- Internal codes are case-insensitive and keyed upper-case, as ``shared.core.text.clean_code`` does:
  people type codes in either case, and a keyboard-wedge scanner inverts the case of Code 128 when
  Caps Lock is on. Allowed: ASCII letters, digits and ``. _ / # : + -``, at most 64 characters.
- A leading AIM symbology identifier (``]E0``, ``]C0``…) is not part of the code.
- 8 digits are a UPC-E, expanded to its UPC-A, when they start with 0 (GS1 issues no GTIN-8 there),
  or start with 1 and came with ``]E0``; otherwise (and always with ``]E4``) they are a GTIN-8.
- A GS1 element string (``(01)…(17)…``, ``]C1…``, text with GS, bare ``01`` + 14 digits…, or a GS1
  Digital Link ``https://…/01/<GTIN>``) is a scan carrying a GTIN, not a barcode to register:
  register its (01) GTIN instead.

Errors, all ``ValidationError``: ``barcode.empty``, ``barcode.too_long``, ``barcode.bad_characters``,
``barcode.bad_length``, ``barcode.bad_check_digit``, ``barcode.scientific_notation``,
``barcode.gs1_element_string``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from biip import ParseError
from biip.upc import Upc
from stdnum import ean

from shared.core.errors import ValidationError

BarcodeKind = Literal["gtin", "internal"]

MAX_SCAN_CHARS = 512
MAX_INTERNAL_CODE_CHARS = 64
GTIN_LENGTHS = frozenset({8, 12, 13, 14})
GS1_MESSAGE_SYMBOLOGIES = frozenset({"]C1", "]e0", "]d2", "]Q3"})  # GS1-128, DataBar, DataMatrix, QR

# Raw input longer than this is refused before NFKC, so a huge paste costs nothing to reject.
_MAX_RAW_CHARS = 4 * MAX_SCAN_CHARS
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_EDGE_CHARS = " \t\r\n\x1d"
# ISO/IEC 15424 symbology identifier: "]", a code character, one modifier character. "]Y" (system
# expansion, variable length) is not supported and stays part of the text.
_AIM_PREFIX = re.compile(r"\][A-IK-UXZcdeopsz][0-9A-Za-z]")
_DIGITS = re.compile(r"[0-9]+")
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE]\+[0-9]{1,3}")
_INTERNAL_CODE = re.compile(r"[0-9A-Za-z._/#:+\-]+")
_GS1_HRI = re.compile(r"\([0-9]{2,4}\)")
_BARE_GS1 = re.compile(r"0[12][0-9]{14}")  # (01) or (02) + GTIN-14 with no brackets and no prefix
_DIGITAL_LINK = re.compile(r"https?://[^?#]*/01/[0-9]", re.IGNORECASE)  # GS1 Digital Link URI with a GTIN
_SHOWN_CHARS = 40


def normalize_scan(raw: str) -> str:
    """What the scanner meant: NFKC, zero-width characters removed, edge CR/LF/Tab/space/GS stripped."""
    if not isinstance(raw, str):
        raise ValidationError("barcode.bad_characters", barcode=shown(repr(raw)))
    if len(raw) > _MAX_RAW_CHARS:
        raise ValidationError("barcode.too_long", length=len(raw), limit=MAX_SCAN_CHARS)
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", raw)).strip(_EDGE_CHARS)
    if not text:
        raise ValidationError("barcode.empty")
    if len(text) > MAX_SCAN_CHARS:
        raise ValidationError("barcode.too_long", length=len(text), limit=MAX_SCAN_CHARS)
    return text


def split_symbology(text: str) -> tuple[str, str]:
    """Split a leading AIM symbology identifier off: ``"]E0690…"`` -> ``("]E0", "690…")``.

    Returns ``("", text)`` when there is none. The rest is stripped of edge whitespace and GS.
    """
    match = _AIM_PREFIX.match(text)
    if match is None:
        return "", text
    return match.group(), text[match.end() :].strip(_EDGE_CHARS)


def is_gs1_element_string(text: str) -> bool:
    """Whether normalised scan text is a GS1 element string (AIs), to be parsed rather than looked up."""
    symbology, body = split_symbology(text)
    if symbology in GS1_MESSAGE_SYMBOLOGIES:
        return True
    if symbology[:2] in ("]E", "]I"):  # EAN/UPC and ITF carry digits only
        return False
    if "\x1d" in body or _GS1_HRI.match(body) or _DIGITAL_LINK.match(body):
        return True
    return not symbology and bool(_BARE_GS1.match(body))  # a plain Code 128 (]C0) may hold any digits


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for a GTIN without its check digit (7, 11, 12 or 13 digits)."""
    if not _DIGITS.fullmatch(body):
        raise ValidationError("barcode.bad_characters", barcode=shown(body))
    if len(body) + 1 not in GTIN_LENGTHS:
        raise ValidationError("barcode.bad_length", length=len(body), barcode=shown(body))
    return int(ean.calc_check_digit(body))


def is_valid_gtin(digits: str) -> bool:
    """Whether ``digits`` is a GTIN-8/12/13/14 of ASCII digits with a correct check digit."""
    return bool(_DIGITS.fullmatch(digits)) and len(digits) in GTIN_LENGTHS and ean.is_valid(digits)


def canonical_gtin(code: str) -> str:
    """The GTIN-14 form of a GTIN-8, UPC-A, EAN-13 or GTIN-14, after checking its check digit."""
    text = normalize_scan(code)
    _refuse_scientific(text)
    if not _DIGITS.fullmatch(text):
        raise ValidationError("barcode.bad_characters", barcode=shown(text))
    if len(text) not in GTIN_LENGTHS:
        raise ValidationError("barcode.bad_length", length=len(text), barcode=shown(text))
    if not ean.is_valid(text):
        raise ValidationError("barcode.bad_check_digit", barcode=text)
    return text.zfill(14)


def classify_barcode_for_storage(code: str) -> tuple[BarcodeKind, str]:
    """``(kind, key)`` for a barcode being registered to a SKU; the key is the row's unique lookup key."""
    text = normalize_scan(code)
    if is_gs1_element_string(text):
        raise ValidationError("barcode.gs1_element_string", barcode=shown(text))
    symbology, body = split_symbology(text)
    if not body:
        raise ValidationError("barcode.empty")
    return classify_barcode(body, symbology)


def classify_barcode(body: str, symbology: str = "") -> tuple[BarcodeKind, str]:
    """``(kind, key)`` for normalised scan text without its AIM prefix (given apart as ``symbology``)."""
    _refuse_scientific(body)
    if _DIGITS.fullmatch(body):
        digits = _upc_e_as_upc_a(body) if _is_upc_e(body, symbology) else body
        if len(digits) in GTIN_LENGTHS:
            return "gtin", canonical_gtin(digits)
        if 7 <= len(digits) < 14:
            raise ValidationError("barcode.bad_length", length=len(digits), barcode=digits)
    return "internal", internal_code_key(body)


def internal_code_key(code: str) -> str:
    """The key of an internal (non-GTIN) code: checked characters, upper-cased."""
    if len(code) > MAX_INTERNAL_CODE_CHARS:
        raise ValidationError("barcode.too_long", length=len(code), limit=MAX_INTERNAL_CODE_CHARS)
    if not _INTERNAL_CODE.fullmatch(code):
        raise ValidationError("barcode.bad_characters", barcode=shown(code))
    return code.upper()


def shown(text: str) -> str:
    """``text`` made safe to put in a message: at most 40 characters, control characters escaped."""
    head = "".join(_escaped(c) for c in text[:_SHOWN_CHARS])
    return head + "…" if len(text) > _SHOWN_CHARS else head


def _escaped(char: str) -> str:
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def _refuse_scientific(text: str) -> None:
    if _SCIENTIFIC.fullmatch(text):
        raise ValidationError("barcode.scientific_notation", barcode=text)


def _is_upc_e(digits: str, symbology: str) -> bool:
    # AIM sends EAN-8 as "]E4" and UPC-E as "]E0" (number system 0 or 1). GS1 issues no GTIN-8 starting
    # with 0 (that range is restricted-circulation RCN-8), so without a prefix "0…" is a UPC-E.
    if len(digits) != 8 or symbology == "]E4":
        return False
    return digits[0] == "0" or (symbology == "]E0" and digits[0] == "1")


def _upc_e_as_upc_a(digits: str) -> str:
    try:
        return Upc.parse(digits).as_upc_a()
    except ParseError:
        raise ValidationError("barcode.bad_check_digit", barcode=digits) from None
