"""Stocktake review and approval, users and roles, the audit log."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.web import audit_pages, role_pages, stocktake_pages, user_pages
from server.web.routing import page

POST = ["POST"]

ROUTES: list[BaseRoute] = [
    # stocktakes: warehouse-scoped (the handlers check the session's warehouse)
    page("/stocktakes", stocktake_pages.list_stocktakes, permission="stocktakes.view", name="stocktakes"),
    page("/stocktakes/new", stocktake_pages.new_form, permission="stocktakes.approve", name="stocktake_new"),
    page("/stocktakes/new", stocktake_pages.create, permission="stocktakes.approve", methods=POST, name="stocktake_create"),
    page("/stocktakes/{stocktake_id}", stocktake_pages.show, permission="stocktakes.view", name="stocktake"),
    page("/stocktakes/{stocktake_id}/approve", stocktake_pages.approve, permission="stocktakes.approve", methods=POST,
         name="stocktake_approve"),
    page("/stocktakes/{stocktake_id}/cancel", stocktake_pages.cancel, permission="stocktakes.approve", methods=POST,
         name="stocktake_cancel"),
    # users and roles
    page("/users", user_pages.list_users, permission="users.view", name="users"),
    page("/users/new", user_pages.new_form, permission="users.manage", name="user_new"),
    page("/users/new", user_pages.create, permission="users.manage", methods=POST, name="user_create"),
    page("/users/{user_id}", user_pages.show, permission="users.view", name="user"),
    page("/users/{user_id}/rename", user_pages.rename, permission="users.manage", methods=POST, name="user_rename"),
    page("/users/{user_id}/grant", user_pages.grant, permission="users.manage", methods=POST, name="user_grant"),
    page("/users/{user_id}/revoke", user_pages.revoke, permission="users.manage", methods=POST, name="user_revoke"),
    page("/users/{user_id}/password", user_pages.reset_password, permission="users.manage", methods=POST, name="user_password"),
    page("/users/{user_id}/active", user_pages.set_active, permission="users.manage", methods=POST, name="user_active"),
    page("/users/{user_id}/pin", user_pages.set_pin, permission="users.manage", methods=POST, name="user_pin"),
    page("/roles", role_pages.list_roles, permission="users.view", name="roles"),
    page("/roles", role_pages.create, permission="users.manage", methods=POST, name="role_create"),
    page("/roles/{role_id}", role_pages.show, permission="users.view", name="role"),
    page("/roles/{role_id}", role_pages.save, permission="users.manage", methods=POST, name="role_save"),
    # the audit log
    page("/audit", audit_pages.list_entries, permission="audit.view", name="audit"),
    page("/audit/verify", audit_pages.verify, permission="audit.view", methods=POST, name="audit_verify"),
]
