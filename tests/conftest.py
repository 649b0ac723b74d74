"""Shared fixtures: a migrated central store on SQLite (always) and PostgreSQL (when
ERP_TEST_POSTGRES_URL is set), isolated per test and safe under pytest-xdist."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from server.store.db import Store, make_engine
from server.store.migrate import upgrade
from server.store.schema import metadata

PG_URL = os.environ.get("ERP_TEST_POSTGRES_URL", "")
PG_SKIP_REASON = "PostgreSQL store tests skipped: ERP_TEST_POSTGRES_URL is not set (scripts/test in CI sets it)"


def pytest_report_header(config: pytest.Config) -> str:
    return f"PostgreSQL: {PG_URL}" if PG_URL else PG_SKIP_REASON


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "erp.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the main file
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    schema = f"erp_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _sqlite_store(template: Path, tmp_path: Path) -> Store:
    path = tmp_path / "erp.sqlite3"
    shutil.copy(template, path)
    return Store(make_engine(f"sqlite:///{path}"))


def _pg_store(url: str) -> Store:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return Store(engine)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    """The central store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        s = _sqlite_store(sqlite_template, tmp_path)
    else:
        s = _pg_store(request.getfixturevalue("pg_schema_url"))
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    s = _sqlite_store(sqlite_template, tmp_path)
    yield s
    s.dispose()
