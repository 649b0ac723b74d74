"""Server-side sessions: hashed tokens, idle and absolute limits (injected clock), rotation on login,
listing and ending one's own sessions, cookie attributes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from server.store import accounts, sessions
from server.store.schema import web_sessions
from tests.server.web.conftest import ADMIN_PASSWORD, Browser, Clock, make_app
from tests.server.world import World

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_token_is_256_bits_and_stored_only_as_a_hash(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        session, token = sessions.create(conn, admin.id, now=T0, ip="10.0.0.1", user_agent="ua")
        stored = conn.execute(select(web_sessions.c.token_hash)).scalar_one()
    assert len(token) >= 43 and token not in stored and stored == sessions.hash_token(token)
    with world.store.read() as conn:
        assert sessions.authenticate(conn, token, now=T0).id == session.id
        for bad in (None, "", "x" * 129, token + "x", stored):
            with pytest.raises(sessions.SessionInvalid):
                sessions.authenticate(conn, bad, now=T0)


def test_store_session_idle_and_absolute_limits(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        _, token = sessions.create(conn, admin.id, now=T0, ip="", user_agent="")
    with world.store.read() as conn:
        sessions.authenticate(conn, token, now=T0 + timedelta(minutes=29))
        with pytest.raises(sessions.SessionInvalid) as caught:
            sessions.authenticate(conn, token, now=T0 + timedelta(minutes=30))
    assert caught.value.code == "auth.session_expired"
    with world.store.transaction() as conn:
        assert sessions.prune(conn, T0 + timedelta(minutes=31)) == 1


def test_idle_session_expires_after_30_minutes(browser: Browser, clock: Clock) -> None:
    browser.login()
    clock.advance(minutes=29)
    assert browser.get("/app/").status_code == 200
    clock.advance(minutes=29)  # activity 29 minutes ago: still alive
    assert browser.get("/app/").status_code == 200
    clock.advance(minutes=30, hours=0.001)
    r = browser.get("/app/")
    assert r.status_code == 303 and r.headers["location"].startswith("/app/login")
    assert 'erp_session=""' in r.headers["set-cookie"]


def test_busy_session_still_ends_12_hours_after_login(browser: Browser, clock: Clock) -> None:
    browser.login()
    for _ in range(12 * 3 - 1):  # a request every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert browser.get("/app/").status_code == 200
    clock.advance(minutes=20)
    assert browser.get("/app/").status_code == 303


def test_expired_session_post_is_401_not_a_redirect(browser: Browser, clock: Clock) -> None:
    browser.login()
    token = browser.csrf_from("/app/")
    clock.advance(minutes=31)
    r = browser.post("/app/logout", {"csrf_token": token})
    assert r.status_code == 401 and r.json()["error"]["code"] == "auth.session_expired"


def test_login_rotates_the_session(browser: Browser, world: World) -> None:
    browser.login()
    first = browser.session_cookie
    assert browser.login().status_code == 303
    second = browser.session_cookie
    assert first and second and first != second
    with world.store.read() as conn:
        hashes = set(conn.execute(select(web_sessions.c.token_hash)).scalars())
    assert hashes == {sessions.hash_token(second)}
    browser.use_session_cookie(first)
    assert browser.get("/app/").status_code == 303


def test_a_planted_unknown_token_is_not_adopted(browser: Browser) -> None:
    browser.use_session_cookie("attacker-chosen-token")
    browser.login()
    assert browser.session_cookie != "attacker-chosen-token"


def test_list_own_sessions_and_end_another_one(browser: Browser, second_browser: Browser, world: World,
                                               admin: accounts.Account) -> None:
    browser.login()
    second_browser.client.headers["user-agent"] = "Tablet <b>Safari</b>"
    second_browser.login()
    page = browser.get("/app/sessions", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.text.count("结束此会话") == 2 and "当前会话" in page.text
    assert "Tablet &lt;b&gt;Safari&lt;/b&gt;" in page.text
    with world.store.read() as conn:
        other = next(s for s in sessions.list_for_user(conn, admin.id, now=datetime.now(UTC))
                     if s.user_agent.startswith("Tablet"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = browser.post(f"/app/sessions/{other.id}/end", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/app/sessions"
    assert second_browser.get("/app/").status_code == 303
    assert browser.get("/app/").status_code == 200


def test_ending_the_current_session_signs_out(browser: Browser, world: World, admin: accounts.Account) -> None:
    browser.login()
    with world.store.read() as conn:
        (current,) = sessions.list_for_user(conn, admin.id, now=datetime.now(UTC))
    token = browser.csrf_from("/app/sessions")
    r = browser.post(f"/app/sessions/{current.id}/end", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/app/login"
    assert browser.get("/app/").status_code == 303


def test_cannot_end_someone_elses_session(browser: Browser, world: World) -> None:
    from server.store import users as user_store

    with world.store.transaction() as conn:
        other = user_store.create(conn, "lisi", "李四")
        theirs, _ = sessions.create(conn, other.id, now=datetime.now(UTC), ip="", user_agent="")
    browser.login()
    token = browser.csrf_from("/app/sessions")
    r = browser.post(f"/app/sessions/{theirs.id}/end", {"csrf_token": token})
    assert r.status_code == 404 and r.json()["error"]["code"] == "session.not_found"
    with world.store.read() as conn:
        assert [s.id for s in sessions.list_for_user(conn, other.id, now=datetime.now(UTC))] == [theirs.id]


def test_session_cookie_is_httponly_samesite_lax_and_scoped_to_app(browser: Browser) -> None:
    header = browser.login().headers["set-cookie"].lower()
    cookie = next(part for part in header.split(", erp_") if part.startswith("erp_session="))
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/app" in cookie
    assert "secure" not in cookie  # plain http (tests); over https it is Secure, see below


def test_session_cookie_is_secure_over_https(world: World, clock: Clock, admin: accounts.Account) -> None:
    with TestClient(make_app(world), base_url="https://testserver") as client:
        page = client.get("/app/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = client.post("/app/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token},
                        headers={"Origin": "https://testserver"}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "erp_session=" in cookie and "; secure" in cookie



def test_deactivating_a_user_ends_their_access_at_once(browser: Browser, world: World) -> None:
    from server.store.schema import users

    browser.login()
    assert browser.get("/app/").status_code == 200
    with world.store.transaction() as conn:
        conn.execute(users.update().where(users.c.username == "admin").values(active=False))
    assert browser.get("/app/").status_code == 303
