"""Picking against a real server: a whole task offline then synced, every refusal writing nothing,
sort-while-picking slots, short picks with reasons, and a device killed mid-task."""

from __future__ import annotations

import pytest

from client.services.pick import PickFlow, PickState, PickTaskSummary
from server.store import catalogue, tasks
from shared.core.errors import ValidationError
from tests.client.services.world import World, outbox_size


def a_task(flow: PickFlow, *, sort: bool = False) -> PickTaskSummary:
    return next(t for t in flow.tasks() if (t.slots > 0) == sort)


def pick_everything(world: World, flow: PickFlow) -> None:
    """Walk the task: scan each line's bin when asked, then its item (and slot) until all is picked."""
    while flow.state is not PickState.READY:
        line = flow.current_line()
        assert line is not None
        if flow.state is PickState.SCAN_BIN:
            assert flow.scan(world.bin_code(line.bin_id) + "\r\n").ok
        fb = flow.scan(world.barcode(line.sku_id))
        assert fb.ok, fb.message("en")
        if flow.state is PickState.SCAN_SLOT:
            assert flow.confirm_slot(str(fb.detail["slot"])).ok


def test_pick_task_offline_posts_every_pick_and_completes_the_task_after_sync(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    task = a_task(flow)
    world.transport.down = True
    assert flow.start(task.id).ok and flow.state is PickState.SCAN_BIN
    lines = flow.lines()
    assert [ln.bin_code for ln in lines] == [world.bin_code(ln.bin_id) for ln in lines]  # walking order, as given
    before = {(ln.sku_id, ln.bin_id): world.on_hand(ln.sku_id, ln.bin_id) for ln in lines}
    pick_everything(world, flow)
    done = flow.complete()
    assert done.ok and done.tone == "done" and flow.state is PickState.DONE
    assert s.sync_now().offline and s.replica.pending_count() == 2 + sum(ln.qty for ln in lines)  # claim, picks, complete
    world.transport.down = False
    assert s.sync_now().ok and s.replica.pending_count() == 0
    for (sku_id, bin_id), qty in before.items():
        picked = sum(ln.qty for ln in lines if (ln.sku_id, ln.bin_id) == (sku_id, bin_id))
        assert world.on_hand(sku_id, bin_id) == qty - picked
    assert world.task(task.id).state == "done" and world.task(task.id).claimed_by_user == "zhangsan"
    assert all(t.id != task.id for t in flow.tasks())


def test_each_accepted_scan_is_in_the_outbox_before_its_feedback(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    flow.start(a_task(flow).id)
    line = flow.current_line()
    assert line is not None
    flow.scan(world.bin_code(line.bin_id))
    size = outbox_size(s)
    fb = flow.scan(world.barcode(line.sku_id))
    assert fb.code in ("handheld.picked", "handheld.all_picked") and fb.detail["picked"] >= 1
    last = s.replica.outbox_entries()[-1]
    assert outbox_size(s) == size + 1 and last.kind == "stock.pick"
    assert last.payload["task_id"] == flow.task_id and last.payload["qty"] == 1 and last.payload["bin_id"] == line.bin_id


def test_pick_refusals_are_explained_and_write_nothing(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    assert flow.scan("A1-01-01-1").code == "handheld.choose_task_first"
    task = a_task(flow)
    flow.start(task.id)
    lines = flow.lines()
    first = lines[0]
    other_bin_line = next(ln for ln in lines if ln.bin_id != first.bin_id and ln.sku_id != first.sku_id)
    task_skus = {ln.sku_id for ln in lines}
    stranger = next(sku_id for sku_id in world.sku_ids(batch_tracked=None) if sku_id not in task_skus)
    archived = next(sku_id for sku_id in world.sku_ids(batch_tracked=None) if sku_id not in task_skus and sku_id != stranger)
    world.write(lambda c: catalogue.archive_sku(c, archived))
    assert s.sync_now().ok
    empty_bin = next(b.code for b in world.read(lambda c: catalogue.list_bins(c, world.warehouse_id("WH-SH")))
                     if b.id not in {ln.bin_id for ln in lines} and b.kind == "storage")
    size = outbox_size(s)

    refusals = {
        "handheld.go_to_bin": flow.scan(world.barcode(first.sku_id)),
        "handheld.wrong_bin": flow.scan(empty_bin),
    }
    assert flow.scan(world.bin_code(first.bin_id)).ok
    refusals |= {
        "handheld.wrong_item": flow.scan(world.barcode(other_bin_line.sku_id)),
        "handheld.not_in_task": flow.scan(world.barcode(stranger)),
        "scan.archived_sku": flow.scan(world.barcode(archived)),
        "scan.unknown_barcode": flow.scan("6901234567892"),
        "scan.bad_check_digit": flow.scan(world.barcode(first.sku_id)[:-1] + str((int(world.barcode(first.sku_id)[-1]) + 1) % 10)),
        "barcode.empty": flow.scan("\r\n"),
        "barcode.too_long": flow.scan("9" * 600),
        "handheld.not_here": flow.scan("RC-000001"),
    }
    flow.type_qty("99")
    refusals["handheld.over_pick"] = flow.scan(world.barcode(first.sku_id))
    for code, fb in refusals.items():
        assert (fb.code, fb.ok, fb.tone) == (code, False, "error") and fb.message("zh-CN") and fb.message("en")
    assert refusals["handheld.wrong_bin"].detail["expected"] == world.bin_code(first.bin_id)
    assert refusals["handheld.over_pick"].detail["remaining"] == first.qty
    assert outbox_size(s) == size


def test_repeated_scans_count_up_and_one_more_is_an_over_pick(world: World) -> None:
    s = world.device()
    sku_a, sku_b = world.sku_ids()[:2]
    wh = world.warehouse_id("WH-SH")
    bin_ = [b for b in world.read(lambda c: catalogue.list_bins(c, wh)) if b.kind == "storage"][-1]
    task = world.write(lambda c: tasks.create_pick(c, wh, [{"sku_id": sku_a, "bin_id": bin_.id, "qty": 3},
                                                           {"sku_id": sku_b, "bin_id": bin_.id, "qty": 1}], hlc=world.hlc()))
    assert s.sync_now().ok
    flow = PickFlow(s.context())
    flow.start(task.id)
    flow.scan(bin_.code)
    assert [flow.scan(world.barcode(sku_a)).detail["picked"] for _ in range(3)] == [1, 2, 3]
    size = outbox_size(s)
    fb = flow.scan(world.barcode(sku_a))
    assert fb.code == "handheld.over_pick" and fb.detail["remaining"] == 0 and outbox_size(s) == size
    assert flow.scan(world.barcode(sku_b)).code == "handheld.all_picked" and flow.state is PickState.READY


def test_sort_while_picking_names_the_slot_and_records_it_when_confirmed(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    task = a_task(flow, sort=True)
    assert task.slots == 4
    flow.start(task.id)
    line = flow.current_line()
    assert line is not None and line.slot > 0
    flow.scan(world.bin_code(line.bin_id))
    size = outbox_size(s)
    held = flow.scan(world.barcode(line.sku_id))
    assert held.code == "handheld.put_in_slot" and held.detail["slot"] == line.slot and flow.state is PickState.SCAN_SLOT
    assert str(line.slot) in held.message("zh-CN") and outbox_size(s) == size  # nothing written until it is in the slot
    wrong = line.slot % 4 + 1
    assert flow.scan(str(wrong)).code == "handheld.wrong_slot"
    assert flow.scan(world.bin_code(line.bin_id)).code == "handheld.scan_slot_first"
    assert outbox_size(s) == size
    assert flow.scan(f"SLOT-{line.slot}\r").ok
    last = s.replica.outbox_entries()[-1]
    assert last.kind == "stock.pick" and last.payload["slot"] == line.slot and outbox_size(s) == size + 1
    pick_everything(world, flow)
    assert flow.complete().ok and s.sync_now().ok and world.task(task.id).state == "done"


def test_an_item_waiting_for_its_slot_can_be_put_back(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    flow.start(a_task(flow, sort=True).id)
    line = flow.current_line()
    assert line is not None
    flow.scan(world.bin_code(line.bin_id))
    flow.scan(world.barcode(line.sku_id))
    size = outbox_size(s)
    assert flow.cancel_item().code == "handheld.item_cancelled" and flow.state is PickState.SCAN_ITEM
    assert outbox_size(s) == size and flow.current_line() == line


def test_short_picks_with_reasons_are_kept_on_the_task(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    task = a_task(flow)
    flow.start(task.id)
    first = flow.current_line()
    assert first is not None
    flow.scan(world.bin_code(first.bin_id))
    with pytest.raises(ValidationError):
        flow.short("lost_in_space")
    assert flow.short("damaged", qty=first.qty + 1).code == "handheld.short_too_many"
    assert flow.complete().code == "handheld.lines_open"
    fb = flow.short("damaged")
    assert fb.tone == "warn" and "破损" in fb.message("zh-CN") and "Damaged" in fb.message("en")
    while flow.state is not PickState.READY:
        flow.short("not_found")
    assert flow.complete().detail["short"] == sum(ln.qty for ln in flow.lines())
    assert s.sync_now().ok
    shorts = world.task(task.id).data["shorts"]
    assert {sh["reason"] for sh in shorts} == {"damaged", "not_found"}
    assert sum(sh["qty"] for sh in shorts) == sum(ln.qty for ln in flow.lines())


def test_a_device_killed_mid_task_resumes_and_syncs_each_pick_once(world: World) -> None:
    s = world.device()
    flow = PickFlow(s.context())
    task = a_task(flow)
    world.transport.down = True
    flow.start(task.id)
    line = flow.current_line()
    assert line is not None
    before = world.on_hand(line.sku_id, line.bin_id)
    flow.scan(world.bin_code(line.bin_id))
    assert flow.scan(world.barcode(line.sku_id)).ok

    s = world.reopen(s)  # killed right after the confirmed scan
    flow = PickFlow(s.context())
    assert any(t.id == task.id and t.mine for t in flow.tasks())
    size = outbox_size(s)
    assert flow.start(task.id).ok and outbox_size(s) == size  # resumed: no second claim
    assert flow.lines()[line.index].picked == 1 and s.replica.pending_count() == 2
    world.transport.down = False
    assert s.sync_now().acked == 2 and s.sync_now().acked == 0
    assert world.on_hand(line.sku_id, line.bin_id) == before - 1


def test_a_task_another_device_claimed_is_refused(world: World) -> None:
    first, second = world.device("pda1"), world.device("pda2", user="lisi")
    task_id = a_task(PickFlow(first.context())).id
    assert PickFlow(first.context()).start(task_id).ok and first.sync_now().ok
    assert second.sync_now().ok
    flow = PickFlow(second.context())
    assert all(t.id != task_id for t in flow.tasks())
    size = outbox_size(second)
    fb = flow.start(task_id)
    assert fb.code == "handheld.task_taken" and fb.detail["user"] == "zhangsan" and outbox_size(second) == size
