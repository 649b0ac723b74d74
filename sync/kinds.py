"""Operation kinds, their payload schemas and versions.

Each kind has a current payload version; the server also accepts the previous version for a
documented while (``ACCEPT_PREVIOUS_UNTIL``) and upgrades it before applying. ``check_payload``
returns the payload in the current version with every field validated, or raises a typed error.

    kind              v  payload                                                          merge rule
    stock.receive     2  sku_id, bin_id, qty, batch, receipt_id?                          ledger delta (+)
    stock.pick        2  sku_id, bin_id, qty, batch, task_id?, slot?                      ledger delta (−), never refused for stock
    stock.move        2  sku_id, from_bin_id, to_bin_id, qty, batch                       ledger delta pair
    stock.putaway     2  sku_id, from_bin_id, to_bin_id, qty, batch                       ledger delta pair (reason 200)
    stocktake.count   2  stocktake_id, bin_id, sku_id, batch, counted_qty, is_recount     statement at HLC; recount task on disagreement
    task.claim        2  task_id                                                          server-authoritative; loser gets a conflict
    task.complete     2  task_id, shorts? [{sku_id, bin_id, qty, reason}],               idempotent for the claimant; shorts recorded;
                         verified? [{sku_id, qty}] (pack tasks)                           a pack task's verified units must match
    transfer.ship     2  transfer_id, from_bin_id, lines [{line_no, qty}]                 transfer out to the destination's transit
    transfer.receive  2  transfer_id, to_bin_id, sku_id, qty                              transfer in from transit (partial is fine)
    master.set        2  entity ("sku"), entity_id, field, value                          last-writer-wins per field by HLC

Version 1 of the stock and count kinds had no ``batch`` field (it is taken as "").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.core.errors import ValidationError
from shared.core.ids import parse_id
from shared.core.quantity import parse_qty
from shared.core.text import clean_text

CURRENT_VERSION = 2
ACCEPT_PREVIOUS_UNTIL = "2027-06-30"
MASTER_FIELDS = {"sku": {"name_zh", "name_en", "spec", "low_stock_threshold"}}

Payload = dict[str, Any]


def _batch(p: Payload) -> str:
    return clean_text(p.get("batch", ""), "batch", max_chars=64, required=False)


def _opt_id(p: Payload, name: str) -> str:
    value = p.get(name) or ""
    return parse_id(value, name) if value else ""


def _stock_single(p: Payload) -> Payload:
    return {"sku_id": parse_id(p.get("sku_id"), "sku_id"), "bin_id": parse_id(p.get("bin_id"), "bin_id"),
            "qty": parse_qty(p.get("qty")), "batch": _batch(p)}


def _receive(p: Payload) -> Payload:
    return {**_stock_single(p), "receipt_id": _opt_id(p, "receipt_id")}


def _pick(p: Payload) -> Payload:
    slot = p.get("slot", 0)
    return {**_stock_single(p), "task_id": _opt_id(p, "task_id"), "slot": parse_qty(slot, allow_zero=True) if slot else 0}


SHORT_REASONS = ("not_found", "damaged", "insufficient", "other")


def _task_complete(p: Payload) -> Payload:
    shorts = p.get("shorts") or []
    if not isinstance(shorts, list) or len(shorts) > 500:
        raise ValidationError("sync.bad_envelope", reason="shorts must be a list of at most 500 lines")
    out = []
    for s in shorts:
        if not isinstance(s, dict) or s.get("reason") not in SHORT_REASONS:
            raise ValidationError("invalid.enum", field="shorts.reason", value=s.get("reason") if isinstance(s, dict) else s)
        out.append({"sku_id": parse_id(s.get("sku_id"), "sku_id"), "bin_id": parse_id(s.get("bin_id"), "bin_id"),
                    "qty": parse_qty(s.get("qty")), "reason": s["reason"]})
    return {"task_id": parse_id(p.get("task_id"), "task_id"), "shorts": out, "verified": _verified(p)}


def _verified(p: Payload) -> list[dict[str, Any]]:
    """Pack verification's counted units (pack tasks); absent for other tasks and older clients."""
    verified = p.get("verified") or []
    if not isinstance(verified, list) or len(verified) > 500:
        raise ValidationError("sync.bad_envelope", reason="verified must be a list of at most 500 lines")
    out = []
    for v in verified:
        if not isinstance(v, dict):
            raise ValidationError("sync.bad_envelope", reason="a verified line must be an object")
        out.append({"sku_id": parse_id(v.get("sku_id"), "sku_id"), "qty": parse_qty(v.get("qty"))})
    return out


