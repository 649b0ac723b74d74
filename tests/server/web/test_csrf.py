"""CSRF on every state-changing back-office request: the token and the Origin/Referer check; the
device-token APIs (``/sync/v1``, ``/api/v1``) are outside it and keep working."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from server.store import devices
from server.web import csrf
from server.web.errors import CsrfRejected
from tests.server.web.conftest import Browser
from tests.server.world import World


def _signed_in(browser: Browser) -> str:
    assert browser.login().status_code == 303
    return browser.csrf_from("/app/sessions")


def test_valid_token_and_origin_is_accepted(browser: Browser) -> None:
    token = _signed_in(browser)
    assert browser.post("/app/logout", {"csrf_token": token}).status_code == 303


def test_missing_token_is_403_with_the_one_error_shape(browser: Browser) -> None:
    _signed_in(browser)
    r = browser.post("/app/logout", {})
    assert r.status_code == 403
    assert r.json() == {"error": {"code": "csrf.missing_token", "message": "缺少防伪造令牌，请刷新页面后重试",
                                  "message_en": "The anti-forgery token is missing; reload the page and try again", "details": {}}}
    assert browser.get("/app/").status_code == 200  # still signed in: nothing happened


def test_wrong_token_is_403(browser: Browser) -> None:
    _signed_in(browser)
    for bad in ["x", csrf.mask("not-the-token"), "A" * 86]:
        r = browser.post("/app/logout", {"csrf_token": bad})
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf.bad_token"


def test_another_sessions_token_is_403(browser: Browser, second_browser: Browser) -> None:
    _signed_in(browser)
    theirs = _signed_in(second_browser)
    r = browser.post("/app/logout", {"csrf_token": theirs})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf.bad_token"


def test_token_in_the_header_works_for_scripts(browser: Browser, world: World) -> None:
    _signed_in(browser)
    from sqlalchemy import select

    from server.store.schema import web_sessions

    with world.store.read() as conn:
        raw = conn.execute(select(web_sessions.c.csrf_token)).scalar_one()
    assert browser.post("/app/logout", headers={"X-CSRF-Token": raw}).status_code == 303


def test_masked_tokens_differ_on_every_page_but_all_work(browser: Browser) -> None:
    _signed_in(browser)
    first, second = browser.csrf_from("/app/"), browser.csrf_from("/app/")
    assert first != second
    assert browser.post("/app/logout", {"csrf_token": second}).status_code == 303


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://testserver.evil.example", "https://testserver",
                                    "http://testserver:8080"])
def test_foreign_origin_is_403_even_with_a_valid_token(browser: Browser, origin: str) -> None:
    token = _signed_in(browser)
    r = browser.post("/app/logout", {"csrf_token": token}, origin=origin)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf.bad_origin"
    assert browser.get("/app/").status_code == 200


def test_missing_origin_falls_back_to_referer(browser: Browser) -> None:
    token = _signed_in(browser)
    bare = browser.post("/app/logout", {"csrf_token": token}, origin=None)
    assert bare.status_code == 403 and bare.json()["error"]["code"] == "csrf.bad_origin"
    foreign = browser.post("/app/logout", {"csrf_token": token}, origin=None, headers={"Referer": "http://evil.example/app/"})
    assert foreign.status_code == 403
    own = browser.post("/app/logout", {"csrf_token": token}, origin=None, headers={"Referer": "http://testserver/app/sessions"})
    assert own.status_code == 303


def test_browser_form_gets_an_html_error_page(browser: Browser) -> None:
    token = _signed_in(browser)
    r = browser.post("/app/logout", {"csrf_token": token}, origin="http://evil.example", headers={"Accept": "text/html"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "请求来源不被允许" in r.text and "csrf.bad_origin" in r.text


def test_login_form_needs_its_token_and_origin(browser: Browser) -> None:
    data = {"username": "admin", "password": "correct horse battery staple"}
    assert browser.post("/app/login", data).json()["error"]["code"] == "csrf.missing_token"
    token = browser.csrf_from("/app/login")
    assert browser.post("/app/login", {**data, "csrf_token": token}, origin="http://evil.example").status_code == 403
    browser.client.cookies.clear()  # a token made for another browser's nonce
    r = browser.post("/app/login", {**data, "csrf_token": token})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf.bad_token"
    assert browser.session_cookie is None


def test_unknown_back_office_paths_are_origin_checked_too(browser: Browser) -> None:
    assert browser.post("/app/no-such-page", {}, origin="http://evil.example").status_code == 403
    assert browser.post("/app/no-such-page", {}).status_code == 404


def test_origin_check_unit() -> None:
    def ok(**headers: str) -> bool:
        try:
            csrf.check_origin(Headers(headers), "http")
        except CsrfRejected:
            return False
        return True

    assert ok(host="erp.local:8000", origin="http://erp.local:8000")
    assert ok(host="erp.local:80", origin="http://erp.local")
    assert ok(host="[::1]:8000", origin="http://[::1]:8000")
    assert not ok(host="erp.local:8000", origin="http://erp.local:8001")
    assert not ok(host="erp.local", origin="")
    assert not ok(origin="http://erp.local")
    assert not ok(host="erp.local", referer="http://user@evil.example/")


def test_sync_api_uses_device_tokens_and_ignores_csrf_and_cookies(browser: Browser, world: World) -> None:
    _signed_in(browser)  # a back-office cookie in the same client must change nothing
    with world.store.transaction() as conn:
        code, _ = devices.new_enrolment_code(conn, world.wh_a)
    foreign = {"Origin": "http://evil.example"}
    enrol = browser.client.post("/sync/v1/enrol", json={"code": code, "device_name": "PDA-9"}, headers=foreign)
    assert enrol.status_code == 200, enrol.text
    auth = {**foreign, "Authorization": f"Bearer {enrol.json()['token']}"}
    pull = browser.client.get("/sync/v1/pull", params={"cursor": 0}, headers=auth)
    assert pull.status_code == 200, pull.text
    push = browser.client.post("/sync/v1/push", json={"ops": []}, headers=auth)
    assert push.status_code == 200 and push.json()["results"] == []
    refused = browser.client.post("/sync/v1/push", json={"ops": []}, headers=foreign)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "device.unauthorized"
    assert "content-security-policy" not in push.headers
    assert browser.client.get("/api/v1/warehouses").status_code == 200
