from __future__ import annotations

import pytest

from server.store import ledger, transfers
from server.store.catalogue import system_bin
from shared.catalogue.model import BinKind
from shared.core.errors import RuleViolation, ValidationError
from shared.inventory.documents import TransferState

from tests.server.world import World


def _transfer(world: World, qty: int = 10) -> transfers.Transfer:
    with world.store.transaction() as conn:
        return transfers.create(conn, world.wh_a, world.wh_b, [(world.sku, qty), (world.sku2, 4)], hlc=world.hlc())


def test_ship_moves_stock_into_destination_in_transit(world: World) -> None:
    world.stock(world.sku, world.a1, 20)
    world.stock(world.sku2, world.a1, 4)
    t = _transfer(world)
    assert t.number == "TR-000001" and t.state is TransferState.OPEN
    with world.store.transaction() as conn:
        t = transfers.ship(conn, t.id, world.a1.id, hlc=world.hlc())
    assert t.state is TransferState.IN_TRANSIT
    with world.store.read() as conn:
        src = ledger.warehouse_level(conn, world.sku, world.wh_a)
        dst = ledger.warehouse_level(conn, world.sku, world.wh_b)
        transit = system_bin(conn, world.wh_b, BinKind.TRANSIT)
        assert (src.on_hand, dst.on_hand, dst.in_transit) == (10, 0, 10)
        assert ledger.balance(conn, world.sku, transit.id).on_hand == 10
        assert ledger.projection_drift(conn) == []


def test_partial_receipt_then_full_receipt(world: World) -> None:
    world.stock(world.sku, world.a1, 20)
    world.stock(world.sku2, world.a1, 4)
    t = _transfer(world)
    with world.store.transaction() as conn:
        transfers.ship(conn, t.id, world.a1.id, hlc=world.hlc())
        t = transfers.receive(conn, t.id, world.b1.id, {world.sku: 6}, hlc=world.hlc())
    assert t.state is TransferState.PARTIALLY_RECEIVED
    with world.store.read() as conn:
        dst = ledger.warehouse_level(conn, world.sku, world.wh_b)
        assert (dst.on_hand, dst.in_transit) == (6, 4)
    with world.store.transaction() as conn:
        t = transfers.receive(conn, t.id, world.b1.id, {world.sku: 4, world.sku2: 4}, hlc=world.hlc())
    assert t.state is TransferState.RECEIVED
    with world.store.read() as conn:
        dst = ledger.warehouse_level(conn, world.sku, world.wh_b)
        assert (dst.on_hand, dst.in_transit) == (10, 0)
        assert ledger.balance(conn, world.sku, world.b1.id).on_hand == 10


def test_partial_shipment_by_line(world: World) -> None:
    world.stock(world.sku, world.a1, 20)
    t = _transfer(world)
    with world.store.transaction() as conn:
        t = transfers.ship(conn, t.id, world.a1.id, hlc=world.hlc(), qty_by_line={1: 3})
    assert [(ln.shipped_qty, ln.to_ship) for ln in t.lines] == [(3, 7), (0, 4)]
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        transfers.ship(conn, t.id, world.a1.id, hlc=world.hlc(), qty_by_line={1: 8})
    assert err.value.code == "transfer.over_ship"


def test_receiving_more_than_in_transit_is_refused_and_writes_nothing(world: World) -> None:
    world.stock(world.sku, world.a1, 20)
    world.stock(world.sku2, world.a1, 4)
    t = _transfer(world)
    with world.store.transaction() as conn:
        transfers.ship(conn, t.id, world.a1.id, hlc=world.hlc())
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        transfers.receive(conn, t.id, world.b1.id, {world.sku2: 1, world.sku: 11}, hlc=world.hlc())
    assert err.value.code == "transfer.over_receipt"
    with world.store.read() as conn:
        assert ledger.warehouse_level(conn, world.sku2, world.wh_b).in_transit == 4
        assert transfers.get(conn, t.id).state is TransferState.IN_TRANSIT


def test_receive_before_ship_is_refused(world: World) -> None:
    t = _transfer(world)
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        transfers.receive(conn, t.id, world.b1.id, {world.sku: 1}, hlc=world.hlc())
    assert err.value.code == "transfer.bad_state"


def test_transfer_to_same_warehouse_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        transfers.create(conn, world.wh_a, world.wh_a, [(world.sku, 1)], hlc=world.hlc())
    assert err.value.code == "transfer.same_warehouse"


def test_receiving_into_a_bin_of_another_warehouse_is_refused(world: World) -> None:
    world.stock(world.sku, world.a1, 20)
    world.stock(world.sku2, world.a1, 4)
    t = _transfer(world)
    with world.store.transaction() as conn:
        transfers.ship(conn, t.id, world.a1.id, hlc=world.hlc())
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        transfers.receive(conn, t.id, world.a2.id, {world.sku: 1}, hlc=world.hlc())
    assert err.value.code == "bin.wrong_warehouse"
