"""The back office's permission catalogue. Every ``/app`` route names one of these (or ``PUBLIC`` /
``SIGNED_IN``); ``routing.page`` refuses any other name, and a test fails if a route has none.

A later slice adds its permissions here (``"skus.view": "web.perm.skus.view"``, with the text in
``shared.core.messages``) and grants them to roles with ``accounts.ensure_role``. Role ``admin``
holds ``"*"``, which is every permission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from server.store.accounts import ALL, Account
from server.store.sessions import Session

PUBLIC = "public"  # no sign-in needed (the login page, language switch, static files)
SIGNED_IN = "signed_in"  # any signed-in user (sign out, one's own sessions)

PERMISSIONS: dict[str, str] = {
    # permission → catalogue key of its description
    PUBLIC: "web.perm.public",
    SIGNED_IN: "web.perm.signed_in",
    "dashboard.view": "web.perm.dashboard.view",
    "devices.view": "web.perm.devices.view",
    "devices.enrol": "web.perm.devices.enrol",
    "devices.revoke": "web.perm.devices.revoke",
    "conflicts.view": "web.perm.conflicts.view",
    "conflicts.resolve": "web.perm.conflicts.resolve",
    # inventory pages
    "skus.view": "web.perm.skus.view",
    "stock.view": "web.perm.stock.view",
    "movements.view": "web.perm.movements.view",
    "transfers.view": "web.perm.transfers.view",
    "receipts.view": "web.perm.receipts.view",
    "stocktakes.view": "web.perm.stocktakes.view",
    "stocktakes.approve": "web.perm.stocktakes.approve",
    # people and the record
    "users.view": "web.perm.users.view",
    "users.manage": "web.perm.users.manage",
    "audit.view": "web.perm.audit.view",
    # search, import/export, printing
    "search.use": "web.perm.search.use",
    "import.run": "web.perm.import.run",
    "export.run": "web.perm.export.run",
    "labels.print": "web.perm.labels.print",
    # orders
    "orders.view": "web.perm.orders.view",
    "orders.manage": "web.perm.orders.manage",
    "rules.manage": "web.perm.rules.manage",
    "waves.manage": "web.perm.waves.manage",
}


# Permissions that only count when held everywhere: they act on things no warehouse owns (people,
# roles, the audit log, order rules, imports into the shared catalogue, orders of shops). A role granted
# in one warehouse cannot lend them — so a warehouse's supervisor cannot make themselves an admin.
GLOBAL_ONLY: frozenset[str] = frozenset({
    "users.view", "users.manage", "audit.view", "rules.manage", "import.run",
    "orders.view", "orders.manage", "waves.manage",
})


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person behind a request: account, session, the permissions held in every
    warehouse, and those held in single warehouses only (``by_warehouse``: warehouse id → permissions).

    A route's gate passes when the permission is held anywhere (``can_somewhere``); a page that shows
    warehouse-owned rows filters them with ``warehouses_for`` and checks one object with ``can_in``.
    """

    account: Account
    session: Session
    permissions: frozenset[str]
    by_warehouse: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        """Held in every warehouse (or needs no warehouse)."""
        return permission in (PUBLIC, SIGNED_IN) or ALL in self.permissions or permission in self.permissions

    def can_in(self, permission: str, warehouse_id: str | None) -> bool:
        """Held for this warehouse: everywhere, or through a role granted in that warehouse."""
        if self.can(permission):
            return True
        if permission in GLOBAL_ONLY:
            return False
        held = self.by_warehouse.get(warehouse_id or "", frozenset())
        return ALL in held or permission in held

    def can_somewhere(self, permission: str) -> bool:
        if permission in GLOBAL_ONLY:
            return self.can(permission)
        return self.can(permission) or any(ALL in held or permission in held for held in self.by_warehouse.values())

    def warehouses_for(self, permission: str) -> frozenset[str] | None:
        """``None`` when the permission is held everywhere; else the warehouse ids it is held in
        (maybe none): filter warehouse-owned lists with it."""
        if self.can(permission):
            return None
        if permission in GLOBAL_ONLY:
            return frozenset()
        return frozenset(w for w, held in self.by_warehouse.items() if ALL in held or permission in held)
