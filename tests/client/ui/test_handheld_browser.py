"""The handheld in a real browser: Debian Chromium driven by Playwright against the app in Flet's web
mode, beside the real server under uvicorn. Enrol with a code, sign in, then complete a pick task by
typed wedge scans with the server STOPPED; start the server, sync, and check the server's ledger and
task state. A screenshot of every screen in zh-CN and English is saved under the test's output folder
(ERP_TEST_ARTIFACTS, default ./test-artifacts/handheld)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from server import demo
from server.store import catalogue, devices, ledger, tasks
from server.store.db import open_store
from tests.client.ui.browser import Handheld, browser_page
from tests.uvicorn_server import free_port, start, wait_ready

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium is not installed (scripts/setup --test installs it)")
ARTIFACTS = Path(os.environ.get("ERP_TEST_ARTIFACTS", "test-artifacts")) / "handheld"
SCREENS = ["/", "/pick", "/receive", "/move", "/transfer/ship", "/transfer/receive", "/stocktake", "/lookup"]


def _pick_task(db: Path) -> tuple[str, list[dict[str, Any]], dict[str, str]]:
    store = open_store(f"sqlite:///{db}")
    with store.read() as conn:
        warehouse = catalogue.get_warehouse(conn, "WH-SH")
        task = next(t for t in tasks.open_tasks(conn, warehouse.id, "pick") if not t.data.get("slots"))
        codes = {ln["sku_id"]: catalogue.barcodes_of(conn, ln["sku_id"])[0].raw for ln in task.data["lines"]}
        before = {(ln["sku_id"], ln["bin_id"]): ledger.balance(conn, ln["sku_id"], ln["bin_id"]).on_hand for ln in task.data["lines"]}
    store.dispose()
    lines = [{**ln, "before": before[(ln["sku_id"], ln["bin_id"])]} for ln in task.data["lines"]]
    return task.id, lines, codes


def test_pick_task_offline_then_sync_and_screens_in_both_languages(tmp_path: Path) -> None:
    db = tmp_path / "erp.sqlite3"
    store = open_store(f"sqlite:///{db}")
    demo.load(store, sku_count=60, bins_per_warehouse=40)
    with store.transaction() as conn:
        code, _ = devices.new_enrolment_code(conn, "WH-SH")
    store.dispose()
    task_id, lines, barcodes = _pick_task(db)

    env = {**os.environ, "ERP_DATABASE_URL": f"sqlite:///{db}", "ERP_SECRET_KEY": "ui-test", "ERP_DATA_DIR": str(tmp_path)}
    server_port, client_port = free_port(), free_port()
    server_url = f"http://127.0.0.1:{server_port}"
    server = start(env, server_port)
    wait_ready(server_url, server)
    client_env = {**os.environ, "ERP_SERVER_URL": server_url, "ERP_CLIENT_DATA_DIR": str(tmp_path / "pda"), "ERP_CLIENT_PORT": str(client_port)}
    log = (tmp_path / "client.log").open("w")
    client = subprocess.Popen([sys.executable, "-m", "client"], env=client_env, stdout=log, stderr=subprocess.STDOUT)
    shots = ARTIFACTS
    shutil.rmtree(shots, ignore_errors=True)
    outside: list[str] = []
    try:
        wait_ready(f"http://127.0.0.1:{client_port}", client, path="/")
        with browser_page(f"http://127.0.0.1:{client_port}/", outside) as page:
            h = Handheld(page, shots)
            h.wait_for("screen-enrol", 60000)
            h.shot("zh-CN-01-enrol")
            h.scan(code)
            h.wait_for("screen-signin")
            h.shot("zh-CN-02-signin")
            h.tap("user-zhangsan")
            h.type_into("pin-field", "1234")
            h.wait_for("screen-home")

            server.terminate()  # the aisle has no signal from here on
            server.wait(timeout=10)
            h.tap("go-pick")
            h.wait_for("screen-pick")
            h.tap("camera")  # this machine has no camera: a clear message, nothing written
            assert "摄像头" in h.text_of("feedback")
            h.tap(f"choose-{task_id[:8]}")
            for line in lines:
                h.scan(line["bin_code"])
                for _ in range(line["qty"]):
                    h.scan(barcodes[line["sku_id"]])
                    time.sleep(0.15)  # deliberate repeats, further apart than the debounce window
            h.shot("zh-CN-pick-all-scanned")
            h.tap("complete")
            h.tap("sync-now")  # no server: stays pending, the banner says offline
            h.wait_for("offline-banner")
            h.shot("zh-CN-offline")

            server = start(env, server_port)
            wait_ready(server_url, server)
            h.tap("sync-now")
            time.sleep(1.0)
            _tour(h, "zh-CN")
            h.tap("lang-switch")
            _tour(h, "en")
    except BaseException:
        log.flush()
        print((tmp_path / "client.log").read_text(encoding="utf-8")[-4000:])  # shown by pytest on failure
        raise
    finally:
        client.terminate()
        client.wait(timeout=10)
        server.terminate()
        server.wait(timeout=10)
        log.close()

    assert [u for u in outside if "rive" not in u] == []  # nothing leaves 127.0.0.1 but Flet's known rive probe
    store = open_store(f"sqlite:///{db}")
    with store.read() as conn:
        task = tasks.get(conn, task_id)
        assert task.state == "done"
        for line in lines:
            now = ledger.balance(conn, line["sku_id"], line["bin_id"]).on_hand
            assert now == line["before"] - line["qty"], (line, now)
    store.dispose()
    assert len(list(shots.glob("*.png"))) >= 2 * len(SCREENS)


def _tour(h: Handheld, lang: str) -> None:
    """Open every screen from home and save it."""
    if h.page.locator("[flt-semantics-identifier='screen-home']").count() == 0:
        h.tap("back")
    for i, route in enumerate(SCREENS):
        name = "home" if route == "/" else route.strip("/").replace("/", "-")
        if route != "/":
            h.tap("go" + route.replace("/", "-"))
        h.shot(f"{lang}-{i + 3:02d}-{name}")
        if route != "/":
            h.tap("back")
