"""Gift rules at review: every reviewed order that qualifies gets the gift line (price 0, reserved
with the order) while the warehouse's gift stock lasts; after that orders pass without a gift, and a
second review of an order never adds its gift twice."""

from __future__ import annotations

import pytest

from server.orders import review as reviewing
from server.orders.pull import pull_shop
from server.store import catalogue, ledger, order_rules
from server.store import orders as order_store
from shared.catalogue.model import new_sku
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason
from tests.server.orders.order_world import OrderWorld, make_order_world
from tests.server.world import World, world  # noqa: F401

GIFT_STOCK = 5


@pytest.fixture
def ow(world: World) -> OrderWorld:
    ow = make_order_world(world, stock=1000, orders_per_shop=10, duplicate_rate=0.0)
    with ow.store.transaction() as conn:
        gift = catalogue.insert_sku(conn, new_sku("GIFT-SOCKS", "赠品袜子"))
        ledger.post(conn, [Movement(new_id(), gift.id, world.wh_a, world.a1.id, GIFT_STOCK, Reason.RECEIPT_OPENING_STOCK, ow.hlc())])
        order_rules.save_rule(conn, kind="gift", name="满 1 元送袜子", position=1,
                              definition={"paid_at_least_fen": 100, "gift_sku": "GIFT-SOCKS", "gift_qty": 1})
    ow.skus["GIFT-SOCKS"] = gift.id
    return ow


def test_gifts_go_to_reviewed_orders_until_the_gift_stock_runs_out(ow: OrderWorld) -> None:
    with ow.store.read() as conn:
        plan = reviewing.load_plan(conn)
    for shop in ow.shops.values():
        pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, plan=plan, sleep=lambda _s: None)
    with ow.store.read() as conn:
        reviewed = [order_store.get_order(conn, oid) for oid in order_store.ids_in_state(conn, "reviewed")]
        gifted = [o for o in reviewed if any(ln.is_gift for ln in o.lines)]
        level = ledger.warehouse_level(conn, ow.skus["GIFT-SOCKS"], ow.world.wh_a)
    assert len(reviewed) > GIFT_STOCK and len(gifted) == GIFT_STOCK
    for order in gifted:
        (gift,) = [ln for ln in order.lines if ln.is_gift]
        assert (gift.sku_id, gift.qty_base, gift.seller_sku_code) == (ow.skus["GIFT-SOCKS"], 1, "GIFT-SOCKS")
        assert gift.line_no == max(ln.line_no for ln in order.lines)
    assert (level.reserved, level.available) == (GIFT_STOCK, 0)  # reserved with their orders


def test_a_second_review_keeps_the_one_gift(ow: OrderWorld) -> None:
    with ow.store.read() as conn:
        plan = reviewing.load_plan(conn)
    shop = ow.shops["taobao"]
    pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, plan=None, sleep=lambda _s: None)
    with ow.store.transaction() as conn:
        oid = order_store.ids_in_state(conn, "pending_review")[0]
        assert reviewing.review(conn, oid, plan, hlc=ow.hlc()) == "reviewed"
        reviewing.hold(conn, oid, note="check address")
        reviewing.unhold(conn, oid, hlc=ow.hlc(), plan=plan)
        lines = order_store.get_order(conn, oid).lines
    assert sum(1 for ln in lines if ln.is_gift) == 1
