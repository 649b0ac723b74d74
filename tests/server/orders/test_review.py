"""Review: rules, all-or-none reservations, exceptions, and the manual actions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import update

from server.orders import review as reviewing
from server.orders.ingest import ingest_batch
from server.store import order_events, order_rules, stock_push_queue
from server.store import orders as order_store
from server.store.schema_orders import orders as orders_table
from shared.core.errors import RuleViolation, ValidationError
from shared.orders.rules import ReviewFacts, RuleSet
from tests.server.orders.order_world import OrderWorld, make_order_world
from tests.server.orders.test_ingest import canonical
from tests.server.world import World, world  # noqa: F401

NO_RULES = reviewing.ReviewPlan(RuleSet.parse([]), ReviewFacts())


@pytest.fixture
def ow(world: World) -> OrderWorld:
    return make_order_world(world, stock=5)


def pending(ow: OrderWorld, platform: str = "jd", key: str | None = None) -> str:
    order = canonical(ow, platform, key)
    with ow.store.transaction() as conn:
        return ingest_batch(conn, ow.shops[platform], [order], hlc=ow.hlc()).created[order.platform_order_id]


def review(ow: OrderWorld, order_id: str, plan: reviewing.ReviewPlan = NO_RULES) -> str:
    with ow.store.transaction() as conn:
        return reviewing.review(conn, order_id, plan, hlc=ow.hlc())


def stored(ow: OrderWorld, order_id: str) -> order_store.StoredOrder:
    with ow.store.read() as conn:
        return order_store.get_order(conn, order_id)


def test_review_without_rules_reserves_every_line_and_queues_the_stock_push(ow: OrderWorld) -> None:
    order_id = pending(ow)
    order = stored(ow, order_id)
    assert review(ow, order_id) == "reviewed"
    reservations = ow.reservations_of(order_id)
    assert sorted((r.sku_id, r.qty) for r in reservations) == sorted((l.sku_id, l.qty_base) for l in order.lines)
    assert all(r.ref_type == "order" and r.ref_id == order_id and r.warehouse_id == ow.world.wh_a for r in reservations)
    with ow.store.read() as conn:
        assert stock_push_queue.pending(conn) == []  # no shop maps these SKUs yet: nothing to push


def test_review_out_of_stock_reserves_nothing_and_names_the_skus(ow: OrderWorld) -> None:
    key = next(k for k, o in ow.sim.orders["jd"].items() if o.status == "paid" and len(o.lines) >= 2)
    sim_order = ow.sim.orders["jd"][key]
    sim_order.lines[1] = replace(sim_order.lines[1], qty=6)  # 5 in stock
    order_id = pending(ow, "jd", key)
    assert review(ow, order_id) == "exception"
    assert ow.reservations_of(order_id) == []  # the other lines did not reserve either
    reason = stored(ow, order_id).reasons[0]
    assert reason["code"] == "order.out_of_stock" and sim_order.lines[1].code in reason["details"]["skus"]
    assert ow.available(sim_order.lines[0].code) == 5


def test_review_rule_hold_goes_to_exception_with_the_hold_codes(ow: OrderWorld) -> None:
    with ow.store.transaction() as conn:
        order_rules.save_rule(conn, kind="review", name="大额订单", position=1, definition={"paid_over_fen": 1})
        order_rules.save_rule(conn, kind="review", name="停用", position=2, definition={"paid_under_fen": 10**9}, enabled=False)
        plan = reviewing.load_plan(conn)
    order_id = pending(ow)
    assert review(ow, order_id, plan) == "exception"
    order = stored(ow, order_id)
    assert [r["code"] for r in order.reasons] == ["hold.amount_over_limit"]
    assert ow.reservations_of(order_id) == []


def test_review_of_an_order_not_pending_is_refused(ow: OrderWorld) -> None:
    order_id = pending(ow)
    review(ow, order_id)
    with pytest.raises(RuleViolation) as caught:
        review(ow, order_id)
    assert caught.value.code == "order.bad_transition"


def test_cancel_reviewed_order_releases_its_reservations(ow: OrderWorld) -> None:
    order_id = pending(ow)
    review(ow, order_id)
    code = stored(ow, order_id).lines[0].seller_sku_code
    with ow.store.transaction() as conn:
        assert reviewing.cancel(conn, order_id, hlc=ow.hlc(), note="买家要求") == "cancelled"
    assert ow.reservations_of(order_id) == [] and ow.available(code) == 5
    with ow.store.read() as conn:
        assert [e.code for e in order_events.timeline(conn, order_id)][-1] == "order.cancelled"


def test_cancel_in_fulfilment_asks_fulfilment_to_cancel(ow: OrderWorld) -> None:
    order_id = pending(ow)
    review(ow, order_id)
    with ow.store.transaction() as conn:
        conn.execute(update(orders_table).where(orders_table.c.id == order_id).values(state="in_wave"))
        assert reviewing.cancel(conn, order_id, hlc=ow.hlc()) == "cancel_requested"
    assert ow.reservations_of(order_id)  # fulfilment decides what goes back to the bin


def test_hold_and_unhold_return_to_the_state_before(ow: OrderWorld) -> None:
    order_id = pending(ow)
    with ow.store.transaction() as conn:
        reviewing.hold(conn, order_id, note="客户来电")
        with pytest.raises(RuleViolation):
            reviewing.hold(conn, order_id)
    assert stored(ow, order_id).state == "on_hold"
    with ow.store.transaction() as conn:
        assert reviewing.unhold(conn, order_id, hlc=ow.hlc(), plan=NO_RULES) == "reviewed"


def test_resolve_after_mapping_the_sku_reviews_the_order(ow: OrderWorld) -> None:
    key = next(k for k, o in ow.sim.orders["douyin"].items() if o.status == "paid")
    sim_order = ow.sim.orders["douyin"][key]
    sim_order.lines[:] = [replace(sim_order.lines[0], code="NEW-CODE")]
    order_id = pending(ow, "douyin", key)
    with ow.store.transaction() as conn:
        with pytest.raises(ValidationError):
            reviewing.resolve(conn, order_id, NO_RULES, hlc=ow.hlc(), note=" ")
        assert reviewing.resolve(conn, order_id, NO_RULES, hlc=ow.hlc(), note="还没建商品") == "exception"
        from server.store import catalogue
        from shared.catalogue.model import new_platform_sku

        catalogue.insert_platform_sku(conn, new_platform_sku("douyin", ow.shops["douyin"].id,
                                                             str(sim_order.lines[0].sku_id), ow.skus["MUG-RED"]))
    with ow.store.transaction() as conn:
        assert reviewing.resolve(conn, order_id, NO_RULES, hlc=ow.hlc(), note="已建映射") == "reviewed"
        steps = [(e.from_state, e.to_state, e.code) for e in order_events.timeline(conn, order_id)]
    assert steps[-2:] == [("exception", "pending_review", "order.resolved"), ("pending_review", "reviewed", "order.reviewed")]


def test_batch_review_allocates_in_order_and_never_over_reserves(ow: OrderWorld) -> None:
    """Five units of each SKU: orders are reviewed in the order given; each reserves all lines or none."""
    paid = [o for o in ow.sim.orders["jd"].values() if o.status == "paid"]
    from server.orders.adapters import ADAPTERS
    from server.orders.simulator.shapes import render

    batch = [ADAPTERS["jd"].to_canonical(render(o), shop_id=ow.shops["jd"].id) for o in paid]
    with ow.store.transaction() as conn:
        result = ingest_batch(conn, ow.shops["jd"], batch, hlc=ow.hlc(), plan=NO_RULES)
    states = list(result.states.values())
    assert "reviewed" in states and "exception" in states
    for code in ow.skus:
        assert ow.available(code) >= 0
    for order_id, state in result.states.items():
        assert bool(ow.reservations_of(order_id)) == (state == "reviewed")
