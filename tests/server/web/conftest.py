"""Fixtures for the back office: a cheap argon2 hasher (the real one is exercised by the re-hash
test), an injected clock, the demo admin, and a browser-like client that signs in through the forms."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.store import accounts
from tests.server.world import World

ADMIN_PASSWORD = "correct horse battery staple"
ORIGIN = "http://testserver"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    monkeypatch.setattr(accounts, "HASHER", FAST)
    return FAST


@dataclass
class Clock:
    """The store's wall clock, moved by hand."""

    ms: int = field(default_factory=lambda: time.time_ns() // 1_000_000)

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.ms += int((minutes * 60 + hours * 3600) * 1000)


@pytest.fixture
def clock(world: World) -> Clock:
    c = Clock()
    world.store.clock.wall_ms = lambda: c.ms
    return c


@pytest.fixture
def admin(world: World) -> accounts.Account:
    with world.store.transaction() as conn:
        return accounts.ensure_admin(conn, ADMIN_PASSWORD)


class Browser:
    """A TestClient that behaves like a same-origin browser: it sends ``Origin`` on posts and reads
    CSRF tokens out of the pages it gets."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, follow_redirects=False, **kw)

    def post(self, path: str, data: dict[str, str] | None = None, *, origin: str | None = ORIGIN,
             headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        sent = dict(headers or {})
        if origin is not None:
            sent["Origin"] = origin
        return self.client.post(path, data=data, headers=sent, follow_redirects=False, **kw)

    def csrf_from(self, path: str) -> str:
        page = self.get(path, headers={"Accept": "text/html"})
        assert page.status_code in (200, 401, 429), page.text
        found = _CSRF.search(page.text)
        assert found, page.text
        return found.group(1)

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD, **kw: Any) -> httpx.Response:
        """Sign in through the form; a browser already signed in reuses the form it got before (as
        a second tab would), since the login page then redirects."""
        if self.get("/app/login").status_code == 200 or not self.login_token:
            self.login_token = self.csrf_from("/app/login")
        data = {"username": username, "password": password, "csrf_token": self.login_token, "next": "/app/"}
        return self.post("/app/login", data, **kw)

    login_token = ""

    @property
    def session_cookie(self) -> str | None:
        values = [c.value for c in self.client.cookies.jar if c.name == "erp_session"]
        return values[-1] if values else None

    def use_session_cookie(self, value: str) -> None:
        """Replace the browser's session cookie (a stale or planted one)."""
        self.client.cookies.clear()
        self.client.cookies.set("erp_session", value, domain="testserver.local", path="/app")


def make_app(world: World) -> Any:
    return create_app(Settings(secret_key="test-secret"), store=world.store)


@pytest.fixture
def browser(world: World, clock: Clock, admin: accounts.Account) -> Iterator[Browser]:
    with TestClient(make_app(world), base_url=ORIGIN) as client:
        yield Browser(client)


@pytest.fixture
def second_browser(world: World, clock: Clock, admin: accounts.Account) -> Iterator[Browser]:
    with TestClient(make_app(world), base_url=ORIGIN) as client:
        yield Browser(client)
