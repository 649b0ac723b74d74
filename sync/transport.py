"""How the device talks to the server: a small ``Transport`` protocol and its httpx implementation.

The replicator (``sync.client``) only ever sees ``Transport``; tests and the simulation pass an
in-memory one, the app passes ``HttpxTransport(httpx.Client(...), "https://erp.example.com")``.
httpx is used in this module only, and only through the client object the caller injects.

    post_json(path, body, token)  -> (status, json object)
    get_json(path, params, token) -> (status, json object)
    get_bytes(path, token)        -> (status, headers, body bytes)

A transport answers with whatever HTTP status the server sent; it raises only when there was no
answer at all (``TransportError``) or when it must not send (``InsecureTransportError``). A body that
is not a JSON object comes back as ``{}`` (a proxy's HTML error page, an empty 502).

Errors (codes and texts in ``shared.core.messages``); ``retryable`` says whether trying the same call
again later can help:

    SyncError (DomainError)                                       retryable
    ├── TransportError          sync.network                      yes   no answer: refused, reset, timeout, TLS
    │   └── ServerUnavailable   sync.server_unavailable           yes   5xx after the replicator's retries
    ├── BadResponse             sync.bad_response                 yes   an answer the contract does not allow
    ├── InsecureTransportError  sync.insecure_transport           no    http:// to a host that is not loopback
    ├── NotEnrolled             sync.not_enrolled                 no    no device id / token yet
    └── ServerRefused           the server's code (device.revoked, no    a 4xx in the one error shape
                                sync.bad_cursor…) or sync.refused
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from shared.core.errors import DomainError
from sync.device_status import HEADER as STATUS_HEADER
from sync.device_status import DeviceStatus
from shared.core.messages import MESSAGES

JsonObject = dict[str, Any]
LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


class SyncError(DomainError):
    """A failure talking to the sync server."""

    retryable = False


class TransportError(SyncError):
    """No answer from the server; the same call may succeed later."""

    retryable = True

    def __init__(self, reason: str) -> None:
        super().__init__("sync.network", reason=reason)


class ServerUnavailable(TransportError):
    """The server answered 5xx every time we asked."""

    def __init__(self, status: int) -> None:
        SyncError.__init__(self, "sync.server_unavailable", status=status)


class BadResponse(SyncError):
    """The server answered something the protocol does not allow (wrong shape, no progress)."""

    retryable = True

    def __init__(self, reason: str) -> None:
        super().__init__("sync.bad_response", reason=reason)


class InsecureTransportError(SyncError):
    def __init__(self, url: str) -> None:
        super().__init__("sync.insecure_transport", url=url)


class NotEnrolled(SyncError):
    def __init__(self) -> None:
        super().__init__("sync.not_enrolled")


class ServerRefused(SyncError):
    """A 4xx answer. ``code`` is the server's stable code when this client knows it, else
    ``sync.refused``; ``server_code`` and the server's own texts are kept as sent."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        error = _as_dict(body.get("error"))
        self.status = status
        self.server_code = str(error.get("code") or "")
        self.server_message = str(error.get("message") or "")
        self.server_message_en = str(error.get("message_en") or "")
        if self.server_code in MESSAGES:
            details = _as_dict(error.get("details"))
            super().__init__(self.server_code, **{str(k): v for k, v in details.items()})
        else:
            super().__init__("sync.refused", status=status, code=self.server_code or "?")


def error_code(body: Mapping[str, Any]) -> str:
    """The ``error.code`` of an error body, or ``""``."""
    return str(_as_dict(body.get("error")).get("code") or "")


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Transport(Protocol):
    """What the replicator needs from HTTP. ``token`` is ``None`` only for enrolment."""

    def post_json(self, path: str, body: Mapping[str, Any], token: str | None) -> tuple[int, JsonObject]: ...

    def get_json(self, path: str, params: Mapping[str, str | int], token: str | None) -> tuple[int, JsonObject]: ...

    def get_bytes(self, path: str, token: str | None) -> tuple[int, Mapping[str, str], bytes]: ...


class HttpResponse(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


class HttpClient(Protocol):
    """The part of ``httpx.Client`` used here."""

    def request(self, method: str, url: str, *, json: Any = None, params: Any = None,
                headers: Any = None) -> Any: ...


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (also written as ::ffff:127.x.x.x)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_base_url(base_url: str, *, allow_insecure_http: bool = False) -> str:
    """``base_url`` without a trailing slash, or ``InsecureTransportError`` when it would send device
    tokens in clear text: only ``https://``, or ``http://`` to a loopback host, or any ``http://`` when
    ``allow_insecure_http`` is set."""
    parts = urlsplit(base_url)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if not host or scheme not in ("http", "https"):
        raise InsecureTransportError(base_url)
    if scheme == "http" and not allow_insecure_http and not is_loopback_host(host):
        raise InsecureTransportError(base_url)
    return base_url.rstrip("/")


class HttpxTransport:
    """``Transport`` over an injected ``httpx.Client`` (or anything with its ``request`` method)."""

    def __init__(self, client: HttpClient, base_url: str, allow_insecure_http: bool = False,
                 status: Callable[[], DeviceStatus | None] | None = None) -> None:
        self._client = client
        self._base_url = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.status = status  # the device's status, sent on every request (settable once the session exists)

    def post_json(self, path: str, body: Mapping[str, Any], token: str | None) -> tuple[int, JsonObject]:
        response = self._send("POST", path, token, json=dict(body))
        return response.status_code, _json_object(response)

    def get_json(self, path: str, params: Mapping[str, str | int], token: str | None) -> tuple[int, JsonObject]:
        response = self._send("GET", path, token, params=dict(params))
        return response.status_code, _json_object(response)

    def get_bytes(self, path: str, token: str | None) -> tuple[int, Mapping[str, str], bytes]:
        response = self._send("GET", path, token)
        headers = {str(k).lower(): str(v) for k, v in response.headers.items()}
        return response.status_code, headers, response.content

    def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> HttpResponse:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
            status = self.status() if self.status is not None else None
            if status is not None:
                headers[STATUS_HEADER] = status.to_header()
        try:
            response: HttpResponse = self._client.request(method, self._base_url + path, headers=headers, **kwargs)
        except (httpx.TransportError, httpx.DecodingError, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}"[:200]) from exc
        return response


def _json_object(response: HttpResponse) -> JsonObject:
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
