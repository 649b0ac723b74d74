from __future__ import annotations

import pytest

from server.store import ledger, reservations
from shared.core.errors import RuleViolation

from tests.server.world import World


def test_reserve_lowers_available_not_on_hand(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    with world.store.transaction() as conn:
        r = reservations.reserve(conn, world.sku, world.wh_a, 4, hlc=world.hlc(), ref_type="order", ref_id="SO-1")
    with world.store.read() as conn:
        level = ledger.warehouse_level(conn, world.sku, world.wh_a)
    assert (level.on_hand, level.reserved, level.available) == (10, 4, 6)
    assert r.state == "open" and r.open_qty == 4


def test_consume_posts_the_pick_and_unreserves_in_one_step(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    with world.store.transaction() as conn:
        r = reservations.reserve(conn, world.sku, world.wh_a, 4, hlc=world.hlc(), bin_id=world.a1.id)
        r = reservations.consume(conn, r.id, 3, from_bin_id=world.a1.id, hlc=world.hlc())
    assert (r.consumed_qty, r.open_qty, r.state) == (3, 1, "open")
    with world.store.read() as conn:
        level = ledger.warehouse_level(conn, world.sku, world.wh_a)
        bal = ledger.balance(conn, world.sku, world.a1.id)
    assert (level.on_hand, level.reserved) == (7, 1)
    assert (bal.on_hand, bal.reserved) == (7, 1)
    with world.store.transaction() as conn:
        r = reservations.consume(conn, r.id, 1, from_bin_id=world.a1.id, hlc=world.hlc())
    assert r.state == "consumed"


def test_release_returns_the_open_quantity(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    with world.store.transaction() as conn:
        r = reservations.reserve(conn, world.sku, world.wh_a, 4, hlc=world.hlc())
        r = reservations.release(conn, r.id, hlc=world.hlc())
    assert r.state == "released" and r.open_qty == 0
    with world.store.read() as conn:
        assert ledger.warehouse_level(conn, world.sku, world.wh_a).reserved == 0
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        reservations.release(conn, r.id, hlc=world.hlc())
    assert err.value.code == "reservation.closed"


def test_reserving_more_than_available_is_refused(world: World) -> None:
    world.stock(world.sku, world.a1, 5)
    with world.store.transaction() as conn:
        reservations.reserve(conn, world.sku, world.wh_a, 4, hlc=world.hlc())
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        reservations.reserve(conn, world.sku, world.wh_a, 2, hlc=world.hlc())
    assert err.value.code == "reservation.insufficient"
    assert err.value.details["available"] == 1


def test_consuming_more_than_open_is_refused(world: World) -> None:
    world.stock(world.sku, world.a1, 5)
    with world.store.transaction() as conn:
        r = reservations.reserve(conn, world.sku, world.wh_a, 2, hlc=world.hlc())
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        reservations.consume(conn, r.id, 3, from_bin_id=world.a1.id, hlc=world.hlc())
    assert err.value.code == "reservation.exceeds_open"
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 5


def test_low_stock_alert_opens_when_reservation_drops_available(world: World) -> None:
    from server.store import alerts

    world.stock(world.sku, world.a1, 8)  # threshold 5
    with world.store.transaction() as conn:
        reservations.reserve(conn, world.sku, world.wh_a, 4, hlc=world.hlc())
    with world.store.read() as conn:
        assert [a.available for a in alerts.open_alerts(conn)] == [4]


def test_two_concurrent_reservations_of_the_last_unit_cannot_both_succeed(world: World) -> None:
    import threading

    world.stock(world.sku2, world.a1, 1)
    outcome: list[str] = []

    def second() -> None:
        try:
            with world.store.transaction() as conn:
                reservations.reserve(conn, world.sku2, world.wh_a, 1, hlc=world.hlc())
            outcome.append("reserved")
        except RuleViolation as err:
            outcome.append(err.code)

    with world.store.transaction() as conn:
        reservations.reserve(conn, world.sku2, world.wh_a, 1, hlc=world.hlc())
        rival = threading.Thread(target=second)
        rival.start()
        rival.join(timeout=0.5)  # the rival blocks on our write lock / row lock until we commit
        assert rival.is_alive()
    rival.join(timeout=30)
    assert outcome == ["reservation.insufficient"]
    with world.store.read() as conn:
        assert ledger.warehouse_level(conn, world.sku2, world.wh_a).reserved == 1
