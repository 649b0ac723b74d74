"""Bin-to-bin moves against a real server: from-bin, items, to-bin offline then synced; refusals
write nothing; more than the replica shows is taken with a warning (the server opens an exception)."""

from __future__ import annotations

from client.services.move import MoveFlow, MoveState
from tests.client.services.world import World, outbox_size


def test_move_between_bins_offline_lands_in_the_ledger_after_sync(world: World) -> None:
    s = world.device()
    line = world.stocked(at_least=3)[0]
    source = world.bin_code(line.bin_id)
    target = next(b for b in world.storage_bins() if b.id != line.bin_id)
    flow = MoveFlow(s.context())
    world.transport.down = True
    assert flow.scan(source).code == "handheld.from_bin" and flow.state is MoveState.SCAN_ITEMS
    assert [flow.scan(world.barcode(line.sku_id)).detail["total"] for _ in range(2)] == [1, 2]
    flow.type_qty("1")
    assert flow.scan(world.barcode(line.sku_id)).detail["total"] == 3
    size = outbox_size(s)
    assert size == outbox_size(s) and [i.qty for i in flow.items()] == [3]  # a draft until the to-bin
    moved = flow.scan(target.code)
    assert moved.tone == "done" and moved.detail == {"units": 3, "lines": 1, "from_bin": source, "to_bin": target.code}
    assert outbox_size(s) == size + 1 and flow.state is MoveState.SCAN_FROM and flow.items() == []
    assert sum(ln.on_hand for ln in s.replica.stock_view(bin_id=target.id, sku_id=line.sku_id)) >= 3
    assert s.sync_now().offline
    world.transport.down = False
    before_target = world.on_hand(line.sku_id, target.id)
    assert s.sync_now().ok
    assert world.on_hand(line.sku_id, line.bin_id) == line.on_hand - 3
    assert world.on_hand(line.sku_id, target.id) == before_target + 3


def test_move_refusals_write_nothing(world: World) -> None:
    s = world.device()
    line = world.stocked()[0]
    source = world.bin_code(line.bin_id)
    flow = MoveFlow(s.context())
    size = outbox_size(s)
    answers = {"handheld.scan_bin_first": flow.scan(world.barcode(line.sku_id)),
               "handheld.system_bin": flow.scan("_DOCK")}
    flow.scan(source)
    flow.scan(world.barcode(line.sku_id))
    answers |= {"movement.same_bin": flow.scan(source),
                "handheld.not_here": flow.scan("TR-000001"),
                "scan.unknown_code": flow.scan("NO-SUCH-CODE"),
                "handheld.system_bin": flow.scan("_TRANSIT")}
    for code, fb in answers.items():
        assert (fb.code, fb.ok) == (code, False)
    assert outbox_size(s) == size and [i.qty for i in flow.items()] == [1]
    assert flow.cancel().code == "handheld.move_cancelled" and flow.items() == [] and outbox_size(s) == size


def test_moving_more_than_the_replica_shows_is_taken_and_the_server_opens_an_exception(world: World) -> None:
    s = world.device()
    line = world.stocked()[0]
    empty = next(b for b in world.storage_bins() if world.on_hand(line.sku_id, b.id) == 0)
    target = next(b for b in world.storage_bins() if b.id not in (empty.id, line.bin_id))
    flow = MoveFlow(s.context())
    flow.scan(empty.code)
    fb = flow.scan(world.barcode(line.sku_id))
    assert fb.ok and fb.tone == "warn" and fb.code == "handheld.more_than_shown" and fb.detail["shown"] == 0
    assert flow.scan(target.code).ok
    assert s.sync_now().ok and s.sync_now().ok
    assert world.on_hand(line.sku_id, empty.id) == -1
    assert s.home().work.exception_tasks == 1
