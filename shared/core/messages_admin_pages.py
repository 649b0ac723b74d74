"""Catalogue entries for back-office stocktake review/approval, users and roles, audit log pages.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
