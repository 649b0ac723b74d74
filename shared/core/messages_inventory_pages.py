"""Catalogue entries for back-office inventory pages (server/web/inventory*.py): SKUs, stock, movements, transfers, receipts.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
