"""Order fulfilment on the server: reviewed orders → waves → pick tasks → pack tasks → packed, and
back to the bins when an order is cancelled after picking. Every function works in the caller's
transaction; the I/O with the carrier and the platforms is in ``server.orders.shipping``.

    create_waves(conn, warehouse_id, order_ids, *, slots, hlc, …) -> list[CreatedWave]
        reviewed → in_wave; one pick task per wave (slots = the orders' slots; bulk waves have none),
        bins with stock in walking order; one package per order (or ``splits``), named for the order's
        carrier in ``carrier_of`` (its waybill comes from that carrier); a ``merges`` group
        (合单: one buyer, one address) is planned as one order: one slot, one package whose lines
        name each unit's order
    on_task_completed(conn, task, *, verified, user_id, device_id, hlc)     the sync hook (task.complete)
        pick: in_wave → picked (reservations released: the picks took the units), a pack task per
              package; an order the pick fell short for → short_picked, its picked units to a return task
        pack: the verified units must equal the package's; package → packed; all packed → order packed
              (a merged package packs each of its orders)
    A merged package one of whose orders is short-picked or cancelled before it ships is taken apart
    (``_unmerge``): its pack task and waybill are cancelled and each order gets its own package to
    pack again (once shipped — the platform took one of its orders — a cancel is after-sales).
    process_cancel_requests(conn, hlc) -> list[str]
        cancel_requested orders whose picking is over: open pack tasks cancelled, packages cancelled
        (their waybills are cancelled at the carrier by ``shipping.cancel_waybills``), a ``return``
        task puts the units back, order → cancelled
    put_back(conn, task_id, *, user_id, hlc)   the back office resolves a return task: units back to their bins

Order states owned here (``shared.orders.pipeline.in_fulfilment``): in_wave, picked, short_picked,
packed, shipped. Each step appends to the order timeline (who, from where: ``device:<id>``).

    DomainError
    ├── ValidationError  fulfil.bad_slots, fulfil.duplicate_order, fulfil.order_without_lines, fulfil.bad_merge
    ├── NotFoundError    fulfil.order_not_found
    └── RuleViolation    fulfil.order_not_reviewed, fulfil.no_stock_in_bins, fulfil.pack_mismatch, fulfil.bad_state
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from server.orders import parts
from server.store import moves, order_events, order_stock, packages, tasks, waves
from server.store import orders as order_store
from server.store.schema_orders import orders as orders_table
from shared.core.errors import RuleViolation, ValidationError
from shared.core.ids import new_id
from shared.core.time import utc_now
from shared.inventory.movement import Reason
from shared.orders.pipeline import State
from shared.orders.waves import MULTI, BinStock, GroupBy, PlannedWave, WaveOrder, allocate_bins, plan_waves

IN_WAVE, PICKED, SHORT_PICKED, PACKED, SHIPPED = "in_wave", "picked", "short_picked", "packed", "shipped"


@dataclass(frozen=True, slots=True)
class CreatedWave:
    wave_id: str
    kind: str
    pick_task_id: str
    order_ids: tuple[str, ...]
    package_ids: tuple[str, ...]


def order_event(conn: Connection, order_id: str, before: str | None, after: str, code: str, *, actor: str = "",
           source: str = "", **details: Any) -> None:
    order_events.append(conn, [order_events.OrderEvent(order_id, before, after, code, details=details)],
                        actor=actor or None, source=source or None)


def move_order(conn: Connection, order_id: str, before: str, after: str, code: str, *, actor: str = "", source: str = "",
          **details: Any) -> None:
    order_store.set_state(conn, order_id, after, expected_state=before)
    order_event(conn, order_id, before, after, code, actor=actor, source=source, **details)


# ---- waves -------------------------------------------------------------------------------------------


def create_waves(conn: Connection, warehouse_id: str, order_ids: Sequence[str], *, slots: int, hlc: int,
                 group_by: GroupBy = "carrier", carrier_of: Mapping[str, str] | None = None,
                 zone_of: Mapping[str, str] | None = None, splits: Mapping[str, Sequence[Sequence[tuple[str, int]]]] | None = None,
                 merges: Sequence[Sequence[str]] = (), user_id: str = "") -> list[CreatedWave]:
    if not order_ids:
        raise RuleViolation("fulfil.no_orders")
    found = waves.fulfilment_orders(conn, list(dict.fromkeys(order_ids)))
    for o in found:
        if o.state != State.REVIEWED or o.warehouse_id != warehouse_id:
            raise RuleViolation("fulfil.order_not_reviewed", order=o.platform_order_id, state=o.state)
    by_id = {o.id: o for o in found}
    groups = _merge_groups(merges, by_id, splits or {})
    lead_of = {oid: group[0] for group in groups for oid in group}
    lines_of = {o.id: tuple((ln.sku_id, ln.qty) for ln in o.lines) for o in found}
    for group in groups:  # a merged group is planned as one order: one slot, one package
        lines_of[group[0]] = tuple(line for oid in group for line in lines_of[oid])
    plan = plan_waves([WaveOrder(o.id, lines_of[o.id], (carrier_of or {}).get(o.id, ""), (zone_of or {}).get(o.id, ""),
                                 sort_key=o.paid_at) for o in found if lead_of.get(o.id, o.id) == o.id],
                      slots=slots, group_by=group_by)
    stock = _free_stock(conn, warehouse_id, {ln.sku_id for o in found for ln in o.lines})
    members_of = {group[0]: group for group in groups}
    created = []
    for planned in plan:
        lines, stock = _pick_lines(planned, lines_of, stock)
        task = tasks.create_pick(conn, warehouse_id, lines, hlc=hlc, slots=len(planned.order_ids) if planned.kind == MULTI else 0)
        members = [(oid, planned.slot_of(lead)) for lead in planned.order_ids for oid in members_of.get(lead, [lead])]
        wave = waves.insert_wave(conn, waves.Wave(new_id(), warehouse_id, planned.kind, planned.group, planned.sku_id,
                                                  slots if planned.kind == MULTI else 0, "picking", task.id, user_id), members)
        package_ids = []
        for lead in planned.order_ids:
            group = members_of.get(lead, [lead])
            carrier = (carrier_of or {}).get(lead, "")
            if len(group) > 1:
                content = [(ln.sku_id, ln.qty, oid) for oid in group for ln in by_id[oid].lines]
                package_ids.append(_new_package(conn, lead, wave.id, warehouse_id, 1, content, carrier))
            else:
                cuts = (splits or {}).get(lead) or [[(ln.sku_id, ln.qty) for ln in by_id[lead].lines]]
                package_ids += [_new_package(conn, lead, wave.id, warehouse_id, seq, list(cut), carrier)
                                for seq, cut in enumerate(cuts, start=1)]
            refs = {oid: by_id[oid].platform_order_id for oid in group}
            for oid in group:
                together = {"merged_with": ", ".join(r for other, r in refs.items() if other != oid)} if len(group) > 1 else {}
                move_order(conn, oid, State.REVIEWED, IN_WAVE, "fulfil.event.in_wave_merged" if together else "fulfil.event.in_wave",
                           actor=user_id, wave_id=wave.id, slot=planned.slot_of(lead), pick_task_id=task.id, **together)
        created.append(CreatedWave(wave.id, planned.kind, task.id, tuple(oid for oid, _ in members), tuple(package_ids)))
    return created


def _merge_groups(merges: Sequence[Sequence[str]], by_id: Mapping[str, waves.FulfilmentOrder],
                  splits: Mapping[str, object]) -> list[list[str]]:
    """The merge groups that hold: members among the orders, each in one group, none the split rule
    cuts, and sharing shop and buyer (``fulfil.bad_merge`` otherwise); a group of one is no merge."""
    seen: set[str] = set()
    out = []
    for group in merges:
        members = [oid for oid in dict.fromkeys(group) if oid in by_id and oid not in splits]
        if seen & set(members) or len({(by_id[oid].shop_id, by_id[oid].buyer_open_id) for oid in members}) > 1:
            raise ValidationError("fulfil.bad_merge", orders=", ".join(by_id[oid].platform_order_id for oid in members)[:200])
        seen.update(members)
        if len(members) > 1:
            out.append(members)
    return out


def _new_package(conn: Connection, order_id: str, wave_id: str | None, warehouse_id: str, seq: int,
                 content: Sequence[tuple[str, int] | tuple[str, int, str]], carrier_code: str = "") -> str:
    pid = new_id()
    packages.insert_package(conn, packages.Package(pid, order_id, wave_id, warehouse_id, seq, "open", carrier_code=carrier_code),
                            content)
    return pid


def _free_stock(conn: Connection, warehouse_id: str, sku_ids: set[str]) -> list[BinStock]:
    """Pickable stock less what open pick tasks will already take."""
    planned: dict[tuple[str, str, str], int] = defaultdict(int)
    for t in tasks.open_tasks(conn, warehouse_id, "pick"):
        for ln in t.data.get("lines", []):
            planned[(ln["sku_id"], ln["bin_id"], ln.get("batch", ""))] += int(ln["qty"])
    return [BinStock(b.sku_id, b.bin_id, b.batch, b.available - planned[(b.sku_id, b.bin_id, b.batch)])
            for b in waves.pickable_stock(conn, warehouse_id, sku_ids)]


def _pick_lines(planned: PlannedWave, lines_of: Mapping[str, Sequence[tuple[str, int]]], stock: list[BinStock]
                ) -> tuple[list[dict[str, Any]], list[BinStock]]:
    if planned.kind == MULTI:
        needs = [(planned.slot_of(oid), sku, qty) for oid in planned.order_ids for sku, qty in lines_of[oid]]
    else:
        needs = [(0, planned.sku_id, sum(qty for oid in planned.order_ids for _, qty in lines_of[oid]))]
    lines, missing = allocate_bins(needs, stock)
    if missing:
        sku, qty = sorted(missing.items())[0]
        raise RuleViolation("fulfil.no_stock_in_bins", sku=sku, missing=qty)
    taken: dict[tuple[str, str, str], int] = defaultdict(int)
    for a in lines:
        taken[(a.sku_id, a.bin_id, a.batch)] += a.qty
    rest = [BinStock(s.sku_id, s.bin_id, s.batch, s.available - taken[(s.sku_id, s.bin_id, s.batch)]) for s in stock]
    return [{"sku_id": a.sku_id, "bin_id": a.bin_id, "qty": a.qty, "batch": a.batch, "slot": a.slot} for a in lines], rest


# ---- the sync hook -------------------------------------------------------------------------------------


def on_task_completed(conn: Connection, task: tasks.Task, *, verified: Sequence[Mapping[str, Any]], user_id: str,
                      device_id: str, hlc: int) -> None:
    """Called where ``task.complete`` is applied. Repeats change nothing (each step checks its state)."""
    if task.kind == "pick":
        wave = waves.wave_of_task(conn, task.id)
        if wave is not None and wave.state == "picking":
            _picked(conn, wave, task, user_id=user_id, source=f"device:{device_id}", hlc=hlc)
    elif task.kind == "pack":
        package = packages.package_of_task(conn, task.id)
        if package is not None and package.state == "packing":
            _packed(conn, package, verified, user_id=user_id, device_id=device_id)


def _picked(conn: Connection, wave: waves.Wave, task: tasks.Task, *, user_id: str, source: str, hlc: int) -> None:
    members = waves.wave_orders_of(conn, wave.id)
    short_of = _shorts_by_order(conn, members, task)
    stored = {oid: order_store.get_order(conn, oid) for oid, _slot in members}
    leaving = {oid for oid, o in stored.items() if o.state == State.CANCEL_REQUESTED or (o.state == IN_WAVE and oid in short_of)}
    _unmerge(conn, sorted(leaving), hlc=hlc)  # before any pack task opens: the others pack on their own
    picked = []
    for oid, _slot in members:
        order = stored[oid]
        order_stock.release_order(conn, oid, hlc=hlc)  # the picks took the units out of the bins
        if order.state not in (IN_WAVE, State.CANCEL_REQUESTED):
            continue  # moved on by hand meanwhile: a completed pick is a fact, never refused for it
        if oid in leaving:
            _return_picked(conn, wave, task, oid, short_of.get(oid, {}), hlc=hlc)
            after = State.CANCELLED if order.state == State.CANCEL_REQUESTED else SHORT_PICKED
            code = "fulfil.event.cancelled_return" if after == State.CANCELLED else "fulfil.event.short_picked"
            move_order(conn, oid, order.state, after, code, actor=user_id, source=source, short=short_of.get(oid, {}))
            parts.on_part_shipped(conn, oid)  # a cancelled part may end its split parent
            continue
        move_order(conn, oid, IN_WAVE, PICKED, "fulfil.event.picked", actor=user_id, source=source, pick_task_id=task.id)
        picked.append(oid)
    _open_pack_tasks(conn, picked, hlc=hlc)
    waves.set_wave_state(conn, wave.id, "picked")


def _shorts_by_order(conn: Connection, members: Sequence[tuple[str, int]], task: tasks.Task) -> dict[str, dict[str, int]]:
    """Short units per order and SKU: the wave's last orders needing the SKU go without (in a sort
    task the slot's orders, a merged slot's last order first)."""
    short: dict[str, int] = defaultdict(int)
    for s in task.data.get("shorts") or []:
        short[s["sku_id"]] += int(s["qty"])
    if not short:
        return {}
    out: dict[str, dict[str, int]] = {}
    for oid, _slot in reversed(members):
        need = _units(conn, oid)
        for sku, qty in list(short.items()):
            take = min(qty, need.get(sku, 0))
            if take > 0:
                out.setdefault(oid, {})[sku] = take
                short[sku] -= take
    return out


def _units(conn: Connection, order_id: str) -> dict[str, int]:
    """The order's units in its packages still to ship."""
    units: dict[str, int] = defaultdict(int)
    for p in packages.packages_of_order(conn, order_id):
        if p.state not in ("cancelled", "shipped"):
            for ln in packages.package_lines_of(conn, p.id, order_id):
                units[ln.sku_id] += ln.qty
    return dict(units)


