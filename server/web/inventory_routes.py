"""Inventory pages: SKUs with barcodes, stock by SKU/bin/warehouse, movements, transfers, expected receipts."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
