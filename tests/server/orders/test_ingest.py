"""Ingest: dedup, newest modification wins, SKU mapping, the exception queue, the timeline, the raw payload."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from server.orders.ingest import ingest_batch, newest
from server.orders.simulator.shapes import render
from server.orders.adapters import ADAPTERS
from server.store import audit, catalogue, order_events
from server.store import orders as order_store
from shared.catalogue.model import new_platform_sku
from shared.orders.model import CanonicalOrder, OrderStatus
from tests.server.orders.order_world import OrderWorld, orders_world  # noqa: F401
from tests.server.world import world  # noqa: F401


def canonical(ow: OrderWorld, platform: str, key: str | None = None, **changes: object) -> CanonicalOrder:
    """One simulator order as the adapter reads it, for the platform's shop (status etc. changed first)."""
    sim_orders = ow.sim.orders[platform]
    sim_order = sim_orders[key] if key else next(o for o in sim_orders.values() if o.status == "paid")
    for name, value in changes.items():
        setattr(sim_order, name, value)
    return ADAPTERS[platform].to_canonical(render(sim_order), shop_id=ow.shops[platform].id)


def ingest(ow: OrderWorld, platform: str, batch: list[CanonicalOrder], source: str = "pull:test") -> dict[str, str]:
    with ow.store.transaction() as conn:
        return ingest_batch(conn, ow.shops[platform], batch, hlc=ow.hlc(), source=source).created


def test_ingest_paid_order_with_known_codes_is_pending_review_with_raw_kept(orders_world: OrderWorld) -> None:
    ow = orders_world
    order = canonical(ow, "jd")
    with audit.acting("u-1", "ip:10.0.0.9"):
        created = ingest(ow, "jd", [order], source="")
    with ow.store.read() as conn:
        stored = order_store.get_order(conn, created[order.platform_order_id])
        raw = order_store.raw_payload(conn, stored.id)
        entries = order_events.timeline(conn, stored.id)
    assert stored.state == "pending_review" and stored.reasons == []
    assert all(line.sku_id == ow.skus[line.seller_sku_code] for line in stored.lines)
    assert raw["orderId"] == order.platform_order_id
    assert [(e.from_state, e.to_state, e.code, e.actor, e.source) for e in entries] == [
        (None, "pending_review", "order.ingested", "u-1", "ip:10.0.0.9")]


def test_ingest_unmapped_line_goes_to_the_exception_queue_with_its_reason(orders_world: OrderWorld) -> None:
    ow = orders_world
    key = next(k for k, o in ow.sim.orders["douyin"].items() if o.status == "paid")
    sim_order = ow.sim.orders["douyin"][key]
    sim_order.lines[0] = replace(sim_order.lines[0], code="NO-SUCH-CODE")
    order = canonical(ow, "douyin", key)
    created = ingest(ow, "douyin", [order])
    with ow.store.read() as conn:
        queue = order_store.exception_queue(conn)
    assert [(row.order_id, row.reasons[0]["code"]) for row in queue] == [(created[key], "order.unmapped_line")]
    assert "NO-SUCH-CODE" in queue[0].reasons[0]["details"]["lines"]


def test_ingest_maps_through_the_platform_sku_mapping_with_pack_size(orders_world: OrderWorld) -> None:
    ow = orders_world
    key = next(k for k, o in ow.sim.orders["taobao"].items() if o.status == "paid")
    sim_order = ow.sim.orders["taobao"][key]
    sim_order.lines[:] = [replace(sim_order.lines[0], code="")]  # no seller code: only the mapping can help
    with ow.store.transaction() as conn:
        catalogue.insert_platform_sku(conn, new_platform_sku("taobao", ow.shops["taobao"].id,
                                                             str(sim_order.lines[0].sku_id), ow.skus["TEA-RED"], 6))
    created = ingest(ow, "taobao", [canonical(ow, "taobao", key)])
    with ow.store.read() as conn:
        stored = order_store.get_order(conn, created[key])
    assert stored.state == "pending_review"
    assert stored.lines[0].sku_id == ow.skus["TEA-RED"] and stored.lines[0].qty_base == 6 * stored.lines[0].qty


