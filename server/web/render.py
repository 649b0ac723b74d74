"""Jinja2 rendering for the back office. Autoescape is ON for every template (not chosen by file
extension), undefined names fail loudly, and user data is only ever passed as values, never compiled
as a template. Every page gets the same base context: ``t``, ``lang``, ``other_lang``, ``viewer``,
``csrf_token``, ``path``, ``prefix``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse

from server.web.i18n import other_language, translator
from shared.core.errors import DomainError

PREFIX = "/app"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pager_query(query: Any, **changes: str) -> str:
    """The query string with ``changes`` applied (empty values dropped): the pager's links."""
    items = {k: v for k, v in dict(query).items() if k not in changes}
    items.update({k: v for k, v in changes.items() if v})
    return urlencode(items)


ENV.filters["pager_query"] = _pager_query


def render_page(request: HTTPConnection, template: str, *, lang: str, viewer: Any = None, csrf_token: str = "",
                status: int = 200, **context: Any) -> HTMLResponse:
    from server.web.nav import visible  # nav reads the route table, which imports this module

    base = {"t": translator(lang), "lang": lang, "other_lang": other_language(lang), "viewer": viewer,
            "csrf_token": csrf_token, "path": request.url.path, "prefix": PREFIX, "nav": visible(viewer)}
    html = ENV.get_template(template).render({**base, **context})
    return HTMLResponse(html, status_code=status)


def render_error(request: HTTPConnection, exc: DomainError, *, lang: str) -> HTMLResponse:
    return render_page(request, "error.html", lang=lang, status=exc.http_status, code=exc.code,
                       message=exc.message(lang))
