"""``/app/sessions``: the signed-in user's own sessions, each with "end this session". Ending the
current one signs out. Only one's own sessions can be listed or ended."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from server.store import sessions
from server.web import auth
from server.web.render import PREFIX
from server.web.routing import Ctx


def list_own(ctx: Ctx) -> Response:
    viewer = ctx.signed_in
    with ctx.store.read() as conn:
        mine = sessions.list_for_user(conn, viewer.account.id, now=ctx.now)
    return ctx.render("sessions/list.html", sessions=mine, current_id=viewer.session.id)


def end(ctx: Ctx) -> Response:
    viewer = ctx.signed_in
    session_id = str(ctx.request.path_params["session_id"])
    with ctx.store.transaction() as conn:
        sessions.end(conn, session_id, user_id=viewer.account.id)
    if session_id == viewer.session.id:
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        auth.clear_session_cookie(response, ctx.request)
        return response
    return RedirectResponse(f"{PREFIX}/sessions", status_code=303)
