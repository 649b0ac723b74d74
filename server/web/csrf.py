"""Cross-site request forgery defences for the back office, two independent layers on every
state-changing request (POST, PUT, PATCH, DELETE):

1. Origin: the ``Origin`` header (or, without it, ``Referer``) must name this very origin (scheme,
   host and port of the request). Missing both, ``Origin: null`` or a foreign origin → 403
   ``csrf.bad_origin``. Checked by ``security.BackOfficeSecurity`` before any route runs.
2. Token: the session's CSRF token in the ``csrf_token`` form field or the ``X-CSRF-Token`` header,
   compared in constant time → 403 ``csrf.missing_token`` / ``csrf.bad_token``; pages carry it masked
   with a fresh pad each time (``mask``; BREACH), the raw token works too. Before sign-in (the
   login form) the token is an HMAC, under the app secret, of a random nonce kept in a cookie.

Behind a TLS-terminating proxy the app must see the public scheme and host (uvicorn
``--proxy-headers --forwarded-allow-ips=<proxy>``), or every form post fails the origin check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers

from server.web.errors import CsrfRejected

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
LOGIN_NONCE_COOKIE = "erp_login_nonce"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin(scheme: str, netloc: str) -> str:
    scheme, netloc = scheme.lower(), netloc.lower()
    host, _, port = netloc.rpartition(":") if netloc.rsplit(":", 1)[-1].isdigit() else (netloc, "", "")
    return f"{scheme}://{host}" if not port or port == _DEFAULT_PORTS.get(scheme) else f"{scheme}://{host}:{port}"


def check_origin(headers: Headers, scheme: str) -> None:
    """Refuse unless ``Origin`` (or ``Referer``) is this request's own origin."""
    host = headers.get("host", "")
    if not host:
        raise CsrfRejected("csrf.bad_origin")
    own = _origin(scheme, host)
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        if origin == "null" or not parts.scheme or _origin(parts.scheme, parts.netloc) != own:
            raise CsrfRejected("csrf.bad_origin")
        return
    referer = urlsplit(headers.get("referer", ""))
    if not referer.scheme or _origin(referer.scheme, referer.netloc) != own:
        raise CsrfRejected("csrf.bad_origin")


def check_token(expected: str, headers: Headers, form: Mapping[str, str]) -> None:
    """Refuse unless the request carries ``expected``, as is or masked (header or form field)."""
    given = headers.get(HEADER) or form.get(FORM_FIELD, "")
    if not given:
        raise CsrfRejected("csrf.missing_token")
    raw_ok = hmac.compare_digest(given.encode(), expected.encode())
    masked_ok = hmac.compare_digest(unmask(given).encode(), expected.encode())
    if not expected or not (raw_ok or masked_ok):
        raise CsrfRejected("csrf.bad_token")


def mask(token: str) -> str:
    """``token`` under a fresh one-time pad, so pages never repeat the same secret bytes (a
    compressed page that also reflects input cannot leak it byte by byte: BREACH)."""
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))).decode()


def unmask(given: str) -> str:
    """The token inside a ``mask`` result; anything else is returned unchanged."""
    try:
        blob = base64.urlsafe_b64decode(given.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return given
    if len(blob) % 2 or not blob:
        return given
    half = len(blob) // 2
    return bytes(a ^ b for a, b in zip(blob[:half], blob[half:], strict=True)).decode("latin-1")


def login_token(secret: str, nonce: str) -> str:
    """The pre-sign-in CSRF token for ``nonce`` (a cookie): only this server can make it."""
    return hmac.new(secret.encode(), f"erp-login-csrf:{nonce}".encode(), hashlib.sha256).hexdigest()