def _open_pack_tasks(conn: Connection, order_ids: Sequence[str], *, hlc: int) -> None:
    for oid in order_ids:
        for package in packages.packages_of_order(conn, oid):
            if package.state == "open":
                _open_pack_task(conn, package, hlc=hlc)


def _open_pack_task(conn: Connection, package: packages.Package, *, hlc: int) -> None:
    from server.store.catalogue import skus_by_id

    units: dict[str, int] = defaultdict(int)
    for ln in packages.package_lines_of(conn, package.id):
        units[ln.sku_id] += ln.qty
    info = skus_by_id(conn, list(units))
    carried = packages.orders_of_package(conn, package.id)
    refs = dict(conn.execute(select(orders_table.c.id, orders_table.c.platform_order_id).where(orders_table.c.id.in_(carried))).all())
    waybill = packages.waybill_of(conn, package.id)
    siblings = [p.id for p in packages.packages_of_order(conn, package.order_id) if p.state != "cancelled"]
    data = {"package_id": package.id, "order_id": package.order_id, "order_ref": ", ".join(refs[oid] for oid in carried),
            "package_seq": siblings.index(package.id) + 1 if package.id in siblings else package.seq,  # "2 of 3"
            "packages_in_order": len(siblings),
            "waybill_code": waybill.waybill_code if waybill else "",
            "lines": [{"sku_id": sku, "sku_code": info[sku].code, "name": info[sku].name_zh,
                       "name_en": info[sku].name_en, "qty": qty} for sku, qty in units.items()]}
    if len(carried) > 1:
        data["order_ids"] = carried
    task = tasks.create(conn, "pack", package.warehouse_id, data, hlc=hlc)
    packages.set_package(conn, package.id, expected_state="open", state="packing", pack_task_id=task.id)


