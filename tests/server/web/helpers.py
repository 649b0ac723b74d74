"""Helpers shared by the back-office page tests: enrol a device through the real sync API, make a
signed-in user holding given permissions, and read a table cell out of a rendered page."""

from __future__ import annotations

import re
from typing import Any

from server.store import accounts, devices
from server.store import users as user_store
from tests.server.web.conftest import Browser
from tests.server.world import World


def enrol_device(browser: Browser, world: World, name: str = "PDA-1", warehouse: str | None = None) -> dict[str, Any]:
    with world.store.transaction() as conn:
        code, _ = devices.new_enrolment_code(conn, warehouse or world.wh_a)
    r = browser.client.post("/sync/v1/enrol", json={"code": code, "device_name": name, "app_version": "1.4.2"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def user_with(world: World, browser: Browser, username: str, perms: set[str]) -> None:
    """Create ``username`` with a role holding exactly ``perms`` and sign ``browser`` in as them."""
    with world.store.transaction() as conn:
        user = user_store.create(conn, username, username)
        accounts.set_password(conn, username, "a long enough password")
        accounts.ensure_role(conn, f"role-{username}", username, username, perms)
        accounts.grant_role(conn, user.id, f"role-{username}")
    assert browser.login(username, "a long enough password").status_code == 303


def cell(row: str, css: str) -> str:
    """The text of the first ``<td>`` in ``row`` whose class list holds ``css``."""
    found = re.search(rf'<td class="[^"]*\b{css}\b[^"]*">(.*?)</td>', row, re.S)
    assert found, row
    return found.group(1).strip()
