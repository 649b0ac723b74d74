"""Stocktake review and approval, users and roles, the audit log."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
