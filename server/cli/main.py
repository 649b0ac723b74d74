"""``erp``: the command line of the server. Commands are thin: they parse options, open the store
from ``Settings.from_env()`` and call services."""

from __future__ import annotations

import dataclasses

import typer

from server.cli import import_export
from server.cli.audit_cmd import audit_app
from server.cli.device_cmd import device_app
from server.cli.labels_cmd import labels_app
from server.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Offline-first e-commerce ERP server.")


def settings() -> Settings:
    return Settings.from_env()


@app.callback()
def _main(ctx: typer.Context) -> None:
    """Changes made by a command are audited as coming from the command line (the server's own
    requests say who and where themselves)."""
    from server.store import audit

    if ctx.invoked_subcommand != "serve":
        ctx.with_resource(audit.acting(audit.SYSTEM, "cli"))


@app.command()
def serve(
    host: str = typer.Option(None, help="Address to bind (default ERP_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default ERP_PORT or 8000)."),
    demo_if_empty: bool = typer.Option(False, "--demo-if-empty", help="Load the demo data first if the store has no SKUs."),
    simulators: bool = typer.Option(False, "--simulators", help="Serve the simulated marketplaces and carrier under /sim and run "
                                    "the order worker (every 15 s unless ERP_ORDER_WORKER_SECONDS says otherwise): the demo."),
    ssl_certfile: str = typer.Option(None, help="Serve HTTPS with this certificate (PEM); uvicorn's own TLS."),
    ssl_keyfile: str = typer.Option(None, help="The certificate's private key (PEM)."),
) -> None:
    """Run the server (sync API and back office)."""
    from server.cli.serve import run

    chosen = settings()
    if simulators:
        chosen = dataclasses.replace(chosen, simulators=True, order_worker_seconds=chosen.order_worker_seconds or 15)
    run(chosen, host=host, port=port, demo_if_empty=demo_if_empty, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)


@app.command()
def demo(
    skus: int = typer.Option(2000, min=1, help="How many SKUs to create."),
    bins_per_warehouse: int = typer.Option(1500, min=1, help="Storage bins per warehouse (two warehouses and a store)."),
    seed: int = typer.Option(7, help="Random seed: the same seed makes the same data."),
) -> None:
    """Load demo data: SKUs with Chinese and English names and valid GTINs, 2 warehouses + 1 store,
    bins, opening stock and a few expected receipts."""
    from server.cli.demo_cmd import run

    run(settings(), skus=skus, bins_per_warehouse=bins_per_warehouse, seed=seed)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (also done at every start)."""
    from server.store.db import open_store

    s = settings()
    open_store(s.resolved_database_url).dispose()
    typer.echo(f"schema up to date: {s.resolved_database_url}")


@app.command()
def check() -> None:
    """Verify that every stock projection equals the sum of its ledger movements."""
    from server.store import ledger
    from server.store.db import open_store

    store = open_store(settings().resolved_database_url)
    with store.read() as conn:
        drift = ledger.projection_drift(conn)
    store.dispose()
    for sku_id, bin_id, batch, projected, total in drift[:50]:
        typer.echo(f"drift: sku={sku_id} bin={bin_id} batch={batch!r} projection={projected} ledger={total}")
    if drift:
        raise typer.Exit(1)
    typer.echo("ledger and projections agree")


@app.command()
def sim(
    seeds: int = typer.Option(200, min=1, help="How many seeds to run."),
    start: int = typer.Option(0, min=0, help="First seed."),
    seed: int = typer.Option(None, help="Replay one seed and print its trace."),
) -> None:
    """Run the deterministic sync simulation (from a source checkout); prints the replay command of
    any failing seed."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    if not (root / "tests" / "sim").is_dir():
        typer.echo("erp sim needs a source checkout (tests/sim is not here)", err=True)
        raise typer.Exit(2)
    args = ["--seed", str(seed)] if seed is not None else ["--seeds", str(seeds), "--start", str(start)]
    raise typer.Exit(subprocess.run([sys.executable, "-m", "tests.sim", *args], cwd=root).returncode)


import_export.register(app)
app.add_typer(device_app, name="device")
app.add_typer(audit_app, name="audit")
app.add_typer(labels_app, name="labels")
