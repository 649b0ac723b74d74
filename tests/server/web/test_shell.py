"""The web shell: every route declares a permission, deny by default, security headers, the dashboard
(counts, inert hostile names), both languages from the one catalogue, static files."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import BaseRoute, Mount
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.store import accounts, devices, tasks
from server.store import users as user_store
from server.web import render
from server.web.permissions import PERMISSIONS
from server.web.routing import page
from shared.catalogue.model import new_sku
from tests.server.web.conftest import Browser
from tests.server.world import World

HTML = {"Accept": "text/html"}


def _back_office_routes() -> list[tuple[str, BaseRoute]]:
    app = create_app(Settings(secret_key="x"))
    (mount,) = [r for r in app.routes if isinstance(r, Mount) and r.path == render.PREFIX]
    return [(f"{mount.path}{getattr(r, 'path', '')}", r) for r in mount.routes]


def test_every_back_office_route_declares_a_known_permission() -> None:
    routes = _back_office_routes()
    assert len(routes) >= 7
    undeclared = [path for path, route in routes if getattr(route, "permission", None) not in PERMISSIONS]
    assert undeclared == []


def test_a_page_with_an_unknown_or_empty_permission_is_refused_at_startup() -> None:
    for bad in ["", "dashboard.veiw", "*"]:
        with pytest.raises(ValueError, match="unknown permission"):
            page("/x", lambda ctx: None, permission=bad)  # type: ignore[arg-type, return-value]


def test_signed_out_requests_are_denied(browser: Browser) -> None:
    for path in ["/app/", "/app/sessions"]:
        r = browser.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/app/login?next=")
    r = browser.post("/app/logout", {"csrf_token": "x"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.required"
    html = browser.post("/app/sessions/abc/end", {"csrf_token": "x"}, headers=HTML)
    assert html.status_code == 401 and "请先登录" in html.text


def test_a_user_without_the_permission_gets_403(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        user_store.create(conn, "clerk", "文员")
        accounts.set_password(conn, "clerk", "a long enough password")
    assert browser.login("clerk", "a long enough password").status_code == 303
    r = browser.get("/app/", headers=HTML)
    assert r.status_code == 403 and "dashboard.view" in r.text
    assert browser.get("/app/").json()["error"]["code"] == "auth.forbidden"
    assert browser.get("/app/sessions").status_code == 200  # signed-in pages stay open to them
    with world.store.transaction() as conn:
        accounts.ensure_role(conn, "viewer", "只读", "Viewer", {"dashboard.view"})
        accounts.grant_role(conn, _user_id(world, "clerk"), "viewer")
    assert browser.get("/app/").status_code == 200


def test_security_headers_on_every_back_office_response(browser: Browser) -> None:
    responses = [browser.get("/app/login"), browser.get("/app/"), browser.post("/app/logout", {}, origin="http://evil.example")]
    browser.login()
    responses += [browser.get("/app/"), browser.get("/app/sessions"), browser.get("/app/static/app.css")]
    for r in responses:
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert r.headers["x-frame-options"] == "DENY"
    assert browser.get("/app/").headers["cache-control"] == "no-store"


def test_dashboard_shows_counts(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 2)  # threshold 5 → one low-stock alert
    with world.store.transaction() as conn:
        tasks.create(conn, "count", world.wh_a, {}, hlc=world.hlc())
        code, _ = devices.new_enrolment_code(conn, world.wh_a)
    browser.client.post("/sync/v1/enrol", json={"code": code, "device_name": "PDA-1"})
    browser.login()
    text = browser.get("/app/", headers=HTML).text
    tiles = dict((label, int(value)) for value, label in re.findall(r'tile-value">(\d+)</span>\s*<span class="tile-label">([^<]+)<', text))
    assert tiles == {"商品": 3, "仓库和门店": 3, "未处理的低库存预警": 1, "未完成的任务": 1, "在用设备": 1}
    assert "TEA-001" in text and "西湖龙井 250g" in text


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}", "{% raw %}x", "<img src=x onerror=alert(1)>"])
def test_hostile_product_names_render_inert_on_the_dashboard(browser: Browser, world: World, hostile: str) -> None:
    from server.store import catalogue

    with world.store.transaction() as conn:
        sku = catalogue.insert_sku(conn, new_sku("EVIL-1", hostile, name_en=hostile, low_stock_threshold=9))
    world.stock(sku.id, world.a1, 1)
    browser.login()
    for lang in ("zh-CN", "en"):
        browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
        text = browser.get("/app/", headers=HTML).text
        row = re.search(r"<code>EVIL-1</code></td><td>(.*?)</td>", text)
        assert row is not None
        cell = row.group(1)
        assert "<" not in cell and ">" not in cell  # every angle bracket escaped
        assert cell.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") == hostile
        assert "<script>alert" not in text and "onerror=alert" not in text.replace("&lt;img src=x onerror=alert(1)&gt;", "")
        if hostile == "{{7*7}}":
            assert cell == "{{7*7}}" and ">49<" not in text


def test_hostile_display_name_is_escaped_in_the_header(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        conn.execute(_users().update().where(_users().c.username == "admin").values(display_name="<b>{{7*7}}</b>"))
    browser.login()
    text = browser.get("/app/", headers=HTML).text
    assert "&lt;b&gt;{{7*7}}&lt;/b&gt;" in text and "<b>" not in text


def test_templates_have_autoescape_on_for_every_file() -> None:
    assert render.ENV.autoescape is True
    template = render.ENV.from_string("{{ v }}")
    assert template.render(v="<x>") == "&lt;x&gt;"


def test_default_language_is_chinese_and_the_switch_sets_english(browser: Browser) -> None:
    browser.login()
    assert "概览" in browser.get("/app/", headers=HTML).text
    r = browser.get("/app/lang?to=en&next=/app/sessions")
    assert r.status_code == 303 and r.headers["location"] == "/app/sessions"
    assert "lang=en" in r.headers["set-cookie"]
    text = browser.get("/app/", headers=HTML).text
    assert "Dashboard" in text and "概览" not in text and '<html lang="en">' in text
    assert browser.get("/app/lang?to=zh-CN&next=//evil.example").headers["location"] == "/app/"
    assert "Dashboard" not in browser.get("/app/", headers=HTML).text


def test_errors_follow_the_language(browser: Browser) -> None:
    browser.client.cookies.set("lang", "en", domain="testserver.local", path="/app")
    r = browser.login(password="not the password", headers=HTML)
    assert r.status_code == 401 and "Wrong username or password" in r.text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_page_renders_in_both_languages(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
    assert browser.get("/app/login", headers=HTML).status_code == 200
    browser.login()
    for path in ["/app/", "/app/sessions"]:
        r = browser.get(path, headers=HTML)
        assert r.status_code == 200 and f'<html lang="{lang}">' in r.text


def test_static_css_is_public_and_local(world: World) -> None:
    with TestClient(create_app(Settings(secret_key="x"), store=world.store)) as client:
        r = client.get("/app/static/app.css")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
        assert "url(" not in r.text and "@import" not in r.text  # nothing fetched from elsewhere
        page_text = client.get("/app/login").text
    assert not re.search(r'(src|href)="(https?:)?//', page_text)


def test_existing_routes_still_work(world: World) -> None:
    with TestClient(create_app(Settings(secret_key="x"), store=world.store)) as client:
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/").json()["name"] == "erp"


def _users() -> Any:
    from server.store.schema import users

    return users


def _user_id(world: World, username: str) -> str:
    with world.store.read() as conn:
        return next(u.id for u in user_store.list_all(conn) if u.username == username)
