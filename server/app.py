"""The Starlette application factory. The store lives in lifespan state, not in a global."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from server.api import catalogue_routes, sync_routes
from server.api.errors import domain_error, http_error, server_error
from server.settings import Settings, load_or_create_secret
from server.store.db import Store, open_store
from server.web.mount import back_office
from shared.core.errors import DomainError


def create_app(settings: Settings, *, store: Store | None = None) -> Starlette:
    """``store`` may be handed in (tests); otherwise it is opened from the settings at startup."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        owned = store is None
        s = store or open_store(settings.resolved_database_url)
        try:
            yield {"store": s, "settings": settings, "secret": load_or_create_secret(settings)}
        finally:
            if owned:
                s.dispose()

    async def index(request: Request) -> JSONResponse:
        return JSONResponse({"name": "erp", "api": "/api/v1", "health": "/health", "endpoints": [
            "/api/v1/warehouses", "/api/v1/skus/{code}", "/api/v1/skus/{code}/stock", "/api/v1/scan?code=&warehouse=",
            "/api/v1/alerts/low-stock", "/api/v1/events?after=&limit="]})

    async def health(request: Request) -> JSONResponse:
        s: Store = request.state.store
        with s.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        return JSONResponse({"status": "ok", "database": s.dialect})

    return Starlette(
        routes=[Route("/", index), Route("/health", health), Mount("/api/v1", routes=catalogue_routes.routes),
                Mount("/sync/v1", routes=sync_routes.routes), back_office()],
        middleware=[Middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)],
        exception_handlers={DomainError: domain_error, HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
