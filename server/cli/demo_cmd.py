"""``erp demo``: load demo data into the configured store, with a progress bar."""

from __future__ import annotations

import time

import typer
from rich.progress import Progress

from server import demo
from server.settings import Settings
from server.store.db import open_store


def run(settings: Settings, *, skus: int, bins_per_warehouse: int, seed: int) -> None:
    store = open_store(settings.resolved_database_url)
    try:
        if not demo.is_empty(store):
            typer.echo("演示数据未加载：数据库里已经有商品。/ Demo data not loaded: the store already has SKUs.", err=True)
            raise typer.Exit(1)
        started = time.perf_counter()
        with Progress(transient=True) as bar:
            task = bar.add_task("loading demo data", total=None)
            summary = demo.load(store, sku_count=skus, bins_per_warehouse=bins_per_warehouse, seed=seed,
                                progress=lambda stage, n: bar.update(task, advance=n, description=f"demo: {stage}"))
        took = time.perf_counter() - started
        typer.echo(f"demo data loaded in {took:.1f} s: {summary.skus} SKUs, {summary.barcodes} barcodes, "
                   f"{summary.warehouses} warehouses, {summary.bins} bins, {summary.movements} opening-stock movements, "
                   f"{summary.receipts} expected receipts, {summary.pick_tasks} pick tasks, {summary.transfers} transfer in transit; "
                   f"handheld users: {', '.join(summary.users)} (PIN {demo.DEMO_PIN})")
    finally:
        store.dispose()