def _packed(conn: Connection, package: packages.Package, verified: Sequence[Mapping[str, Any]], *, user_id: str,
            device_id: str) -> None:
    expected: dict[str, int] = defaultdict(int)
    for ln in packages.package_lines_of(conn, package.id):
        expected[ln.sku_id] += ln.qty
    got: dict[str, int] = defaultdict(int)
    for v in verified:
        got[str(v["sku_id"])] += int(v["qty"])
    if dict(got) != dict(expected):
        raise RuleViolation("fulfil.pack_mismatch", reason=f"expected {dict(expected)}, verified {dict(got)}"[:200])
    packages.set_package(conn, package.id, expected_state="packing", state="packed", packed_by_user=user_id[:64],
                         packed_by_device=device_id, packed_at=utc_now())
    packages.set_verified(conn, package.id, got)
    for order_id in packages.orders_of_package(conn, package.id):  # a merged package packs every order in it
        siblings = packages.packages_of_order(conn, order_id)
        state = conn.execute(select(orders_table.c.state).where(orders_table.c.id == order_id)).scalar_one()
        if state == PICKED and all(p.state in ("packed", "shipped", "cancelled") for p in siblings):
            move_order(conn, order_id, PICKED, PACKED, "fulfil.event.packed", actor=user_id, source=f"device:{device_id}",
                       package_id=package.id)
        else:
            order_event(conn, order_id, state, state, "fulfil.event.package_packed", actor=user_id,
                        source=f"device:{device_id}", package_id=package.id)


