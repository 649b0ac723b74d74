"""Platform adapters: each platform's order payloads → ``CanonicalOrder`` (pure, no I/O).

``ADAPTERS`` maps a platform name (``shared.catalogue.model.PLATFORMS``) to its ``Adapter``:
``to_canonical``, ``orders_of_page``, ``next_cursor`` and ``limits`` (see ``base.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

from server.orders.adapters import douyin, jd, pinduoduo, shopify, taobao
from server.orders.adapters.base import Adapter
from shared.core.errors import ValidationError

ADAPTERS: Mapping[str, Adapter] = {
    "taobao": taobao.ADAPTER,
    "tmall": taobao.TMALL_ADAPTER,
    "jd": jd.ADAPTER,
    "douyin": douyin.ADAPTER,
    "pinduoduo": pinduoduo.ADAPTER,
    "shopify": shopify.ADAPTER,
}


def adapter_for(platform: str) -> Adapter:
    """The adapter of ``platform``, or ``order.unknown_platform``."""
    try:
        return ADAPTERS[platform]
    except (KeyError, TypeError):
        raise ValidationError("order.unknown_platform", platform=str(platform)[:40]) from None


__all__ = ["ADAPTERS", "Adapter", "adapter_for"]
