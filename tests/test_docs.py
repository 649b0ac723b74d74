"""Docs as tests: every command and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from server.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    import typer.main

    group = typer.main.get_command(app)
    names = sorted(group.commands)  # type: ignore[attr-defined]
    assert {"serve", "demo", "migrate", "check"} <= set(names)
    assert [n for n in names if f"`erp {n}" not in OPERATIONS] == []


def test_every_setting_is_documented() -> None:
    source = (ROOT / "server" / "settings.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'"(ERP_[A-Z_]+)"', source))
    assert variables and [v for v in sorted(variables) if f"`{v}`" not in OPERATIONS] == []


def test_readme_names_the_two_commands_and_ci_calls_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/run" in readme and "scripts/test" in readme
    assert "\nscripts/test\n" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
