"""Fulfilment on the server, on SQLite and PostgreSQL: reviewed orders become waves and pick tasks
(bins in walking order, slots), a completed pick opens pack tasks, a verified pack packs the order,
shorts and cancellations after picking send the units back to their bins."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection

from server.orders import fulfilment
from server.store import ledger, moves, order_events, order_stock, packages, tasks, waves
from server.store import orders as order_store
from shared.core.errors import DomainError
from shared.inventory.movement import Reason
from tests.server.orders.fulfilment_world import make_order, make_shop
from tests.server.world import World


def _orders(world: World, *line_sets: list[tuple[str, int]]) -> list[str]:
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a)
        return [make_order(conn, shop, world.wh_a, lines, hlc=world.hlc()) for lines in line_sets]


def _stocked(world: World) -> None:
    world.stock(world.sku, world.a2, 10)
    world.stock(world.sku, world.a1, 2)
    world.stock(world.sku2, world.a3, 10)


def _state(conn: Connection, order_id: str) -> str:
    return order_store.get_order(conn, order_id).state


def _complete_pick(world: World, task_id: str, shorts: list[dict[str, object]] | None = None) -> None:
    with world.store.transaction() as conn:
        t = tasks.complete(conn, task_id, device_id="dev-1", hlc=world.hlc(), shorts=shorts)
        fulfilment.on_task_completed(conn, t, verified=[], user_id="zhangsan", device_id="dev-1", hlc=world.hlc())


def test_create_waves_multi_item_orders_one_sort_task_in_walking_order_with_slots(world: World) -> None:
    _stocked(world)
    o1, o2 = _orders(world, [(world.sku, 3), (world.sku2, 1)], [(world.sku2, 2), (world.sku, 1)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, [o1, o2], slots=4, hlc=world.hlc(), user_id="boss")
    assert [(w.kind, w.order_ids) for w in created] == [("multi", (o1, o2))]
    with world.store.read() as conn:
        task = tasks.get(conn, created[0].pick_task_id)
        assert task.kind == "pick" and task.data["slots"] == 2
        walk = [(ln["bin_code"], ln["slot"], ln["qty"]) for ln in task.data["lines"]]
        assert walk == [("A-01-01-01", 1, 2), ("A-01-01-02", 1, 1), ("A-01-01-02", 2, 1), ("A-01-02-01", 1, 1), ("A-01-02-01", 2, 2)]
        assert {_state(conn, o1), _state(conn, o2)} == {"in_wave"}
        entry = order_events.timeline(conn, o1)[-1]
        assert (entry.from_state, entry.to_state, entry.code, entry.actor) == ("reviewed", "in_wave", "fulfil.event.in_wave", "boss")
        assert [p.state for p in packages.packages_of_order(conn, o1)] == ["open"]


def test_create_waves_same_single_sku_orders_picked_in_bulk_without_slots(world: World) -> None:
    _stocked(world)
    ids = _orders(world, [(world.sku, 1)], [(world.sku, 2)], [(world.sku, 1)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, ids, slots=8, hlc=world.hlc())
    assert [w.kind for w in created] == ["single_sku"]
    with world.store.read() as conn:
        task = tasks.get(conn, created[0].pick_task_id)
    assert task.data["slots"] == 0 and [(ln["bin_code"], ln["qty"], ln["slot"]) for ln in task.data["lines"]] == [
        ("A-01-01-01", 2, 0), ("A-01-01-02", 2, 0)]


def test_create_waves_second_wave_does_not_count_on_units_an_open_task_takes(world: World) -> None:
    world.stock(world.sku, world.a1, 2)
    world.stock(world.sku, world.a2, 5)
    world.stock(world.sku2, world.a3, 5)
    first, second = _orders(world, [(world.sku, 2), (world.sku2, 1)], [(world.sku, 1), (world.sku2, 1)])
    with world.store.transaction() as conn:
        fulfilment.create_waves(conn, world.wh_a, [first], slots=4, hlc=world.hlc())
        again = fulfilment.create_waves(conn, world.wh_a, [second], slots=4, hlc=world.hlc())
        lines = tasks.get(conn, again[0].pick_task_id).data["lines"]
    assert [ln["bin_code"] for ln in lines if ln["sku_id"] == world.sku] == ["A-01-01-02"]


@pytest.mark.parametrize("case", ["not_reviewed", "no_stock"])
def test_create_waves_refused_writes_nothing(world: World, case: str) -> None:
    world.stock(world.sku, world.a1, 1)
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a)
        oid = make_order(conn, shop, world.wh_a, [(world.sku, 1)], hlc=world.hlc(), state="pending_review" if case == "not_reviewed" else "reviewed")
        if case == "no_stock":  # the unit sits on the dock, not in a storage bin
            moves.move(conn, world.sku, world.a1.id, world.dock_a.id, 1, hlc=world.hlc(), reason=Reason.MOVE)
    with pytest.raises(DomainError) as exc, world.store.transaction() as conn:
        fulfilment.create_waves(conn, world.wh_a, [oid], slots=4, hlc=world.hlc())
    assert exc.value.code == {"not_reviewed": "fulfil.order_not_reviewed", "no_stock": "fulfil.no_stock_in_bins"}[case]
    with world.store.read() as conn:
        assert _state(conn, oid) == ("pending_review" if case == "not_reviewed" else "reviewed")
        assert tasks.open_tasks(conn, world.wh_a, "pick") == [] and waves.active_wave_of(conn, oid) is None


def test_pick_completed_orders_picked_reservations_released_pack_tasks_opened(world: World) -> None:
    _stocked(world)
    o1, o2 = _orders(world, [(world.sku, 3), (world.sku2, 1)], [(world.sku2, 2)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, [o1, o2], slots=4, hlc=world.hlc())
    _complete_pick(world, created[0].pick_task_id)
    _complete_pick(world, created[0].pick_task_id)  # a repeat changes nothing
    with world.store.read() as conn:
        assert {_state(conn, o1), _state(conn, o2)} == {"picked"}
        assert order_stock.open_reservations(conn, o1) == []
        assert ledger.warehouse_level(conn, world.sku, world.wh_a).reserved == 0
        packs = tasks.open_tasks(conn, world.wh_a, "pack")
        assert len(packs) == 2
        data = next(t.data for t in packs if t.data["order_id"] == o1)
        assert sorted((ln["sku_code"], ln["qty"]) for ln in data["lines"]) == [("CUP-002", 1), ("TEA-001", 3)]
        assert data["waybill_code"] == "" and data["package_id"] == packages.packages_of_order(conn, o1)[0].id
        assert order_events.timeline(conn, o1)[-1].source == "device:dev-1"


def test_pack_verified_packs_the_order_and_a_mismatch_is_refused(world: World) -> None:
    _stocked(world)
    (o1,) = _orders(world, [(world.sku, 2), (world.sku2, 1)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, [o1], slots=4, hlc=world.hlc())
    _complete_pick(world, created[0].pick_task_id)
    with world.store.read() as conn:
        pack = tasks.open_tasks(conn, world.wh_a, "pack")[0]
    with pytest.raises(DomainError) as exc, world.store.transaction() as conn:
        t = tasks.complete(conn, pack.id, device_id="dev-2", hlc=world.hlc())
        fulfilment.on_task_completed(conn, t, verified=[{"sku_id": world.sku, "qty": 2}], user_id="lisi", device_id="dev-2",
                                     hlc=world.hlc())
    assert exc.value.code == "fulfil.pack_mismatch"
    with world.store.transaction() as conn:
        t = tasks.complete(conn, pack.id, device_id="dev-2", hlc=world.hlc())
        fulfilment.on_task_completed(conn, t, verified=[{"sku_id": world.sku2, "qty": 1}, {"sku_id": world.sku, "qty": 2}],
                                     user_id="lisi", device_id="dev-2", hlc=world.hlc())
    with world.store.read() as conn:
        assert _state(conn, o1) == "packed"
        package = packages.packages_of_order(conn, o1)[0]
        assert package.state == "packed" and all(ln.verified_qty == ln.qty for ln in packages.package_lines_of(conn, package.id))
        entry = order_events.timeline(conn, o1)[-1]
        assert (entry.code, entry.actor, entry.source) == ("fulfil.event.packed", "lisi", "device:dev-2")


def test_short_pick_order_short_picked_and_its_picked_units_go_to_a_return_task(world: World) -> None:
    _stocked(world)
    o1, o2 = _orders(world, [(world.sku, 1), (world.sku2, 1)], [(world.sku, 1), (world.sku2, 2)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, [o1, o2], slots=4, hlc=world.hlc())
    _complete_pick(world, created[0].pick_task_id, shorts=[{"sku_id": world.sku2, "bin_id": world.a3.id, "qty": 1,
                                                            "reason": "damaged"}])
    with world.store.read() as conn:
        assert (_state(conn, o1), _state(conn, o2)) == ("picked", "short_picked")
        (ret,) = tasks.open_tasks(conn, world.wh_a, "return")
        assert ret.data["order_id"] == o2
        assert sorted((ln["sku_id"], ln["qty"]) for ln in ret.data["lines"]) == sorted([(world.sku, 1), (world.sku2, 1)])
        assert [t.data["order_id"] for t in tasks.open_tasks(conn, world.wh_a, "pack")] == [o1]


def test_cancel_after_picking_cancels_pack_task_and_puts_units_back(world: World) -> None:
    _stocked(world)
    (o1,) = _orders(world, [(world.sku, 2)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, [o1], slots=4, hlc=world.hlc())
    _complete_pick(world, created[0].pick_task_id)
    with world.store.transaction() as conn:
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == []
        order_store.set_state(conn, o1, "cancel_requested", expected_state="picked")
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == [o1]
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == []
    with world.store.read() as conn:
        assert _state(conn, o1) == "cancelled" and tasks.open_tasks(conn, world.wh_a, "pack") == []
        assert [p.state for p in packages.packages_of_order(conn, o1)] == ["cancelled"]
        (ret,) = tasks.open_tasks(conn, world.wh_a, "return")
        before = ledger.ledger_sum(conn, world.sku, ret.data["lines"][0]["bin_id"], "")
    with world.store.transaction() as conn:
        assert fulfilment.put_back(conn, ret.id, user_id="boss", hlc=world.hlc()).state == "done"
        with pytest.raises(DomainError):
            fulfilment.put_back(conn, ret.id, user_id="boss", hlc=world.hlc())
    with world.store.read() as conn:
        assert ledger.ledger_sum(conn, world.sku, ret.data["lines"][0]["bin_id"], "") == before + 2


def test_cancel_before_pick_completes_waits_then_returns_the_picked_units(world: World) -> None:
    _stocked(world)
    o1, o2 = _orders(world, [(world.sku, 1), (world.sku2, 1)], [(world.sku2, 1), (world.sku, 2)])
    with world.store.transaction() as conn:
        created = fulfilment.create_waves(conn, world.wh_a, [o1, o2], slots=4, hlc=world.hlc())
        order_store.set_state(conn, o2, "cancel_requested", expected_state="in_wave")
        assert fulfilment.process_cancel_requests(conn, hlc=world.hlc()) == []
    _complete_pick(world, created[0].pick_task_id)
    with world.store.read() as conn:
        assert (_state(conn, o1), _state(conn, o2)) == ("picked", "cancelled")
        (ret,) = tasks.open_tasks(conn, world.wh_a, "return")
        assert sorted((ln["sku_id"], ln["qty"]) for ln in ret.data["lines"]) == sorted([(world.sku, 2), (world.sku2, 1)])
