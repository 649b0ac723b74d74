"""The priority and carrier rules shape the waves: a platform boost puts its orders first when the
wave takes fewer than are ready, and carrier rules give every order its carrier (which groups the
waves); without rules the built-in priority (older paid first, promised ship time) decides and no
carrier is named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.orders import fulfilment, wave_rules
from server.orders import review as reviewing
from server.orders.pull import pull_shop
from server.store import order_rules
from server.store import orders as order_store
from server.store.schema import skus
from server.store.schema_orders import orders as orders_table
from tests.server.orders.order_world import OrderWorld, make_order_world
from tests.server.world import World, world  # noqa: F401

CARRIER = {"carrier_code": "YTO", "min_weight_g": 0, "max_weight_g": 30000,
           "zones": [{"first_weight_g": 1000, "first_fen": 800, "additional_per_kg_fen": 500}]}


def _pulled(world: World, orders_per_shop: int) -> OrderWorld:
    """The simulated shops' orders pulled and reviewed."""
    ow = make_order_world(world, stock=1000, orders_per_shop=orders_per_shop, duplicate_rate=0.0)
    with ow.store.read() as conn:
        plan = reviewing.load_plan(conn)
    for shop in ow.shops.values():
        pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, plan=plan, sleep=lambda _s: None)
    return ow


@pytest.fixture
def ow(world: World) -> OrderWorld:
    return _pulled(world, 8)


def _reviewed(ow: OrderWorld) -> list[str]:
    with ow.store.read() as conn:
        return order_store.ids_in_state(conn, "reviewed")


def test_a_platform_boost_goes_first_and_carrier_rules_name_the_carrier(ow: OrderWorld) -> None:
    ready = _reviewed(ow)
    with ow.store.read() as conn:
        platforms = {oid: order_store.get_order(conn, oid).platform for oid in ready}
    assert "jd" in platforms.values() and len(set(platforms.values())) > 1
    jd_count = sum(1 for p in platforms.values() if p == "jd")
    with ow.store.transaction() as conn:
        order_rules.save_rule(conn, kind="priority", name="JD first", position=1, definition={"platform_points": {"jd": 100000}})
        order_rules.save_rule(conn, kind="carrier", name="YTO", position=1, definition=CARRIER)
        choice = wave_rules.choose(conn, ready, limit=jd_count, now=ow.sim.now + timedelta(hours=1))
    assert {platforms[oid] for oid in choice.order_ids} == {"jd"}
    assert set(choice.carrier_of.values()) == {"YTO"}
    with ow.store.transaction() as conn:
        created = fulfilment.create_waves(conn, ow.world.wh_a, choice.order_ids, slots=4, hlc=ow.hlc(),
                                          carrier_of=choice.carrier_of)
        groups = {conn.execute(orders_table.select().where(orders_table.c.id == oid)).one().state for w in created
                  for oid in w.order_ids}
    assert created and groups == {"in_wave"}


def test_without_rules_the_longest_waiting_go_first_and_no_carrier_is_named(ow: OrderWorld) -> None:
    ready = _reviewed(ow)
    with ow.store.read() as conn:
        choice = wave_rules.choose(conn, ready, limit=3, now=ow.sim.now)
        paid = sorted((reviewing.canonical_of(conn, order_store.get_order(conn, oid)).paid_at, oid) for oid in ready)
    assert len(choice.order_ids) == 3 and set(choice.order_ids) <= set(ready)
    assert paid[0][1] in choice.order_ids  # the longest waiting is among the first taken
    assert set(choice.carrier_of.values()) == {""}


def test_a_split_rule_cuts_heavy_orders_into_parcels_under_the_weight_limit(ow: OrderWorld) -> None:
    ready = _reviewed(ow)
    with ow.store.transaction() as conn:
        conn.execute(skus.update().values(weight_g=600))
        order_rules.save_rule(conn, kind="split", name="≤ 1 kg a parcel", position=1,
                              definition={"by_stock": False, "max_package_weight_g": 1000})
        choice = wave_rules.choose(conn, ready, limit=len(ready), now=ow.sim.now)
        units = {oid: sum(q for _, q in reviewing.to_ship(order_store.get_order(conn, oid))) for oid in ready}
    heavy = [oid for oid, n in units.items() if n >= 2]
    assert heavy and set(choice.splits) == set(heavy)  # 600 g a unit: two units never share a 1 kg parcel
    for oid in heavy:
        assert all(sum(q for _, q in part) == 1 for part in choice.splits[oid])
        assert sum(q for part in choice.splits[oid] for _, q in part) == units[oid]  # nothing lost or added
    with ow.store.transaction() as conn:
        created = fulfilment.create_waves(conn, ow.world.wh_a, choice.order_ids, slots=4, hlc=ow.hlc(),
                                          carrier_of=choice.carrier_of, splits=choice.splits)
    assert sum(len(w.package_ids) for w in created) == sum(units.values())


def _merge_pairs(ow: OrderWorld, ready: list[str]) -> list[list[str]]:
    from shared.orders.rules.merge import receiver_key

    groups: dict[tuple[str, str, str], list[str]] = {}
    with ow.store.read() as conn:
        for oid in ready:
            order = reviewing.canonical_of(conn, order_store.get_order(conn, oid))
            key = receiver_key(order.receiver)
            if order.buyer_open_id and key:
                groups.setdefault((order.shop_id, order.buyer_open_id, key), []).append(oid)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def test_one_buyers_orders_to_one_address_are_chosen_whole_as_one_merge_and_share_a_carrier(world: World) -> None:
    ow = _pulled(world, 36)
    ready = _reviewed(ow)
    pairs = _merge_pairs(ow, ready)
    assert pairs  # the simulator's repeat buyers (every 12th order)
    with ow.store.transaction() as conn:
        order_rules.save_rule(conn, kind="carrier", name="YTO", position=1, definition=CARRIER)
        everything = wave_rules.choose(conn, ready, limit=len(ready), now=ow.sim.now)
        assert sorted(sorted(g) for g in everything.merges) == pairs
        assert all(len({everything.carrier_of[oid] for oid in g}) == 1 for g in everything.merges)
        first = min(everything.order_ids.index(g[0]) for g in everything.merges)
        cut = wave_rules.choose(conn, ready, limit=first + 1, now=ow.sim.now)
        assert len(cut.order_ids) == first + 2 and cut.merges == [everything.order_ids[first:first + 2]]
        created = fulfilment.create_waves(conn, ow.world.wh_a, cut.order_ids, slots=50, hlc=ow.hlc(),
                                          carrier_of=cut.carrier_of, merges=cut.merges)
    assert sum(len(w.package_ids) for w in created) == len(cut.order_ids) - 1
    with ow.store.transaction() as conn:
        order_rules.save_rule(conn, kind="merge", name="no merging", position=1, definition={"enabled": False})
        assert wave_rules.choose(conn, ready, limit=len(ready), now=ow.sim.now).merges == []
