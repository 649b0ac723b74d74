"""The store read into what is printed: bin labels of a warehouse, SKU labels of given codes, a pick
task's sheet. Uses the store's named queries only.

    bin_labels(conn, warehouse_id, prefix) -> list[BinLabel]       storage bins, walking order
    sku_labels(conn, codes) -> list[SkuLabel]                      in the order given; unknown → error
    search_codes(conn, q) -> list[str]                             SKU codes matching a search (code or
                                                                   barcode prefix, name), by code
    pick_sheet(conn, task, printed_at) -> PickSheet

Errors: ``ValidationError`` ``print.unknown_skus``, ``print.too_many``, ``print.nothing``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection

from server.printing.model import MAX_LABELS, BinLabel, PickLine, PickSheet, SkuLabel
from server.store import catalogue, inventory_views
from server.store.tasks import Task
from shared.catalogue.model import BinKind
from shared.core.errors import NotFoundError, ValidationError

_SPLIT = re.compile(r"[\s,;，；、]+")
_SHOWN_UNKNOWN = 10
T = TypeVar("T")


def split_codes(text: str) -> list[str]:
    """Codes typed one per line or separated by commas/semicolons (full-width too), upper-cased, each once."""
    seen: dict[str, None] = {}
    for part in _SPLIT.split(unicodedata.normalize("NFKC", text)):
        if part.strip():
            seen.setdefault(part.strip().upper(), None)
    return list(seen)


def bin_labels(conn: Connection, warehouse_id: str, prefix: str) -> list[BinLabel]:
    warehouse = catalogue.get_warehouse(conn, warehouse_id)
    wanted = unicodedata.normalize("NFKC", prefix).strip().upper()
    found = [BinLabel(b.code, warehouse.code) for b in catalogue.list_bins(conn, warehouse.id)
             if b.kind is BinKind.STORAGE and b.code.startswith(wanted)]
    return _bounded(found)


def sku_labels(conn: Connection, codes: Sequence[str]) -> list[SkuLabel]:
    _bounded(codes)
    labels: list[SkuLabel] = []
    unknown: list[str] = []
    for code in codes:
        try:
            sku = catalogue.get_sku(conn, code)
        except NotFoundError:
            unknown.append(code)
            continue
        units = [b for b in catalogue.barcodes_of(conn, sku.id) if b.pack_qty_base == 1]
        best = next((b for b in units if b.kind == "gtin"), units[0] if units else None)
        labels.append(SkuLabel(sku.code, sku.name_zh, sku.price_fen, best.raw if best else ""))
    if unknown:
        shown = ", ".join(unknown[:_SHOWN_UNKNOWN]) + (" …" if len(unknown) > _SHOWN_UNKNOWN else "")
        raise ValidationError("print.unknown_skus", codes=shown)
    return _bounded(labels)


def search_codes(conn: Connection, q: str) -> list[str]:
    """Codes of the SKUs the back office's SKU list would show for ``q`` (at most ``MAX_LABELS``)."""
    if not q.strip():
        raise ValidationError("print.nothing")
    return [row.code for row in inventory_views.list_skus(conn, q=q, size=MAX_LABELS)][:MAX_LABELS]


def pick_sheet(conn: Connection, task: Task, printed_at: datetime) -> PickSheet:
    lines = list(task.data.get("lines", []))
    names = catalogue.skus_by_id(conn, {str(line["sku_id"]) for line in lines})
    warehouse = catalogue.get_warehouse(conn, task.warehouse_id)
    rows = []
    for seq, line in enumerate(lines, start=1):
        sku = names.get(str(line["sku_id"]))
        rows.append(PickLine(seq, str(line.get("bin_code", "")), sku.code if sku else "?", sku.name_zh if sku else "",
                             str(line.get("batch", "")), int(line.get("qty", 0)), int(line.get("slot", 0))))
    return PickSheet(task.id, f"{warehouse.code} {warehouse.name_zh}", rows, printed_at, int(task.data.get("slots", 0)))


def _bounded(items: Sequence[T]) -> list[T]:
    if not items:
        raise ValidationError("print.nothing")
    if len(items) > MAX_LABELS:
        raise ValidationError("print.too_many", limit=MAX_LABELS, count=len(items))
    return list(items)
