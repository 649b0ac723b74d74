from __future__ import annotations

import pytest

from server.store import events, ledger, moves, stocktakes
from shared.core.errors import RuleViolation, ValidationError
from shared.inventory.movement import Reason
from shared.inventory.stocktake import StocktakeState

from tests.server.world import World


def _session(world: World, *bins: str, blind: bool = True) -> stocktakes.Stocktake:
    with world.store.transaction() as conn:
        return stocktakes.create(conn, world.wh_a, list(bins) or [world.a1.id], hlc=world.hlc(), blind=blind, user_id="lead")


def _count(world: World, st: stocktakes.Stocktake, sku: str, qty: int, *, by: str = "counter", bin_id: str | None = None,
           recount: bool = False, at: int | None = None) -> int:
    t = at if at is not None else world.hlc()
    with world.store.transaction() as conn:
        stocktakes.record_count(conn, st.id, bin_id or world.a1.id, sku, qty, counted_hlc=t, counted_by=by, is_recount=recount)
    return t


def test_approved_count_sets_on_hand_to_counted(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    _count(world, st, world.sku, 8)
    with world.store.read() as conn:
        review = stocktakes.review(conn, st.id)
    assert [(v.counted_qty, v.expected_qty, v.delta) for v in review.variances] == [(8, 10, -2)]
    with world.store.transaction() as conn:
        result = stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    assert result.stocktake.state is StocktakeState.APPROVED
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 8
        assert [m.reason for m in ledger.movements_for(conn, ref=("stocktake", st.id))] == [Reason.ADJUST_STOCKTAKE_LOSS]
        assert "stocktake.approved" in [e.kind for e in events.after(conn, 0)]


def test_movements_after_the_count_stay_applied(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    _count(world, st, world.sku, 9)  # one unit was missing at count time
    with world.store.transaction() as conn:  # after the count: 3 picked, 5 received
        moves.single(conn, world.sku, world.a1.id, 3, Reason.PICK_TASK, hlc=world.hlc())
        moves.single(conn, world.sku, world.a1.id, 5, Reason.RECEIPT_UNEXPECTED, hlc=world.hlc())
    with world.store.transaction() as conn:
        review = stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    assert [v.delta for v in review.variances] == [-1]
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 9 - 3 + 5
        assert ledger.projection_drift(conn) == []


def test_count_dated_before_a_movement_that_arrived_earlier_is_computed_at_its_own_time(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    counted_at = world.hlc()  # an offline device counted 10 here ...
    world.stock(world.sku, world.a1, 4)  # ... and this receipt happened after the count
    st = _session(world)
    _count(world, st, world.sku, 10, at=counted_at)
    with world.store.transaction() as conn:
        review = stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    assert [v.delta for v in review.variances] == [0]
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 14


def test_approval_by_a_counter_is_refused(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    _count(world, st, world.sku, 8, by="alice")
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        stocktakes.approve(conn, st.id, approver="alice", hlc=world.hlc())
    assert err.value.code == "stocktake.approver_is_counter"
    assert "alice" in err.value.message("zh-CN")
    with world.store.read() as conn:
        assert stocktakes.get(conn, st.id).state is StocktakeState.OPEN
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 10


def test_differing_counts_need_a_recount_before_approval(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    _count(world, st, world.sku, 8, by="alice")
    _count(world, st, world.sku, 9, by="bob")
    with world.store.read() as conn:
        assert len(stocktakes.review(conn, st.id).recounts) == 1
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    assert err.value.code == "stocktake.recount_pending"
    _count(world, st, world.sku, 9, by="carol", recount=True)
    with world.store.transaction() as conn:
        review = stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    assert [(v.counted_qty, v.delta) for v in review.variances] == [(9, -1)]


def test_uncounted_sku_in_a_counted_bin_is_counted_as_zero(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    world.stock(world.sku2, world.a1, 3)
    st = _session(world)
    _count(world, st, world.sku, 10)
    with world.store.transaction() as conn:
        review = stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    assert sorted((v.key[1], v.delta, v.implicit) for v in review.variances) == sorted(
        [(world.sku, 0, False), (world.sku2, -3, True)])
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku2, world.a1.id).on_hand == 0


def test_gain_is_posted_as_stocktake_gain(world: World) -> None:
    st = _session(world, world.a1.id, world.a2.id, blind=False)
    _count(world, st, world.sku, 2, bin_id=world.a2.id)
    with world.store.transaction() as conn:
        stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a2.id).on_hand == 2
        assert [m.reason for m in ledger.movements_for(conn, ref=("stocktake", st.id))] == [Reason.ADJUST_STOCKTAKE_GAIN]


def test_count_outside_the_session_bins_is_refused(world: World) -> None:
    st = _session(world)
    with pytest.raises(ValidationError) as err:
        _count(world, st, world.sku, 1, bin_id=world.a3.id)
    assert err.value.code == "stocktake.bin_not_in_scope"


def test_counting_after_approval_is_refused(world: World) -> None:
    st = _session(world)
    _count(world, st, world.sku, 1)
    with world.store.transaction() as conn:
        stocktakes.approve(conn, st.id, approver="manager", hlc=world.hlc())
    with pytest.raises(RuleViolation) as err:
        _count(world, st, world.sku, 1)
    assert err.value.code == "stocktake.bad_state"


def test_cancelled_session_posts_nothing(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    _count(world, st, world.sku, 1)
    with world.store.transaction() as conn:
        assert stocktakes.cancel(conn, st.id, hlc=world.hlc()).state is StocktakeState.CANCELLED
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 10
