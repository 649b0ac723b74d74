"""Stocktakes against a real server: blind counts per bin offline then synced and approved, a bin
counted empty, recounts the server asks for, refusals, and a bin confirmation cut short by a crash."""

from __future__ import annotations

from typing import Any

import pytest

from client.services.session import DeviceSession
from client.services.stocktake import CountState, StocktakeFlow
from server.store import ledger, stocktakes
from tests.client.services.world import World, outbox_size


def open_stocktake(world: World, bin_ids: list[str], warehouse: str = "WH-SH") -> Any:
    return world.write(lambda c: stocktakes.create(c, warehouse, bin_ids, hlc=world.hlc(), user_id="admin"))


def stocked_bin(world: World) -> tuple[str, list[Any]]:
    """A bin holding stock, and its balances."""
    lines = world.stocked(at_least=1)
    bin_id = lines[0].bin_id
    return bin_id, [ln for ln in lines if ln.bin_id == bin_id]


def test_a_blind_count_offline_is_stated_on_the_server_and_approval_adjusts_the_ledger(world: World) -> None:
    s = world.device()
    bin_id, held = stocked_bin(world)
    other = next(b for b in world.storage_bins() if b.id != bin_id)
    outside = next(b for b in world.storage_bins() if b.id not in (bin_id, other.id))
    st = open_stocktake(world, [bin_id, other.id])
    assert s.sync_now().ok and s.home().work.stocktakes_open == 1
    flow = StocktakeFlow(s.context())
    world.transport.down = True
    assert flow.scan(st.number).code == "handheld.stocktake_opened" and flow.state is CountState.SCAN_BIN
    size = outbox_size(s)
    assert flow.scan(outside.code).code == "stocktake.bin_not_in_scope"
    assert flow.scan(world.barcode(held[0].sku_id)).code == "handheld.scan_bin_first"
    assert flow.scan(world.bin_code(bin_id)).code == "handheld.count_bin"
    assert flow.type_qty("3").code == "handheld.scan_item_first"
    sku = held[0].sku_id
    assert [flow.scan(world.barcode(sku)).detail["total"] for _ in range(2)] == [1, 2]
    assert flow.type_qty("７").detail["total"] == 7
    assert flow.scan(world.barcode(sku)).detail["total"] == 8
    assert flow.scan(other.code).code == "handheld.confirm_bin_first"
    assert [(ln.counted, ln.expected) for ln in flow.lines()] == [(8, None)]  # blind: nothing expected is shown
    assert outbox_size(s) == size
    fb = flow.confirm_bin()
    everything = [b for b in world.read(lambda c: ledger.balances_in_bins(c, [bin_id])) if b.on_hand]
    assert fb.ok and fb.detail["units"] == 8 and fb.tone == ("warn" if len(everything) > 1 else "done")
    assert outbox_size(s) == size + 1 and flow.state is CountState.SCAN_BIN
    assert [b.counted for b in flow.bins() if b.bin_id == bin_id] == [True]
    world.transport.down = False
    assert s.sync_now().ok
    assert [(ln.bin_id, ln.sku_id, ln.counted_qty, ln.counted_by) for ln in world.count_lines(st.id)] == [(bin_id, sku, 8, "zhangsan")]
    world.write(lambda c: stocktakes.approve(c, st.id, approver="admin", hlc=world.hlc()))
    assert world.on_hand(sku, bin_id) == 8
    assert all(world.on_hand(ln.sku_id, bin_id) == 0 for ln in held[1:])  # a counted bin is counted in full


def test_a_bin_counted_empty_states_zero_for_each_sku_the_replica_shows_there(world: World) -> None:
    s = world.device()
    bin_id, _plain = stocked_bin(world)
    held = [b for b in world.read(lambda c: ledger.balances_in_bins(c, [bin_id])) if b.on_hand]
    st = open_stocktake(world, [bin_id])
    s.sync_now()
    flow = StocktakeFlow(s.context())
    flow.open(st.id)
    flow.scan(world.bin_code(bin_id))
    fb = flow.confirm_bin()
    assert fb.ok and fb.detail["lines"] == len(held) and fb.detail["units"] == 0
    assert s.sync_now().ok
    assert sorted((ln.sku_id, ln.batch, ln.counted_qty) for ln in world.count_lines(st.id)) == sorted((h.sku_id, h.batch, 0) for h in held)


