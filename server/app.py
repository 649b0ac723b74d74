"""The Starlette application factory. The store lives in lifespan state, not in a global."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from server.api import catalogue_routes, sync_routes
from server.orders.carrier.app import create_carrier
from server.orders.services import OrderServices
from server.orders.simulator import create_simulator
from server.orders.simulator.state import SPAN
from server.orders.worker import OrderWorker
from server.api.errors import domain_error, http_error, server_error
from server.settings import Settings, load_or_create_secret
from server.store.db import Store, open_store
from server.web.mount import back_office
from shared.core.errors import DomainError
from shared.core.time import utc_now


DEMO_MARKETPLACE_SEED = 11


def _follow_wall_clock(marketplace: Starlette) -> Callable[[datetime], None]:
    """Before each worker round, move the simulated marketplace's clock up to the wall clock."""
    sim = marketplace.state.sim

    def follow(now: datetime) -> None:
        minutes = (now - sim.now).total_seconds() / 60
        if minutes > 0:  # about 3 % of orders change an hour, 1 % are cancelled or refunded late
            sim.advance(minutes, modify_share=min(0.03, 0.0005 * minutes), late_share=min(0.01, 0.00017 * minutes))

    return follow


def create_app(settings: Settings, *, store: Store | None = None) -> Starlette:
    """``store`` may be handed in (tests); otherwise it is opened from the settings at startup."""

    marketplace = create_simulator(DEMO_MARKETPLACE_SEED, start=utc_now() - SPAN) if settings.simulators else None
    carrier = create_carrier() if settings.simulators else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        owned = store is None
        s = store or open_store(settings.resolved_database_url)
        services = OrderServices.from_settings(s, settings)
        app.state.order_services = services
        worker = None
        if settings.order_worker_seconds > 0:
            follow = _follow_wall_clock(marketplace) if marketplace is not None else None
            worker = OrderWorker(services, settings.order_worker_seconds, before_round=follow)
            worker.start()
        try:
            yield {"store": s, "settings": settings, "secret": load_or_create_secret(settings)}
        finally:
            if worker is not None:
                worker.stop()
            services.close()
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

    simulators = [Mount("/sim/platforms", app=marketplace), Mount("/sim/carrier", app=carrier)] \
        if marketplace is not None and carrier is not None else []
    return Starlette(
        routes=[Route("/", index), Route("/health", health), Mount("/api/v1", routes=catalogue_routes.routes),
                Mount("/sync/v1", routes=sync_routes.routes), back_office(), *simulators],
        middleware=[Middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)],
        exception_handlers={DomainError: domain_error, HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
