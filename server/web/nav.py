"""The back office's navigation: one entry per page, shown to a viewer who holds its permission
somewhere, and only once a route serves its path (so the menu never links to a missing page)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from server.web.render import PREFIX


@dataclass(frozen=True, slots=True)
class NavEntry:
    path: str  # under the prefix, "" for the dashboard
    permission: str
    label: str  # catalogue key


NAV: tuple[NavEntry, ...] = (
    NavEntry("", "dashboard.view", "web.nav.dashboard"),
    NavEntry("/orders", "orders.view", "web.nav.orders"),
    NavEntry("/orders/exceptions", "orders.view", "web.nav.order_exceptions"),
    NavEntry("/waves", "waves.manage", "web.nav.waves"),
    NavEntry("/shipments", "waves.manage", "web.nav.shipments"),
    NavEntry("/skus", "skus.view", "web.nav.skus"),
    NavEntry("/stock", "stock.view", "web.nav.stock"),
    NavEntry("/movements", "movements.view", "web.nav.movements"),
    NavEntry("/transfers", "transfers.view", "web.nav.transfers"),
    NavEntry("/receipts", "receipts.view", "web.nav.receipts"),
    NavEntry("/stocktakes", "stocktakes.view", "web.nav.stocktakes"),
    NavEntry("/devices", "devices.view", "web.devices.title"),
    NavEntry("/conflicts", "conflicts.view", "web.conflicts.title"),
    NavEntry("/rules", "rules.manage", "web.nav.rules"),
    NavEntry("/import", "import.run", "web.nav.import"),
    NavEntry("/export", "export.run", "web.nav.export"),
    NavEntry("/labels", "labels.print", "web.nav.labels"),
    NavEntry("/users", "users.view", "web.nav.users"),
    NavEntry("/audit", "audit.view", "web.nav.audit"),
    NavEntry("/sessions", "signed_in", "web.nav.sessions"),
)


@cache
def _routed_paths() -> frozenset[str]:
    from server.web.mount import ROUTES  # the route table imports the pages, which import this module

    return frozenset(getattr(r, "path", "") for r in ROUTES)


def visible(viewer: Any) -> list[NavEntry]:
    """The entries ``viewer`` may open, in menu order."""
    if viewer is None:
        return []
    routed = _routed_paths()
    return [e for e in NAV if (e.path or "/") in routed and viewer.can_somewhere(e.permission)]


def href(entry: NavEntry) -> str:
    return PREFIX + (entry.path or "/")