def test_ingest_same_order_twice_in_one_batch_and_again_stores_one(orders_world: OrderWorld) -> None:
    ow = orders_world
    order = canonical(ow, "pinduoduo")
    ingest(ow, "pinduoduo", [order, order])
    with ow.store.transaction() as conn:
        again = ingest_batch(conn, ow.shops["pinduoduo"], [order], hlc=ow.hlc())
    assert again.created == {} and again.unchanged == 1
    with ow.store.read() as conn:
        assert order_store.count_by_state(conn) == {"pending_review": 1}


def test_ingest_older_modification_arriving_later_never_overwrites(orders_world: OrderWorld) -> None:
    ow = orders_world
    old = canonical(ow, "shopify")
    new = replace(old, modified_at=old.modified_at + timedelta(minutes=3), seller_remark="新备注")
    ingest(ow, "shopify", [new])
    with ow.store.transaction() as conn:
        late = ingest_batch(conn, ow.shops["shopify"], [old], hlc=ow.hlc())
        stored = order_store.find_order(conn, ow.shops["shopify"].id, old.platform_order_id)
    assert late.unchanged == 1 and late.updated == {}
    assert stored.modified_at == new.modified_at


def test_newest_keeps_the_latest_version_in_a_batch(orders_world: OrderWorld) -> None:
    ow = orders_world
    old = canonical(ow, "jd")
    new = replace(old, modified_at=old.modified_at + timedelta(seconds=1))
    assert newest([new, old]) == [new] and newest([old, new]) == [new]


def test_ingest_unpaid_then_paid_goes_to_review(orders_world: OrderWorld) -> None:
    ow = orders_world
    paid = canonical(ow, "taobao")
    unpaid = replace(paid, status=OrderStatus.PENDING_PAYMENT, modified_at=paid.modified_at - timedelta(minutes=1))
    created = ingest(ow, "taobao", [unpaid])
    with ow.store.transaction() as conn:
        ingest_batch(conn, ow.shops["taobao"], [paid], hlc=ow.hlc())
        stored = order_store.get_order(conn, created[paid.platform_order_id])
        steps = [(e.from_state, e.to_state) for e in order_events.timeline(conn, stored.id)]
    assert steps == [(None, "awaiting_payment"), ("awaiting_payment", "pending_review")]


def test_ingest_order_cancelled_before_we_saw_it_is_cancelled(orders_world: OrderWorld) -> None:
    ow = orders_world
    order = canonical(ow, "jd", status="cancelled")
    created = ingest(ow, "jd", [order])
    with ow.store.read() as conn:
        assert order_store.get_order(conn, created[order.platform_order_id]).state == "cancelled"


def test_ingest_ignores_orders_of_another_shop(orders_world: OrderWorld) -> None:
    ow = orders_world
    order = replace(canonical(ow, "jd"), shop_id="someone-else")
    assert ingest(ow, "jd", [order]) == {}


def test_platform_shipping_a_reviewed_order_releases_its_stock(orders_world: OrderWorld) -> None:
    from server.orders.review import ReviewPlan
    from shared.orders.rules import ReviewFacts, RuleSet

    ow = orders_world
    order = canonical(ow, "jd")
    with ow.store.transaction() as conn:
        created = ingest_batch(conn, ow.shops["jd"], [order], hlc=ow.hlc(), plan=ReviewPlan(RuleSet.parse([]), ReviewFacts()))
    order_id = created.created[order.platform_order_id]
    assert created.states[order_id] == "reviewed" and ow.reservations_of(order_id)
    shipped = replace(order, status=OrderStatus.SHIPPED, modified_at=order.modified_at + timedelta(hours=1))
    with ow.store.transaction() as conn:
        assert ingest_batch(conn, ow.shops["jd"], [shipped], hlc=ow.hlc()).states == {order_id: "shipped_on_platform"}
    assert ow.reservations_of(order_id) == []