# ---- merged packages taken apart -------------------------------------------------------------------------


def _unmerge(conn: Connection, order_ids: Sequence[str], *, hlc: int) -> list[str]:
    """Take apart every merged package, not yet shipped, that carries one of ``order_ids`` (an order
    of it was cancelled or short-picked): its pack task is cancelled, the package cancelled (its
    waybill, if any, is then cancelled at the carrier) and each order it carried gets a package of its
    own units. Returns the orders that got one."""
    regrouped: list[str] = []
    for oid in order_ids:
        for p in packages.packages_of_order(conn, oid):
            carried = packages.orders_of_package(conn, p.id)
            if p.state in ("cancelled", "shipped") or len(carried) < 2:
                continue
            if p.pack_task_id:
                tasks.cancel(conn, p.pack_task_id, hlc=hlc, reason="package_unmerged")
            packages.set_package(conn, p.id, state="cancelled")
            for other in carried:
                lines = [(ln.sku_id, ln.qty) for ln in packages.package_lines_of(conn, p.id, other)]
                _new_package(conn, other, p.wave_id, p.warehouse_id, packages.next_seq(conn, other), lines, p.carrier_code)
                state = conn.execute(select(orders_table.c.state).where(orders_table.c.id == other)).scalar_one()
                order_event(conn, other, state, state, "fulfil.event.unmerged", package_id=p.id)
            regrouped += [o for o in carried if o not in regrouped]
    return regrouped


