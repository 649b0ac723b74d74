"""Back-office routes: every page is declared with ``page(path, handler, permission=...)``, and every
request to it passes the same gate, in this order:

1. (``security.BackOfficeSecurity``, before routing: same-origin check on state-changing requests)
2. form read, within limits (state-changing requests)
3. who is asking: the session (required unless the permission is ``PUBLIC``); none or expired →
   redirect to the login page for GET/HEAD, 401 otherwise
4. CSRF token: the session's token, or the login nonce's token on ``PUBLIC`` pages
5. permission: held everywhere or in some warehouse (``viewer.can_somewhere``), or 403
   ``auth.forbidden`` (deny by default); pages showing warehouse-owned rows filter and check each
   object with ``viewer.warehouses_for`` / ``viewer.can_in``
6. the handler, with a ``Ctx``: sync handlers run in the thread pool (they use the store), async
   ones on the event loop.

A ``DomainError`` from any step becomes an HTML error page or the JSON error shape (``errors``).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from server.store import audit
from server.store.db import Store
from server.store.sessions import SessionInvalid
from server.web import auth, csrf
from server.web.errors import PermissionDenied, error_response
from server.web.forms import read_form
from server.web.i18n import Translate, language, translator
from server.web.permissions import PERMISSIONS, PUBLIC, Viewer
from server.web.render import PREFIX, render_page
from shared.core.errors import DomainError


@dataclass(frozen=True)
class Ctx:
    """What a page handler gets: the request, the store, the time, the language, the parsed form and
    the viewer (``None`` only on ``PUBLIC`` pages without a session)."""

    request: Request
    store: Store
    now: datetime
    lang: str
    form: Mapping[str, str]
    viewer: Viewer | None
    secret: str

    @property
    def t(self) -> Translate:
        return translator(self.lang)

    @property
    def signed_in(self) -> Viewer:
        if self.viewer is None:  # pragma: no cover - the gate guarantees a viewer on non-public pages
            raise SessionInvalid("auth.required")
        return self.viewer

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        token = csrf.mask(self.viewer.session.csrf_token) if self.viewer else ""
        return render_page(self.request, template, lang=self.lang, viewer=self.viewer, csrf_token=token,
                           status=status, **context)


Handler = Callable[[Ctx], Response | Awaitable[Response]]


class PageRoute(Route):
    """A ``Route`` that knows the permission it needs (``route.permission``)."""

    permission: str

    def __init__(self, path: str, handler: Handler, *, permission: str, methods: Collection[str], name: str | None) -> None:
        if permission not in PERMISSIONS:
            raise ValueError(f"route {path!r}: unknown permission {permission!r}; declare it in server.web.permissions")
        self.permission = permission
        super().__init__(path, _gate(handler, permission), methods=list(methods), name=name)


def page(path: str, handler: Handler, *, permission: str, methods: Collection[str] = ("GET",), name: str | None = None) -> PageRoute:
    """Declare a back-office page: the only way to add a route under ``/app``."""
    return PageRoute(path, handler, permission=permission, methods=methods, name=name)


def login_url(next_path: str = "") -> str:
    return f"{PREFIX}/login" + (f"?next={quote(next_path, safe='/')}" if next_path else "")


def safe_next(value: object) -> str:
    """A redirect target inside the back office, else the dashboard (no open redirects)."""
    if isinstance(value, str) and value.startswith(PREFIX + "/") and not value.startswith("//") \
            and "\\" not in value and all(c.isprintable() for c in value):
        return value
    return PREFIX + "/"


def _gate(handler: Handler, permission: str) -> Callable[[Request], Awaitable[Response]]:
    is_async = inspect.iscoroutinefunction(handler)

    async def endpoint(request: Request) -> Response:
        store: Store = request.state.store
        lang, now = language(request), auth.now_of(store)
        try:
            unsafe = request.method in csrf.UNSAFE_METHODS
            form = await read_form(request) if unsafe else {}
            viewer = await run_in_threadpool(_viewer, store, request, now, permission)
            if unsafe:
                expected = viewer.session.csrf_token if viewer and permission != PUBLIC \
                    else csrf.login_token(request.state.secret, request.cookies.get(csrf.LOGIN_NONCE_COOKIE, ""))
                csrf.check_token(expected, request.headers, form)
            if viewer is not None and not viewer.can_somewhere(permission):
                raise PermissionDenied("auth.forbidden", permission=permission)
            ctx = Ctx(request, store, now, lang, form, viewer, request.state.secret)
            with audit.acting(viewer.account.id if viewer else "anonymous", f"ip:{auth.client_ip(request)}"):
                if is_async:
                    return await handler(ctx)  # type: ignore[misc]
                return await run_in_threadpool(handler, ctx)  # type: ignore[return-value]
        except SessionInvalid as exc:
            return _not_signed_in(request, exc, lang)
        except DomainError as exc:
            return error_response(request, exc, lang=lang)

    return endpoint


def _viewer(store: Store, request: Request, now: datetime, permission: str) -> Viewer | None:
    """The viewer; on ``PUBLIC`` pages ``None`` when there is no valid session."""
    try:
        return auth.load_viewer(store, auth.session_token(request), now=now)
    except SessionInvalid:
        if permission == PUBLIC:
            return None
        raise


def _not_signed_in(request: Request, exc: SessionInvalid, lang: str) -> Response:
    if request.method in ("GET", "HEAD"):
        response: Response = RedirectResponse(login_url(request.url.path), status_code=303)
    else:
        response = error_response(request, exc, lang=lang)
    if auth.session_token(request):
        auth.clear_session_cookie(response, request)
    return response
