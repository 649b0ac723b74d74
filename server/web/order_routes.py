"""Orders, exceptions, rules, waves and shipments."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
