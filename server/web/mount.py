"""The ``/app`` mount: the route table (every entry with its permission), the static files, and the
security middleware. ``create_app`` mounts ``back_office()``."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from server.web import (
    admin_routes,
    auth_pages,
    conflicts,
    dashboard,
    devices,
    files_routes,
    inventory_routes,
    order_routes,
    search_routes,
    session_pages,
)
from server.web.permissions import PUBLIC, SIGNED_IN
from server.web.render import PREFIX, STATIC_DIR
from server.web.routing import page
from server.web.security import BackOfficeSecurity

MAX_BODY_BYTES = 1024 * 1024

ROUTES: list[BaseRoute] = [
    page("/", dashboard.show, permission="dashboard.view", name="dashboard"),
    page("/login", auth_pages.login_form, permission=PUBLIC, name="login"),
    page("/login", auth_pages.login, permission=PUBLIC, methods=["POST"], name="login_post"),
    page("/logout", auth_pages.logout, permission=SIGNED_IN, methods=["POST"], name="logout"),
    page("/lang", auth_pages.switch_language, permission=PUBLIC, name="lang"),
    page("/sessions", session_pages.list_own, permission=SIGNED_IN, name="sessions"),
    page("/sessions/{session_id}/end", session_pages.end, permission=SIGNED_IN, methods=["POST"], name="session_end"),
    page("/devices", devices.list_devices, permission="devices.view", name="devices"),
    page("/devices/enrol", devices.enrol_form, permission="devices.enrol", name="device_enrol"),
    page("/devices/enrol", devices.enrol, permission="devices.enrol", methods=["POST"], name="device_enrol_post"),
    page("/devices/{device_id}/revoke", devices.revoke, permission="devices.revoke", methods=["POST"], name="device_revoke"),
    page("/conflicts", conflicts.list_conflicts, permission="conflicts.view", name="conflicts"),
    page("/conflicts/{conflict_id}/resolve", conflicts.resolve, permission="conflicts.resolve", methods=["POST"],
         name="conflict_resolve"),
    *inventory_routes.ROUTES,
    *admin_routes.ROUTES,
    *search_routes.ROUTES,
    *files_routes.ROUTES,
    *order_routes.ROUTES,
]


class StaticMount(Mount):
    """Static files (CSS): public, like the login page."""

    permission = PUBLIC


def back_office() -> Mount:
    static = StaticMount("/static", app=StaticFiles(directory=STATIC_DIR), name="static")
    return Mount(PREFIX, routes=[*ROUTES, static], middleware=[Middleware(BackOfficeSecurity)],
                 max_body_size=MAX_BODY_BYTES, name="app")
