"""Catalogue entries for orders: shops, incremental pull, ingest, review, reservations, exceptions, stock push.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
