"""The Users pages: the list (roles with their warehouse scope, keyset pages), creating a user with a
policy-checked password, and one user's page: rename, grant/revoke a role everywhere or in one
warehouse, reset the password and deactivate (both end their sessions), reactivate, set a PIN.
Guard rails: nobody deactivates themselves, the last user manager stays; every change is audited."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from server.store import accounts, audit
from server.store import users as user_store
from server.store.schema import audit_log, users
from shared.core.pin import verify_pin
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
PASSWORD = "a long enough password"


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _make(world: World, username: str, display_name: str | None = None) -> str:
    with world.store.transaction() as conn:
        user = user_store.create(conn, username, display_name or username)
        accounts.set_password(conn, username, PASSWORD)
    return user.id


def _row(text: str, user_id: str) -> str:
    found = re.search(rf'<tr data-user="{user_id}">(.*?)</tr>', text, re.S)
    assert found, text
    return found.group(1)


def _actions(world: World, user_id: str) -> list[str]:
    with world.store.read() as conn:
        return list(conn.execute(select(audit_log.c.action).where(audit_log.c.entity_id == user_id)
                                 .order_by(audit_log.c.seq)).scalars())


def _post(browser: Browser, path: str, data: dict[str, str], **kw: object) -> httpx.Response:
    token = browser.csrf_from("/app/sessions")  # any signed-in page carries the token
    return browser.post(path, {"csrf_token": token, **data}, **kw)  # type: ignore[arg-type]


def test_list_shows_users_with_roles_and_scope_in_each_language(browser: Browser, world: World, admin: accounts.Account) -> None:
    uid = _make(world, "wangwu", "王五")
    with world.store.transaction() as conn:
        accounts.ensure_role(conn, "picker", "拣货员", "Picker", {"stocktakes.view"})
        accounts.grant_role(conn, uid, "picker", warehouse_id=world.wh_b)
    browser.login()
    for lang, scope, everywhere in (("zh-CN", "拣货员 · WH-GZ", "所有仓库"), ("en", "Picker · WH-GZ", "All warehouses")):
        _lang(browser, lang)
        r = browser.get("/app/users", headers=HTML)
        assert r.status_code == 200, r.text
        row = _row(r.text, uid)
        assert "wangwu" in cell(row, "username") and cell(row, "display-name") == "王五"
        assert scope in cell(row, "roles")
        assert everywhere in cell(_row(r.text, admin.id), "roles")
        assert "UTC" in cell(_row(r.text, admin.id), "last-sign-in")  # signed in just now
    assert 'href="/app/users"' in r.text


def test_list_pages_by_username(browser: Browser, world: World) -> None:
    for name in ("u1", "u2", "u3"):
        _make(world, name)
    browser.login()
    first = browser.get("/app/users?size=2", headers=HTML).text  # admin, u1
    assert ">u1<" in first and ">u2<" not in first
    token = re.search(r'class="pager-next" href="\?([^"]+)"', first)
    assert token
    second = browser.get("/app/users?" + token.group(1).replace("&amp;", "&"), headers=HTML).text
    assert ">u2<" in second and ">u3<" in second and ">u1<" not in second


def test_create_user_checks_the_password_policy(browser: Browser, world: World) -> None:
    browser.login()
    token = browser.csrf_from("/app/users/new")
    short = browser.post("/app/users/new", {"csrf_token": token, "username": "zhao", "display_name": "赵", "password": "short"},
                         headers=HTML)
    assert short.status_code == 422 and 'role="alert"' in short.text and "12" in short.text and 'value="zhao"' in short.text
    same = browser.post("/app/users/new", {"csrf_token": token, "username": "zhaoliu12345", "display_name": "赵",
                                           "password": "ZhaoLiu12345"})
    assert same.status_code == 422 and same.json()["error"]["code"] == "auth.password_is_username"
    with world.store.read() as conn:
        assert conn.execute(select(users.c.id).where(users.c.username.in_(["zhao", "zhaoliu12345"]))).first() is None
    r = browser.post("/app/users/new", {"csrf_token": token, "username": "Zhao", "display_name": "赵六", "password": PASSWORD})
    assert r.status_code == 303
    uid = r.headers["location"].rsplit("/", 1)[1]
    assert _actions(world, uid) == ["user.created"]
    dup = browser.post("/app/users/new", {"csrf_token": token, "username": "zhao", "display_name": "x", "password": PASSWORD})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "user.duplicate"
    fresh = Browser(browser.client)
    browser.client.cookies.clear()
    assert fresh.login("zhao", PASSWORD).status_code == 303


def test_rename_grant_in_one_warehouse_and_revoke(browser: Browser, world: World) -> None:
    uid = _make(world, "sun")
    with world.store.transaction() as conn:
        accounts.ensure_role(conn, "counter", "盘点员", "Counter", {"stocktakes.view"})
    browser.login()
    assert _post(browser, f"/app/users/{uid}/rename", {"display_name": "孙七"}).status_code == 303
    r = _post(browser, f"/app/users/{uid}/grant", {"role": "counter", "warehouse": world.wh_a})
    assert r.status_code == 303
    with world.store.read() as conn:
        assert accounts.warehouse_permissions_of(conn, uid) == {world.wh_a: frozenset({"stocktakes.view"})}
        assert accounts.permissions_of(conn, uid) == frozenset()
    page = browser.get(f"/app/users/{uid}", headers=HTML).text
    assert "孙七" in page and "<code>WH-SH</code>" in cell(page, "scope")
    assert _post(browser, f"/app/users/{uid}/revoke", {"role": "counter", "warehouse": world.wh_a}).status_code == 303
    with world.store.read() as conn:
        assert accounts.warehouse_permissions_of(conn, uid) == {}
    missing = _post(browser, f"/app/users/{uid}/revoke", {"role": "counter", "warehouse": ""})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "web.adm.grant_not_found"
    unknown = _post(browser, f"/app/users/{uid}/grant", {"role": "nope", "warehouse": ""})
    assert unknown.status_code == 404
    assert _actions(world, uid) == ["user.renamed", "user.role_granted", "user.role_revoked"]
    with world.store.read() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.action == "user.renamed")).one()._mapping
        assert entry["after"] == {"display_name": "孙七"} and entry["source"].startswith("ip:")
        assert audit.verify(conn) is None


def test_reset_password_and_deactivate_end_the_users_sessions(browser: Browser, second_browser: Browser, world: World) -> None:
    uid = _make(world, "zhou")
    user_with(world, second_browser, "zhou2", {"dashboard.view"})
    with world.store.read() as conn:
        uid2 = conn.execute(select(users.c.id).where(users.c.username == "zhou2")).scalar_one()
    browser.login()
    assert _post(browser, f"/app/users/{uid2}/password", {"password": "another good password"}).status_code == 303
    assert second_browser.get("/app/").status_code == 303  # signed out
    assert second_browser.login("zhou2", "another good password").status_code == 303
    assert _post(browser, f"/app/users/{uid2}/active", {"active": "0"}).status_code == 303
    assert second_browser.get("/app/").status_code == 303
    assert second_browser.login("zhou2", "another good password").status_code == 401
    text = browser.get("/app/users", headers=HTML).text
    assert "已停用" in cell(_row(text, uid2), "state")
    assert _post(browser, f"/app/users/{uid2}/active", {"active": "1"}).status_code == 303
    assert second_browser.login("zhou2", "another good password").status_code == 303
    weak = _post(browser, f"/app/users/{uid}/password", {"password": "short"}, headers=HTML)
    assert weak.status_code == 422 and 'role="alert"' in weak.text
    assert _actions(world, uid2) == ["user.password_reset", "user.deactivated", "user.reactivated"]
    with world.store.read() as conn:
        logged = " ".join(str(r) for r in conn.execute(select(audit_log.c.after)).scalars())
    assert "another good password" not in logged


def test_cannot_deactivate_yourself(browser: Browser, world: World, admin: accounts.Account) -> None:
    browser.login()
    page = browser.get(f"/app/users/{admin.id}", headers=HTML).text
    assert 'name="active" value="0"' not in page  # no button
    for lang, text in (("zh-CN", "不能停用你自己"), ("en", "cannot deactivate your own")):
        _lang(browser, lang)
        r = _post(browser, f"/app/users/{admin.id}/active", {"active": "0"}, headers=HTML)
        assert r.status_code == 409 and text in r.text
    with world.store.read() as conn:
        assert accounts.get_account(conn, admin.id) == admin


def test_the_last_user_manager_keeps_the_role(browser: Browser, world: World, admin: accounts.Account) -> None:
    browser.login()
    r = _post(browser, f"/app/users/{admin.id}/revoke", {"role": accounts.ADMIN_ROLE, "warehouse": ""})
    assert r.status_code == 409 and r.json()["error"]["code"] == "web.adm.last_manager"
    with world.store.read() as conn:
        assert accounts.ALL in accounts.permissions_of(conn, admin.id)
    other = _make(world, "deputy")
    assert _post(browser, f"/app/users/{other}/grant", {"role": accounts.ADMIN_ROLE, "warehouse": ""}).status_code == 303
    assert _post(browser, f"/app/users/{other}/active", {"active": "0"}).status_code == 303
    r = _post(browser, f"/app/users/{admin.id}/revoke", {"role": accounts.ADMIN_ROLE, "warehouse": ""})
    assert r.status_code == 409  # the deputy is inactive: still the last one
    assert _post(browser, f"/app/users/{other}/active", {"active": "1"}).status_code == 303
    assert _post(browser, f"/app/users/{admin.id}/revoke", {"role": accounts.ADMIN_ROLE, "warehouse": ""}).status_code == 303


def test_set_pin_for_the_handhelds(browser: Browser, world: World) -> None:
    uid = _make(world, "qian")
    browser.login()
    assert _post(browser, f"/app/users/{uid}/pin", {"pin": "4321"}).status_code == 303
    with world.store.read() as conn:
        stored = conn.execute(select(users.c.pin_hash).where(users.c.id == uid)).scalar_one()
    assert verify_pin("4321", stored)
    bad = _post(browser, f"/app/users/{uid}/pin", {"pin": "12ab"})
    assert bad.status_code == 422
    assert _actions(world, uid) == ["user.pin_set"]
    with world.store.read() as conn:
        after = conn.execute(select(audit_log.c.after).where(audit_log.c.entity_id == uid)).scalar_one()
    assert "4321" not in str(after) and "pbkdf2" not in str(after)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}"])
def test_hostile_names_render_inert(browser: Browser, world: World, hostile: str) -> None:
    uid = _make(world, "evil", hostile)
    browser.login()
    for path in ("/app/users", f"/app/users/{uid}"):
        text = browser.get(path, headers=HTML).text
        assert "<script>alert" not in text and ">49<" not in text and " 49 " not in text
        assert hostile.replace("<", "&lt;").replace(">", "&gt;") in text


def test_viewer_without_users_manage_sees_but_cannot_change(browser: Browser, world: World) -> None:
    uid = _make(world, "target")
    user_with(world, browser, "hr", {"users.view"})
    page = browser.get(f"/app/users/{uid}", headers=HTML)
    assert page.status_code == 200 and "/grant" not in page.text and "/password" not in page.text
    assert "/app/users/new" not in browser.get("/app/users", headers=HTML).text
    assert browser.get("/app/users/new").status_code == 403
    for action, data in (("rename", {"display_name": "x"}), ("active", {"active": "0"}), ("pin", {"pin": "1234"})):
        r = _post(browser, f"/app/users/{uid}/{action}", data)
        assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_users_manage_held_in_one_warehouse_only_is_not_enough(browser: Browser, world: World) -> None:
    uid = _make(world, "scoped")
    with world.store.transaction() as conn:
        accounts.ensure_role(conn, "local-hr", "x", "x", {"users.view", "users.manage"})
        accounts.grant_role(conn, uid, "local-hr", warehouse_id=world.wh_a)
    assert browser.login("scoped", PASSWORD).status_code == 303
    assert browser.get("/app/users").status_code == 403
    r = _post(browser, f"/app/users/{uid}/grant", {"role": "local-hr", "warehouse": ""})
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_user_without_users_view_gets_403(browser: Browser, world: World, admin: accounts.Account) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    for path in ("/app/users", f"/app/users/{admin.id}", "/app/users/new"):
        r = browser.get(path)
        assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_unknown_user_is_404(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/users/no-such-user")
    assert r.status_code == 404 and r.json()["error"]["code"] == "user.not_found"
