"""Ctrl+K search across SKUs, barcodes, bins and orders (pinyin initials for Chinese names)."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
