"""The fixture payloads (``fixtures/*.json``, shaped as PLATFORMS.md shows each platform's list
response) and small helpers to take fresh copies of them and convert them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from server.orders.adapters import ADAPTERS
from shared.orders.model import CanonicalOrder

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_FILES = {
    "taobao": "taobao_increment_page.json",
    "tmall": "taobao_increment_page.json",
    "jd": "jd_search_page.json",
    "douyin": "douyin_search_page.json",
    "pinduoduo": "pinduoduo_increment_page.json",
    "shopify": "shopify_orders_page.json",
}
SHOP = "shop-1"


def page_text(platform: str) -> str:
    return (FIXTURES / PAGE_FILES[platform]).read_text(encoding="utf-8")


def page(platform: str) -> dict[str, Any]:
    """A fresh copy of the platform's list response, parsed by the stdlib (PDD money as floats)."""
    return json.loads(page_text(platform))  # type: ignore[no-any-return]


def order(platform: str, index: int = 0) -> dict[str, Any]:
    """A fresh copy of one order payload of the platform's page."""
    return dict(ADAPTERS[platform].orders_of_page(page(platform))[index])


def convert(platform: str, raw: dict[str, Any]) -> CanonicalOrder:
    return ADAPTERS[platform].to_canonical(raw, shop_id=SHOP)
