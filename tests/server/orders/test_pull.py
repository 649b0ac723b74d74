"""Incremental pull through the simulator: exactly once across crashes, repeats, modifications, faults."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from server.orders.pull import PullConfig, PullError, pull_shop
from server.orders.review import ReviewPlan
from server.store import order_events
from server.store import orders as order_store
from server.store import shops as shop_store
from server.store.schema_orders import order_events as order_events_table
from server.store.schema_orders import orders as orders_table
from shared.orders.rules import ReviewFacts, RuleSet
from tests.server.orders.order_world import OrderWorld, make_order_world, orders_world  # noqa: F401
from tests.server.world import world  # noqa: F401

PLATFORMS = ("taobao", "jd", "douyin", "pinduoduo", "shopify")
FAST = PullConfig(page_size=7, first_start=timedelta(days=2), backoff_s=0.0)
NO_RULES = ReviewPlan(RuleSet.parse([]), ReviewFacts())


def no_sleep(_: float) -> None:
    return None


def stored_ids(ow: OrderWorld, platform: str) -> list[str]:
    with ow.store.read() as conn:
        return list(conn.execute(select(orders_table.c.platform_order_id)
                                 .where(orders_table.c.shop_id == ow.shops[platform].id)).scalars())


def ingested_events(ow: OrderWorld) -> int:
    with ow.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(order_events_table)
                                .where(order_events_table.c.from_state.is_(None))).scalar_one())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_pull_stores_every_order_once_and_saves_the_window_end(orders_world: OrderWorld, platform: str) -> None:
    ow = orders_world
    until = ow.sim.now
    report = pull_shop(ow.store, ow.shops[platform].id, ow.http, until=until, config=FAST, sleep=no_sleep)
    ids = stored_ids(ow, platform)
    assert sorted(ids) == sorted(ow.sim.orders[platform]) and len(ids) == len(set(ids))
    assert report.pages > 1 and report.created == len(ids)
    with ow.store.read() as conn:
        cursor = shop_store.get_cursor(conn, ow.shops[platform].id)
    assert cursor.modified_through == until and cursor.page is None


@pytest.mark.parametrize("crash_after", [1, 3])
def test_pull_crash_between_pages_then_restart_misses_and_doubles_nothing(orders_world: OrderWorld, crash_after: int) -> None:
    ow = orders_world
    shop = ow.shops["jd"]

    def crash(pages: int) -> None:
        if pages == crash_after:
            raise RuntimeError("killed between pages")

    with pytest.raises(RuntimeError):
        pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep, after_page=crash)
    with ow.store.read() as conn:
        saved = shop_store.get_cursor(conn, shop.id)
    assert saved.page is not None and saved.pages_done == crash_after  # the page after the crash is next
    pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    ids = stored_ids(ow, "jd")
    assert sorted(ids) == sorted(ow.sim.orders["jd"])
    assert ingested_events(ow) == len(ids)  # one "received" entry per order: nothing ingested twice


def test_pull_repeated_orders_across_pages_store_one_order(world: object) -> None:
    from tests.server.orders.order_world import make_order_world

    ow = make_order_world(world, duplicate_rate=0.9)  # type: ignore[arg-type]
    report = pull_shop(ow.store, ow.shops["douyin"].id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    ids = stored_ids(ow, "douyin")
    assert report.seen > len(ids) == len(set(ids)) == len(ow.sim.orders["douyin"])
    assert report.unchanged == report.seen - len(ids)


def test_pull_later_modification_updates_the_order(orders_world: OrderWorld) -> None:
    ow = orders_world
    shop = ow.shops["taobao"]
    pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    key = next(k for k, o in ow.sim.orders["taobao"].items() if o.status == "paid")
    ow.sim.advance(10, modify_share=0.0, late_share=0.0)
    ow.sim.touch("taobao", key, seller_memo="改地址 请发顺丰")
    report = pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now + timedelta(seconds=1), config=FAST, sleep=no_sleep)
    assert report.updated == 1
    with ow.store.read() as conn:
        order = order_store.find_order(conn, shop.id, key)
        entries = order_events.timeline(conn, order.id)
        assert order_store.raw_payload(conn, order.id)["seller_memo"] == "改地址 请发顺丰"
    assert order.modified_at == ow.sim.orders["taobao"][key].modified
    assert [e.code for e in entries][-1] == "order.updated" and entries[-1].source == "pull:taobao-1"


def test_pull_late_cancel_releases_the_reservation(orders_world: OrderWorld) -> None:
    ow = orders_world
    shop = ow.shops["pinduoduo"]
    report = pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, plan=NO_RULES, sleep=no_sleep)
    key = next(k for k, o in ow.sim.orders["pinduoduo"].items() if o.status == "paid")
    with ow.store.read() as conn:
        order = order_store.find_order(conn, shop.id, key)
    assert order.state == "reviewed" and ow.reservations_of(order.id)
    code = ow.sim.orders["pinduoduo"][key].lines[0].code
    before = ow.available(code)
    ow.sim.advance(5, modify_share=0.0, late_share=0.0)
    ow.sim.touch("pinduoduo", key, status="refunded")
    report = pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now + timedelta(seconds=1), config=FAST, sleep=no_sleep)
    assert report.updated == 1
    with ow.store.read() as conn:
        order = order_store.get_order(conn, order.id)
        codes = [e.code for e in order_events.timeline(conn, order.id)]
    assert order.state == "cancelled" and not ow.reservations_of(order.id)
    assert ow.available(code) > before
    assert codes == ["order.ingested", "order.reviewed", "order.cancelled"]


def test_pull_retries_faults_with_backoff(world: object) -> None:
    from tests.server.orders.order_world import make_order_world

    ow = make_order_world(world, fault_rate=0.3)  # type: ignore[arg-type]
    waits: list[float] = []
    report = pull_shop(ow.store, ow.shops["shopify"].id, ow.http, until=ow.sim.now, config=FAST, sleep=waits.append)
    assert sorted(stored_ids(ow, "shopify")) == sorted(ow.sim.orders["shopify"])
    assert report.retries == ow.sim.faults["shopify"] > 0 and len(waits) == report.retries


def test_pull_gives_up_after_bounded_attempts_and_keeps_the_cursor(world: object) -> None:
    from tests.server.orders.order_world import make_order_world

    ow = make_order_world(world, fault_rate=0.99)  # type: ignore[arg-type]
    config = PullConfig(page_size=7, max_attempts=3, backoff_s=0.01)
    waits: list[float] = []
    with pytest.raises(PullError) as caught:
        pull_shop(ow.store, ow.shops["jd"].id, ow.http, until=ow.sim.now, config=config, sleep=waits.append)
    assert caught.value.code == "order.pull_failed" and len(waits) == 2  # three attempts, two waits
    assert waits[0] >= 0.01 and all(wait <= config.backoff_max_s for wait in waits)
    with ow.store.read() as conn:
        assert shop_store.get_cursor(conn, ow.shops["jd"].id).modified_through is None


def test_pull_of_an_inactive_shop_is_refused(orders_world: OrderWorld) -> None:
    from shared.core.errors import RuleViolation

    ow = orders_world
    with ow.store.transaction() as conn:
        shop_store.update_shop(conn, ow.shops["jd"].id, active=False)
    with pytest.raises(RuleViolation) as caught:
        pull_shop(ow.store, ow.shops["jd"].id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    assert caught.value.code == "shop.inactive"


def test_pull_replayed_from_an_old_cursor_stores_nothing_twice(orders_world: OrderWorld) -> None:
    ow = orders_world
    shop = ow.shops["taobao"]
    first = pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    with ow.store.transaction() as conn:  # as if a backup from before the pull were restored
        shop_store.save_cursor(conn, shop_store.Cursor(shop.id, None, None, 0))
    again = pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    assert again.created == again.updated == 0 and again.unchanged == again.seen >= first.created
    assert ingested_events(ow) == first.created == len(stored_ids(ow, "taobao"))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(crashes=st.lists(st.integers(1, 6), min_size=1, max_size=3), platform=st.sampled_from(PLATFORMS),
       fault_rate=st.sampled_from([0.0, 0.2]), seed=st.integers(1, 500))
def test_pull_exactly_once_whatever_pages_it_crashes_after(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory,
                                                           crashes: list[int], platform: str, fault_rate: float,
                                                           seed: int) -> None:
    """Any sequence of crashes between pages, with faults: every order stored, each once, received once."""
    from tests.conftest import _sqlite_store
    from tests.server.world import world as make_world

    store = _sqlite_store(sqlite_template, tmp_path_factory.mktemp("pull"))
    ow = make_order_world(make_world.__wrapped__(store), seed=seed, orders_per_shop=30, fault_rate=fault_rate)  # type: ignore[attr-defined]
    shop = ow.shops[platform]
    for crash_after in crashes:
        def crash(pages: int, at: int = crash_after) -> None:
            if pages == at:
                raise RuntimeError("killed")
        try:
            pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep, after_page=crash)
        except RuntimeError:
            pass
    pull_shop(ow.store, shop.id, ow.http, until=ow.sim.now, config=FAST, sleep=no_sleep)
    ids = stored_ids(ow, platform)
    assert sorted(ids) == sorted(ow.sim.orders[platform])
    assert ingested_events(ow) == len(ids)
    store.dispose()