def _repack(conn: Connection, order_ids: Sequence[str], *, hlc: int) -> None:
    """Orders whose merged package was taken apart pack again, each on its own (a packed one goes back
    to picked: its box must be reopened)."""
    for oid in order_ids:
        state = conn.execute(select(orders_table.c.state).where(orders_table.c.id == oid)).scalar_one()
        if state == PACKED:
            move_order(conn, oid, PACKED, PICKED, "fulfil.event.repack")
        if state in (PICKED, PACKED):
            _open_pack_tasks(conn, [oid], hlc=hlc)


# ---- cancellation after picking ----------------------------------------------------------------------


def process_cancel_requests(conn: Connection, *, hlc: int, limit: int = 200) -> list[str]:
    """Handle ``cancel_requested`` orders whose wave is picked (earlier ones wait for their pick)."""
    ids = conn.execute(select(orders_table.c.id).where(orders_table.c.state == State.CANCEL_REQUESTED)
                       .order_by(orders_table.c.id).limit(limit)).scalars().all()
    done = []
    for oid in ids:
        wave = waves.active_wave_of(conn, oid)
        if wave is None or wave.state != "picked":
            continue
        if any(p.state == "shipped" for p in packages.packages_of_order(conn, oid)):
            continue  # already on its way: after-sales, not fulfilment
        regrouped = _unmerge(conn, [oid], hlc=hlc)
        units: dict[str, int] = defaultdict(int)
        for p in packages.packages_of_order(conn, oid):
            if p.state == "cancelled":
                continue
            if p.pack_task_id:
                tasks.cancel(conn, p.pack_task_id, hlc=hlc, reason="order_cancelled")
            packages.set_package(conn, p.id, state="cancelled")
            for ln in packages.package_lines_of(conn, p.id, oid):
                units[ln.sku_id] += ln.qty
        _open_return(conn, wave, oid, units, hlc=hlc)
        move_order(conn, oid, State.CANCEL_REQUESTED, State.CANCELLED, "fulfil.event.cancelled_return", returned=dict(units))
        parts.on_part_shipped(conn, oid)
        _repack(conn, [o for o in regrouped if o != oid], hlc=hlc)
        done.append(oid)
    return done


