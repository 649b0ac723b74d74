"""Typed errors of the web shell, and the one place that turns any ``DomainError`` into a response:
an HTML error page for a browser (``Accept: text/html``), else the API's one JSON error shape
(``server.api.errors.error_body``).

    DomainError
    ├── PermissionDenied    auth.forbidden                                  403
    ├── CsrfRejected        csrf.missing_token, csrf.bad_token, csrf.bad_origin   403
    └── ValidationError     web.bad_form                                    422
    (plus accounts.LoginFailed 401, accounts.LoginLocked 429, sessions.SessionInvalid 401)
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response

from server.api.errors import error_body
from shared.core.errors import DomainError


class PermissionDenied(DomainError):
    http_status = 403


class CsrfRejected(DomainError):
    http_status = 403


def wants_html(request: HTTPConnection) -> bool:
    return "text/html" in request.headers.get("accept", "")


def error_response(request: HTTPConnection, exc: DomainError, *, lang: str) -> Response:
    """The response for ``exc``: HTML page or JSON body, with the error's HTTP status."""
    if wants_html(request):
        from server.web.render import render_error

        return render_error(request, exc, lang=lang)
    body = exc.to_dict()
    return JSONResponse(error_body(body["code"], body["message"], body["message_en"], body["details"]),
                        status_code=exc.http_status)
