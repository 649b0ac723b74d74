"""The back office's permission catalogue. Every ``/app`` route names one of these (or ``PUBLIC`` /
``SIGNED_IN``); ``routing.page`` refuses any other name, and a test fails if a route has none.

A later slice adds its permissions here (``"skus.view": "web.perm.skus.view"``, with the text in
``shared.core.messages``) and grants them to roles with ``accounts.ensure_role``. Role ``admin``
holds ``"*"``, which is every permission.
"""

from __future__ import annotations

from dataclasses import dataclass

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
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person behind a request: account, session and permissions (in every warehouse)."""

    account: Account
    session: Session
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in (PUBLIC, SIGNED_IN) or ALL in self.permissions or permission in self.permissions
