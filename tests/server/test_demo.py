"""The demo's marketplace: ``demo.load(..., marketplace_url=...)`` adds a shop per platform with its
listings, the simulator's SKUs stocked, and rules; the app with ``simulators`` on serves the simulated
platforms and carrier under /sim, and one worker round pulls the demo shops' orders through them."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from server import demo
from server.app import create_app
from server.orders.carrier.client import CarrierClient
from server.orders.services import OrderServices, sender_of
from server.settings import Settings
from server.store import ledger, order_rules
from server.store import orders as order_store
from server.store import shops as shop_store
from server.store.catalogue import get_sku, get_warehouse
from server.store.db import open_store
from shared.core.time import utc_now


def test_demo_shops_pull_orders_from_the_served_marketplace(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'erp.sqlite3'}")
    demo.load(store, sku_count=40, bins_per_warehouse=80, marketplace_url="http://testserver/sim/platforms")
    with store.read() as conn:
        shops = shop_store.list_shops(conn, active_only=True)
        assert sorted(s.platform for s in shops) == ["douyin", "jd", "pinduoduo", "shopify", "taobao"]
        assert {r["kind"] for r in order_rules.rows(conn)} == {"review", "carrier", "split"}
        sh, gz = get_warehouse(conn, "WH-SH"), get_warehouse(conn, "WH-GZ")
        tea = get_sku(conn, "TEA-RED")
        assert ledger.warehouse_level(conn, tea.id, sh.id).on_hand == 200
        short = get_sku(conn, demo.MARKETPLACE_SKUS[0][0])  # WH-SH is short of it, WH-GZ has it
        assert (ledger.warehouse_level(conn, short.id, sh.id).on_hand, ledger.warehouse_level(conn, short.id, gz.id).on_hand) == (6, 200)
    settings = Settings(secret_key="demo-test", simulators=True, data_dir=tmp_path)
    with TestClient(create_app(settings, store=store)) as client:
        assert client.post("/sim/carrier/cainiao/router/rest", data={}).status_code in (200, 400)
        carrier = CarrierClient(client, "YTO", sender_of(settings), path="/sim/carrier/cainiao/router/rest")
        services = OrderServices(store, client, carrier, lambda _u, _r: (200, {}), sleep=lambda _s: None)
        report = services.run_once(utc_now())
    assert report.errors == {}, report.errors
    assert len(report.pulled) == 5 and sum(report.pulled.values()) > 0 and report.pushed > 0
    with store.read() as conn:
        states = order_store.count_by_state(conn)
    assert states.get("reviewed", 0) > 0, states
    store.dispose()
