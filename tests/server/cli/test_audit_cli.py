from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text
from typer.testing import CliRunner

from server.cli.main import app
from server.store import events
from server.store.db import open_store
from server.store.schema import audit_log


def test_audit_verify_reports_intact_then_the_first_broken_entry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    env = {"ERP_DATA_DIR": str(tmp_path / "data"), "ERP_DATABASE_URL": url}
    runner = CliRunner()
    empty = runner.invoke(app, ["audit", "verify"], env=env)
    assert empty.exit_code == 0 and "audit chain intact (0 entries)" in empty.output

    store = open_store(url)
    with store.transaction() as conn:
        for i in range(3):
            events.record(conn, "sku.created", "sku", f"s{i}", {"code": f"A-{i}"}, hlc=i + 1)
    intact = runner.invoke(app, ["audit", "verify"], env=env)
    assert intact.exit_code == 0 and "audit chain intact (3 entries)" in intact.output, intact.output

    with store.transaction() as conn:
        conn.execute(text("UPDATE audit_log SET entity_id = 'forged' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify"], env=env)
    assert broken.exit_code == 1 and "broken at entry 2" in broken.output and "sku.created sku forged" in broken.output

    with store.transaction() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    missing = runner.invoke(app, ["audit", "verify"], env=env)
    assert missing.exit_code == 1 and "broken at entry 2: the entry is missing" in missing.output
    store.dispose()


def test_changes_made_by_a_command_are_audited_as_from_the_cli(tmp_path: Path) -> None:
    env = {"ERP_DATA_DIR": str(tmp_path / "data"), "ERP_DATABASE_URL": f"sqlite:///{tmp_path / 'erp.sqlite3'}"}
    result = CliRunner().invoke(app, ["demo", "--skus", "5", "--bins-per-warehouse", "3"], env=env)
    assert result.exit_code == 0, result.output
    store = open_store(env["ERP_DATABASE_URL"])
    with store.read() as conn:
        sources = set(conn.execute(select(audit_log.c.source).distinct()).scalars())
    store.dispose()
    assert sources == {"cli"}
    assert "audit chain intact" in CliRunner().invoke(app, ["audit", "verify"], env=env).output
