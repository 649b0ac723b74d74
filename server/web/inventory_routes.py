"""Inventory pages: SKUs with barcodes, stock by SKU/bin/warehouse, movements, transfers, expected receipts."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.web import inventory_documents, inventory_movements, inventory_skus, inventory_stock
from server.web.routing import page

ROUTES: list[BaseRoute] = [
    page("/skus", inventory_skus.list_skus, permission="skus.view", name="skus"),
    page("/skus/{sku_id}", inventory_skus.show_sku, permission="skus.view", name="sku"),
    page("/stock", inventory_stock.show_stock, permission="stock.view", name="stock"),
    page("/movements", inventory_movements.list_movements, permission="movements.view", name="movements"),
    page("/transfers", inventory_documents.list_transfers, permission="transfers.view", name="transfers"),
    page("/transfers/{transfer_id}", inventory_documents.show_transfer, permission="transfers.view", name="transfer"),
    page("/receipts", inventory_documents.list_receipts, permission="receipts.view", name="receipts"),
    page("/receipts/{receipt_id}", inventory_documents.show_receipt, permission="receipts.view", name="receipt"),
]
