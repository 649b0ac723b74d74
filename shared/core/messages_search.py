"""Catalogue entries for back-office Ctrl+K search, dashboard charts and the shell's vendored scripts.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
