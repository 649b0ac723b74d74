"""Warehouse transfers against a real server: receiving a transfer in transit (partly, offline),
shipping one from this warehouse bin by bin, and a store receiving from the warehouse."""

from __future__ import annotations

from client.services.transfer import TransferReceiveFlow, TransferShipFlow, TransferState
from server.store import transfers
from tests.client.services.world import World, outbox_size


def test_a_transfer_in_transit_is_received_partly_offline_and_the_server_agrees(world: World) -> None:
    s = world.device()
    flow = TransferReceiveFlow(s.context())
    assert [t.number for t in flow.transfers()] == ["TR-000001"]
    world.transport.down = True
    assert flow.scan("TR-000001").code == "handheld.transfer_opened"
    first, second = (ln.sku_id for ln in flow.lines()[:2])
    target = world.storage_bins()[0]
    size = outbox_size(s)
    answers = {"handheld.scan_bin_first": flow.scan(world.barcode(first)),
               "handheld.system_bin": flow.scan("_TRANSIT")}
    assert flow.scan(target.code).code == "handheld.bin_set"
    stranger = next(sku for sku in world.sku_ids() if sku not in {ln.sku_id for ln in flow.lines()})
    answers["transfer.unknown_line"] = flow.scan(world.barcode(stranger))
    flow.type_qty("6")
    answers["transfer.over_receipt"] = flow.scan(world.barcode(first))
    for code, fb in answers.items():
        assert (fb.code, fb.ok) == (code, False)
    assert outbox_size(s) == size
    assert flow.scan(world.barcode(first)).code == "transfer.over_receipt"  # the typed 6 stands until a scan is taken
    flow.type_qty("1")
    assert flow.scan(world.barcode(first)).ok and outbox_size(s) == size + 1
    assert flow.scan(world.barcode(first)).detail["left"] == 3  # back to one per scan
    flow.type_qty("3")
    assert flow.scan(world.barcode(first)).detail["left"] == 0
    assert flow.scan(world.barcode(second)).detail["left"] == 4
    assert flow.scan(world.barcode(first)).code == "transfer.over_receipt"
    summary = flow.finish()
    assert summary.tone == "warn" and summary.detail["left"] == 15 - 6
    assert s.sync_now().offline
    world.transport.down = False
    before = world.on_hand(first, target.id)
    assert s.sync_now().ok
    tr = world.transfer("TR-000001")
    assert tr.state.value == "partially_received"
    assert {ln.sku_id: ln.received_qty for ln in tr.lines}[first] == 5 and world.on_hand(first, target.id) == before + 5


def test_a_transfer_from_this_warehouse_ships_bin_by_bin(world: World) -> None:
    s = world.device()
    a, b = world.stocked(at_least=4)[:2]
    gz = world.warehouse_id("WH-GZ")
    created = world.write(lambda c: transfers.create(c, world.warehouse_id("WH-SH"), gz, [(a.sku_id, 4), (b.sku_id, 2)],
                                                     hlc=world.hlc()))
    assert s.sync_now().ok and s.home().work.transfers_to_ship == 1
    world.transport.down = True
    flow = TransferShipFlow(s.context())
    assert flow.open(created.number).ok
    flow.scan(world.bin_code(a.bin_id))
    for _ in range(4):
        assert flow.scan(world.barcode(a.sku_id)).ok
    size = outbox_size(s)
    assert flow.scan(world.barcode(a.sku_id)).code == "transfer.over_ship" and outbox_size(s) == size
    assert flow.draft() == {1: 4} and outbox_size(s) == size
    shipped = flow.confirm()
    assert shipped.tone == "done" and shipped.detail["left"] == 2 and flow.state is TransferState.SCAN_BIN
    assert s.replica.outbox_entries()[-1].payload["lines"] == [{"line_no": 1, "qty": 4}]
    assert flow.scan(world.bin_code(b.bin_id)).ok
    assert flow.confirm().code == "handheld.nothing_scanned"
    flow.type_qty(2)
    flow.scan(world.barcode(b.sku_id))
    assert flow.confirm().detail["left"] == 0 and flow.state is TransferState.DONE
    assert s.home().work.transfers_to_ship == 0 and s.sync_now().offline
    world.transport.down = False
    assert s.sync_now().ok
    tr = world.transfer(created.id)
    assert tr.state.value == "in_transit" and [ln.shipped_qty for ln in tr.lines] == [4, 2]
    assert world.on_hand(a.sku_id, a.bin_id) == a.on_hand - 4


def test_a_store_receives_a_transfer_from_the_warehouse(world: World) -> None:
    line = world.stocked(at_least=3)[0]
    store = world.warehouse_id("ST-NJL")
    created = world.write(lambda c: transfers.create(c, world.warehouse_id("WH-SH"), store, [(line.sku_id, 3)], hlc=world.hlc()))
    world.write(lambda c: transfers.ship(c, created.id, line.bin_id, hlc=world.hlc()))
    s = world.device("store-pda", warehouse="ST-NJL")
    assert s.store_mode and s.home().work.transfers_to_receive == 1
    flow = TransferReceiveFlow(s.context())
    flow.open(created.number)
    shelf = world.storage_bins("ST-NJL")[0]
    flow.scan(shelf.code)
    flow.type_qty(3)
    done = flow.scan(world.barcode(line.sku_id))
    assert done.tone == "done" and flow.state is TransferState.DONE and s.home().work.transfers_to_receive == 0
    assert s.sync_now().ok
    assert world.transfer(created.id).state.value == "received" and world.on_hand(line.sku_id, shelf.id) >= 3
