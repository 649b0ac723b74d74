"""Receiving against a real server: an expected receipt received offline (repeated scans, a case
barcode, a typed number, over and unexpected SKUs), put away, synced; unplanned receipts; batches;
refusals that write nothing; a device killed after a confirmed scan."""

from __future__ import annotations

from typing import Any

from client.services.receive import ReceiveFlow, ReceiveState
from server.store import catalogue
from tests.client.services.world import World, outbox_size


def plain_skus(world: World, sku_ids: list[str]) -> list[str]:
    plain = set(world.sku_ids())
    return [s for s in sku_ids if s in plain]


def case_sku(world: World) -> str:
    from sqlalchemy import select

    from server.store.schema import barcodes, skus

    return str(world.read(lambda c: c.execute(select(barcodes.c.sku_id).join(skus, skus.c.id == barcodes.c.sku_id)
                                                .where((barcodes.c.pack_qty_base == 12) & (skus.c.batch_tracked.is_(False)))
                                                .order_by(barcodes.c.key)).scalars().first()))


def storage_bin(world: World, index: int = -1) -> Any:
    wh = world.warehouse_id("WH-SH")
    return [b for b in world.read(lambda c: catalogue.list_bins(c, wh)) if b.kind == "storage"][index]


def test_receipt_received_offline_and_put_away_lands_on_the_server_after_sync(world: World) -> None:
    s = world.device()
    flow = ReceiveFlow(s.context())
    assert [r.number for r in flow.receipts()] == ["RC-000001", "RC-000002", "RC-000003"]
    world.transport.down = True
    assert flow.scan("RC-000001\r\n").code == "handheld.receipt_opened" and flow.state is ReceiveState.SCAN_ITEMS
    receipt = flow.receipt
    assert receipt is not None
    first, second = plain_skus(world, [ln.sku_id for ln in receipt.lines])[:2]
    expected = {ln.sku_id: ln.expected_qty for ln in receipt.lines}

    assert [flow.scan(world.barcode(first)).detail["received"] for _ in range(3)] == [1, 2, 3]
    assert flow.type_qty("５").ok  # full-width digits from a Chinese IME
    assert flow.scan(world.barcode(first)).detail["received"] == 8
    flow.type_qty(str(expected[second] + 2))
    over = flow.scan(world.barcode(second))
    assert over.code == "handheld.over_expected" and over.tone == "warn" and over.detail["over"] == 2
    case = case_sku(world)
    boxed = flow.scan(world.barcode(case, pack_qty=12))
    assert boxed.ok and boxed.detail["qty"] == 12
    lines = {ln.sku_id: ln for ln in flow.lines()}
    assert lines[first].received_qty == 8 and lines[first].short_qty == expected[first] - 8
    assert lines[second].over_qty == 2 and lines[case].received_qty == 12

    target = storage_bin(world)
    assert flow.start_putaway().detail["units"] == 8 + expected[second] + 2 + 12
    assert flow.scan(target.code).code == "handheld.putaway_bin"
    assert flow.scan(world.barcode(first)).code == "handheld.put_away"
    assert flow.put_all().detail["units"] == 7 + expected[second] + 2 + 12
    assert flow.finish().detail["left"] == 0
    assert s.sync_now().offline

    world.transport.down = False
    assert s.sync_now().ok and s.replica.pending_count() == 0
    on_server = {ln.sku_id: ln.received_qty for ln in world.receipt("RC-000001").lines}
    assert on_server[first] == 8 and on_server[second] == expected[second] + 2 and on_server[case] == 12
    assert world.on_hand(first, target.id) == 8 and world.on_hand(case, target.id) == 12
    dock = world.bin("WH-SH", "_DOCK")
    assert world.on_hand(first, dock.id) == 0 and world.receipt("RC-000001").state.value == "partial"


def test_a_sku_not_on_the_receipt_is_taken_with_a_warning(world: World) -> None:
    s = world.device()
    flow = ReceiveFlow(s.context())
    flow.open_receipt("RC-000002")
    assert flow.receipt is not None
    on_note = {ln.sku_id for ln in flow.receipt.lines}
    stranger = next(sku for sku in world.sku_ids() if sku not in on_note)
    fb = flow.scan(world.barcode(stranger))
    assert fb.ok and fb.code == "handheld.not_on_receipt"
    assert s.sync_now().ok
    assert {ln.sku_id: (ln.expected_qty, ln.received_qty) for ln in world.receipt("RC-000002").lines}[stranger] == (0, 1)


