"""``/app/users``: people who sign in (back office with a password, handhelds with a PIN). The list
(keyset by username) shows each one's roles and where they hold them; one user's page edits the
display name, grants and revokes roles (everywhere or in one warehouse), resets the password,
deactivates or reactivates (both end their sessions) and sets the handheld PIN.

Users are not warehouse-owned: looking needs ``users.view`` and every change ``users.manage``, each
held everywhere. Every change is audited by the store in its own transaction; the store refuses
deactivating oneself and taking away the last active user manager (``web.adm.*``). A refused form
comes back with the reason above it (HTML), or as the one JSON error shape."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection
from starlette.responses import RedirectResponse, Response

from server.store import accounts, admin_views, catalogue
from server.store import users as user_store
from server.web.errors import PermissionDenied, wants_html
from server.web.paging import Page, decode_key, page_size
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.core.errors import DomainError

VIEW, MANAGE = "users.view", "users.manage"


def require(ctx: Ctx, permission: str) -> None:
    """Users, roles and the audit log span every warehouse: the permission must be held everywhere."""
    if not ctx.signed_in.can(permission):
        raise PermissionDenied("auth.forbidden", permission=permission)


def refused(ctx: Ctx, exc: DomainError, again: Callable[..., Response]) -> Response:
    """A refused form: the same page with the reason (HTML), else the JSON error."""
    if not wants_html(ctx.request):
        raise exc
    return again(error=exc.message(ctx.lang), status=exc.http_status)


# ---- list and create ----------------------------------------------------------------------------------


def list_users(ctx: Ctx) -> Response:
    require(ctx, VIEW)
    query = ctx.request.query_params
    size = page_size(query.get("size"))
    after = decode_key(query.get("after"), arity=1)
    with ctx.store.read() as conn:
        page = Page.of(admin_views.list_users(conn, after=after, size=size), size, lambda u: (u.username,))
        codes = {w.id: w.code for w in catalogue.list_warehouses(conn)}
    return ctx.render("users/list.html", page=page, codes=codes, query=query, can_manage=ctx.signed_in.can(MANAGE))


def new_form(ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    require(ctx, MANAGE)
    return ctx.render("users/new.html", status=status, error=error, username=ctx.form.get("username", "")[:64],
                      display_name=ctx.form.get("display_name", "")[:100], min_chars=accounts.MIN_PASSWORD_CHARS)


def create(ctx: Ctx) -> Response:
    require(ctx, MANAGE)
    form = ctx.form
    try:
        with ctx.store.transaction() as conn:
            user = accounts.create_account(conn, form.get("username", ""), form.get("display_name", ""), form.get("password", ""))
    except DomainError as exc:
        return refused(ctx, exc, lambda **kw: new_form(ctx, **kw))
    return RedirectResponse(f"{PREFIX}/users/{user.id}", status_code=303)


# ---- one user -----------------------------------------------------------------------------------------


def show(ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    require(ctx, VIEW)
    user_id = str(ctx.request.path_params["user_id"])
    with ctx.store.read() as conn:
        user = admin_views.get_user(conn, user_id)
        roles = admin_views.list_roles(conn)
        warehouses = catalogue.list_warehouses(conn)
    return ctx.render("users/detail.html", status=status, user=user, roles=roles, warehouses=warehouses,
                      codes={w.id: w.code for w in warehouses}, error=error, can_manage=ctx.signed_in.can(MANAGE),
                      is_self=user.id == ctx.signed_in.account.id, min_chars=accounts.MIN_PASSWORD_CHARS)


def _change(ctx: Ctx, action: Callable[[Connection, str], None]) -> Response:
    """Run one audited change to the user in the path, then back to their page."""
    require(ctx, MANAGE)
    user_id = str(ctx.request.path_params["user_id"])
    try:
        with ctx.store.transaction() as conn:
            action(conn, user_id)
    except DomainError as exc:
        return refused(ctx, exc, lambda **kw: show(ctx, **kw))
    return RedirectResponse(f"{PREFIX}/users/{user_id}", status_code=303)


def rename(ctx: Ctx) -> Response:
    return _change(ctx, lambda conn, uid: user_store.rename(conn, uid, ctx.form.get("display_name", "")))


def grant(ctx: Ctx) -> Response:
    def act(conn: Connection, uid: str) -> None:
        accounts.grant(conn, uid, ctx.form.get("role", ""), warehouse_id=_warehouse(conn, ctx.form.get("warehouse", "")))

    return _change(ctx, act)


def revoke(ctx: Ctx) -> Response:
    return _change(ctx, lambda conn, uid: accounts.revoke(conn, uid, ctx.form.get("role", ""),
                                                          warehouse_id=ctx.form.get("warehouse", "") or None))


def reset_password(ctx: Ctx) -> Response:
    return _change(ctx, lambda conn, uid: accounts.reset_password(conn, uid, ctx.form.get("password", "")))


def set_active(ctx: Ctx) -> Response:
    active = ctx.form.get("active", "") == "1"
    return _change(ctx, lambda conn, uid: accounts.set_active(conn, uid, active, by=ctx.signed_in.account.id))


def set_pin(ctx: Ctx) -> Response:
    return _change(ctx, lambda conn, uid: user_store.change_pin(conn, uid, ctx.form.get("pin", "").strip()))


def _warehouse(conn: Connection, ref: str) -> str | None:
    """Empty: every warehouse; else a known warehouse's id (``warehouse.not_found``)."""
    return catalogue.get_warehouse(conn, ref).id if ref else None
