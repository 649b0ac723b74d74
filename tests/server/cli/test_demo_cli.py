from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from server.cli.main import app


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"ERP_DATA_DIR": str(tmp_path / "data"), "ERP_DATABASE_URL": ""}


def test_demo_loads_once_and_the_ledger_checks_out(env: dict[str, str]) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--skus", "120", "--bins-per-warehouse", "60"], env=env)
    assert first.exit_code == 0, first.output
    assert "120 SKUs" in first.output and "3 warehouses" in first.output
    assert runner.invoke(app, ["check"], env=env).exit_code == 0
    again = runner.invoke(app, ["demo", "--skus", "10"], env=env)
    assert again.exit_code == 1 and "already has SKUs" in again.output


def test_demo_data_meets_the_minimums_by_default(tmp_path: Path) -> None:
    from server import demo
    from server.store.db import open_store

    store = open_store(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    summary = demo.load(store)
    store.dispose()
    assert summary.skus >= 2000 and summary.bins >= 3000 and summary.warehouses == 3 and summary.receipts >= 3
    assert summary.barcodes >= summary.skus and summary.movements > summary.skus


def test_migrate_command_reports_the_database(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["migrate"], env=env)
    assert result.exit_code == 0 and "schema up to date" in result.output
