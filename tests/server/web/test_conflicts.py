"""The Conflicts page: open sync conflicts made by real rejected pushes (bilingual message, hostile
payloads inert), each warehouse's open exception/recount tasks, and resolution (CSRF, its own
permission, a required note, a clear 409 on a second attempt)."""

from __future__ import annotations

import re
from typing import Any

from server.store import events, oplog, tasks
from shared.core.ids import new_id
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, enrol_device, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
HOSTILE = "<script>alert(1)</script>"


def _push_unknown_sku(browser: Browser, world: World, device: dict[str, Any], *, batch: str = "", seq: int = 1) -> str:
    op = {"op_id": new_id(), "device_id": device["device_id"], "seq": seq, "hlc": world.hlc(), "user_id": "zhangsan",
          "kind": "stock.pick", "v": 2, "payload": {"sku_id": new_id(), "bin_id": world.a1.id, "qty": 1, "batch": batch}}
    r = browser.client.post("/sync/v1/push", json={"ops": [op]}, headers={"Authorization": f"Bearer {device['token']}"})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert result["status"] != "applied" and result["error"]["code"] == "sku.not_found", result
    with world.store.read() as conn:
        found = [c for c in oplog.open_conflicts(conn, device["device_id"]) if c["op_id"] == op["op_id"]]
    assert len(found) == 1
    return str(found[0]["id"])


def _row(text: str, conflict_id: str) -> str:
    found = re.search(rf'<tr data-conflict="{conflict_id}">(.*?)</tr>', text, re.S)
    assert found, text
    return found.group(1)


def test_list_shows_a_rejected_push_with_its_message_in_each_language(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world)
    cid = _push_unknown_sku(browser, world, device)
    browser.login()
    for lang, message in (("zh-CN", "找不到商品"), ("en", "Unknown SKU")):
        browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
        r = browser.get("/app/conflicts", headers=HTML)
        assert r.status_code == 200, r.text
        row = _row(r.text, cid)
        assert cell(row, "device") == "PDA-1" and "stock.pick" in cell(row, "kind")
        assert "sku.not_found" in cell(row, "code") and message in cell(row, "message")
        assert "&#34;qty&#34;: 1" in cell(row, "payload") or '"qty": 1' in cell(row, "payload")
        assert "UTC" in cell(row, "time") and "/resolve" in row
    assert 'href="/app/conflicts"' in r.text  # the nav link


def test_list_is_newest_first(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world)
    first = _push_unknown_sku(browser, world, device, seq=1)
    second = _push_unknown_sku(browser, world, device, seq=2)
    browser.login()
    text = browser.get("/app/conflicts", headers=HTML).text
    assert text.index(f'data-conflict="{second}"') < text.index(f'data-conflict="{first}"')


def test_hostile_payload_renders_inert(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world)
    cid = _push_unknown_sku(browser, world, device, batch=HOSTILE)
    browser.login()
    text = browser.get("/app/conflicts", headers=HTML).text
    payload = cell(_row(text, cid), "payload")
    assert "<script>" not in payload and "&lt;script&gt;alert(1)&lt;/script&gt;" in payload
    assert "<script>alert" not in text


def test_open_exception_and_recount_tasks_are_listed_per_warehouse(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        ex = tasks.create(conn, "exception", world.wh_a, {"note": HOSTILE}, hlc=world.hlc())
        rc = tasks.create(conn, "recount", world.wh_b, {"bin": "A-01"}, hlc=world.hlc())
    browser.login()
    browser.client.cookies.set("lang", "en", domain="testserver.local", path="/app")
    text = browser.get("/app/conflicts", headers=HTML).text
    assert f'data-task="{ex.id}"' in text and f'data-task="{rc.id}"' in text
    assert "<code>WH-SH</code>" in text and "<code>WH-GZ</code>" in text
    assert "<script>alert" not in text and "No open sync conflicts" in text


def test_resolve_needs_csrf_and_permission_then_the_conflict_leaves_the_list(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world)
    cid = _push_unknown_sku(browser, world, device)
    user_with(world, browser, "watcher", {"conflicts.view"})
    page = browser.get("/app/conflicts", headers=HTML)
    assert page.status_code == 200 and f'data-conflict="{cid}"' in page.text and "/resolve" not in page.text
    token = browser.csrf_from("/app/conflicts")
    r = browser.post(f"/app/conflicts/{cid}/resolve", {"csrf_token": token, "note": "checked"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"

    browser.login()
    assert browser.post(f"/app/conflicts/{cid}/resolve", {"note": "checked"}).status_code == 403  # no CSRF token
    token = browser.csrf_from("/app/conflicts")
    blank = browser.post(f"/app/conflicts/{cid}/resolve", {"csrf_token": token, "note": "  "}, headers=HTML)
    assert blank.status_code == 422  # the note is required
    r = browser.post(f"/app/conflicts/{cid}/resolve", {"csrf_token": token, "note": "SKU was deleted; recounted"})
    assert r.status_code == 303 and r.headers["location"] == "/app/conflicts"
    assert f'data-conflict="{cid}"' not in browser.get("/app/conflicts", headers=HTML).text
    with world.store.read() as conn:
        assert oplog.count_open_conflicts(conn, device["device_id"]) == 0
        kinds = [e.kind for e in events.after(conn, 0, kinds=["conflict.resolved"])]
    assert kinds == ["conflict.resolved"]

    again = browser.post(f"/app/conflicts/{cid}/resolve", {"csrf_token": token, "note": "again"}, headers=HTML)
    assert again.status_code == 409 and "conflict.resolved" in again.text and "<html" in again.text
    missing = browser.post("/app/conflicts/no-such/resolve", {"csrf_token": token, "note": "x"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "conflict.not_found"


def test_user_without_conflicts_view_cannot_see_the_page(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    r = browser.get("/app/conflicts")
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    assert 'href="/app/conflicts"' not in browser.get("/app/", headers=HTML).text


def test_conflict_routes_declare_their_permissions() -> None:
    from server.web.mount import ROUTES

    declared = {(getattr(r, "path", ""), tuple(sorted(getattr(r, "methods", None) or ()))): getattr(r, "permission", None) for r in ROUTES}
    assert declared[("/conflicts", ("GET", "HEAD"))] == "conflicts.view"
    assert declared[("/conflicts/{conflict_id}/resolve", ("POST",))] == "conflicts.resolve"
