"""Catalogue entries for order rules as data (shared/orders/rules): review, merge, split, gifts, priority, carrier.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
