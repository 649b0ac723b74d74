"""``/app/roles``: roles and their permissions. The list shows each role's permissions and how many
people hold it, with a form to create one; a role's page edits its permissions as checkboxes, one per
permission of ``server.web.permissions.PERMISSIONS`` with its translated description, plus ``*``
(every permission). Looking needs ``users.view``, changing ``users.manage`` (held everywhere); the
store refuses a change that leaves no active user able to manage users (``web.adm.last_manager``)."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from server.store import accounts, admin_views
from server.web.permissions import PERMISSIONS, PUBLIC, SIGNED_IN
from server.web.render import PREFIX
from server.web.routing import Ctx
from server.web.user_pages import MANAGE, VIEW, refused, require
from shared.core.errors import DomainError

FIELD = "perm:"  # one checkbox per permission: "perm:stocktakes.view=1" (a browser form repeats no name)
GRANTABLE: tuple[str, ...] = (accounts.ALL, *(p for p in PERMISSIONS if p not in (PUBLIC, SIGNED_IN)))


def description_key(permission: str) -> str:
    return "web.adm.roles.perm_all" if permission == accounts.ALL else PERMISSIONS[permission]


def list_roles(ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    require(ctx, VIEW)
    with ctx.store.read() as conn:
        roles = admin_views.list_roles(conn)
    return ctx.render("roles/list.html", status=status, roles=roles, error=error, can_manage=ctx.signed_in.can(MANAGE),
                      form=ctx.form)


def create(ctx: Ctx) -> Response:
    require(ctx, MANAGE)
    form = ctx.form
    try:
        with ctx.store.transaction() as conn:
            role_id = accounts.create_role(conn, form.get("role_id", ""), form.get("name_zh", ""), form.get("name_en", ""))
    except DomainError as exc:
        return refused(ctx, exc, lambda **kw: list_roles(ctx, **kw))
    return RedirectResponse(f"{PREFIX}/roles/{role_id}", status_code=303)


def show(ctx: Ctx, *, error: str = "", status: int = 200) -> Response:
    require(ctx, VIEW)
    with ctx.store.read() as conn:
        role = admin_views.get_role(conn, str(ctx.request.path_params["role_id"]))
    unknown = sorted(role.permissions - set(GRANTABLE))  # held but no longer in the catalogue
    return ctx.render("roles/detail.html", status=status, role=role, error=error, grantable=GRANTABLE, unknown=unknown,
                      describe=description_key, field=FIELD, can_manage=ctx.signed_in.can(MANAGE))


def save(ctx: Ctx) -> Response:
    require(ctx, MANAGE)
    role_id = str(ctx.request.path_params["role_id"])
    chosen = {p for p in GRANTABLE if ctx.form.get(FIELD + p) == "1"}
    try:
        with ctx.store.transaction() as conn:
            kept = admin_views.get_role(conn, role_id).permissions - set(GRANTABLE)  # unknown ones stay as they are
            accounts.set_role_permissions(conn, role_id, chosen | kept)
    except DomainError as exc:
        return refused(ctx, exc, lambda **kw: show(ctx, **kw))
    return RedirectResponse(f"{PREFIX}/roles/{role_id}", status_code=303)
