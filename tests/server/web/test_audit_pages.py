"""The Audit log page: newest first with keyset pages, filters (actor, action, entity, dates), the
source and before/after as escaped pretty JSON, and the "verify chain" button (OK, or the first
broken seq after tampering)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from server.store import audit, events
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _seqs(page: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr data-seq="(\d+)">', page)]


def _row(page: str, seq: int) -> str:
    found = re.search(rf'<tr data-seq="{seq}">(.*?)</tr>', page, re.S)
    assert found, page
    return found.group(1)


def _record(world: World, n: int, *, actor: str = "system", source: str = "system") -> None:
    with audit.acting(actor, source), world.store.transaction() as conn:
        for i in range(n):
            events.record(conn, "sku.updated", "sku", f"s{i}", {"before": {"price_fen": i}, "after": {"price_fen": i + 1}}, hlc=world.hlc())


def _last_seq(world: World) -> int:
    with world.store.read() as conn:
        return audit.count(conn)


def test_log_is_newest_first_with_source_and_before_after(browser: Browser, world: World) -> None:
    _record(world, 2, actor="dev-1", source="device:dev-1")
    browser.login()
    last = _last_seq(world)
    for lang in ("zh-CN", "en"):
        _lang(browser, lang)
        r = browser.get("/app/audit", headers=HTML)
        assert r.status_code == 200, r.text
        seqs = _seqs(r.text)
        assert seqs == sorted(seqs, reverse=True) and seqs[0] == last
    row = _row(r.text, 2)
    assert "device:dev-1" in cell(row, "source") and "sku.updated" in cell(row, "action") and "<code>dev-1</code>" in cell(row, "actor")
    assert "&#34;price_fen&#34;: 1" in cell(row, "before") and "&#34;price_fen&#34;: 2" in cell(row, "after")
    assert 'href="/app/audit"' in r.text


def test_signed_in_changes_show_the_username_and_ip(browser: Browser, world: World) -> None:
    browser.login()
    token = browser.csrf_from("/app/roles")
    assert browser.post("/app/roles", {"csrf_token": token, "role_id": "x1", "name_zh": "角色"}).status_code == 303
    page = browser.get("/app/audit?action=role.created", headers=HTML).text
    row = _row(page, _seqs(page)[0])
    assert cell(row, "actor") == "admin" and cell(row, "source").startswith("<code>ip:")


def test_keyset_pages_by_seq(browser: Browser, world: World) -> None:
    _record(world, 5)
    browser.login()
    first = browser.get("/app/audit?size=2", headers=HTML).text
    top = _seqs(first)
    assert len(top) == 2
    token = re.search(r'class="pager-next" href="\?([^"]+)"', first)
    assert token
    second = browser.get("/app/audit?" + token.group(1).replace("&amp;", "&"), headers=HTML).text
    assert _seqs(second) == [top[1] - 1, top[1] - 2]


def test_filters_by_actor_action_entity_and_day(browser: Browser, world: World, admin: object) -> None:
    _record(world, 3, actor="dev-9", source="device:dev-9")
    with world.store.transaction() as conn:
        events.record(conn, "bin.created", "bin", "b1", {"code": "A"}, hlc=world.hlc())
    browser.login()
    only_dev = _seqs(browser.get("/app/audit?actor=dev-9", headers=HTML).text)
    assert len(only_dev) == 3
    assert len(_seqs(browser.get("/app/audit?action=bin.created", headers=HTML).text)) == 1
    assert len(_seqs(browser.get("/app/audit?action=sku.", headers=HTML).text)) == 3  # a prefix
    assert len(_seqs(browser.get("/app/audit?entity_type=sku&entity_id=s1", headers=HTML).text)) == 1
    today = datetime.now(UTC).date()
    assert len(_seqs(browser.get(f"/app/audit?since={today}&until={today}&actor=dev-9", headers=HTML).text)) == 3
    tomorrow = today + timedelta(days=1)
    assert _seqs(browser.get(f"/app/audit?since={tomorrow}", headers=HTML).text) == []
    bad = browser.get("/app/audit?since=2026-13-45")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "web.adm.audit.bad_day"
    assert browser.get("/app/audit?actor=" + "x" * 65).status_code == 422
    assert browser.get("/app/audit?after=%%%").status_code == 422


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}"])
def test_hostile_payloads_and_filters_render_inert(browser: Browser, world: World, hostile: str) -> None:
    with audit.acting(hostile, hostile), world.store.transaction() as conn:
        events.record(conn, "sku.created", "sku", hostile, {"name_zh": hostile}, hlc=world.hlc())
    browser.login()
    for path in ("/app/audit", "/app/audit?entity_id=" + hostile.replace("{", "%7B").replace("}", "%7D")):
        page = browser.get(path, headers=HTML).text
        assert "<script>alert" not in page and ">49<" not in page and ": 49" not in page
        assert hostile.replace("<", "&lt;").replace(">", "&gt;") in page


def test_verify_says_ok_then_names_the_first_broken_seq(browser: Browser, world: World) -> None:
    _record(world, 4)
    browser.login()
    assert browser.post("/app/audit/verify", {}).status_code == 403  # no CSRF token
    token = browser.csrf_from("/app/audit")
    for lang, ok in (("zh-CN", "哈希链完整"), ("en", "The chain holds")):
        _lang(browser, lang)
        r = browser.post("/app/audit/verify", {"csrf_token": token}, headers=HTML)
        assert r.status_code == 200 and ok in r.text and 'class="verify-result ok"' in r.text
    with world.store.transaction() as conn:
        cast = "CAST(:v AS JSON)" if conn.dialect.name == "postgresql" else ":v"
        conn.execute(text(f'UPDATE audit_log SET "after" = {cast} WHERE seq = 3'), {"v": '{"price_fen": 999}'})
    r = browser.post("/app/audit/verify", {"csrf_token": token}, headers=HTML)
    assert r.status_code == 200 and "entry 3" in r.text and 'role="alert"' in r.text


def test_user_without_audit_view_gets_403(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    r = browser.get("/app/audit")
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    token = browser.csrf_from("/app/sessions")
    assert browser.post("/app/audit/verify", {"csrf_token": token}).status_code == 403
    assert 'href="/app/audit"' not in browser.get("/app/sessions", headers=HTML).text


def test_audit_routes_declare_their_permissions() -> None:
    from server.web.mount import ROUTES

    declared = {(getattr(r, "path", ""), tuple(sorted(getattr(r, "methods", None) or ()))): getattr(r, "permission", None) for r in ROUTES}
    assert declared[("/audit", ("GET", "HEAD"))] == "audit.view"
    assert declared[("/audit/verify", ("POST",))] == "audit.view"
    assert declared[("/users", ("GET", "HEAD"))] == "users.view"
    assert declared[("/users/{user_id}/active", ("POST",))] == "users.manage"
    assert declared[("/roles/{role_id}", ("POST",))] == "users.manage"
