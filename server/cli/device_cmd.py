"""``erp device``: make one-time enrolment codes, list devices, revoke a lost device."""

from __future__ import annotations

import typer

from server.settings import Settings
from server.store import devices, oplog
from server.store.db import open_store

device_app = typer.Typer(no_args_is_help=True, help="Enrolled handheld devices.")


@device_app.command("enroll")
def enroll(warehouse: str = typer.Option(..., help="Warehouse code or id the device will work in."),
           by: str = typer.Option("cli", help="Who made the code (kept on record).")) -> None:
    """Print a one-time enrolment code (valid 15 minutes) for a new handheld."""
    store = open_store(Settings.from_env().resolved_database_url)
    try:
        with store.transaction() as conn:
            code, expires = devices.new_enrolment_code(conn, warehouse, created_by=by)
    finally:
        store.dispose()
    typer.echo(f"注册码 / enrolment code: {code}   (valid until {expires:%Y-%m-%d %H:%M} UTC, usable once)")


@device_app.command("list")
def list_devices() -> None:
    """List enrolled devices with last sync, sequence, conflicts and clock state."""
    store = open_store(Settings.from_env().resolved_database_url)
    try:
        with store.read() as conn:
            rows = [(d, oplog.count_open_conflicts(conn, d.id)) for d in devices.list_all(conn)]
    finally:
        store.dispose()
    for d, open_conflicts in rows:
        state = "revoked" if d.revoked_at else "active"
        seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "never"
        typer.echo(f"{d.id}  {d.name:<16} {state:<8} last sync {seen}  seq {d.last_seq}  conflicts {open_conflicts}"
                   f"  skew {d.clock_skew_ms} ms{'  CLOCK FLAGGED' if d.clock_flagged else ''}")


@device_app.command("revoke")
def revoke(device_id: str) -> None:
    """Revoke a device: its token stops working on the next request."""
    store = open_store(Settings.from_env().resolved_database_url)
    try:
        with store.transaction() as conn:
            devices.revoke(conn, device_id, hlc=store.clock.now(), by="cli")
    finally:
        store.dispose()
    typer.echo(f"revoked {device_id}")
