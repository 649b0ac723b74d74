"""``erp audit``: check the SHA-256 chain of the audit log."""

from __future__ import annotations

import typer
from sqlalchemy import select

from server.settings import Settings
from server.store import audit
from server.store.db import open_store
from server.store.schema import audit_log

audit_app = typer.Typer(no_args_is_help=True, help="The audit log of every change.")


@audit_app.command("verify")
def verify() -> None:
    """Recompute the audit chain; print the first broken entry and exit 1 if there is one."""
    store = open_store(Settings.from_env().resolved_database_url)
    try:
        with store.snapshot_read() as conn:
            broken = audit.verify(conn)
            total = audit.count(conn)
            entry = conn.execute(select(audit_log).where(audit_log.c.seq == broken)).one_or_none() if broken else None
    finally:
        store.dispose()
    if broken is None:
        typer.echo(f"audit chain intact ({total} entries)")
        return
    if entry is None:
        typer.echo(f"audit chain broken at entry {broken}: the entry is missing")
    else:
        e = entry._mapping
        typer.echo(f"audit chain broken at entry {broken}: {e['at']:%Y-%m-%d %H:%M:%S} {e['actor']} ({e['source']}) "
                   f"{e['action']} {e['entity_type']} {e['entity_id']}")
    raise typer.Exit(1)
