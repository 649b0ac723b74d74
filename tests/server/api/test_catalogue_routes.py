from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.store.db import Store

from tests.server.world import World


@pytest.fixture
def client(world: World) -> Iterator[tuple[TestClient, World]]:
    with TestClient(create_app(Settings(secret_key="test-secret"), store=world.store)) as c:
        yield c, world


def test_health_reports_the_database(client: tuple[TestClient, World]) -> None:
    c, w = client
    assert c.get("/health").json() == {"status": "ok", "database": w.store.dialect}


def test_sku_shows_stock_per_warehouse(client: tuple[TestClient, World]) -> None:
    c, w = client
    w.stock(w.sku, w.a1, 7)
    body = c.get("/api/v1/skus/tea-001").json()
    assert body["sku"]["name_zh"] == "西湖龙井 250g"
    assert {s["warehouse_id"]: s["on_hand"] for s in body["stock"]}[w.wh_a] == 7
    bins = c.get("/api/v1/skus/TEA-001/stock", params={"warehouse": "WH-SH"}).json()["balances"]
    assert bins == [{"bin": "A-01-01-01", "warehouse_id": w.wh_a, "batch": "", "on_hand": 7, "reserved": 0, "available": 7}]


def test_unknown_sku_gets_the_one_error_shape_in_both_languages(client: tuple[TestClient, World]) -> None:
    c, _ = client
    r = c.get("/api/v1/skus/NOPE")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "sku.not_found", "message": "找不到商品：NOPE", "message_en": "Unknown SKU: NOPE",
                                  "details": {"sku": "NOPE"}}}


def test_unknown_route_gets_the_same_error_shape(client: tuple[TestClient, World]) -> None:
    c, _ = client
    r = c.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "http.not_found"


def test_scan_resolves_a_bin_in_the_given_warehouse(client: tuple[TestClient, World]) -> None:
    c, w = client
    body = c.get("/api/v1/scan", params={"code": "A-01-01-01\r\n", "warehouse": "WH-SH"}).json()
    assert body["kind"] == "BinScan" and body["result"]["bin_id"] == w.a1.id


def test_event_feed_pages_by_cursor(client: tuple[TestClient, World]) -> None:
    c, w = client
    w.stock(w.sku, w.a1, 1)
    w.stock(w.sku, w.a1, 1)
    first = c.get("/api/v1/events", params={"after": 0, "limit": 1}).json()
    second = c.get("/api/v1/events", params={"after": first["cursor"], "limit": 1}).json()
    assert first["events"][0]["seq"] < second["events"][0]["seq"]
    bad = c.get("/api/v1/events", params={"after": "-1"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid.quantity"


def test_store_param_is_not_leaked_between_apps(sqlite_store: Store) -> None:
    with TestClient(create_app(Settings(secret_key="test-secret"), store=sqlite_store)) as c:
        assert c.get("/api/v1/warehouses").json() == {"warehouses": []}
