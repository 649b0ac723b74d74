"""The back office in a real browser: Debian Chromium driven by Playwright (never a downloaded
browser) against the real server under uvicorn with the demo data. Sign in as the demo admin, open
every page in the menu in zh-CN and English (a screenshot of each under
ERP_TEST_ARTIFACTS/back-office), find a SKU by the pinyin initials of its name with Ctrl+K, approve a
stocktake, export, and enrol a device (the one-time code and its QR)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqlalchemy import select

from server import demo
from server.store import stocktakes
from server.store.catalogue import get_warehouse
from server.store.db import Store, open_store
from server.store.schema import bins, stock_balances
from shared.catalogue.pinyin import pinyin_keys
from tests.uvicorn_server import free_port, start, wait_ready

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium is not installed (scripts/setup --test installs it)")
ARTIFACTS = Path(os.environ.get("ERP_TEST_ARTIFACTS", "test-artifacts")) / "back-office"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("back-office")
    db = tmp / "erp.sqlite3"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    store = open_store(f"sqlite:///{db}")
    demo.load(store, sku_count=80, bins_per_warehouse=60, marketplace_url=f"{url}/sim/platforms")
    _counted_stocktake(store)
    store.dispose()
    env = {**os.environ, "ERP_DATABASE_URL": f"sqlite:///{db}", "ERP_SECRET_KEY": "browser-test", "ERP_DATA_DIR": str(tmp),
           "ERP_SIMULATORS": "1", "ERP_ORDER_WORKER_SECONDS": "2", "ERP_PORT": str(port)}
    server = start(env, port)
    try:
        wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _counted_stocktake(store: Store) -> None:
    """A stocktake a picker counted on the handheld (so the admin, not a counter, may approve it)."""
    with store.transaction() as conn:
        wh = get_warehouse(conn, "WH-SH")
        row = conn.execute(select(stock_balances.c.bin_id, stock_balances.c.sku_id, stock_balances.c.on_hand)
                           .join(bins, bins.c.id == stock_balances.c.bin_id)
                           .where(bins.c.warehouse_id == wh.id, bins.c.code.like("A%"), stock_balances.c.on_hand > 2,
                                  stock_balances.c.batch == "")
                           .order_by(bins.c.code).limit(1)).one()
        take = stocktakes.create(conn, "WH-SH", [row.bin_id], hlc=store.clock.now())
        stocktakes.record_count(conn, take.id, row.bin_id, row.sku_id, row.on_hand - 1, counted_hlc=store.clock.now(),
                                counted_by="zhangsan")


@pytest.fixture(scope="module")
def page(server_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
        pg = context.new_page()
        pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        pg.goto(f"{server_url}/app/")
        pg.fill("input[name=username]", "admin")
        pg.fill("input[name=password]", demo.DEMO_ADMIN_PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_url(f"{server_url}/app/")
        try:
            yield pg
        finally:
            browser.close()
    assert outside == [], f"the back office fetched something from outside: {outside[:5]}"


def _menu(pg: object) -> list[str]:
    return pg.eval_on_selector_all("nav.nav a", "els => els.map(e => e.getAttribute('href'))")  # type: ignore[attr-defined]


def test_every_menu_page_opens_in_both_languages_with_a_screenshot(page: object, server_url: str) -> None:
    pg = page
    links = _menu(pg)
    assert "/app/" in links and "/app/devices" in links and len(links) >= 15
    for lang in ("zh-CN", "en"):
        pg.goto(f"{server_url}/app/lang?to={lang}&next=/app/")  # type: ignore[attr-defined]
        for n, href in enumerate(links):
            response = pg.goto(f"{server_url}{href}")  # type: ignore[attr-defined]
            assert response is not None and response.status == 200, href
            assert pg.locator("html").get_attribute("lang") == lang  # type: ignore[attr-defined]
            name = href.strip("/").replace("/", "-") or "dashboard"
            pg.screenshot(path=str(ARTIFACTS / f"{lang}-{n:02d}-{name}.png"), full_page=True)  # type: ignore[attr-defined]
    pg.goto(f"{server_url}/app/lang?to=zh-CN&next=/app/")  # type: ignore[attr-defined]


def test_orders_pulled_by_the_worker_show_with_their_timeline(page: object, server_url: str) -> None:
    pg = page
    deadline = time.monotonic() + 60
    while True:
        pg.goto(f"{server_url}/app/orders")  # type: ignore[attr-defined]
        links = pg.locator("table tbody tr a[href*='/app/orders/']")  # type: ignore[attr-defined]
        if links.count() > 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert links.count() > 0, "the order worker pulled nothing from the simulated marketplaces"
    pg.screenshot(path=str(ARTIFACTS / "zh-CN-orders-pulled.png"), full_page=True)  # type: ignore[attr-defined]
    links.first.click()
    pg.wait_for_url("**/app/orders/**")  # type: ignore[attr-defined]
    pg.screenshot(path=str(ARTIFACTS / "zh-CN-order-detail.png"), full_page=True)  # type: ignore[attr-defined]
    assert "*" in pg.content()  # the receiver is shown masked  # type: ignore[attr-defined]


def test_pages_fit_a_tablet_without_sideways_scrolling(page: object, server_url: str) -> None:
    pg = page
    pg.set_viewport_size({"width": 820, "height": 1180})  # type: ignore[attr-defined]
    try:
        for href in ("/app/", "/app/orders", "/app/stock", "/app/devices"):
            pg.goto(f"{server_url}{href}")  # type: ignore[attr-defined]
            overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")  # type: ignore[attr-defined]
            assert overflow <= 0, (href, overflow)
            pg.screenshot(path=str(ARTIFACTS / f"tablet-{href.strip('/').replace('/', '-') or 'dashboard'}.png"))  # type: ignore[attr-defined]
    finally:
        pg.set_viewport_size({"width": 1280, "height": 860})  # type: ignore[attr-defined]


def test_enrol_a_device_shows_a_one_time_code_and_its_qr(page: object, server_url: str) -> None:
    pg = page
    pg.goto(f"{server_url}/app/devices/enrol")  # type: ignore[attr-defined]
    pg.locator("select[name=warehouse]").select_option(index=0)  # type: ignore[attr-defined]
    pg.locator("form button[type=submit]").last.click()  # type: ignore[attr-defined]
    pg.wait_for_selector("svg.qr")  # type: ignore[attr-defined]
    pg.screenshot(path=str(ARTIFACTS / "zh-CN-enrol-code.png"), full_page=True)  # type: ignore[attr-defined]


def test_find_a_sku_by_the_pinyin_initials_of_its_name_with_ctrl_k(page: object, server_url: str) -> None:
    pg = page
    pg.goto(f"{server_url}/app/skus")  # type: ignore[attr-defined]
    name = pg.locator("table tbody tr td").nth(1).inner_text().strip()  # type: ignore[attr-defined]
    initials = pinyin_keys(name).initials
    assert initials, name
    pg.keyboard.press("Control+k")  # type: ignore[attr-defined]
    pg.locator("#search-dialog-q").fill(initials)  # type: ignore[attr-defined]
    hit = pg.locator("#search-dialog-results a[href*='/app/skus/']").first  # type: ignore[attr-defined]
    hit.wait_for(timeout=10000)
    pg.screenshot(path=str(ARTIFACTS / "zh-CN-search-pinyin.png"))  # type: ignore[attr-defined]
    assert name in pg.locator("#search-dialog-results").inner_text()  # type: ignore[attr-defined]
    pg.keyboard.press("Enter")  # type: ignore[attr-defined]
    pg.wait_for_url("**/app/skus/**")  # type: ignore[attr-defined]
    assert name in pg.content()  # type: ignore[attr-defined]


def test_approve_the_counted_stocktake(page: object, server_url: str) -> None:
    pg = page
    pg.goto(f"{server_url}/app/stocktakes")  # type: ignore[attr-defined]
    pg.locator("table tbody tr a[href*='/app/stocktakes/']").first.click()  # type: ignore[attr-defined]
    pg.wait_for_url("**/app/stocktakes/**")  # type: ignore[attr-defined]
    pg.screenshot(path=str(ARTIFACTS / "zh-CN-stocktake-review.png"), full_page=True)  # type: ignore[attr-defined]
    pg.locator("form[action$='/approve'] button[type=submit]").click()  # type: ignore[attr-defined]
    pg.wait_for_selector(".approved-by")  # type: ignore[attr-defined]
    assert "admin" in pg.locator(".approved-by").inner_text()  # type: ignore[attr-defined]
    assert pg.locator("form[action$='/approve']").count() == 0  # type: ignore[attr-defined]


def test_export_skus_to_xlsx_downloads_a_workbook(page: object, server_url: str) -> None:
    pg = page
    pg.goto(f"{server_url}/app/export")  # type: ignore[attr-defined]
    pg.locator("select[name=format]").select_option("xlsx")  # type: ignore[attr-defined]
    with pg.expect_download() as info:  # type: ignore[attr-defined]
        pg.locator("form[action$='/export'] button[type=submit]").click()  # type: ignore[attr-defined]
    path = ARTIFACTS / info.value.suggested_filename
    info.value.save_as(str(path))
    assert path.suffix == ".xlsx" and path.read_bytes()[:2] == b"PK"
