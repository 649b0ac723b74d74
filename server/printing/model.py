"""What is printed, as plain frozen data, and the few rules shared by the PDF and ZPL printers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.catalogue.barcode import is_valid_gtin

MAX_LABELS = 2000
MAX_COPIES = 100
_DROP = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]")


@dataclass(frozen=True, slots=True)
class BinLabel:
    code: str
    warehouse: str  # the warehouse code, printed small


@dataclass(frozen=True, slots=True)
class SkuLabel:
    code: str
    name: str
    price_fen: int
    barcode: str = ""  # the unit barcode to print; "" prints the SKU code as Code 128


@dataclass(frozen=True, slots=True)
class PickLine:
    seq: int
    bin_code: str
    sku_code: str
    name: str
    batch: str
    qty: int
    slot: int = 0


@dataclass(frozen=True, slots=True)
class PickSheet:
    task_id: str
    warehouse: str
    lines: Sequence[PickLine]
    printed_at: datetime
    slots: int = 0

    @property
    def units(self) -> int:
        return sum(line.qty for line in self.lines)


def symbology(label: SkuLabel) -> tuple[str, str]:
    """``("EAN13", the 12 digits before the check digit)`` for a GTIN-13 or UPC-A barcode, else
    ``("Code128", the barcode or the SKU code)``."""
    digits = label.barcode.strip()
    if digits.isdigit() and digits.isascii() and len(digits) in (12, 13):
        full = digits if len(digits) == 13 else "0" + digits
        if is_valid_gtin(full):
            return "EAN13", full[:12]
    return "Code128", (label.barcode.strip() or label.code)


def printable(text: str, *, max_chars: int = 80) -> str:
    """``text`` for one printed line: NFC, no control, bidi-override or invisible characters, at most
    ``max_chars`` characters (an ellipsis marks a cut)."""
    clean = _DROP.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return clean if len(clean) <= max_chars else clean[:max_chars - 1] + "…"


def price(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"¥{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"
