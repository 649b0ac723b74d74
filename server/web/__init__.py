"""The back office: a server-rendered web shell under ``/app`` (Starlette + Jinja2).

Add a page in three steps:

1. declare its permission in ``server.web.permissions.PERMISSIONS`` (and its description text in
   ``shared.core.messages``), and grant it to roles with ``server.store.accounts.ensure_role``;
2. write a handler ``def my_page(ctx: Ctx) -> Response`` in ``server/web/<domain>.py`` that reads
   through ``server.store`` and returns ``ctx.render("<domain>/<page>.html", ...)`` — its template
   ``{% extends "base.html" %}`` and takes every text from ``t("...")``;
3. add ``page("/my-path", my_page, permission="my.permission")`` to ``ROUTES`` in ``server.web.mount``.

Forms post ``csrf_token`` (``<input type="hidden" name="csrf_token" value="{{ csrf_token }}">``);
scripts send it as ``X-CSRF-Token``. The gate (``routing``) does sign-in, CSRF and permission checks.
"""
