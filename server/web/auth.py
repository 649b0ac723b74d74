"""Who is asking: the session cookie → session → account → permissions, and the cookie itself.

The ``erp_session`` cookie is HttpOnly, SameSite=Lax, limited to ``/app``, and Secure whenever the
request came over https. Behind a TLS proxy run uvicorn with ``--proxy-headers`` (and
``--forwarded-allow-ips``) so the app sees https: the cookie is then always Secure.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import HTTPConnection
from starlette.responses import Response

from server.store import accounts, sessions
from server.store.db import Store
from server.web.permissions import Viewer
from server.web.render import PREFIX
from shared.core.errors import NotFoundError

SESSION_COOKIE = "erp_session"


def now_of(store: Store) -> datetime:
    """The store's wall clock (injectable: ``store.clock.wall_ms``) as an aware UTC datetime."""
    return datetime.fromtimestamp(int(store.clock.wall_ms()) / 1000, UTC)


def session_token(request: HTTPConnection) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def client_ip(request: HTTPConnection) -> str:
    return request.client.host if request.client else ""


def load_viewer(store: Store, token: str | None, *, now: datetime) -> Viewer:
    """The viewer for ``token``, or ``SessionInvalid``. A session whose user was deactivated is
    invalid. Records activity (``last_seen_at``) at most once per ``sessions.TOUCH_EVERY``."""
    with store.read() as conn:
        session = sessions.authenticate(conn, token, now=now)
        try:
            account = accounts.get_account(conn, session.user_id)
        except NotFoundError:
            raise sessions.SessionInvalid("auth.required") from None
        permissions = accounts.permissions_of(conn, account.id)
        by_warehouse = accounts.warehouse_permissions_of(conn, account.id)
    if session.needs_touch(now):
        with store.transaction() as conn:
            sessions.touch(conn, session.id, now=now)
    return Viewer(account, session, permissions, by_warehouse)


def set_session_cookie(response: Response, request: HTTPConnection, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, path=PREFIX, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


def clear_session_cookie(response: Response, request: HTTPConnection) -> None:
    response.delete_cookie(SESSION_COOKIE, path=PREFIX, httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