def test_unplanned_receipt_goes_onto_the_dock_and_a_bin_scan_puts_it_away(world: World) -> None:
    s = world.device()
    flow = ReceiveFlow(s.context())
    assert flow.start_unplanned().ok
    case = case_sku(world)
    assert flow.scan(world.barcode(case, pack_qty=12)).code == "handheld.received_unplanned"
    assert s.replica.outbox_entries()[-1].payload["receipt_id"] == ""
    target = storage_bin(world, 0)
    before = world.on_hand(case, target.id)
    assert flow.scan(target.code).code == "handheld.putaway_bin" and flow.state is ReceiveState.PUTAWAY_ITEMS
    assert flow.put_all().detail["units"] == 12
    assert s.sync_now().ok and world.on_hand(case, target.id) == before + 12


def test_a_batch_tracked_sku_needs_its_batch_label_then_puts_away_by_plain_barcode(world: World) -> None:
    s = world.device()
    milk = world.sku_ids(batch_tracked=True)[0]
    ean = world.barcode(milk)
    flow = ReceiveFlow(s.context())
    flow.start_unplanned()
    size = outbox_size(s)
    assert flow.scan(ean).code == "handheld.batch_required" and outbox_size(s) == size
    assert flow.scan(f"(01)0{ean}(10)L2099").ok
    assert s.replica.outbox_entries()[-1].payload["batch"] == "L2099"
    target = storage_bin(world)
    flow.scan(target.code)
    assert flow.scan(ean).code == "handheld.put_away"  # the dock holds one batch of it: that one
    assert s.sync_now().ok and world.on_hand(milk, target.id, "L2099") == 1


def test_receive_refusals_write_nothing(world: World) -> None:
    s = world.device()
    flow = ReceiveFlow(s.context())
    sku = world.sku_ids()[0]
    size = outbox_size(s)
    answers = {"handheld.choose_receipt_first": flow.scan(world.barcode(sku)),
               "handheld.receipt_not_open": flow.open_receipt("RC-999999")}
    flow.open_receipt("RC-000001")
    answers |= {"handheld.not_here": flow.scan("RC-000002"),
                "scan.unknown_barcode": flow.scan("6901234567892"),
                "invalid.quantity": flow.type_qty("1,000")}
    for bad in ("0", "-1", "abc", "0.5"):
        assert flow.type_qty(bad).code == "invalid.quantity"
    answers["handheld.qty_too_large"] = flow.type_qty("100000")
    flow.start_putaway()
    answers["handheld.scan_bin_first"] = flow.scan(world.barcode(sku))
    answers["handheld.system_bin"] = flow.scan("_DOCK")
    flow.scan(storage_bin(world).code)
    answers["handheld.over_putaway"] = flow.scan(world.barcode(sku))
    answers["handheld.nothing_to_put_away"] = flow.put_all()
    for code, fb in answers.items():
        assert (fb.code, fb.ok, fb.tone) == (code, False, "error")
    assert outbox_size(s) == size


def test_a_device_killed_after_a_confirmed_receipt_scan_sends_it_once(world: World) -> None:
    s = world.device()
    flow = ReceiveFlow(s.context())
    world.transport.down = True
    flow.open_receipt("RC-000003")
    assert flow.receipt is not None
    sku = plain_skus(world, [ln.sku_id for ln in flow.receipt.lines])[0]
    assert flow.scan(world.barcode(sku)).ok
    s = world.reopen(s)
    assert s.replica.pending_count() == 1
    assert {ln.sku_id: ln.received_qty for ln in ReceiveFlow(s.context()).receipts()[-1].lines}[sku] == 1  # rebased
    world.transport.down = False
    assert s.sync_now().acked == 1 and s.sync_now().acked == 0
    assert {ln.sku_id: ln.received_qty for ln in world.receipt("RC-000003").lines}[sku] == 1