def _return_picked(conn: Connection, wave: waves.Wave, task: tasks.Task, order_id: str, short: Mapping[str, int], *,
                   hlc: int) -> None:
    """Put back what was picked for an order that will not ship (cancelled, or short)."""
    units: dict[str, int] = defaultdict(int)
    for p in packages.packages_of_order(conn, order_id):
        if p.state == "cancelled":
            continue
        for ln in packages.package_lines_of(conn, p.id, order_id):
            units[ln.sku_id] += ln.qty
        packages.set_package(conn, p.id, state="cancelled")
    _open_return(conn, wave, order_id, {s: q - short.get(s, 0) for s, q in units.items()}, hlc=hlc, task=task)


def _open_return(conn: Connection, wave: waves.Wave, order_id: str, units: Mapping[str, int], *, hlc: int,
                 task: tasks.Task | None = None) -> None:
    pick = task or (tasks.get(conn, wave.pick_task_id) if wave.pick_task_id else None)
    source = {ln["sku_id"]: ln for ln in (pick.data.get("lines", []) if pick else [])}
    lines = [{"sku_id": sku, "bin_id": source[sku]["bin_id"], "bin_code": source[sku].get("bin_code", ""),
              "batch": source[sku].get("batch", ""), "qty": qty} for sku, qty in sorted(units.items()) if qty > 0 and sku in source]
    if lines:
        tasks.create(conn, "return", wave.warehouse_id, {"order_id": order_id, "reason": "order_not_shipped", "lines": lines}, hlc=hlc)


def put_back(conn: Connection, task_id: str, *, user_id: str, hlc: int) -> tasks.Task:
    """The back office confirms a return task: each line's units go back into its bin."""
    task = tasks.get(conn, task_id)
    if task.kind != "return" or task.state not in ("open", "claimed"):
        raise RuleViolation("fulfil.bad_state", entity="task", ref=task_id, state=task.state, action="put back")
    for ln in task.data.get("lines", []):
        moves.single(conn, ln["sku_id"], ln["bin_id"], int(ln["qty"]), Reason.RETURN_UNPICK, hlc=hlc, batch=ln.get("batch", ""),
                     user_id=user_id, ref=("task", task_id))
    return tasks.complete(conn, task_id, device_id=task.claimed_by_device or "", hlc=hlc)
