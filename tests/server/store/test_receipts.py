from __future__ import annotations

import pytest

from server.store import ledger, moves, receipts
from shared.core.errors import ConflictError, RuleViolation
from shared.inventory.documents import ReceiptState
from shared.inventory.movement import Reason

from tests.server.world import World


def _receipt(world: World, reference: str = "DN-2026-001") -> receipts.Receipt:
    with world.store.transaction() as conn:
        return receipts.create(conn, world.wh_a, [(world.sku, 10), (world.sku2, 5)], hlc=world.hlc(),
                               reference=reference, supplier_name="杭州茶厂")


def test_full_receipt_into_dock_then_putaway(world: World) -> None:
    r = _receipt(world)
    assert r.state is ReceiptState.EXPECTED and r.number == "RC-000001"
    with world.store.transaction() as conn:
        r = receipts.receive(conn, r.id, world.dock_a.id, {world.sku: 10, world.sku2: 5}, hlc=world.hlc())
        moves.move(conn, world.sku, world.dock_a.id, world.a1.id, 10, hlc=world.hlc(), reason=Reason.PUTAWAY)
    assert r.state is ReceiptState.RECEIVED
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 10
        assert ledger.balance(conn, world.sku, world.dock_a.id).on_hand == 0
        assert {m.reason for m in ledger.movements_for(conn, ref=("receipt", r.id))} == {Reason.RECEIPT_EXPECTED}


def test_partial_receipt_over_several_visits_then_close_short(world: World) -> None:
    r = _receipt(world)
    with world.store.transaction() as conn:
        r = receipts.receive(conn, r.id, world.dock_a.id, {world.sku: 4}, hlc=world.hlc())
    assert r.state is ReceiptState.PARTIAL
    with world.store.transaction() as conn:
        r = receipts.receive(conn, r.id, world.dock_a.id, {world.sku: 6, world.sku2: 3}, hlc=world.hlc())
    assert r.state is ReceiptState.PARTIAL
    assert [ln.short_qty for ln in r.lines] == [0, 2]
    with world.store.transaction() as conn:
        r = receipts.close(conn, r.id, hlc=world.hlc())
    assert r.state is ReceiptState.CLOSED
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        receipts.receive(conn, r.id, world.dock_a.id, {world.sku2: 2}, hlc=world.hlc())
    assert err.value.code == "receipt.closed"


def test_over_receipt_splits_into_expected_and_over_movements(world: World) -> None:
    r = _receipt(world)
    with world.store.transaction() as conn:
        r = receipts.receive(conn, r.id, world.dock_a.id, {world.sku: 12, world.sku2: 5}, hlc=world.hlc())
    assert r.state is ReceiptState.RECEIVED
    assert r.lines[0].over_qty == 2
    with world.store.read() as conn:
        legs = sorted((m.reason, m.qty) for m in ledger.movements_for(conn, ref=("receipt", r.id)) if m.sku_id == world.sku)
        assert legs == [(Reason.RECEIPT_EXPECTED, 10), (Reason.RECEIPT_OVER, 2)]
        assert ledger.balance(conn, world.sku, world.dock_a.id).on_hand == 12


def test_unexpected_sku_gets_its_own_line(world: World) -> None:
    r = _receipt(world)
    with world.store.transaction() as conn:
        r = receipts.receive(conn, r.id, world.dock_a.id, {world.lot_sku: 3}, hlc=world.hlc(),
                             batch_by_sku={world.lot_sku: "L1"})
    assert [(ln.sku_id, ln.expected_qty, ln.received_qty) for ln in r.lines][-1] == (world.lot_sku, 0, 3)
    with world.store.read() as conn:
        assert ledger.balance(conn, world.lot_sku, world.dock_a.id, "L1").on_hand == 3


def test_duplicate_supplier_reference_is_a_conflict(world: World) -> None:
    _receipt(world)
    with pytest.raises(ConflictError) as err:
        _receipt(world)
    assert err.value.code == "receipt.duplicate_reference"
