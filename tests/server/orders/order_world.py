"""A world for the order pipeline tests: the server test world plus one shop per platform served by the
in-process platform simulator, the simulator's SKU codes as SKUs with stock, and an httpx client whose
transport hands every request to the simulator app (the real Starlette app, in process)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from server.orders.simulator import create_simulator
from server.orders.simulator.state import Simulator
from server.store import catalogue, ledger, order_stock
from server.store import shops as shop_store
from server.store.db import Store
from shared.catalogue.model import new_sku
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason
from tests.server.world import World

CODES = [f"{code}-{variant}" for code in ("TS", "MUG", "TEA", "SOCK", "CHAIR", "CUP", "BAG", "LAMP")
         for variant in ("WHT-L", "BLK-M", "RED", "GRY", "250G", "5P")]
SIM_URL = "http://sim"


class SimTransport(httpx.BaseTransport):
    """httpx transport into the simulator app (starlette's TestClient runs the ASGI app in process)."""

    def __init__(self, app: Any) -> None:
        self.client = TestClient(app, base_url=SIM_URL)
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = self.client.request(request.method, str(request.url), content=request.read(), headers=headers)
        keep = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in ("content-length", "content-encoding")]
        return httpx.Response(answer.status_code, headers=keep, content=answer.content)


@dataclass
class OrderWorld:
    world: World
    app: Any
    transport: SimTransport
    http: httpx.Client
    shops: dict[str, shop_store.Shop]
    skus: dict[str, str]  # code → sku id

    @property
    def store(self) -> Store:
        return self.world.store

    @property
    def sim(self) -> Simulator:
        return self.app.state.sim  # type: ignore[no-any-return]

    def hlc(self) -> int:
        return self.store.clock.now()

    def available(self, code: str) -> int:
        with self.store.read() as conn:
            return ledger.warehouse_level(conn, self.skus[code], self.world.wh_a).available

    def reservations_of(self, order_id: str) -> list[Any]:
        with self.store.read() as conn:
            return order_stock.open_reservations(conn, order_id)


def make_order_world(world: World, *, seed: int = 7, orders_per_shop: int = 40, fault_rate: float = 0.0,
                     duplicate_rate: float = 0.25, stock: int = 1000, codes: list[str] | None = None) -> OrderWorld:
    app = create_simulator(seed, orders_per_shop=orders_per_shop, fault_rate=fault_rate, duplicate_rate=duplicate_rate)
    transport = SimTransport(app)
    http = httpx.Client(transport=transport)
    skus: dict[str, str] = {}
    shops: dict[str, shop_store.Shop] = {}
    with world.store.transaction() as conn:
        for code in CODES if codes is None else codes:
            skus[code] = catalogue.insert_sku(conn, new_sku(code, f"商品 {code}")).id
        if stock:
            ledger.post(conn, [Movement(new_id(), sku, world.wh_a, world.a1.id, stock, Reason.RECEIPT_OPENING_STOCK,
                                        world.hlc()) for sku in skus.values()])
        for platform in ("taobao", "jd", "douyin", "pinduoduo", "shopify"):
            shops[platform] = shop_store.insert_shop(conn, shop_store.new_shop(
                platform, f"{platform}-1", f"{platform} 旗舰店", world.wh_a, api_base_url=SIM_URL))
    return OrderWorld(world, app, transport, http, shops, skus)


@pytest.fixture
def orders_world(world: World) -> Iterator[OrderWorld]:
    ow = make_order_world(world)
    yield ow
    ow.http.close()