def _transfer_ship(p: Payload) -> Payload:
    lines = p.get("lines")
    if not isinstance(lines, list) or not lines or len(lines) > 500:
        raise ValidationError("sync.bad_envelope", reason="lines must be a non-empty list of at most 500")
    out = []
    for ln in lines:
        if not isinstance(ln, dict):
            raise ValidationError("sync.bad_envelope", reason="a line must be an object")
        out.append({"line_no": parse_qty(ln.get("line_no")), "qty": parse_qty(ln.get("qty"))})
    return {"transfer_id": parse_id(p.get("transfer_id"), "transfer_id"), "from_bin_id": parse_id(p.get("from_bin_id"), "from_bin_id"),
            "lines": out}


def _transfer_receive(p: Payload) -> Payload:
    return {"transfer_id": parse_id(p.get("transfer_id"), "transfer_id"), "to_bin_id": parse_id(p.get("to_bin_id"), "to_bin_id"),
            "sku_id": parse_id(p.get("sku_id"), "sku_id"), "qty": parse_qty(p.get("qty"))}


def _pair(p: Payload) -> Payload:
    return {"sku_id": parse_id(p.get("sku_id"), "sku_id"), "from_bin_id": parse_id(p.get("from_bin_id"), "from_bin_id"),
            "to_bin_id": parse_id(p.get("to_bin_id"), "to_bin_id"), "qty": parse_qty(p.get("qty")), "batch": _batch(p)}


def _count(p: Payload) -> Payload:
    return {"stocktake_id": parse_id(p.get("stocktake_id"), "stocktake_id"), "bin_id": parse_id(p.get("bin_id"), "bin_id"),
            "sku_id": parse_id(p.get("sku_id"), "sku_id"), "batch": _batch(p),
            "counted_qty": parse_qty(p.get("counted_qty"), allow_zero=True), "is_recount": p.get("is_recount") is True}


def _task(p: Payload) -> Payload:
    return {"task_id": parse_id(p.get("task_id"), "task_id")}


def _master(p: Payload) -> Payload:
    entity, field = p.get("entity"), p.get("field")
    if entity not in MASTER_FIELDS:
        raise ValidationError("invalid.enum", field="entity", value=entity)
    if field not in MASTER_FIELDS[entity]:
        raise ValidationError("invalid.enum", field="field", value=field)
    value = p.get("value")
    if field == "low_stock_threshold":
        value = parse_qty(value, allow_zero=True)
    else:
        value = clean_text(value, str(field), required=field == "name_zh")
    return {"entity": entity, "entity_id": parse_id(p.get("entity_id"), "entity_id"), "field": field, "value": value}


CHECKS: dict[str, Callable[[Payload], Payload]] = {
    "stock.receive": _receive,
    "stock.pick": _pick,
    "stock.move": _pair,
    "stock.putaway": _pair,
    "stocktake.count": _count,
    "task.claim": _task,
    "task.complete": _task_complete,
    "transfer.ship": _transfer_ship,
    "transfer.receive": _transfer_receive,
    "master.set": _master,
}


def check_payload(kind: str, version: int, payload: object) -> Payload:
    """Validate ``payload`` of ``kind`` at ``version`` and return it in the current version."""
    check = CHECKS.get(kind)
    if check is None:
        raise ValidationError("sync.unknown_kind", kind=kind)
    if version not in (CURRENT_VERSION, CURRENT_VERSION - 1):
        raise ValidationError("sync.bad_version", kind=kind, version=version, current=CURRENT_VERSION)
    if not isinstance(payload, dict):
        raise ValidationError("sync.bad_envelope", reason="payload must be an object")
    if version == CURRENT_VERSION - 1:
        payload = {**payload, "batch": ""}  # v1 had no batch field
    return check(payload)
