"""A small world for server tests: two warehouses and a store, bins, SKUs (one batch-tracked)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.store import catalogue, moves
from server.store.db import Store
from shared.catalogue.model import Bin, new_bin, new_sku, new_warehouse
from shared.inventory.movement import Reason


@dataclass
class World:
    store: Store
    wh_a: str
    wh_b: str
    shop: str
    a1: Bin
    a2: Bin
    a3: Bin
    b1: Bin
    dock_a: Bin
    sku: str
    sku2: str
    lot_sku: str

    def hlc(self) -> int:
        return self.store.clock.now()

    def stock(self, sku: str, bin_: Bin, qty: int, batch: str = "") -> None:
        with self.store.transaction() as conn:
            moves.single(conn, sku, bin_.id, qty, Reason.RECEIPT_OPENING_STOCK, hlc=self.hlc(), batch=batch)


@pytest.fixture
def world(store: Store) -> World:
    with store.transaction() as conn:
        a = catalogue.insert_warehouse(conn, new_warehouse("WH-SH", "上海仓", "Shanghai DC"))
        b = catalogue.insert_warehouse(conn, new_warehouse("WH-GZ", "广州仓", "Guangzhou DC"))
        s = catalogue.insert_warehouse(conn, new_warehouse("ST-01", "南京路门店", "Nanjing Rd store", "store"))
        bins = [new_bin(a.id, "A-01-01-01", walk_seq=1), new_bin(a.id, "A-01-01-02", walk_seq=2),
                new_bin(a.id, "A-01-02-01", walk_seq=3), new_bin(b.id, "B-01-01-01", walk_seq=1)]
        catalogue.insert_bins(conn, bins)
        sku = catalogue.insert_sku(conn, new_sku("TEA-001", "西湖龙井 250g", name_en="Longjing tea 250g", low_stock_threshold=5))
        sku2 = catalogue.insert_sku(conn, new_sku("CUP-002", "青花瓷杯", name_en="Blue and white cup"))
        lot = catalogue.insert_sku(conn, new_sku("MILK-003", "纯牛奶 1L", name_en="Milk 1L", batch_tracked=True))
        dock_a = catalogue.find_bin(conn, a.id, "_DOCK")
    return World(store, a.id, b.id, s.id, bins[0], bins[1], bins[2], bins[3], dock_a, sku.id, sku2.id, lot.id)
