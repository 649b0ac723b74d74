"""Catalogue entries for back-office import/export pages and printing (PDF labels, pick lists, ZPL).
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
