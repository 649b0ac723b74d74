"""The Devices pages: the list (what the server knows, hostile names inert), one-time enrolment codes
shown as text and QR (CSRF, no caching, accepted once by the real enrolment), and revocation (its own
permission; the device's next sync request is refused)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import update

from server.store import devices
from server.store.schema import conflicts
from server.store.schema import devices as device_table
from shared.core.time import utc_now
from sync.device_status import HEADER, DeviceStatus
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, enrol_device, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
_CODE = re.compile(r'<code class="enrol-code">([A-Z0-9-]+)</code>')


def _status(browser: Browser, token: str) -> Any:
    return browser.client.get("/sync/v1/status", headers={"Authorization": f"Bearer {token}"})


def _row(text: str, device_id: str) -> str:
    found = re.search(rf'<tr data-device="{device_id}">(.*?)</tr>', text, re.S)
    assert found, text
    return found.group(1)


def test_list_shows_each_device_with_its_figures(browser: Browser, world: World) -> None:
    first = enrol_device(browser, world, "PDA-1")
    second = enrol_device(browser, world, "PDA-2", world.wh_b)
    with world.store.transaction() as conn:
        conn.execute(update(device_table).where(device_table.c.id == first["device_id"]).values(
            last_seen_at=utc_now(), last_seq=42, seq_gaps=3, clock_skew_ms=-1500, clock_flagged=True))
        for n in range(2):
            conn.execute(conflicts.insert().values(id=f"c{n}", op_id=f"op{n}", device_id=first["device_id"], kind="move",
                                                   payload={}, code="x", message="x", message_en="x", state="open", created_at=utc_now()))
        devices.revoke(conn, second["device_id"], hlc=world.hlc())
    browser.login()
    for lang in ("zh-CN", "en"):
        browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
        r = browser.get("/app/devices", headers=HTML)
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        one, two = _row(r.text, first["device_id"]), _row(r.text, second["device_id"])
        assert cell(one, "device-name") == "PDA-1" and "<code>WH-SH</code>" in one and "1.4.2" in one
        assert (cell(one, "last-seq"), cell(one, "seq-gaps"), cell(one, "conflicts")) == ("42", "3", "2")
        assert "-1500" in cell(one, "clock-skew") and "flagged" in cell(one, "clock-skew")
        assert "/revoke" in one and "UTC" in one
        assert "<code>WH-GZ</code>" in two and "/revoke" not in two  # revoked: no button, state says so
        assert ("已停用" if lang == "zh-CN" else "revoked") in cell(two, "state")
        assert ("从未同步" if lang == "zh-CN" else "never") in two
    assert "scan latency" in r.text  # says what it cannot show, rather than inventing numbers


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}"])
def test_hostile_device_name_renders_inert(browser: Browser, world: World, hostile: str) -> None:
    device = enrol_device(browser, world, hostile)
    browser.login()
    text = browser.get("/app/devices", headers=HTML).text
    name_cell = cell(_row(text, device["device_id"]), "device-name")
    assert "<" not in name_cell and ">" not in name_cell
    assert name_cell.replace("&lt;", "<").replace("&gt;", ">") == hostile
    assert "<script>alert" not in text and ">49<" not in text


def test_enrol_page_lists_warehouses_and_is_never_cached(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/devices/enrol", headers=HTML)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "WH-SH" in r.text and "WH-GZ" in r.text and "ST-01" in r.text and "<svg" not in r.text


def test_enrol_needs_csrf_and_gives_a_one_time_code_with_a_qr(browser: Browser, world: World) -> None:
    browser.login()
    assert browser.post("/app/devices/enrol", {"warehouse": world.wh_a}).status_code == 403
    token = browser.csrf_from("/app/devices/enrol")
    r = browser.post("/app/devices/enrol", {"warehouse": world.wh_a, "csrf_token": token}, headers=HTML)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert '<svg width="' in r.text and 'class="qr"' in r.text and "<path" in r.text
    found = _CODE.search(r.text)
    assert found, r.text
    code = found.group(1)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    ok = browser.client.post("/sync/v1/enrol", json={"code": code, "device_name": "PDA-QR"})
    assert ok.status_code == 200 and ok.json()["warehouse_id"] == world.wh_a
    again = browser.client.post("/sync/v1/enrol", json={"code": code, "device_name": "PDA-QR2"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "device.bad_enrolment_code"
    assert "PDA-QR" in browser.get("/app/devices", headers=HTML).text


def test_enrol_without_a_known_warehouse_shows_the_form_again(browser: Browser) -> None:
    browser.login()
    token = browser.csrf_from("/app/devices/enrol")
    for bad in ["", "nope", "<script>"]:
        r = browser.post("/app/devices/enrol", {"warehouse": bad, "csrf_token": token}, headers=HTML)
        assert r.status_code == 422 and "enrol-code" not in r.text and "<svg" not in r.text
        assert 'role="alert"' in r.text


def test_viewer_without_enrol_or_revoke_permission_gets_403(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world)
    user_with(world, browser, "watcher", {"devices.view"})
    page = browser.get("/app/devices", headers=HTML)
    assert page.status_code == 200 and "PDA-1" in page.text
    assert "/revoke" not in page.text and "/devices/enrol" not in page.text  # no buttons they cannot use
    token = browser.csrf_from("/app/devices")
    r = browser.post(f"/app/devices/{device['device_id']}/revoke", {"csrf_token": token})
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    assert browser.get("/app/devices/enrol").status_code == 403
    assert browser.post("/app/devices/enrol", {"warehouse": world.wh_a, "csrf_token": token}).status_code == 403
    assert _status(browser, device["token"]).status_code == 200  # still active


def test_user_without_devices_view_cannot_see_the_list(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    r = browser.get("/app/devices")
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_revoke_refuses_the_devices_next_request(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world)
    assert _status(browser, device["token"]).status_code == 200
    browser.login()
    token = browser.csrf_from("/app/devices")
    assert browser.post(f"/app/devices/{device['device_id']}/revoke", {}).status_code == 403  # no CSRF token
    assert _status(browser, device["token"]).status_code == 200
    r = browser.post(f"/app/devices/{device['device_id']}/revoke", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/app/devices"
    refused = _status(browser, device["token"])
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "device.revoked"
    push = browser.client.post("/sync/v1/push", json={"ops": []}, headers={"Authorization": f"Bearer {device['token']}"})
    assert push.status_code == 401 and push.json()["error"]["code"] == "device.revoked"
    with world.store.read() as conn:
        first_revoked = devices.get(conn, device["device_id"]).revoked_at
    assert first_revoked is not None
    assert browser.post(f"/app/devices/{device['device_id']}/revoke", {"csrf_token": token}).status_code == 303  # twice: harmless
    with world.store.read() as conn:
        assert devices.get(conn, device["device_id"]).revoked_at == first_revoked


def test_revoke_of_an_unknown_device_is_404(browser: Browser) -> None:
    browser.login()
    token = browser.csrf_from("/app/devices")
    r = browser.post("/app/devices/no-such-device/revoke", {"csrf_token": token})
    assert r.status_code == 404 and r.json()["error"]["code"] == "device.not_found"


def test_device_routes_declare_their_permissions() -> None:
    from server.web.mount import ROUTES

    declared = {(getattr(r, "path", ""), tuple(sorted(getattr(r, "methods", None) or ()))): getattr(r, "permission", None) for r in ROUTES}
    assert declared[("/devices", ("GET", "HEAD"))] == "devices.view"
    assert declared[("/devices/enrol", ("GET", "HEAD"))] == "devices.enrol"
    assert declared[("/devices/enrol", ("POST",))] == "devices.enrol"
    assert declared[("/devices/{device_id}/revoke", ("POST",))] == "devices.revoke"


def test_the_list_shows_what_each_device_reports_about_itself(browser: Browser, world: World) -> None:
    device = enrol_device(browser, world, "PDA-STATUS")
    auth = {"Authorization": f"Bearer {device['token']}"}
    status = DeviceStatus("zhangsan", 7, 6, "1.5.0").to_header()
    assert browser.client.get("/sync/v1/pull", params={"cursor": 0}, headers={**auth, HEADER: status}).status_code == 200
    browser.client.get("/sync/v1/pull", params={"cursor": 0}, headers={**auth, HEADER: "{broken"})  # ignored, kept
    browser.login()
    text = browser.get("/app/devices", headers={"Accept": "text/html"}).text
    row = re.search(rf'<tr data-device="{device["device_id"]}">(.*?)</tr>', text, re.S)
    assert row, text
    assert cell(row.group(1), "device-user") == "zhangsan" and "7" in cell(row.group(1), "pending")
    assert cell(row.group(1), "scan-ms") == "6 ms" and "1.5.0" in row.group(1)
