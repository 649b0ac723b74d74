"""Signing in through the web form: success, wrong password, lock-out, 101 bad logins, redirects."""

from __future__ import annotations

from server.store import accounts
from tests.server.web.conftest import ADMIN_PASSWORD, Browser, Clock


def test_login_ok_sets_the_session_cookie_and_shows_the_dashboard(browser: Browser) -> None:
    r = browser.login()
    assert r.status_code == 303 and r.headers["location"] == "/app/"
    assert browser.session_cookie
    page = browser.get("/app/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "管理员" in page.text


def test_login_wrong_password_is_401_with_the_form_again_and_no_session(browser: Browser) -> None:
    r = browser.login(password="not the password", headers={"Accept": "text/html"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text and 'name="password"' in r.text
    assert browser.session_cookie is None
    assert browser.get("/app/").status_code == 303


def test_login_failure_without_html_gets_the_json_error_shape(browser: Browser) -> None:
    r = browser.login(password="not the password")
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "auth.bad_credentials", "message": "用户名或密码错误",
                                  "message_en": "Wrong username or password", "details": {}}}


def test_login_locked_after_five_failures_even_with_the_right_password(browser: Browser, clock: Clock) -> None:
    codes = [browser.login(password=f"wrong password {i}").status_code for i in range(accounts.POLICY.user_failures)]
    assert codes == [401] * accounts.POLICY.user_failures
    locked = browser.login()
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "auth.locked"
    assert browser.session_cookie is None
    clock.advance(minutes=15, hours=0.01)
    assert browser.login().status_code == 303


def test_101_bad_logins_for_one_user_are_blocked_and_no_login_succeeds_after_the_limit(browser: Browser) -> None:
    statuses = [browser.login(password=f"guess number {i}").status_code for i in range(101)]
    limit = accounts.POLICY.user_failures
    assert statuses[:limit] == [401] * limit and set(statuses[limit:]) == {429}
    after = browser.login()  # the right password, still blocked
    assert after.status_code == 429 and browser.session_cookie is None


def test_101_bad_logins_across_usernames_are_blocked_by_the_ip_limit(browser: Browser) -> None:
    statuses = [browser.login(username=f"user{i}", password="guess").status_code for i in range(101)]
    limit = accounts.POLICY.ip_failures
    assert not any(200 <= s < 400 for s in statuses)
    assert set(statuses[limit:]) == {429}
    after = browser.login("admin", ADMIN_PASSWORD)
    assert after.status_code == 429 and after.json()["error"]["code"] == "auth.ip_limited"
    assert browser.session_cookie is None


def test_login_redirects_only_inside_the_back_office(browser: Browser) -> None:
    token = browser.csrf_from("/app/login")
    for target, expected in [("/app/sessions", "/app/sessions"), ("https://evil.example/", "/app/"),
                             ("//evil.example/app/", "/app/"), ("/app\\..\\x", "/app/"), ("/sync/v1/pull", "/app/")]:
        r = browser.post("/app/login", {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token, "next": target})
        assert r.headers["location"] == expected


def test_signed_out_get_goes_to_login_with_next_and_comes_back(browser: Browser) -> None:
    r = browser.get("/app/sessions")
    assert r.status_code == 303 and r.headers["location"] == "/app/login?next=/app/sessions"
    form = browser.get(r.headers["location"], headers={"Accept": "text/html"})
    assert 'name="next" value="/app/sessions"' in form.text


def test_login_page_when_already_signed_in_goes_on(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/login?next=/app/sessions")
    assert r.status_code == 303 and r.headers["location"] == "/app/sessions"


def test_logout_ends_the_session(browser: Browser) -> None:
    browser.login()
    cookie = browser.session_cookie
    token = browser.csrf_from("/app/")
    r = browser.post("/app/logout", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/app/login"
    browser.use_session_cookie(cookie or "")
    assert browser.get("/app/").status_code == 303