def test_a_recount_the_server_asks_for_counts_only_its_bin_and_sku(world: World) -> None:
    first, second = world.device("pda1"), world.device("pda2", user="lisi")
    bin_id, held = stocked_bin(world)
    other = next(b for b in world.storage_bins() if b.id != bin_id)
    st = open_stocktake(world, [bin_id, other.id])
    sku = held[0].sku_id
    for device, qty in ((first, 5), (second, 6)):
        device.sync_now()
        flow = StocktakeFlow(device.context())
        flow.open(st.id)
        flow.scan(world.bin_code(bin_id))
        flow.scan(world.barcode(sku))
        flow.type_qty(str(qty))
        flow.confirm_bin()
        assert device.sync_now().ok
    assert first.sync_now().ok and first.home().work.recount_tasks == 1
    flow = StocktakeFlow(first.context())
    task = flow.recounts()[0]
    assert (task.bin_id, task.sku_id) == (bin_id, sku)
    assert flow.start_recount(task.task_id).code == "handheld.recount_started"
    assert flow.scan(other.code).code == "handheld.wrong_bin"
    flow.scan(world.bin_code(bin_id))
    stranger = next(s for s in world.sku_ids() if s != sku)
    size = outbox_size(first)
    assert flow.scan(world.barcode(stranger)).code == "handheld.not_in_task" and outbox_size(first) == size
    for _ in range(6):
        flow.scan(world.barcode(sku))
    assert flow.confirm_bin().ok and flow.state is CountState.DONE
    assert [e.kind for e in first.replica.outbox_entries()[-2:]] == ["stocktake.count", "task.complete"]
    assert first.sync_now().ok
    assert world.task(task.task_id).state == "done"
    assert world.read(lambda c: stocktakes.review(c, st.id)).recounts == []
    assert any(ln.is_recount and ln.counted_qty == 6 for ln in world.count_lines(st.id))


class Killed(Exception):
    """The device died between two writes."""


def test_a_bin_confirmation_cut_short_by_a_crash_is_completed_when_the_flow_opens_again(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    s = world.device()
    bin_id, _held = stocked_bin(world)
    st = open_stocktake(world, [bin_id])
    s.sync_now()
    a, b = world.sku_ids()[:2]
    flow = StocktakeFlow(s.context())
    flow.open(st.id)
    flow.scan(world.bin_code(bin_id))
    flow.scan(world.barcode(a))
    flow.scan(world.barcode(b))
    flow.type_qty("4")
    real_record = s.replicator.record
    calls: list[Any] = []

    def dies_after_the_first(*args: Any, **kwargs: Any) -> Any:
        if calls:
            raise Killed()
        calls.append(args)
        return real_record(*args, **kwargs)

    monkeypatch.setattr(s.replicator, "record", dies_after_the_first)
    with pytest.raises(Killed):
        flow.confirm_bin()
    assert s.replica.pending_count() == 1
    s = world.reopen(s)
    assert StocktakeFlow(s.context()).recovered == 1
    assert StocktakeFlow(s.context()).recovered == 0  # once
    assert s.sync_now().ok
    assert sorted((ln.sku_id, ln.counted_qty) for ln in world.count_lines(st.id)) == sorted([(a, 1), (b, 4)])


def test_a_store_counts_its_shelves(world: World) -> None:
    s: DeviceSession = world.device("store-pda", warehouse="ST-NJL")
    shelf = world.storage_bins("ST-NJL")[0]
    st = open_stocktake(world, [shelf.id], warehouse="ST-NJL")
    s.sync_now()
    flow = StocktakeFlow(s.context())
    assert [d.number for d in flow.stocktakes()] == [st.number]
    flow.open(st.number)
    flow.scan(shelf.code)
    sku = world.sku_ids()[0]
    flow.scan(world.barcode(sku))
    assert flow.confirm_bin().ok and s.sync_now().ok
    assert [(ln.sku_id, ln.counted_qty) for ln in world.count_lines(st.id)] == [(sku, 1)]
