"""拆单 by warehouse stock at review: reroute to one other warehouse, parts (child orders) across several,
out of stock everywhere; platform updates and manual actions after the split; the parent settling."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from server.orders import parts
from server.orders import review as reviewing
from server.orders.ingest import ingest_batch
from server.store import ledger, order_events, order_parts, order_rules, order_stock
from server.store import orders as order_store
from shared.core.errors import RuleViolation
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason
from shared.orders.model import CanonicalOrder
from tests.server.orders.order_world import OrderWorld, make_order_world
from tests.server.orders.test_ingest import canonical
from tests.server.world import World, world  # noqa: F401

PLATFORM = "jd"


@pytest.fixture
def ow(world: World) -> OrderWorld:
    ow = make_order_world(world, stock=0, orders_per_shop=20, duplicate_rate=0.0)
    with ow.store.transaction() as conn:
        order_rules.save_rule(conn, kind="split", name="按库存拆单", position=1,
                              definition={"by_stock": True, "warehouses": ["WH-SH", "WH-GZ"]})
    return ow


def two_line_key(ow: OrderWorld, first: int, second: int, platform: str = PLATFORM) -> str:
    """A paid simulator order with two lines of different SKUs, quantities set to ``first`` and ``second``."""
    key = next(k for k, o in ow.sim.orders[platform].items()
               if o.status == "paid" and len(o.lines) == 2 and o.lines[0].code != o.lines[1].code)
    sim_order = ow.sim.orders[platform][key]
    sim_order.lines[0] = replace(sim_order.lines[0], qty=first)
    sim_order.lines[1] = replace(sim_order.lines[1], qty=second)
    return key


def codes(ow: OrderWorld, key: str, platform: str = PLATFORM) -> tuple[str, str]:
    lines = ow.sim.orders[platform][key].lines
    return lines[0].code, lines[1].code


def put(ow: OrderWorld, code: str, warehouse: str, qty: int) -> None:
    bin_id = ow.world.a1.id if warehouse == ow.world.wh_a else ow.world.b1.id
    with ow.store.transaction() as conn:
        ledger.post(conn, [Movement(new_id(), ow.skus[code], warehouse, bin_id, qty, Reason.RECEIPT_OPENING_STOCK, ow.hlc())])


def available(ow: OrderWorld, code: str, warehouse: str) -> int:
    with ow.store.read() as conn:
        return ledger.warehouse_level(conn, ow.skus[code], warehouse).available


def plan(ow: OrderWorld) -> reviewing.ReviewPlan:
    with ow.store.read() as conn:
        return reviewing.load_plan(conn)


def ingest(ow: OrderWorld, order: CanonicalOrder, *, with_plan: bool = False) -> Any:
    with ow.store.transaction() as conn:
        return ingest_batch(conn, ow.shops[order.platform], [order], hlc=ow.hlc(), source="pull:test",
                            plan=reviewing.load_plan(conn) if with_plan else None)


def pending(ow: OrderWorld, key: str, platform: str = PLATFORM) -> str:
    order = canonical(ow, platform, key)
    return str(ingest(ow, order).created[order.platform_order_id])


def review(ow: OrderWorld, order_id: str) -> str:
    with ow.store.transaction() as conn:
        return reviewing.review(conn, order_id, reviewing.load_plan(conn), hlc=ow.hlc())


def stored(ow: OrderWorld, order_id: str) -> order_store.StoredOrder:
    with ow.store.read() as conn:
        return order_store.get_order(conn, order_id)


def part_heads(ow: OrderWorld, order_id: str) -> list[order_parts.PartHead]:
    with ow.store.read() as conn:
        return order_parts.parts_of(conn, order_id)


def codes_of_events(ow: OrderWorld, order_id: str) -> list[str]:
    with ow.store.read() as conn:
        return [e.code for e in order_events.timeline(conn, order_id)]


def split_order(ow: OrderWorld, platform: str = PLATFORM) -> tuple[str, str]:
    """An order of 2 x A and 3 x B with A only in WH-SH and B only in WH-GZ, reviewed: split in two."""
    key = two_line_key(ow, 2, 3, platform)
    a, b = codes(ow, key, platform)
    put(ow, a, ow.world.wh_a, 2)
    put(ow, b, ow.world.wh_b, 3)
    order_id = pending(ow, key, platform)
    assert review(ow, order_id) == "split"
    return key, order_id


def update_platform(ow: OrderWorld, key: str, **changes: Any) -> Any:
    ow.sim.touch(PLATFORM, key, **changes)
    return ingest(ow, canonical(ow, PLATFORM, key))


# ---- review -----------------------------------------------------------------------------------------------


def test_review_short_at_home_but_covered_by_one_other_warehouse_reroutes_there(ow: OrderWorld) -> None:
    key = two_line_key(ow, 2, 3)
    a, b = codes(ow, key)
    put(ow, a, ow.world.wh_a, 1)  # home has some, not enough
    put(ow, a, ow.world.wh_b, 5)
    put(ow, b, ow.world.wh_b, 5)
    order_id = pending(ow, key)
    assert review(ow, order_id) == "reviewed"
    order = stored(ow, order_id)
    assert order.warehouse_id == ow.world.wh_b and part_heads(ow, order_id) == []
    reservations = ow.reservations_of(order_id)
    assert {(r.warehouse_id, r.sku_id, r.qty) for r in reservations} == {(ow.world.wh_b, ow.skus[a], 2), (ow.world.wh_b, ow.skus[b], 3)}
    with ow.store.read() as conn:
        (event,) = [e for e in order_events.timeline(conn, order_id) if e.code == "order.rerouted"]
    assert (event.details["from_warehouse"], event.details["to_warehouse"]) == ("WH-SH", "WH-GZ")
    assert available(ow, a, ow.world.wh_a) == 1 and available(ow, a, ow.world.wh_b) == 3


def test_review_needing_two_warehouses_splits_into_parts_reserved_in_each(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    a, b = codes(ow, key)
    parent = stored(ow, parent_id)
    assert parent.state == "split" and ow.reservations_of(parent_id) == []
    assert [(ln.qty, ln.sku_id) for ln in parent.lines] == [(2, ow.skus[a]), (3, ow.skus[b])]  # kept for audit
    heads = part_heads(ow, parent_id)
    assert [(h.part_no, h.warehouse_id, h.state) for h in heads] == [(1, ow.world.wh_b, "reviewed"), (2, ow.world.wh_a, "reviewed")]
    for head, (code, qty) in zip(heads, [(b, 3), (a, 2)], strict=True):
        part = stored(ow, head.id)
        assert (part.parent_order_id, part.part_no, part.platform_order_id) == (parent_id, head.part_no, key)
        assert [(ln.sku_id, ln.qty, ln.qty_base) for ln in part.lines] == [(ow.skus[code], qty, qty)]
        assert [(r.warehouse_id, r.sku_id, r.qty) for r in ow.reservations_of(head.id)] == [(head.warehouse_id, ow.skus[code], qty)]
        assert codes_of_events(ow, head.id) == ["order.part_created"]
    assert available(ow, a, ow.world.wh_a) == 0 and available(ow, b, ow.world.wh_b) == 0
    assert codes_of_events(ow, parent_id)[-1] == "order.split"


def test_split_amounts_add_up_to_the_parents_with_the_freight_on_part_one(ow: OrderWorld) -> None:
    key = two_line_key(ow, 4, 3)
    ow.sim.orders[PLATFORM][key].freight_fen = 1000
    a, b = codes(ow, key)
    put(ow, a, ow.world.wh_a, 3)  # A split across warehouses: 3 here, 1 there
    put(ow, a, ow.world.wh_b, 1)
    put(ow, b, ow.world.wh_b, 3)
    parent_id = pending(ow, key)
    assert review(ow, parent_id) == "split"
    with ow.store.read() as conn:
        money = order_parts.money_of(conn, parent_id)
        shares = [order_parts.money_of(conn, h.id) for h in order_parts.parts_of(conn, parent_id)]
        lines = [order_store.get_order(conn, h.id).lines for h in order_parts.parts_of(conn, parent_id)]
    for name in ("goods_fen", "discount_fen", "paid_fen", "freight_fen"):
        assert sum(getattr(s, name) for s in shares) == getattr(money, name)
    assert [s.freight_fen for s in shares] == [money.freight_fen, 0]
    by_sku: dict[str, int] = {}
    for part_lines in lines:
        for ln in part_lines:
            by_sku[ln.seller_sku_code] = by_sku.get(ln.seller_sku_code, 0) + ln.qty
    assert by_sku == {a: 4, b: 3}  # conserved, A in two parts
    paid = [sum(m.paid_fen or 0 for m in s.lines.values()) for s in shares]
    assert sum(paid) == sum(m.paid_fen or 0 for m in money.lines.values())


def test_review_out_of_stock_everywhere_is_an_exception_and_reserves_nothing(ow: OrderWorld) -> None:
    key = two_line_key(ow, 2, 3)
    a, b = codes(ow, key)
    put(ow, a, ow.world.wh_a, 2)
    put(ow, b, ow.world.wh_b, 2)  # one short of B in all
    order_id = pending(ow, key)
    assert review(ow, order_id) == "exception"
    assert stored(ow, order_id).reasons[0]["code"] == "order.out_of_stock"
    assert part_heads(ow, order_id) == [] and ow.reservations_of(order_id) == []
    assert available(ow, a, ow.world.wh_a) == 2 and available(ow, b, ow.world.wh_b) == 2


def test_without_a_split_rule_by_stock_the_order_stays_out_of_stock(ow: OrderWorld) -> None:
    with ow.store.transaction() as conn:
        (rule,) = order_rules.rows(conn)
        order_rules.save_rule(conn, kind="split", name="不拆", position=1, definition={"by_stock": False}, rule_id=rule["id"])
    key = two_line_key(ow, 2, 3)
    a, b = codes(ow, key)
    put(ow, a, ow.world.wh_b, 2)
    put(ow, b, ow.world.wh_b, 3)
    order_id = pending(ow, key)
    assert review(ow, order_id) == "exception" and stored(ow, order_id).warehouse_id == ow.world.wh_a


def test_a_failure_while_writing_the_parts_writes_nothing(ow: OrderWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    key = two_line_key(ow, 2, 3)
    a, b = codes(ow, key)
    put(ow, a, ow.world.wh_a, 2)
    put(ow, b, ow.world.wh_b, 3)
    order_id = pending(ow, key)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(order_parts, "insert_parts", broken)
    with pytest.raises(RuntimeError):
        review(ow, order_id)
    assert stored(ow, order_id).state == "pending_review" and part_heads(ow, order_id) == []
    assert available(ow, a, ow.world.wh_a) == 2 and available(ow, b, ow.world.wh_b) == 3
    with ow.store.read() as conn:
        assert order_store.count_by_state(conn) == {"pending_review": 1}


def test_ingest_with_a_plan_splits_new_orders_in_the_same_transaction(ow: OrderWorld) -> None:
    key = two_line_key(ow, 2, 3)
    a, b = codes(ow, key)
    put(ow, a, ow.world.wh_a, 2)
    put(ow, b, ow.world.wh_b, 3)
    result = ingest(ow, canonical(ow, PLATFORM, key), with_plan=True)
    parent_id = result.created[key]
    assert result.states[parent_id] == "split"
    assert codes_of_events(ow, parent_id) == ["order.ingested", "order.split"]
    assert [h.state for h in part_heads(ow, parent_id)] == ["reviewed", "reviewed"]
    with ow.store.read() as conn:
        assert order_store.find_order(conn, ow.shops[PLATFORM].id, key).id == parent_id
        assert order_store.heads(conn, ow.shops[PLATFORM].id, [key])[key].id == parent_id


def test_gifts_go_with_the_part_that_has_the_gift_stock(ow: OrderWorld) -> None:
    with ow.store.transaction() as conn:
        order_rules.save_rule(conn, kind="gift", name="送袜子", position=2,
                              definition={"paid_at_least_fen": 1, "gift_sku": "SOCK-5P", "gift_qty": 1})
    put(ow, "SOCK-5P", ow.world.wh_a, 1)
    key = two_line_key(ow, 2, 3)
    a, b = codes(ow, key)
    assert "SOCK-5P" not in (a, b)
    put(ow, a, ow.world.wh_a, 2)
    put(ow, b, ow.world.wh_b, 3)
    parent_id = pending(ow, key)
    assert review(ow, parent_id) == "split"
    home_part = next(h for h in part_heads(ow, parent_id) if h.warehouse_id == ow.world.wh_a)
    gifts = [ln for ln in stored(ow, home_part.id).lines if ln.is_gift]
    assert [(ln.sku_id, ln.qty_base) for ln in gifts] == [(ow.skus["SOCK-5P"], 1)]
    assert available(ow, "SOCK-5P", ow.world.wh_a) == 0


def test_a_part_is_seen_by_the_rules_with_its_own_lines(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    a, b = codes(ow, key)
    with ow.store.read() as conn:
        for head, code in zip(order_parts.parts_of(conn, parent_id), [b, a], strict=True):
            view = reviewing.canonical_of(conn, order_store.get_order(conn, head.id))
            assert [(ln.seller_sku_code, ln.qty) for ln in view.lines] == [(code, 3 if code == b else 2)]
            assert view.amounts.paid_fen == order_store.get_order(conn, head.id).paid_fen


# ---- after the split ------------------------------------------------------------------------------------------


def test_the_split_parent_is_never_reviewed_held_or_resolved_again(ow: OrderWorld) -> None:
    _key, parent_id = split_order(ow)
    with ow.store.transaction() as conn:
        for action in (lambda: reviewing.review(conn, parent_id, reviewing.load_plan(conn), hlc=ow.hlc()),
                       lambda: reviewing.hold(conn, parent_id),
                       lambda: reviewing.unhold(conn, parent_id, hlc=ow.hlc()),
                       lambda: reviewing.resolve(conn, parent_id, reviewing.load_plan(conn), hlc=ow.hlc(), note="x")):
            with pytest.raises(RuleViolation) as caught:
                action()
            assert caught.value.code == "order.bad_transition"
        assert parent_id not in order_store.ids_in_state(conn, "pending_review")


def test_hold_and_unhold_work_on_a_part(ow: OrderWorld) -> None:
    _key, parent_id = split_order(ow)
    part = part_heads(ow, parent_id)[0]
    with ow.store.transaction() as conn:
        reviewing.hold(conn, part.id, note="check")
        assert reviewing.unhold(conn, part.id, hlc=ow.hlc()) == "reviewed"
    assert len(ow.reservations_of(part.id)) == 1


def test_a_platform_cancel_after_the_split_cancels_the_parts_and_releases_their_stock(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    a, b = codes(ow, key)
    result = update_platform(ow, key, status="cancelled")
    assert result.updated == {key: parent_id} and result.states[parent_id] == "cancelled"
    assert [h.state for h in part_heads(ow, parent_id)] == ["cancelled", "cancelled"]
    assert all(ow.reservations_of(h.id) == [] for h in part_heads(ow, parent_id))
    assert available(ow, a, ow.world.wh_a) == 2 and available(ow, b, ow.world.wh_b) == 3
    assert codes_of_events(ow, parent_id)[-2:] == ["order.updated", "order.parts_cancelled"]
    assert stored(ow, parent_id).platform_status == "closed"  # JD: TRADE_CANCELED
    again = ingest(ow, canonical(ow, PLATFORM, key))  # the same update again
    assert (again.unchanged, again.updated) == (1, {})
    assert codes_of_events(ow, parent_id)[-1] == "order.parts_cancelled"


def test_a_platform_cancel_asks_a_part_in_fulfilment_to_cancel(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    first, second = part_heads(ow, parent_id)
    with ow.store.transaction() as conn:
        order_store.set_state(conn, first.id, "in_wave", expected_state="reviewed")
    result = update_platform(ow, key, status="refunded")
    assert result.states[parent_id] == "split"
    assert [h.state for h in part_heads(ow, parent_id)] == ["cancel_requested", "cancelled"]
    assert ow.reservations_of(second.id) == [] and len(ow.reservations_of(first.id)) == 1  # fulfilment returns those


def test_a_seller_remark_change_moves_no_part(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    update_platform(ow, key, seller_memo="加急")
    assert stored(ow, parent_id).state == "split"
    for head in part_heads(ow, parent_id):
        part = stored(ow, head.id)
        assert part.state == "reviewed" and len(ow.reservations_of(head.id)) == 1
    with ow.store.read() as conn:
        assert {r.seller_remark for r in [order_views_detail(conn, h.id) for h in order_parts.parts_of(conn, parent_id)]} == {"加急"}


def order_views_detail(conn: Any, order_id: str) -> Any:
    from server.store import order_views

    return order_views.order_detail(conn, order_id)


def test_shipped_on_the_platform_while_a_part_ships_keeps_the_other_parts(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    first, second = part_heads(ow, parent_id)
    with ow.store.transaction() as conn:
        order_store.set_state(conn, first.id, "shipped", expected_state="reviewed")
    update_platform(ow, key, status="shipped", waybill="YT1")  # the platform echoing our own ship-confirm
    assert [h.state for h in part_heads(ow, parent_id)] == ["shipped", "reviewed"]
    assert len(ow.reservations_of(second.id)) == 1 and stored(ow, parent_id).state == "split"


def test_shipped_elsewhere_before_any_part_ships_ends_every_part(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    result = update_platform(ow, key, status="shipped", waybill="SF9")
    assert [h.state for h in part_heads(ow, parent_id)] == ["shipped_on_platform", "shipped_on_platform"]
    assert result.states[parent_id] == "shipped_on_platform"
    assert all(ow.reservations_of(h.id) == [] for h in part_heads(ow, parent_id))


def test_the_parent_is_shipped_when_its_last_part_ships(ow: OrderWorld) -> None:
    _key, parent_id = split_order(ow)
    first, second = part_heads(ow, parent_id)
    with ow.store.transaction() as conn:
        order_store.set_state(conn, first.id, "shipped", expected_state="reviewed")
        parts.on_part_shipped(conn, first.id)
    assert stored(ow, parent_id).state == "split"
    with ow.store.transaction() as conn:
        order_store.set_state(conn, second.id, "shipped", expected_state="reviewed")
        parts.on_part_shipped(conn, second.id)
        parts.on_part_shipped(conn, second.id)  # a repeat changes nothing
    assert stored(ow, parent_id).state == "shipped"
    assert codes_of_events(ow, parent_id).count("order.parts_shipped") == 1


def test_cancel_by_hand_on_the_parent_cancels_its_parts(ow: OrderWorld) -> None:
    key, parent_id = split_order(ow)
    a, b = codes(ow, key)
    with ow.store.transaction() as conn:
        assert reviewing.cancel(conn, parent_id, hlc=ow.hlc(), note="买家要求") == "cancelled"
    assert [h.state for h in part_heads(ow, parent_id)] == ["cancelled", "cancelled"]
    assert available(ow, a, ow.world.wh_a) == 2 and available(ow, b, ow.world.wh_b) == 3
    with ow.store.transaction() as conn, pytest.raises(RuleViolation):
        reviewing.cancel(conn, parent_id, hlc=ow.hlc())


def test_cancelling_one_part_by_hand_leaves_the_parent_split(ow: OrderWorld) -> None:
    _key, parent_id = split_order(ow)
    first, second = part_heads(ow, parent_id)
    with ow.store.transaction() as conn:
        assert reviewing.cancel(conn, first.id, hlc=ow.hlc()) == "cancelled"
    assert stored(ow, parent_id).state == "split" and len(ow.reservations_of(second.id)) == 1
    with ow.store.transaction() as conn:
        reviewing.cancel(conn, second.id, hlc=ow.hlc())
    assert stored(ow, parent_id).state == "cancelled"


def test_available_stock_is_read_per_warehouse(ow: OrderWorld) -> None:
    put(ow, "TEA-250G", ow.world.wh_b, 4)
    with ow.store.read() as conn:
        found = order_stock.available(conn, [(ow.skus["TEA-250G"], ow.world.wh_b), (ow.skus["TEA-250G"], ow.world.wh_a)])
    assert found.get((ow.skus["TEA-250G"], ow.world.wh_b)) == 4 and found.get((ow.skus["TEA-250G"], ow.world.wh_a), 0) == 0


# ---- shipping the parts ------------------------------------------------------------------------------------------


def _ship_part(ow: OrderWorld, part: order_parts.PartHead, carrier: Any, post: Any) -> Any:
    from server.orders import fulfilment, shipping
    from server.store import packages, tasks

    with ow.store.transaction() as conn:
        (wave,) = fulfilment.create_waves(conn, part.warehouse_id, [part.id], slots=4, hlc=ow.hlc())
        t = tasks.complete(conn, wave.pick_task_id, device_id="d", hlc=ow.hlc())
        fulfilment.on_task_completed(conn, t, verified=[], user_id="u", device_id="d", hlc=ow.hlc())
        for p in packages.packages_of_order(conn, part.id):
            t = tasks.complete(conn, p.pack_task_id, device_id="d", hlc=ow.hlc())
            fulfilment.on_task_completed(conn, t, verified=[{"sku_id": ln.sku_id, "qty": ln.qty}
                                                            for ln in packages.package_lines_of(conn, p.id)],
                                         user_id="u", device_id="d", hlc=ow.hlc())
    return shipping.ship_packed(ow.store, carrier, post)


def test_each_part_ships_with_its_own_waybill_under_the_platform_order_id(ow: OrderWorld) -> None:
    from starlette.testclient import TestClient

    from server.orders import shipping
    from server.orders.carrier.app import create_carrier
    from server.orders.carrier.client import CarrierClient
    from server.orders.carrier.shapes import Address, Party

    key, parent_id = split_order(ow)
    sender = Party("上海仓", "021-55550000", Address("上海市", "上海市", "浦东新区", "航头镇 88 号"))
    carrier = CarrierClient(TestClient(create_carrier(seed=3)), cp_code="YTO", sender=sender, sleep=lambda _s: None)
    post = shipping.httpx_poster(ow.http)
    first, second = part_heads(ow, parent_id)
    report = _ship_part(ow, first, carrier, post)
    assert report.shipped == [first.id]
    ingest(ow, canonical(ow, PLATFORM, key))  # the platform now says shipped: our own part, the other goes on
    assert [h.state for h in part_heads(ow, parent_id)] == ["shipped", "reviewed"]
    assert stored(ow, parent_id).state == "split"
    report = _ship_part(ow, second, carrier, post)
    assert report.shipped == [second.id]
    ships = [r.body for r in ow.sim.received if r.kind == "ship"]
    assert [s["orderId"] for s in ships] == [key, key] and len(set(ow.sim.orders[PLATFORM][key].waybills)) == 2
    assert stored(ow, parent_id).state == "shipped"  # shipping the last part settled the parent


def test_the_wave_rules_take_a_part_whole_in_its_warehouse(ow: OrderWorld) -> None:
    from datetime import UTC, datetime

    from server.orders import wave_rules

    _key, parent_id = split_order(ow)
    with ow.store.read() as conn:
        for head in order_parts.parts_of(conn, parent_id):
            choice = wave_rules.choose(conn, [head.id], limit=10, now=datetime.now(UTC))
            assert choice.order_ids == [head.id] and choice.splits == {}


def test_a_part_cancelled_after_picking_settles_the_parent_once_every_part_is_over(ow: OrderWorld) -> None:
    from server.orders import fulfilment
    from server.store import tasks

    _key, parent_id = split_order(ow)
    first, second = part_heads(ow, parent_id)
    with ow.store.transaction() as conn:
        assert reviewing.cancel(conn, first.id, hlc=ow.hlc()) == "cancelled"
        (wave,) = fulfilment.create_waves(conn, second.warehouse_id, [second.id], slots=4, hlc=ow.hlc())
        t = tasks.complete(conn, wave.pick_task_id, device_id="d", hlc=ow.hlc())
        fulfilment.on_task_completed(conn, t, verified=[], user_id="u", device_id="d", hlc=ow.hlc())
        assert reviewing.cancel(conn, second.id, hlc=ow.hlc()) == "cancel_requested"
    assert stored(ow, parent_id).state == "split"
    with ow.store.transaction() as conn:
        assert fulfilment.process_cancel_requests(conn, hlc=ow.hlc()) == [second.id]
    assert stored(ow, parent_id).state == "cancelled"



@pytest.mark.parametrize("platform", ["taobao", "jd", "douyin", "pinduoduo", "shopify"])
def test_each_part_is_confirmed_to_the_platform_as_a_partial_shipment_of_its_lines(ow: OrderWorld, platform: str) -> None:
    from starlette.testclient import TestClient

    from server.orders import shipping
    from server.orders.carrier.app import create_carrier
    from server.orders.carrier.client import CarrierClient
    from server.orders.carrier.shapes import Address, Party

    key, parent_id = split_order(ow, platform)
    sender = Party("上海仓", "021-55550000", Address("上海市", "上海市", "浦东新区", "航头镇 88 号"))
    carrier = CarrierClient(TestClient(create_carrier(seed=3)), cp_code="YTO", sender=sender, sleep=lambda _s: None)
    post = shipping.httpx_poster(ow.http)
    first, second = part_heads(ow, parent_id)
    assert _ship_part(ow, first, carrier, post).shipped == [first.id]
    assert _ship_part(ow, second, carrier, post).shipped == [second.id]  # a plain second confirm would be refused
    assert stored(ow, parent_id).state == "shipped" and len(set(ow.sim.orders[platform][key].waybills)) == 2
    ships = [r.body for r in ow.sim.received if r.kind == "ship"]
    line_ids = [line.line_id for line in ow.sim.orders[platform][key].lines]
    if platform == "taobao":
        assert {b["is_split"] for b in ships} == {"1"} and sorted(b["sub_tid"] for b in ships) == sorted(map(str, line_ids))
    if platform == "pinduoduo":
        assert [b["type"] for b in ships] == ["pdd.logistics.online.send", "pdd.order.upload.extra.logistics"]
    if platform == "shopify":
        named = sorted(item["id"] for b in ships for item in b["fulfillment"]["line_items"])
        assert named == sorted(map(str, line_ids)) and len(ships) == 2
