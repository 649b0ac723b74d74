"""Demo data: SKUs with Chinese and English names and valid GTINs, two warehouses and a store,
thousands of bins with a walking order, opening stock and a few expected receipts. Deterministic for
a seed. Used by ``erp demo`` and by ``erp serve --demo-if-empty``."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from server.orders.simulator.state import _TITLES as _SIM_TITLES
from server.orders.simulator.state import _VARIANTS as _SIM_VARIANTS
from server.store import accounts, catalogue, ledger, order_rules, receipts, tasks, transfers
from server.store import shops as shop_store
from server.store import stock_push_queue
from server.store import users as user_store
from server.store.db import Store
from server.store.schema import skus
from shared.catalogue.barcode import gtin_check_digit
from shared.catalogue.model import Bin, BinKind, new_bin, new_pack, new_platform_sku, new_sku, new_warehouse
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason

WORDS = Path(__file__).resolve().parent.parent / "assets" / "demo" / "words.json"
DEMO_PIN = "1234"  # every demo user's handheld PIN (printed at start)
DEMO_ADMIN_PASSWORD = "erp-demo-admin"  # the back office's demo admin (printed at start; change it for real use)
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class DemoSummary:
    skus: int
    barcodes: int
    warehouses: int
    bins: int
    movements: int
    receipts: int
    users: tuple[str, ...]
    pick_tasks: int = 0
    transfers: int = 0


def is_empty(store: Store) -> bool:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(skus)).scalar_one()) == 0


def load(store: Store, *, sku_count: int = 2000, bins_per_warehouse: int = 1500, seed: int = 7,
         progress: Progress | None = None, marketplace_url: str | None = None) -> DemoSummary:
    """Load the demo data in one transaction (all or nothing). With ``marketplace_url`` (the platform
    simulator's base URL), also the shops selling there — one per platform, shipping from WH-SH — the
    simulator's seller SKU codes as stocked SKUs, and a review and a carrier rule."""
    rng = random.Random(seed)
    words = json.loads(WORDS.read_text(encoding="utf-8"))
    tick = progress or (lambda _stage, _n: None)
    with store.transaction() as conn:
        for username, display_name in words["users"]:
            user_store.create(conn, username, display_name, pin=DEMO_PIN)
        accounts.ensure_admin(conn, DEMO_ADMIN_PASSWORD)
        sh = catalogue.insert_warehouse(conn, new_warehouse("WH-SH", "上海中心仓", "Shanghai DC"))
        gz = catalogue.insert_warehouse(conn, new_warehouse("WH-GZ", "广州仓", "Guangzhou DC"))
        st = catalogue.insert_warehouse(conn, new_warehouse("ST-NJL", "南京路门店", "Nanjing Road store", "store"))
        bins = {w.id: _bins(w.id, prefix, n) for w, prefix, n in
                ((sh, "A", bins_per_warehouse), (gz, "G", bins_per_warehouse), (st, "S", max(bins_per_warehouse // 20, 10)))}
        for wh_bins in bins.values():
            catalogue.insert_bins(conn, wh_bins)
        tick("bins", sum(len(b) for b in bins.values()))
        new_skus, barcode_rows = _skus(rng, words, sku_count)
        for i in range(0, len(new_skus), 500):
            catalogue.insert_skus(conn, new_skus[i:i + 500])
            tick("skus", len(new_skus[i:i + 500]))
        catalogue.insert_barcode_rows(conn, barcode_rows)
        hlc = store.clock.now()
        opening = _opening_stock(rng, new_skus, bins, sh.id, gz.id, st.id, hlc)
        for i in range(0, len(opening), 2000):
            ledger.post(conn, opening[i:i + 2000], event_ref=("demo", "opening_stock"))
            tick("stock", len(opening[i:i + 2000]))
        for n in range(4):
            lines = [(s.id, rng.randint(12, 240)) for s in rng.sample(new_skus, rng.randint(3, 8))]
            receipts.create(conn, sh.id if n < 3 else gz.id, lines, hlc=store.clock.now(),
                            reference=f"DN-2026-{n + 1:04d}", supplier_name=words["suppliers"][n % len(words["suppliers"])])
        tick("receipts", 4)
        picks = _pick_tasks(conn, rng, opening, sh.id, store.clock.now())
        _transfer_in_transit(conn, opening, gz.id, sh.id, store.clock.now())
        if marketplace_url:
            load_marketplace(conn, sh.id, bins[sh.id], marketplace_url, store.clock.now(), second=(gz.id, bins[gz.id]))
    return DemoSummary(len(new_skus), len(barcode_rows), 3, sum(len(b) for b in bins.values()), len(opening), 4,
                       tuple(u for u, _ in words["users"]), picks, 1)


def _pick_tasks(conn: Any, rng: random.Random, opening: list[Movement], warehouse_id: str, hlc: int) -> int:
    """Three pick tasks in the main warehouse, one of them sort-while-picking into 4 order slots."""
    stocked = [m for m in opening if m.warehouse_id == warehouse_id and not m.batch and m.qty >= 3]
    for n in range(3):
        chosen = rng.sample(stocked, 5)
        slots = 4 if n == 2 else 0
        lines = [{"sku_id": m.sku_id, "bin_id": m.bin_id, "qty": rng.randint(1, 2), "slot": (i % slots) + 1 if slots else 0}
                 for i, m in enumerate(chosen)]
        tasks.create_pick(conn, warehouse_id, lines, hlc=hlc, slots=slots)
    return 3


def _transfer_in_transit(conn: Any, opening: list[Movement], from_wh: str, to_wh: str, hlc: int) -> None:
    """A transfer from Guangzhou to Shanghai, shipped and waiting to be received on a handheld."""
    source = [m for m in opening if m.warehouse_id == from_wh and not m.batch and m.qty >= 5][:3]
    t = transfers.create(conn, from_wh, to_wh, [(m.sku_id, 5) for m in source], hlc=hlc)
    for m in source:  # each line ships from the bin that holds it
        line_no = next(ln.line_no for ln in t.lines if ln.sku_id == m.sku_id)
        transfers.ship(conn, t.id, m.bin_id, hlc=hlc, qty_by_line={line_no: 5})


def _bins(warehouse_id: str, zone_prefix: str, count: int) -> list[Bin]:
    """Codes like A-03-12-2 (zone-aisle-shelf-level), walking order snake-wise along aisles."""
    out: list[Bin] = []
    aisle = 0
    while len(out) < count:
        aisle += 1
        shelves = range(1, 21) if aisle % 2 else range(20, 0, -1)  # serpentine walk
        for shelf in shelves:
            for level in range(1, 4):
                if len(out) == count:
                    break
                zone = f"{zone_prefix}{(aisle - 1) // 20 + 1}"
                code = f"{zone}-{(aisle - 1) % 20 + 1:02d}-{shelf:02d}-{level}"
                out.append(new_bin(warehouse_id, code, walk_seq=len(out) + 1))
    return out


def _skus(rng: random.Random, words: dict[str, list[list[str]]], count: int) -> tuple[list, list[catalogue.BarcodeRow]]:  # type: ignore[type-arg]
    new_skus = []
    rows: list[catalogue.BarcodeRow] = []
    for i in range(count):
        zh, en, spec = words["products"][i % len(words["products"])]
        vzh, ven = words["variants"][(i // len(words["products"])) % len(words["variants"])]
        series = i // (len(words["products"]) * len(words["variants"])) + 1
        batch = zh in ("纯牛奶", "酸奶", "月饼")
        sku = new_sku(f"SKU-{i + 1:05d}", f"{zh} {vzh} {series}号", name_en=f"{en} {ven} #{series}", spec=spec,
                      weight_g=rng.randint(50, 3000), batch_tracked=batch, low_stock_threshold=rng.choice([0, 5, 10, 20]),
                      cost_fen=rng.randint(100, 50000), price_fen=rng.randint(990, 99900), packs=(new_pack("CASE", "箱", 12, "case"),) if i % 4 == 0 else ())
        new_skus.append(sku)
        body = f"69{rng.randint(1, 9)}{i:09d}"
        rows.append(catalogue.BarcodeRow("0" + body + str(gtin_check_digit(body)), "gtin", body + str(gtin_check_digit(body)), sku.id, 1))
        if i % 4 == 0:
            case = "1" + body
            rows.append(catalogue.BarcodeRow(case + str(gtin_check_digit(case)), "gtin", case + str(gtin_check_digit(case)), sku.id, 12))
    return new_skus, rows


def _opening_stock(rng: random.Random, new_skus: list, bins: dict[str, list[Bin]], sh: str, gz: str, st: str, hlc: int) -> list[Movement]:  # type: ignore[type-arg]
    out: list[Movement] = []
    for sku in new_skus:
        for wh, n in ((sh, rng.randint(1, 2)), (gz, 1), (st, rng.choice([0, 0, 1]))):
            for b in rng.sample(bins[wh], n):
                batch = f"L2026{rng.randint(1, 12):02d}" if sku.batch_tracked else ""
                out.append(Movement(new_id(), sku.id, wh, b.id, rng.randint(1, 200), Reason.RECEIPT_OPENING_STOCK, hlc, batch,
                                    "demo", "opening_stock"))
    return out


SHORT_SKUS = 3  # marketplace SKUs the main warehouse is short of in the demo (the second one has them)
MARKETPLACE_SKUS = [(f"{code}-{variant}", f"{title} {variant}") for code, title in _SIM_TITLES for variant in _SIM_VARIANTS]


def load_marketplace(conn: Any, warehouse_id: str, wh_bins: list[Bin], url: str, hlc: int,
                     second: tuple[str, list[Bin]] | None = None) -> None:
    """Shops on the five platforms (the simulator's), the SKUs their orders name (each with a GTIN and
    200 units in its own bin, far down the walk), an auto-review rule and a carrier rule. With a
    ``second`` warehouse (id, bins): the first ``SHORT_SKUS`` SKUs have only a few units in the main
    warehouse and 200 in the second, and a split rule by stock names both, so orders for them are
    rerouted to the second warehouse or split into a part from each (拆单)."""
    storage = [b for b in wh_bins if b.kind == BinKind.STORAGE]
    stock_bins = (storage * (len(MARKETPLACE_SKUS) // len(storage) + 1))[-len(MARKETPLACE_SKUS):]  # shared when bins are few
    other_bins = [b for b in second[1] if b.kind == BinKind.STORAGE] if second else []
    movements, skus_by_code = [], {}
    for n, ((code, name), bin_) in enumerate(zip(MARKETPLACE_SKUS, stock_bins, strict=True)):
        sku = catalogue.insert_sku(conn, new_sku(code, name, name_en=name, price_fen=1990 + 100 * (n % 30)))
        skus_by_code[code] = sku.id
        body = f"69{n + 1:010d}"
        catalogue.add_barcode(conn, sku.id, body + str(gtin_check_digit(body)))
        short = second is not None and n < SHORT_SKUS and bool(other_bins)
        movements.append(Movement(new_id(), sku.id, warehouse_id, bin_.id, 6 if short else 200, Reason.RECEIPT_OPENING_STOCK, hlc))
        if short and second is not None:
            movements.append(Movement(new_id(), sku.id, second[0], other_bins[-1 - n].id, 200, Reason.RECEIPT_OPENING_STOCK, hlc))
    ledger.post(conn, movements, event_ref=("demo", "marketplace_stock"))
    names = {"taobao": "淘宝旗舰店", "jd": "京东自营旗舰店", "douyin": "抖音小店", "pinduoduo": "拼多多专营店", "shopify": "Shopify store"}
    for platform, name in names.items():
        shop = shop_store.insert_shop(conn, shop_store.new_shop(platform, f"{platform}-demo", name, warehouse_id, safety_stock=5,
                                                                push_ratio_pct=90, api_base_url=url))
        for code, sku_id in skus_by_code.items():  # the listings whose stock the ERP pushes to the shop
            catalogue.insert_platform_sku(conn, new_platform_sku(platform, shop.id, f"P-{code}", sku_id, 1))
        stock_push_queue.enqueue_skus(conn, list(skus_by_code.values()))
    order_rules.save_rule(conn, kind="review", name="地址完整、留言关键词、风险与退款 / address, remark keywords, risk, refunds",
                          position=1, definition={"address_complete": True, "buyer_remark_keywords": ["发票", "改地址"],
                                                  "risk": True, "refund": True, "paid_over_fen": 500000}, updated_by="demo")
    order_rules.save_rule(conn, kind="carrier", name="圆通：江浙沪首重 5 元 / YTO", position=1, definition={
        "carrier_code": "YTO", "min_weight_g": 0, "max_weight_g": 30000, "zones": [
            {"provinces": ["浙江", "上海", "江苏"], "first_weight_g": 1000, "first_fen": 500, "additional_per_kg_fen": 100},
            {"first_weight_g": 1000, "first_fen": 800, "additional_per_kg_fen": 500}]}, updated_by="demo")
    if second is not None:
        codes = {w.id: w.code for w in catalogue.list_warehouses(conn)}
        order_rules.save_rule(conn, kind="split", name="缺货时从广州仓发 / ship from the second warehouse when short", position=1,
                              definition={"by_stock": True, "default_warehouse": codes[warehouse_id],
                                          "warehouses": [codes[warehouse_id], codes[second[0]]]}, updated_by="demo")
