"""``sync.transport.Transport`` over the in-process app (a starlette TestClient): subclasses decide in
``_send`` how a request travels (or fails to) — the services' switchable server, the simulation's faults."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class InProcessTransport(ABC):
    @abstractmethod
    def _send(self, method: str, path: str, token: str | None, **kw: Any) -> Any:
        """Deliver one request (or fail to, as the subclass decides) and return the response."""

    def post_json(self, path: str, body: Any, token: str | None) -> tuple[int, dict[str, Any]]:
        r = self._send("POST", path, token, json=dict(body))
        return r.status_code, r.json()

    def get_json(self, path: str, params: Any, token: str | None) -> tuple[int, dict[str, Any]]:
        r = self._send("GET", path, token, params=dict(params))
        return r.status_code, r.json()

    def get_bytes(self, path: str, token: str | None) -> tuple[int, Any, bytes]:
        r = self._send("GET", path, token)
        return r.status_code, r.headers, r.content
