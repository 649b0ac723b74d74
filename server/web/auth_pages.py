"""Sign-in, sign-out and the language switch.

Sign-in rotates the session: any session the browser still holds is ended and a new one (new token,
new CSRF token) is made, so a token planted before sign-in is worthless after it. The slow password
hash runs in a read transaction; only the bookkeeping takes the write lock.
"""

from __future__ import annotations

import secrets

from starlette.responses import RedirectResponse, Response

from server.store import accounts, sessions
from server.web import auth, csrf
from server.web.errors import error_response, wants_html
from server.web.i18n import LANG_COOKIE, LANGS
from server.web.render import PREFIX
from server.web.routing import Ctx, safe_next

NONCE_MAX_AGE_S = 2 * 60 * 60
LANG_MAX_AGE_S = 365 * 24 * 60 * 60


def login_form(ctx: Ctx) -> Response:
    """The login page; a browser already signed in goes on to ``next``."""
    next_path = safe_next(ctx.request.query_params.get("next"))
    if ctx.viewer is not None:
        return RedirectResponse(next_path, status_code=303)
    return _form(ctx, next_path, error="", status=200)


def login(ctx: Ctx) -> Response:
    """Check the password (lock-out counted in the store), rotate the session, go on to ``next``."""
    request = ctx.request
    try:
        token = _sign_in(ctx)
    except (accounts.LoginFailed, accounts.LoginLocked) as exc:
        if not wants_html(request):
            return error_response(request, exc, lang=ctx.lang)
        return _form(ctx, safe_next(ctx.form.get("next")), error=exc.message(ctx.lang), status=exc.http_status)
    response = RedirectResponse(safe_next(ctx.form.get("next")), status_code=303)
    auth.set_session_cookie(response, request, token)
    return response


def _sign_in(ctx: Ctx) -> str:
    """The new session's token: phase one (argon2) in a read transaction, phase two (bookkeeping,
    rotation) in a write transaction whose counted failure is committed before the error leaves."""
    request, form = ctx.request, ctx.form
    ip = auth.client_ip(request)
    with ctx.store.read() as conn:
        check = accounts.check_login(conn, form.get("username", ""), form.get("password", ""), ip, now=ctx.now)
    failure: accounts.LoginFailed | accounts.LoginLocked | None = None
    with ctx.store.transaction() as conn:
        try:
            account = accounts.record_login(conn, check, now=ctx.now)
        except (accounts.LoginFailed, accounts.LoginLocked) as exc:
            failure = exc
        else:
            sessions.end_by_token(conn, auth.session_token(request))
            _, token = sessions.create(conn, account.id, now=ctx.now, ip=ip, user_agent=request.headers.get("user-agent", ""))
    if failure is not None:
        raise failure
    return token


def logout(ctx: Ctx) -> Response:
    with ctx.store.transaction() as conn:
        sessions.end(conn, ctx.signed_in.session.id, user_id=ctx.signed_in.account.id)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    auth.clear_session_cookie(response, ctx.request)
    return response


def switch_language(ctx: Ctx) -> Response:
    """``GET /app/lang?to=en&next=/app/``: sets the ``lang`` cookie (no server state changes)."""
    chosen = ctx.request.query_params.get("to", "")
    response = RedirectResponse(safe_next(ctx.request.query_params.get("next")), status_code=303)
    if chosen in LANGS:
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_MAX_AGE_S, path=PREFIX, samesite="lax",
                            secure=ctx.request.url.scheme == "https")
    return response


def _form(ctx: Ctx, next_path: str, *, error: str, status: int) -> Response:
    nonce = ctx.request.cookies.get(csrf.LOGIN_NONCE_COOKIE) or secrets.token_urlsafe(32)
    response = ctx.render("auth/login.html", status=status, next=next_path, error=error,
                          login_csrf=csrf.mask(csrf.login_token(ctx.secret, nonce)),
                          username=ctx.form.get("username", "")[:64])
    response.set_cookie(csrf.LOGIN_NONCE_COOKIE, nonce, max_age=NONCE_MAX_AGE_S, path=f"{PREFIX}/login",
                        httponly=True, samesite="lax", secure=ctx.request.url.scheme == "https")
    return response
