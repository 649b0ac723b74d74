"""Fixtures: a real server in-process over a copy of a demo database made once per test process, and
the ``World`` that enrols handhelds against it (see ``world.py``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server import demo
from server.app import create_app
from server.settings import Settings
from server.store.db import ServerClock, open_store
from tests.client.services.world import SECRET, START_MS, Clock, SwitchTransport, World


@pytest.fixture(scope="session")
def demo_server_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated server database with the small demo world, made once per test process."""
    path = tmp_path_factory.mktemp("handheld-demo") / "server.sqlite3"
    store = open_store(f"sqlite:///{path}", clock=ServerClock(wall_ms=lambda: START_MS - 60_000))
    demo.load(store, sku_count=60, bins_per_warehouse=40)
    store.dispose()
    return path


@pytest.fixture
def world(tmp_path: Path, demo_server_file: Path) -> Iterator[World]:
    db = tmp_path / "server.sqlite3"
    shutil.copy(demo_server_file, db)
    clock = Clock()
    store = open_store(f"sqlite:///{db}", migrate=False, clock=ServerClock(wall_ms=clock.now))
    client = TestClient(create_app(Settings(secret_key=SECRET, data_dir=tmp_path), store=store))
    client.__enter__()
    w = World(tmp_path, clock, store, client, SwitchTransport(client))
    try:
        yield w
    finally:
        for s in w.sessions:
            s.close()
        client.__exit__(None, None, None)
        store.dispose()
