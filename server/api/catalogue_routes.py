"""Read endpoints over the catalogue and stock: warehouses, a SKU with its barcodes and stock, stock of
a SKU per bin, scan resolution, low-stock alerts and the domain event feed."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.store import alerts, catalogue, events, ledger
from server.store.db import Store
from server.store.scan_index import StoreScanIndex
from shared.core.errors import ValidationError
from shared.scan.resolve import resolve_scan


def _store(request: Request) -> Store:
    store: Store = request.state.store
    return store


def _json(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _json(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _int_param(request: Request, name: str, default: int, *, upper: int) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit() or not 0 <= int(raw) <= upper:
        raise ValidationError("invalid.quantity", reason=f"{name} must be a whole number from 0 to {upper}")
    return int(raw)


async def list_warehouses(request: Request) -> JSONResponse:
    with _store(request).read() as conn:
        return JSONResponse({"warehouses": _json(catalogue.list_warehouses(conn))})


async def get_sku(request: Request) -> JSONResponse:
    ref = request.path_params["ref"]
    with _store(request).read() as conn:
        sku = catalogue.get_sku(conn, ref)
        codes = catalogue.barcodes_of(conn, sku.id)
        per_wh = [ledger.warehouse_level(conn, sku.id, w.id) for w in catalogue.list_warehouses(conn)]
    return JSONResponse({"sku": _json(sku), "barcodes": _json(codes),
                         "stock": [{**_json(w), "available": w.available} for w in per_wh]})


async def stock_of_sku(request: Request) -> JSONResponse:
    ref = request.path_params["ref"]
    warehouse = request.query_params.get("warehouse")
    with _store(request).read() as conn:
        sku = catalogue.get_sku(conn, ref)
        wh_id = catalogue.get_warehouse(conn, warehouse).id if warehouse else None
        rows = ledger.balances_of_sku(conn, sku.id, wh_id)
        bins = catalogue.bins_by_id(conn, (r.bin_id for r in rows))
    return JSONResponse({"sku": sku.code, "balances": [
        {"bin": bins[r.bin_id].code, "warehouse_id": r.warehouse_id, "batch": r.batch, "on_hand": r.on_hand,
         "reserved": r.reserved, "available": r.available} for r in rows]})


async def scan(request: Request) -> JSONResponse:
    code = request.query_params.get("code", "")
    warehouse = request.query_params.get("warehouse", "")
    with _store(request).read() as conn:
        wh = catalogue.get_warehouse(conn, warehouse)
        result = resolve_scan(code, StoreScanIndex(conn, wh.id))
    return JSONResponse({"kind": type(result).__name__, "result": _json(result)})


async def low_stock(request: Request) -> JSONResponse:
    with _store(request).read() as conn:
        return JSONResponse({"alerts": _json(alerts.open_alerts(conn, request.query_params.get("warehouse_id")))})


async def event_feed(request: Request) -> JSONResponse:
    after = _int_param(request, "after", 0, upper=2**62)
    limit = _int_param(request, "limit", 100, upper=1000)
    with _store(request).read() as conn:
        page = events.after(conn, after, limit=limit)
    return JSONResponse({"events": _json(page), "cursor": page[-1].seq if page else after})


routes = [
    Route("/warehouses", list_warehouses),
    Route("/skus/{ref}", get_sku),
    Route("/skus/{ref}/stock", stock_of_sku),
    Route("/scan", scan),
    Route("/alerts/low-stock", low_stock),
    Route("/events", event_feed),
]
