"""ASGI middleware on the ``/app`` mount: refuses cross-origin state-changing requests (see
``csrf``) before any route runs, and adds the security headers to every back-office response:

- ``Content-Security-Policy``: own origin only, no inline script or style, ``frame-ancestors 'none'``
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin``
- ``Cross-Origin-Opener-Policy: same-origin``
- ``Cache-Control: no-store`` on pages (private data must not stay in shared or browser caches),
  unless the response set its own (static files).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.web.csrf import UNSAFE_METHODS, check_origin
from server.web.errors import CsrfRejected, error_response
from server.web.i18n import language

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


class BackOfficeSecurity:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
            await send(message)

        if scope["method"] in UNSAFE_METHODS:
            request = Request(scope)
            try:
                check_origin(request.headers, request.url.scheme)
            except CsrfRejected as exc:
                response = error_response(request, exc, lang=language(request))
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)
