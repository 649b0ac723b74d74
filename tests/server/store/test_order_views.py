"""The order pages' read queries on SQLite and PostgreSQL: the keyset list and its filters, counts by
state, one order with its lines' SKU codes, waves ready and made, shipments by state, return tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.orders import fulfilment
from server.store import fulfilment_views, order_views, packages
from server.store.schema_orders import order_lines, orders
from tests.server.orders.fulfilment_world import make_order, make_shop
from tests.server.world import World

T0 = datetime(2024, 11, 11, 9, 0, tzinfo=UTC)


def _orders(world: World, count: int, platform: str = "taobao") -> list[str]:
    world.stock(world.sku, world.a2, 50)
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a, platform)
        ids = [make_order(conn, shop, world.wh_a, [(world.sku, 1)], platform=platform, platform_order_id=f"P{platform}{i:03d}",
                          hlc=world.hlc()) for i in range(count)]
        for i, oid in enumerate(ids):  # two share a placed time: the id breaks the tie
            conn.execute(update(orders).where(orders.c.id == oid).values(placed_at=T0 + timedelta(minutes=i // 2)))
    return ids


def test_list_orders_pages_newest_first_without_gaps_or_repeats(world: World) -> None:
    ids = _orders(world, 7)
    seen: list[str] = []
    after = None
    with world.store.read() as conn:
        while True:
            rows = order_views.list_orders(conn, order_views.OrderFilter(), after=after, size=3)
            seen += [r.id for r in rows[:3]]
            if len(rows) <= 3:
                break
            after = order_views.order_key(rows[2])
        placed = [r.placed_at for r in order_views.list_orders(conn, order_views.OrderFilter(), after=None, size=10)]
    assert sorted(seen) == sorted(ids) and len(seen) == 7
    assert placed == sorted(placed, reverse=True)


def test_list_orders_filters_and_counts_by_state(world: World) -> None:
    taobao = _orders(world, 3)
    jd = _orders(world, 2, "jd")
    with world.store.transaction() as conn:
        conn.execute(update(orders).where(orders.c.id == jd[0]).values(state="exception"))
    with world.store.read() as conn:
        assert {r.id for r in order_views.list_orders(conn, order_views.OrderFilter(platform="jd"), after=None, size=10)} == set(jd)
        assert [r.id for r in order_views.list_orders(conn, order_views.OrderFilter(state="exception"), after=None, size=10)] == [jd[0]]
        assert {r.id for r in order_views.list_orders(conn, order_views.OrderFilter(text="Ptaobao00"), after=None, size=10)} == set(taobao)
        assert order_views.list_orders(conn, order_views.OrderFilter(text="%"), after=None, size=10) == []  # no wildcards
        assert order_views.count_by_state(conn, order_views.OrderFilter()) == {"reviewed": 4, "exception": 1}
        assert order_views.count_by_state(conn, order_views.OrderFilter(platform="taobao")) == {"reviewed": 3}
        assert [r.id for r in order_views.exceptions(conn, after=None, size=10)] == [jd[0]]


def test_order_detail_names_mapped_skus_and_leaves_unmapped_lines_blank(world: World) -> None:
    (oid,) = _orders(world, 1)
    with world.store.transaction() as conn:
        conn.execute(update(order_lines).where(order_lines.c.order_id == oid).values(sku_id=None))
    with world.store.read() as conn:
        detail = order_views.order_detail(conn, oid)
    assert [ln.sku_code for ln in detail.lines] == [""]
    assert detail.receiver["name"] == "张*" and "encrypted" not in detail.receiver


def test_waves_shipments_and_ready_counts(world: World) -> None:
    ids = _orders(world, 3)
    with world.store.read() as conn:
        assert [(r.warehouse_id, r.orders) for r in fulfilment_views.ready_by_warehouse(conn)] == [(world.wh_a, 3)]
        first = fulfilment_views.ready_orders(conn, world.wh_a, 2)
    assert len(first) == 2
    with world.store.transaction() as conn:
        (wave,) = fulfilment.create_waves(conn, world.wh_a, first, slots=8, hlc=world.hlc())
        boxes = [packages.packages_of_order(conn, o)[0] for o in first]
        packages.set_package(conn, boxes[0].id, state="packed")
        packages.set_package(conn, boxes[1].id, state="packed", ship_error="carrier down")
    with world.store.read() as conn:
        (row,) = fulfilment_views.list_waves(conn, after=None, size=10)
        assert (row.id, row.orders, row.packages, row.state) == (wave.wave_id, 2, 2, "picking")
        assert {p.id for p in fulfilment_views.wave_packages(conn, wave.wave_id)} == {b.id for b in boxes}
        assert {p.id for p in fulfilment_views.shipments(conn, "packed", after=None, size=10)} == {b.id for b in boxes}
        assert [p.ship_error for p in fulfilment_views.shipments(conn, "failed", after=None, size=10)] == ["carrier down"]
        assert fulfilment_views.count_shipments(conn) == {"packed": 2, "failed": 1}
        assert [(r.warehouse_id, r.orders) for r in fulfilment_views.ready_by_warehouse(conn)] == [(world.wh_a, 1)]
        assert fulfilment_views.open_returns(conn) == []
    assert ids
