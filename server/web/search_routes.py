"""Ctrl+K search across SKUs, barcodes, bins and orders (pinyin initials for Chinese names), and the
dashboard's chart figures as JSON."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.web import dashboard, search_page
from server.web.routing import page

ROUTES: list[BaseRoute] = [
    page("/search", search_page.show, permission="search.use", name="search"),
    page("/dashboard/data", dashboard.data, permission="dashboard.view", name="dashboard_data"),
]
