"""``erp serve``: open the store (migrating it), optionally load the demo data, and run uvicorn."""

from __future__ import annotations

import dataclasses

import typer
import uvicorn

from server import demo
from server.app import create_app
from server.settings import Settings
from server.store.db import open_store


def run(settings: Settings, *, host: str | None, port: int | None, demo_if_empty: bool,
        ssl_certfile: str | None = None, ssl_keyfile: str | None = None) -> None:
    host = host or settings.host
    port = port or settings.port
    settings = dataclasses.replace(settings, host=host, port=port)  # the shops' simulator URLs name this address
    store = open_store(settings.resolved_database_url)
    if demo_if_empty and demo.is_empty(store):
        typer.echo("首次启动：正在加载演示数据 / first start: loading demo data …")
        summary = demo.load(store, marketplace_url=f"{settings.base_url}/sim/platforms" if settings.simulators else None)
        typer.echo(f"  {summary.skus} SKUs, {summary.bins} bins, {summary.movements} movements, {summary.pick_tasks} pick tasks")
        typer.echo(f"  handheld users: {', '.join(summary.users)} (PIN {demo.DEMO_PIN})")
        typer.echo(f"  back office: user admin, password {demo.DEMO_ADMIN_PASSWORD} (change it for real use)")
    typer.echo(f"database: {settings.resolved_database_url}")
    if settings.simulators:
        typer.echo(f"simulated marketplaces {settings.base_url}/sim/platforms and carrier {settings.base_url}/sim/carrier"
                   f" (order worker every {settings.order_worker_seconds} s)")
    scheme = "https" if ssl_certfile else "http"
    typer.echo(f"ERP server: {scheme}://{host}:{port}/  (back office {scheme}://{host}:{port}/app/, API {scheme}://{host}:{port}/api/v1,"
               f" sync {scheme}://{host}:{port}/sync/v1; Ctrl+C to stop)")
    try:
        uvicorn.run(create_app(settings, store=store), host=host, port=port, log_level="info",
                    ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
    finally:
        store.dispose()
