from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.store import alerts, events, ledger, moves
from shared.core.errors import ConflictError, NotFoundError, ValidationError
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason

from tests.server.world import World


def test_receipt_increases_bin_and_warehouse_on_hand(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 10
        assert ledger.warehouse_level(conn, world.sku, world.wh_a).on_hand == 10
        assert ledger.ledger_sum(conn, world.sku, world.a1.id) == 10


@pytest.mark.parametrize("reason,qty", [
    (Reason.PICK_TASK, -3), (Reason.ADJUST_DAMAGE, -2), (Reason.ADJUST_CORRECTION, 4), (Reason.RETURN_CUSTOMER, 1),
    (Reason.RECEIPT_UNEXPECTED, 7),
])
def test_single_leg_kinds_change_on_hand_by_their_signed_qty(world: World, reason: Reason, qty: int) -> None:
    world.stock(world.sku, world.a1, 10)
    with world.store.transaction() as conn:
        moves.single(conn, world.sku, world.a1.id, abs(qty) if reason.kind.value != "adjustment" else qty, reason, hlc=world.hlc())
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 10 + qty
        assert ledger.projection_drift(conn) == []


@pytest.mark.parametrize("reason", [Reason.MOVE, Reason.PUTAWAY])
def test_move_and_putaway_conserve_warehouse_stock(world: World, reason: Reason) -> None:
    world.stock(world.sku, world.a1, 10)
    with world.store.transaction() as conn:
        moves.move(conn, world.sku, world.a1.id, world.a2.id, 4, hlc=world.hlc(), reason=reason)
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 6
        assert ledger.balance(conn, world.sku, world.a2.id).on_hand == 4
        assert ledger.warehouse_level(conn, world.sku, world.wh_a).on_hand == 10


def test_move_to_same_bin_is_refused_and_writes_nothing(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        moves.move(conn, world.sku, world.a1.id, world.a1.id, 1, hlc=world.hlc())
    assert err.value.code == "movement.same_bin"
    with world.store.read() as conn:
        assert len(ledger.movements_for(conn, sku_id=world.sku)) == 1


def test_move_across_warehouses_is_refused(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        moves.move(conn, world.sku, world.a1.id, world.b1.id, 1, hlc=world.hlc())
    assert err.value.code == "bin.wrong_warehouse"


@pytest.mark.parametrize("qty", [0, -1, 0.5, 1e-9, float("nan"), "1,000", 2**63, True, None])
def test_bad_quantities_are_refused_with_invalid_quantity(world: World, qty: object) -> None:
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        moves.single(conn, world.sku, world.a1.id, qty, Reason.RECEIPT_UNEXPECTED, hlc=world.hlc())
    assert err.value.code == "invalid.quantity"
    assert "Invalid quantity" in err.value.message("en") and "数量无效" in err.value.message("zh-CN")


def test_pick_with_positive_qty_is_refused_for_wrong_sign(world: World) -> None:
    m = Movement(new_id(), world.sku, world.wh_a, world.a1.id, 3, Reason.PICK_TASK, world.hlc())
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        ledger.post(conn, [m])
    assert err.value.code == "movement.bad_sign"


def test_unknown_sku_or_bin_is_refused_and_batch_writes_nothing(world: World) -> None:
    good = Movement(new_id(), world.sku, world.wh_a, world.a1.id, 3, Reason.RECEIPT_UNEXPECTED, world.hlc())
    bad = Movement(new_id(), new_id(), world.wh_a, world.a1.id, 3, Reason.RECEIPT_UNEXPECTED, world.hlc())
    with pytest.raises(NotFoundError) as err, world.store.transaction() as conn:
        ledger.post(conn, [good, bad])
    assert err.value.code == "sku.not_found"
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 0
        assert ledger.movements_for(conn, sku_id=world.sku) == []


def test_replayed_movement_id_is_a_conflict(world: World) -> None:
    m = Movement(new_id(), world.sku, world.wh_a, world.a1.id, 3, Reason.RECEIPT_UNEXPECTED, world.hlc())
    with world.store.transaction() as conn:
        ledger.post(conn, [m])
    with pytest.raises(ConflictError) as err, world.store.transaction() as conn:
        ledger.post(conn, [m])
    assert err.value.code == "movement.duplicate_id"
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 3


def test_batch_tracked_sku_requires_a_batch_and_keeps_batches_apart(world: World) -> None:
    with pytest.raises(ValidationError) as err:
        world.stock(world.lot_sku, world.a1, 5)
    assert err.value.code == "sku.batch_required"
    world.stock(world.lot_sku, world.a1, 5, batch="L2026-11")
    world.stock(world.lot_sku, world.a1, 2, batch="L2026-12")
    with world.store.read() as conn:
        assert ledger.balance(conn, world.lot_sku, world.a1.id, "L2026-11").on_hand == 5
        assert ledger.balance(conn, world.lot_sku, world.a1.id, "L2026-12").on_hand == 2
        assert ledger.warehouse_level(conn, world.lot_sku, world.wh_a).on_hand == 7
    with pytest.raises(ValidationError) as err:
        world.stock(world.sku, world.a1, 5, batch="L1")
    assert err.value.code == "sku.batch_not_tracked"


def test_overpick_goes_negative_and_records_an_exception_event(world: World) -> None:
    world.stock(world.sku, world.a1, 2)
    with world.store.transaction() as conn:
        moves.single(conn, world.sku, world.a1.id, 5, Reason.PICK_TASK, hlc=world.hlc())
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == -3
        kinds = [e.kind for e in events.after(conn, 0)]
    assert "stock.negative_balance" in kinds


def test_low_stock_alert_opens_under_threshold_and_closes_when_restocked(world: World) -> None:
    world.stock(world.sku, world.a1, 10)  # threshold is 5
    with world.store.transaction() as conn:
        moves.single(conn, world.sku, world.a1.id, 6, Reason.PICK_TASK, hlc=world.hlc())
    with world.store.read() as conn:
        opened = alerts.open_alerts(conn, world.wh_a)
    assert [(a.sku_id, a.available, a.threshold) for a in opened] == [(world.sku, 4, 5)]
    world.stock(world.sku, world.a2, 3)
    with world.store.read() as conn:
        assert alerts.open_alerts(conn, world.wh_a) == []
        kinds = [e.kind for e in events.after(conn, 0)]
    assert kinds.count("stock.low_stock_alert_opened") == 1 and kinds.count("stock.low_stock_alert_closed") == 1


def test_every_posting_records_an_event_in_the_same_transaction(world: World) -> None:
    with pytest.raises(RuntimeError), world.store.transaction() as conn:
        moves.single(conn, world.sku, world.a1.id, 3, Reason.RECEIPT_UNEXPECTED, hlc=world.hlc())
        raise RuntimeError("crash before commit")
    with world.store.read() as conn:
        assert events.after(conn, 0) == []
    world.stock(world.sku, world.a1, 3)
    with world.store.read() as conn:
        posted = [e for e in events.after(conn, 0) if e.kind == "stock.movements_posted"]
    assert len(posted) == 1 and len(posted[0].payload["movement_ids"]) == 1


def test_balance_at_counts_only_movements_up_to_that_time(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    t = world.hlc()
    world.stock(world.sku, world.a1, 5)
    with world.store.read() as conn:
        assert ledger.balance_at(conn, world.sku, world.a1.id, "", t) == 10
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 15


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(["in", "out", "move", "adj"]), st.integers(1, 50), st.integers(0, 2), st.integers(0, 2)),
                    min_size=1, max_size=12))
def test_projection_always_equals_ledger_sum(world: World, ops: list[tuple[str, int, int, int]]) -> None:
    bins = [world.a1, world.a2, world.a3]
    with world.store.transaction() as conn:
        for kind, qty, i, j in ops:
            if kind == "in":
                moves.single(conn, world.sku2, bins[i].id, qty, Reason.RECEIPT_UNEXPECTED, hlc=world.hlc())
            elif kind == "out":
                moves.single(conn, world.sku2, bins[i].id, qty, Reason.PICK_TASK, hlc=world.hlc())
            elif kind == "adj":
                moves.single(conn, world.sku2, bins[i].id, -qty, Reason.ADJUST_CORRECTION, hlc=world.hlc())
            elif i != j:
                moves.move(conn, world.sku2, bins[i].id, bins[j].id, qty, hlc=world.hlc())
    with world.store.read() as conn:
        assert ledger.projection_drift(conn) == []
        total = sum(ledger.balance(conn, world.sku2, b.id).on_hand for b in bins)
        assert ledger.warehouse_level(conn, world.sku2, world.wh_a).on_hand == total
