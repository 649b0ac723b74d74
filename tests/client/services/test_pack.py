"""Pack verification on the handheld against a real server: choose a package by its waybill or order
number, scan every unit (typed quantities for multiples), refusals write nothing, confirming writes
one ``task.complete`` with the verified lines, offline first and synced later."""

from __future__ import annotations

from typing import Any

import pytest

from client.services.errors import FlowStateError
from client.services.pack import PackFlow, PackFlowState, open_pack_count
from server.store import tasks
from tests.client.services.world import World, outbox_size


def pack_task(world: World, lines: list[tuple[str, int]], *, order_ref: str = "4012000000000123456",
              waybill: str = "YT1234567890") -> Any:
    wh = world.warehouse_id("WH-SH")
    data = {"package_id": f"pkg-{order_ref[-4:]}", "order_id": "o-1", "order_ref": order_ref, "package_seq": 1,
            "packages_in_order": 1, "waybill_code": waybill,
            "lines": [{"sku_id": sku, "sku_code": "", "name": "", "qty": qty} for sku, qty in lines]}
    return world.write(lambda c: tasks.create(c, "pack", wh, data, hlc=world.hlc()))


def test_pack_offline_by_waybill_scan_every_unit_confirm_then_sync(world: World) -> None:
    s = world.device()
    sku_a, sku_b = world.sku_ids()[:2]
    task = pack_task(world, [(sku_a, 2), (sku_b, 1)])
    assert s.sync_now().ok and open_pack_count(s.replica, s.replicator.device_id) == 1
    world.transport.down = True
    flow = PackFlow(s.context())
    assert [(p.order_ref, p.units) for p in flow.packages()] == [("4012000000000123456", 3)]
    started = flow.scan("yt1234567890\r\n")
    assert started.ok and flow.state is PackFlowState.VERIFY and flow.task_id == task.id
    first = flow.scan(world.barcode(sku_a))
    assert first.code == "handheld.pack.scanned" and first.detail["scanned"] == 1 and first.detail["qty"] == 2
    assert flow.confirm().code == "handheld.pack.lines_open"
    flow.scan(world.barcode(sku_a))
    done = flow.scan(world.barcode(sku_b))
    assert done.tone == "done" and flow.state is PackFlowState.READY
    size = outbox_size(s)
    fb = flow.confirm()
    assert fb.code == "handheld.pack.completed" and flow.state is PackFlowState.DONE and outbox_size(s) == size + 1
    last = s.replica.outbox_entries()[-1]
    assert last.kind == "task.complete" and sorted((v["sku_id"], v["qty"]) for v in last.payload["verified"]) == sorted(
        [(sku_a, 2), (sku_b, 1)])
    assert flow.packages() == []  # done, rebased on the pending op
    world.transport.down = False
    assert s.sync_now().ok and s.replica.pending_count() == 0
    assert world.task(task.id).state == "done" and world.task(task.id).claimed_by_user == "zhangsan"


def test_pack_refusals_are_explained_and_keep_nothing(world: World) -> None:
    s = world.device()
    sku_a, sku_b, stranger = world.sku_ids()[:3]
    pack_task(world, [(sku_a, 1), (sku_b, 1)], order_ref="4012000000000999999")
    assert s.sync_now().ok
    flow = PackFlow(s.context())
    assert flow.scan("NO-SUCH-PACKAGE").code == "handheld.pack.unknown_package"
    assert flow.scan("4012000000000999999").ok
    size = outbox_size(s)  # the claim
    refusals = {
        "handheld.pack.wrong_item": flow.scan(world.barcode(stranger)),
        "handheld.pack.not_an_item": flow.scan(world.bin_code(world.storage_bins()[0].id)),
        "scan.unknown_barcode": flow.scan("6901234567892"),
    }
    flow.type_qty("2")
    refusals["handheld.pack.over_scan"] = flow.scan(world.barcode(sku_a))
    for code, fb in refusals.items():
        assert (fb.code, fb.ok) == (code, False) and fb.message("zh-CN") and fb.message("en")
    assert refusals["handheld.pack.over_scan"].detail["remaining"] == 1
    assert flow.scan(world.barcode(sku_a)).code == "handheld.pack.over_scan"  # a refused scan keeps the typed quantity
    flow.type_qty("1")
    assert flow.scan(world.barcode(sku_a)).detail["scanned"] == 1
    assert outbox_size(s) == size and all(ln.scanned <= ln.qty for ln in flow.lines())


def test_pack_quantity_entry_for_multiples_and_restart(world: World) -> None:
    s = world.device()
    (sku_a,) = world.sku_ids()[:1]
    pack_task(world, [(sku_a, 12)])
    assert s.sync_now().ok
    flow = PackFlow(s.context())
    flow.start(flow.packages()[0].id)
    assert flow.type_qty("１０").ok  # full-width digits from a Chinese keyboard
    assert flow.scan(world.barcode(sku_a)).detail["scanned"] == 10
    assert flow.restart().code == "handheld.pack.reset" and flow.lines()[0].scanned == 0
    flow.type_qty("12")
    assert flow.scan(world.barcode(sku_a)).tone == "done" and flow.confirm().ok
    with pytest.raises(FlowStateError):
        flow.restart()


def test_pack_task_another_device_claimed_is_refused(world: World) -> None:
    first, second = world.device("pda1"), world.device("pda2", user="lisi")
    (sku_a,) = world.sku_ids()[:1]
    task = pack_task(world, [(sku_a, 1)])
    assert first.sync_now().ok
    assert PackFlow(first.context()).start(task.id).ok and first.sync_now().ok
    assert second.sync_now().ok
    flow = PackFlow(second.context())
    assert flow.packages() == []
    fb = flow.scan("YT1234567890")
    assert fb.code == "handheld.pack.taken" and fb.detail["user"] == "zhangsan"
