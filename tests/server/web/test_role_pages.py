"""The Roles pages: the list with permissions and holders, creating a role, editing its permissions as
checkboxes with translated descriptions; the last user manager's role keeps ``*``/``users.manage``;
changes are audited and take effect at the holder's next request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.store import accounts
from server.store import users as user_store
from server.store.schema import audit_log, role_permissions
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
PASSWORD = "a long enough password"


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _row(text: str, role_id: str) -> str:
    found = re.search(rf'<tr data-role="{role_id}">(.*?)</tr>', text, re.S)
    assert found, text
    return found.group(1)


def _permissions(world: World, role_id: str) -> set[str]:
    with world.store.read() as conn:
        return set(conn.execute(select(role_permissions.c.permission).where(role_permissions.c.role_id == role_id)).scalars())


def test_list_shows_roles_with_permissions_and_holders(browser: Browser, world: World) -> None:
    browser.login()
    for lang, name in (("zh-CN", "管理员"), ("en", "Administrator")):
        _lang(browser, lang)
        r = browser.get("/app/roles", headers=HTML)
        assert r.status_code == 200, r.text
        row = _row(r.text, "admin")
        assert cell(row, "role-name") == name and "<code>*</code>" in cell(row, "permissions") and cell(row, "holders") == "1"


def test_create_role_then_edit_its_permissions(browser: Browser, world: World) -> None:
    browser.login()
    token = browser.csrf_from("/app/roles")
    r = browser.post("/app/roles", {"csrf_token": token, "role_id": "Auditor", "name_zh": "审计员", "name_en": "Auditor"})
    assert r.status_code == 303 and r.headers["location"] == "/app/roles/auditor"
    for lang, text in (("zh-CN", "查看审计日志"), ("en", "View the audit log")):
        _lang(browser, lang)
        page = browser.get("/app/roles/auditor", headers=HTML)
        assert page.status_code == 200 and text in page.text and 'name="perm:audit.view" value="1"' in page.text
    r = browser.post("/app/roles/auditor", {"csrf_token": token, "perm:audit.view": "1", "perm:users.view": "1", "perm:bogus": "1"})
    assert r.status_code == 303
    assert _permissions(world, "auditor") == {"audit.view", "users.view"}
    assert 'name="perm:audit.view" value="1" checked' in browser.get("/app/roles/auditor", headers=HTML).text
    browser.post("/app/roles/auditor", {"csrf_token": token, "perm:audit.view": "1"})
    assert _permissions(world, "auditor") == {"audit.view"}
    mine = select(audit_log).where(audit_log.c.entity_id == "auditor")
    with world.store.read() as conn:
        actions = [e.action for e in conn.execute(mine.order_by(audit_log.c.seq))]
        last = conn.execute(mine.order_by(audit_log.c.seq.desc())).first()
    assert actions == ["role.created", "role.permissions_set", "role.permissions_set"]
    assert last is not None and last.before == ["audit.view", "users.view"] and last.after == ["audit.view"]


def test_bad_or_duplicate_role_id_is_refused(browser: Browser) -> None:
    browser.login()
    token = browser.csrf_from("/app/roles")
    bad = browser.post("/app/roles", {"csrf_token": token, "role_id": "no spaces!", "name_zh": "x"}, headers=HTML)
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    dup = browser.post("/app/roles", {"csrf_token": token, "role_id": "admin", "name_zh": "x"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "web.adm.role_exists"


def test_a_permission_change_applies_to_holders_at_once(browser: Browser, world: World, admin: accounts.Account) -> None:
    user_with(world, browser, "auditor1", {"dashboard.view"})
    assert browser.get("/app/audit").status_code == 403
    with world.store.transaction() as conn:
        accounts.set_role_permissions(conn, "role-auditor1", {"dashboard.view", "audit.view"})
    assert browser.get("/app/audit", headers=HTML).status_code == 200


def test_the_last_managers_role_keeps_its_power(browser: Browser, world: World) -> None:
    browser.login()
    token = browser.csrf_from("/app/roles")
    r = browser.post("/app/roles/admin", {"csrf_token": token, "perm:dashboard.view": "1"}, headers=HTML)
    assert r.status_code == 409 and ("可以管理用户" in r.text)
    assert _permissions(world, "admin") == {"*"}
    with world.store.transaction() as conn:
        other = user_store.create(conn, "hr", "HR")
        accounts.ensure_role(conn, "hr", "人事", "HR", {"users.manage"})
        accounts.grant_role(conn, other.id, "hr")
    assert browser.post("/app/roles/admin", {"csrf_token": token, "perm:dashboard.view": "1", "perm:users.view": "1",
                                             "perm:audit.view": "1"}).status_code == 303


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}"])
def test_hostile_role_names_render_inert(browser: Browser, world: World, hostile: str) -> None:
    with world.store.transaction() as conn:
        accounts.create_role(conn, "odd", hostile, hostile)
    browser.login()
    for path in ("/app/roles", "/app/roles/odd"):
        text = browser.get(path, headers=HTML).text
        assert "<script>alert" not in text and ">49<" not in text and " 49 " not in text
        assert hostile.replace("<", "&lt;").replace(">", "&gt;") in text


def test_viewer_without_users_manage_cannot_change_roles(browser: Browser, world: World) -> None:
    user_with(world, browser, "looker", {"users.view"})
    page = browser.get("/app/roles/admin", headers=HTML)
    assert page.status_code == 200 and " disabled" in page.text and 'type="submit" class="primary"' not in page.text
    token = browser.csrf_from("/app/roles")
    assert browser.post("/app/roles/admin", {"csrf_token": token}).status_code == 403
    assert browser.post("/app/roles", {"csrf_token": token, "role_id": "x", "name_zh": "x"}).status_code == 403


def test_user_without_users_view_gets_403(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    for path in ("/app/roles", "/app/roles/admin"):
        assert browser.get(path).status_code == 403


def test_unknown_role_is_404(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/roles/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "auth.unknown_role"
