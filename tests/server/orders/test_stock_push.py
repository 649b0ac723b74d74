"""Stock push through the simulator's stock endpoints: formula, batches, coalescing, failures keep rows."""

from __future__ import annotations

import pytest

from server.orders import review as reviewing
from server.orders.ingest import ingest_batch
from server.orders.stock_push import push_stock
from server.store import catalogue, stock_push_queue
from server.store import shops as shop_store
from shared.catalogue.model import new_platform_sku
from shared.orders.rules import ReviewFacts, RuleSet
from tests.server.orders.order_world import CODES, OrderWorld, make_order_world
from tests.server.orders.test_ingest import canonical
from tests.server.world import World, world  # noqa: F401


@pytest.fixture
def ow(world: World) -> OrderWorld:
    return make_order_world(world, stock=100)


def map_skus(ow: OrderWorld, platform: str, codes: list[str], pack: int = 1) -> None:
    with ow.store.transaction() as conn:
        for code in codes:
            catalogue.insert_platform_sku(conn, new_platform_sku(platform, ow.shops[platform].id, f"P-{code}",
                                                                 ow.skus[code], pack))


def sent(ow: OrderWorld, platform: str) -> dict[str, int]:
    """platform SKU id → last quantity the simulator received."""
    out: dict[str, int] = {}
    for item in ow.sim.received:
        if item.platform != platform or item.kind != "stock":
            continue
        body = item.body
        if platform == "douyin":  # the simulator records the parsed business parameters
            out[body["sku_id"]] = body["stock_num"]
        elif platform == "jd":
            out[body["skuId"]] = body["stockNum"]
        elif platform == "shopify":
            out[body["inventory_item_id"]] = body["available"]
        else:
            out[body["sku_id"]] = int(body["quantity"])
    return out


def test_push_sends_available_minus_safety_times_ratio(ow: OrderWorld) -> None:
    with ow.store.transaction() as conn:
        shop_store.update_shop(conn, ow.shops["taobao"].id, safety_stock=10, push_ratio_pct=50)
    map_skus(ow, "taobao", ["TEA-RED"])
    map_skus(ow, "pinduoduo", ["TEA-RED"], pack=6)
    with ow.store.transaction() as conn:
        assert stock_push_queue.enqueue_skus(conn, [ow.skus["TEA-RED"], ow.skus["TEA-RED"]]) == 2
    report = push_stock(ow.store, ow.http)
    assert sent(ow, "taobao") == {"P-TEA-RED": 45} and sent(ow, "pinduoduo") == {"P-TEA-RED": 16}
    assert len(report.pushed) == 2 and report.failed == {}
    with ow.store.read() as conn:
        assert stock_push_queue.pending(conn) == []


def test_review_and_cancel_mark_mapped_skus_dirty_and_push_the_new_quantity(ow: OrderWorld) -> None:
    order = canonical(ow, "jd")
    codes = sorted({line.seller_sku_code for line in order.lines})
    map_skus(ow, "jd", codes)
    plan = reviewing.ReviewPlan(RuleSet.parse([]), ReviewFacts())
    with ow.store.transaction() as conn:
        result = ingest_batch(conn, ow.shops["jd"], [order], hlc=ow.hlc(), plan=plan)
        assert {d.sku_id for d in stock_push_queue.pending(conn)} == {ow.skus[c] for c in codes}
    push_stock(ow.store, ow.http)
    assert sent(ow, "jd") == {f"P-{c}": ow.available(c) for c in codes}
    with ow.store.transaction() as conn:
        reviewing.cancel(conn, next(iter(result.created.values())), hlc=ow.hlc())
    push_stock(ow.store, ow.http)
    assert sent(ow, "jd") == {f"P-{c}": 100 for c in codes}


def test_push_goes_in_batches_of_the_platform_limit(ow: OrderWorld) -> None:
    map_skus(ow, "douyin", CODES[:30])
    with ow.store.transaction() as conn:
        stock_push_queue.enqueue_skus(conn, [ow.skus[c] for c in CODES[:30]])
    report = push_stock(ow.store, ow.http)
    assert report.batches == 2 and len(sent(ow, "douyin")) == 30  # douyin takes 20 a round


def test_push_failure_keeps_the_rows_with_the_reason(world: World) -> None:
    ow = make_order_world(world, stock=100, fault_rate=0.99)
    map_skus(ow, "shopify", ["CUP-GRY"])
    with ow.store.transaction() as conn:
        stock_push_queue.enqueue_skus(conn, [ow.skus["CUP-GRY"]])
    report = push_stock(ow.store, ow.http)
    assert report.pushed == [] and ow.shops["shopify"].id in report.failed
    with ow.store.read() as conn:
        rows = stock_push_queue.pending(conn)
    assert [(r.sku_id, r.attempts) for r in rows] == [(ow.skus["CUP-GRY"], 1)]


def test_row_marked_again_during_a_push_is_kept_for_the_next_round(ow: OrderWorld) -> None:
    map_skus(ow, "jd", ["BAG-RED"])
    with ow.store.transaction() as conn:
        stock_push_queue.enqueue_skus(conn, [ow.skus["BAG-RED"]])
        taken = stock_push_queue.take(conn, ow.shops["jd"].id, limit=50)
        stock_push_queue.enqueue_skus(conn, [ow.skus["BAG-RED"]])  # a change while the push was in flight
        assert stock_push_queue.done(conn, taken) == 0
        assert [r.generation for r in stock_push_queue.pending(conn)] == [2]


def test_inactive_shop_is_not_queued(ow: OrderWorld) -> None:
    map_skus(ow, "jd", ["BAG-RED"])
    with ow.store.transaction() as conn:
        shop_store.update_shop(conn, ow.shops["jd"].id, active=False)
        assert stock_push_queue.enqueue_skus(conn, [ow.skus["BAG-RED"]]) == 0


def test_a_ledger_movement_of_a_listed_sku_queues_and_pushes_its_new_stock(ow: OrderWorld) -> None:
    map_skus(ow, "jd", ["TEA-RED"])
    with ow.store.transaction() as conn:
        stock_push_queue.enqueue_skus(conn, [ow.skus["TEA-RED"]])
    push_stock(ow.store, ow.http)
    before = sent(ow, "jd")["P-TEA-RED"]
    with ow.store.transaction() as conn:
        from server.store import moves
        from shared.inventory.movement import Reason

        moves.single(conn, ow.skus["TEA-RED"], ow.world.a1.id, 10, Reason.RECEIPT_OPENING_STOCK, hlc=ow.hlc())
        assert [d.sku_id for d in stock_push_queue.pending(conn, ow.shops["jd"].id)] == [ow.skus["TEA-RED"]]
    push_stock(ow.store, ow.http)
    assert sent(ow, "jd")["P-TEA-RED"] == before + 10
