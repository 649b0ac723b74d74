"""Resolve a scan: one pure function says what any scanned string is.

    resolve_scan(raw, index) -> SkuScan | BinScan | UniqueCodeScan | DocumentScan | UnknownScan

The caller implements ``ScanIndex`` over its store (server) or replica (client); this module does no
I/O. The raw text is cleaned by ``normalize_scan`` (full-width digits, zero-width characters, the
CR/LF/Tab of keyboard-wedge scanners) and split from its AIM symbology prefix (``]E0``, ``]C1``…).

Order of checks:

1. A GS1 element string (``]C1``/``]d2``/``]Q3``/``]e0`` prefix, the bracketed ``(01)…(17)…`` form,
   text with GS separators, a bare ``01``/``02`` + 14 digits, or a GS1 Digital Link URI
   ``https://…/01/<GTIN>…``; see ``is_gs1_element_string``) goes straight to the GTIN path:
   AI 01 (or 02) is the GTIN, AI 10 the batch, AI 17 the expiry, AI 21 the serial, and AI 30/37 a
   count that multiplies the barcode's pack quantity.
2. Otherwise the code, upper-cased (codes are case-insensitive), is looked up in order as a unique
   code, a bin code, then a barcode (``classify_barcode`` key: GTIN-14 or internal code).
3. Only if the index knows none of them are the document patterns (``DOCUMENT_PATTERNS``) tried, so
   a bin or internal barcode that happens to look like a document number wins.
4. Anything else is an ``UnknownScan`` whose reason says why (``scan.*`` codes, texts from
   ``shared.core.messages``).

``resolve_scan`` raises only ``ValidationError`` ``barcode.empty`` (nothing but whitespace, or an
AIM prefix alone) and ``barcode.too_long`` (over 512 characters); every other malformed input is an
``UnknownScan``. A barcode of an archived SKU is ``scan.archived_sku``; a merged SKU's barcodes are
repointed by the store to the surviving SKU, so they resolve to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol, TypeAlias

import biip
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message

from shared.catalogue.barcode import (
    GS1_MESSAGE_SYMBOLOGIES,
    canonical_gtin,
    classify_barcode,
    internal_code_key,
    is_gs1_element_string,
    normalize_scan,
    shown,
    split_symbology,
)
from shared.core.errors import ValidationError
from shared.core.messages import MESSAGES
from shared.core.quantity import parse_qty

DocType = Literal["order", "waybill", "transfer", "receipt", "stocktake"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BarcodeHit:
    """A barcode row: ``pack_qty_base`` is 1 for a unit barcode, 12 for a case of 12."""

    sku_id: str
    sku_code: str
    pack_qty_base: int
    archived: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BinHit:
    bin_id: str
    bin_code: str
    warehouse_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UniqueCodeHit:
    unique_code: str
    sku_id: str
    sku_code: str


class ScanIndex(Protocol):
    """Look-ups the caller provides; each returns ``None`` when nothing matches. Codes come upper-cased."""

    def sku_for_barcode(self, key: str) -> BarcodeHit | None: ...

    def bin_for_code(self, code: str) -> BinHit | None: ...

    def unique_code(self, code: str) -> UniqueCodeHit | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SkuScan:
    """A product: ``qty_base`` is the pack quantity, times the GS1 count (AI 30/37) if there is one.

    ``gtin`` is the GTIN-14, empty for an internal barcode; ``batch``/``serial`` are empty when absent.
    """

    sku_id: str
    sku_code: str
    qty_base: int
    gtin: str = ""
    batch: str = ""
    expiry: date | None = None
    serial: str = ""
    raw: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BinScan:
    bin_id: str
    bin_code: str
    warehouse_id: str
    raw: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UniqueCodeScan:
    unique_code: str
    sku_id: str
    sku_code: str
    raw: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentScan:
    """A document number; ``carrier`` names the courier of a waybill, empty for our own documents."""

    doc_type: DocType
    number: str
    raw: str
    carrier: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownScan:
    """Not usable; ``reason_code`` is stable (``scan.*``), the texts are for the operator."""

    raw: str
    reason_code: str
    reason_zh: str
    reason_en: str


ScanResult: TypeAlias = SkuScan | BinScan | UniqueCodeScan | DocumentScan | UnknownScan


@dataclass(frozen=True, slots=True)
class DocumentPattern:
    """A document number shape; ``example`` is documentation and is tested to match."""

    doc_type: DocType
    carrier: str
    pattern: re.Pattern[str]
    example: str


_OWN_NUMBER = r"-[0-9A-Z][0-9A-Z-]{0,39}"

# Matched in order against the upper-cased code, whole string. Our own numbers are a two-letter type,
# a dash, then letters/digits/dashes. Waybills: SF Express "SF" + 12-15 digits, YTO "YT" + 13 digits,
# ZTO 12 or 14 digits starting 73/75/78 (never 13, which would shadow a mistyped EAN-13). A numeric
# waybill can also be a UPC-A or GTIN-14: the barcode look-up comes first, so a registered GTIN wins.
DOCUMENT_PATTERNS: tuple[DocumentPattern, ...] = (
    DocumentPattern("order", "", re.compile("SO" + _OWN_NUMBER), "SO-20240102-0001"),
    DocumentPattern("transfer", "", re.compile("TR" + _OWN_NUMBER), "TR-20240102-0001"),
    DocumentPattern("receipt", "", re.compile("RC" + _OWN_NUMBER), "RC-20240102-0001"),
    DocumentPattern("stocktake", "", re.compile("ST" + _OWN_NUMBER), "ST-20240102-0001"),
    DocumentPattern("waybill", "SF", re.compile(r"SF[0-9]{12,15}"), "SF1234567890123"),
    DocumentPattern("waybill", "YTO", re.compile(r"YT[0-9]{13}"), "YT7512345678901"),
    DocumentPattern("waybill", "ZTO", re.compile(r"7[358](?:[0-9]{10}|[0-9]{12})"), "73100012345678"),
)

# What a refused barcode means to the operator; any other refusal is "scan.unknown_code".
_BARCODE_REASONS = {
    "barcode.bad_check_digit": "scan.bad_check_digit",
    "barcode.bad_length": "scan.bad_length",
    "barcode.scientific_notation": "scan.scientific_notation",
}


def resolve_scan(raw: str, index: ScanIndex) -> ScanResult:
    """Say what a scanned string is. Raises only ``barcode.empty`` and ``barcode.too_long``."""
    text = normalize_scan(raw)
    symbology, body = split_symbology(text)
    if not body:
        raise ValidationError("barcode.empty")
    if is_gs1_element_string(text):
        return _resolve_gs1(raw, text, index)
    return _resolve_code(raw, symbology, body, index)


def match_document(code: str) -> DocumentPattern | None:
    """The first document pattern the whole (upper-cased) code matches, if any."""
    return next((p for p in DOCUMENT_PATTERNS if p.pattern.fullmatch(code)), None)


def _resolve_code(raw: str, symbology: str, body: str, index: ScanIndex) -> ScanResult:
    found = _lookup_code(raw, body, index)
    if found is not None:
        return found
    scan = _lookup_barcode(raw, symbology, body, index)
    if isinstance(scan, SkuScan) or scan.reason_code == "scan.archived_sku":
        return scan
    document = match_document(body.upper())
    if document is None:
        return scan
    return DocumentScan(doc_type=document.doc_type, number=body.upper(), raw=raw, carrier=document.carrier)


def _lookup_code(raw: str, body: str, index: ScanIndex) -> UniqueCodeScan | BinScan | None:
    try:
        code = internal_code_key(body)
    except ValidationError:
        return None
    unique = index.unique_code(code)
    if unique is not None:
        return UniqueCodeScan(
            unique_code=unique.unique_code, sku_id=unique.sku_id, sku_code=unique.sku_code, raw=raw
        )
    found = index.bin_for_code(code)
    if found is not None:
        return BinScan(bin_id=found.bin_id, bin_code=found.bin_code, warehouse_id=found.warehouse_id, raw=raw)
    return None


def _lookup_barcode(raw: str, symbology: str, body: str, index: ScanIndex) -> SkuScan | UnknownScan:
    try:
        kind, key = classify_barcode(body, symbology)
    except ValidationError as exc:
        reason = _BARCODE_REASONS.get(exc.code)
        if reason is None:
            return _unknown(raw, "scan.unknown_code", code=shown(body))
        return _unknown(raw, reason, **exc.details)
    hit = index.sku_for_barcode(key)
    if hit is None and kind == "gtin":
        return _unknown(raw, "scan.unknown_barcode", barcode=key)
    if hit is None:
        return _unknown(raw, "scan.unknown_code", code=key)
    if hit.archived:
        return _unknown(raw, "scan.archived_sku", barcode=key, sku=hit.sku_code)
    gtin = key if kind == "gtin" else ""
    return SkuScan(sku_id=hit.sku_id, sku_code=hit.sku_code, qty_base=hit.pack_qty_base, gtin=gtin, raw=raw)


def _resolve_gs1(raw: str, text: str, index: ScanIndex) -> SkuScan | UnknownScan:
    try:
        elements = _gs1_element_strings(text)
    except (biip.BiipException, ValueError):
        return _unknown(raw, "scan.bad_gs1", barcode=shown(text))
    gtin_element = elements.get(ai="01") or elements.get(ai="02")
    if gtin_element is None:
        return _unknown(raw, "scan.gs1_no_gtin", barcode=shown(text))
    try:
        gtin = canonical_gtin(gtin_element.value)
    except ValidationError:
        return _unknown(raw, "scan.bad_check_digit", barcode=shown(gtin_element.value))
    hit = index.sku_for_barcode(gtin)
    if hit is None:
        return _unknown(raw, "scan.unknown_barcode", barcode=gtin)
    if hit.archived:
        return _unknown(raw, "scan.archived_sku", barcode=gtin, sku=hit.sku_code)
    try:
        qty_base = parse_qty(_gs1_count(elements) * hit.pack_qty_base)
    except (ValidationError, ValueError):
        return _unknown(raw, "scan.bad_gs1", barcode=shown(text))
    return SkuScan(
        sku_id=hit.sku_id,
        sku_code=hit.sku_code,
        qty_base=qty_base,
        gtin=gtin,
        batch=_gs1_value(elements, "10"),
        expiry=_gs1_date(elements, "17"),
        serial=_gs1_value(elements, "21"),
        raw=raw,
    )


def _gs1_element_strings(text: str) -> GS1ElementStrings:
    """Parse with biip: a GS1 symbology with its AIM prefix (so biip knows what it is and never reads
    an EAN-13 as a bogus (95) message); otherwise by form: bracketed HRI, Digital Link URI, raw AIs."""
    symbology, body = split_symbology(text)
    if symbology in GS1_MESSAGE_SYMBOLOGIES:
        result = biip.parse(text)
        parsed = result.gs1_message or result.gs1_digital_link_uri
        if parsed is None:
            raise biip.ParseError(result.gs1_message_error or "not a GS1 message")
        return parsed.element_strings
    if body.startswith("("):
        return GS1Message.parse_hri(body).element_strings
    if body[:4].lower() == "http":
        return GS1DigitalLinkURI.parse(body).element_strings
    return GS1Message.parse(body).element_strings


def _gs1_count(elements: GS1ElementStrings) -> int:
    count = elements.get(ai="30") or elements.get(ai="37")
    return 1 if count is None else int(count.value)


def _gs1_value(elements: GS1ElementStrings, ai: str) -> str:
    element = elements.get(ai=ai)
    return "" if element is None else element.value


def _gs1_date(elements: GS1ElementStrings, ai: str) -> date | None:
    element = elements.get(ai=ai)
    return None if element is None else element.date


def _unknown(raw: str, reason_code: str, **details: object) -> UnknownScan:
    zh, en = MESSAGES[reason_code]
    return UnknownScan(
        raw=raw, reason_code=reason_code, reason_zh=zh.format(**details), reason_en=en.format(**details)
    )
