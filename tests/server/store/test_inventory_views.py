"""The inventory pages' SQL (server.store.inventory_views) on SQLite and PostgreSQL: search, filters,
warehouse scope, totals, and keyset pages that together hold every row exactly once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from server.store import catalogue, ledger, moves, receipts, transfers
from server.store import inventory_views as views
from server.web.paging import Page, decode_key
from shared.catalogue.model import new_bin, new_platform_sku, new_sku
from shared.core.errors import NotFoundError
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason
from tests.server.world import World


def walk(fetch: Callable[[Any, int], Sequence[Any]], key: Callable[[Any], Sequence[Any]], size: int) -> list[list[Any]]:
    """Every page of a keyset list, following the next tokens as the pages do."""
    pages: list[list[Any]] = []
    after = None
    while True:
        page = Page.of(fetch(after, size), size, key)
        pages.append(page.rows)
        if not page.next_after:
            return pages
        after = decode_key(page.next_after, arity=len(key(page.rows[-1])))
        assert len(pages) < 100, "the pager does not end"


def _skus(world: World, n: int, prefix: str = "BULK") -> list[str]:
    made = [new_sku(f"{prefix}-{i:04d}", f"批量商品{i}", name_en=f"Bulk item {i}") for i in range(n)]
    with world.store.transaction() as conn:
        catalogue.insert_skus(conn, made)
    return [s.id for s in made]


# ---- SKUs ------------------------------------------------------------------------------------------


def test_sku_list_is_by_code_with_barcodes_and_search_matches_code_barcode_and_names(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, "6901234567892")
        catalogue.add_barcode(conn, world.sku, "16901234567899", pack_qty_base=12)
        catalogue.add_barcode(conn, world.sku2, "036000241457")  # a UPC-A, stored as its GTIN-14
        catalogue.add_barcode(conn, world.sku2, "cup-int-1")
        catalogue.archive_sku(conn, world.lot_sku)
        rows = views.list_skus(conn)
        assert [r.code for r in rows] == ["CUP-002", "MILK-003", "TEA-001"]
        tea = rows[2]
        assert [(b.raw, b.pack_qty, b.is_case) for b in tea.barcodes] == [("6901234567892", 1, False), ("16901234567899", 12, True)]
        assert rows[1].archived and not tea.archived

        def codes(q: str) -> list[str]:
            return [r.code for r in views.list_skus(conn, q=q)]

        assert codes("tea") == ["TEA-001"]  # code prefix, any case
        assert codes("TEA-001") == ["TEA-001"]
        assert codes("6901234567892") == ["TEA-001"]  # barcode, exactly
        assert codes("690123") == ["TEA-001"]  # barcode, first digits
        assert codes("0036000241457") == ["CUP-002"]  # EAN-13 form of the stored UPC-A
        assert codes("36000241457"[:6]) == []  # not a prefix of what is printed
        assert codes("cup-int") == ["CUP-002"]  # internal code prefix, any case
        assert codes("龙井") == ["TEA-001"]  # Chinese name contains
        assert codes("MILK 1l") == ["MILK-003"]  # English name, case-insensitive
        assert codes("%") == [] and codes("_") == [] and codes("\\") == []  # LIKE wildcards are plain text


def test_sku_pages_hold_every_sku_once(world: World) -> None:
    _skus(world, 117)
    with world.store.read() as conn:
        pages = walk(lambda after, size: views.list_skus(conn, after=after, size=size), lambda r: (r.code,), 50)
        searched = walk(lambda after, size: views.list_skus(conn, q="bulk-00", after=after, size=size), lambda r: (r.code,), 30)
    assert [len(p) for p in pages] == [50, 50, 20]
    codes = [r.code for p in pages for r in p]
    assert codes == sorted(codes) and len(set(codes)) == 120
    assert [len(p) for p in searched] == [30, 30, 30, 10]  # BULK-0000 … BULK-0099


def test_sku_info_has_packs_mappings_and_is_not_found_for_a_stranger(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_platform_sku(conn, new_platform_sku("taobao", "shop-1", "TB-998", world.sku, 2))
        info = views.sku_info(conn, world.sku)
        assert info.code == "TEA-001" and [(m.platform, m.platform_sku_id, m.qty_base) for m in info.mappings] == [("taobao", "TB-998", 2)]
        assert views.sku_info(conn, "tea-001").id == world.sku  # by code too
        with pytest.raises(NotFoundError):
            views.sku_info(conn, new_id())
        assert views.find_sku(conn, "TEA-001").id == world.sku  # type: ignore[union-attr]
        assert views.find_sku(conn, "nothing-like-it") is None


# ---- stock -----------------------------------------------------------------------------------------


def test_stock_rows_filter_by_scope_warehouse_bin_prefix_and_sku(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    world.stock(world.sku, world.a3, 4)
    world.stock(world.sku2, world.a2, 7)
    world.stock(world.sku, world.b1, 3)
    world.stock(world.lot_sku, world.a1, 6, batch="L1")
    world.stock(world.lot_sku, world.a1, 2, batch="L2")
    world.stock(world.sku2, world.a1, 5)
    with world.store.transaction() as conn:  # back to zero: left out
        moves.single(conn, world.sku2, world.a1.id, -5, Reason.ADJUST_DAMAGE, hlc=world.hlc())
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku2, "6901234567892")
        every = views.list_stock(conn, scope=None)
        assert [r.key for r in every] == [
            ("CUP-002", "WH-SH", "A-01-01-02", ""), ("MILK-003", "WH-SH", "A-01-01-01", "L1"),
            ("MILK-003", "WH-SH", "A-01-01-01", "L2"), ("TEA-001", "WH-GZ", "B-01-01-01", ""),
            ("TEA-001", "WH-SH", "A-01-01-01", ""), ("TEA-001", "WH-SH", "A-01-02-01", "")]
        assert every[0].on_hand == 7 and every[0].available == 7 and every[0].warehouse.name_en == "Shanghai DC"
        a_only = views.list_stock(conn, scope={world.wh_a})
        assert {r.warehouse.code for r in a_only} == {"WH-SH"} and len(a_only) == 5
        assert views.list_stock(conn, scope=frozenset()) == []
        assert [r.bin_code for r in views.list_stock(conn, scope=None, warehouse_id=world.wh_b)] == ["B-01-01-01"]
        assert [r.key[2] for r in views.list_stock(conn, scope=None, bin_prefix="a-01-01")] == ["A-01-01-02", "A-01-01-01", "A-01-01-01", "A-01-01-01"]
        assert [r.key[0] for r in views.list_stock(conn, scope=None, sku_q="6901234567892")] == ["CUP-002"]
        assert [r.key[0] for r in views.list_stock(conn, scope=None, sku_q="milk")] == ["MILK-003", "MILK-003"]
        assert views.list_stock(conn, scope=None, sku_q="纯牛奶") == []  # names are the SKU list's search, not this filter
        assert views.list_stock(conn, scope={world.wh_a}, warehouse_id=world.wh_b) == []


def test_stock_pages_hold_every_row_once(world: World) -> None:
    ids = _skus(world, 40)
    with world.store.transaction() as conn:
        extra = [new_bin(world.wh_a, f"Z-{i:02d}") for i in range(3)]
        catalogue.insert_bins(conn, extra)
        ledger.post(conn, [Movement(new_id(), s, world.wh_a, b.id, 1, Reason.RECEIPT_UNEXPECTED, world.hlc())
                           for s in ids for b in extra])
    with world.store.read() as conn:
        pages = walk(lambda after, size: views.list_stock(conn, scope={world.wh_a}, after=after, size=size), lambda r: r.key, 50)
        totals = walk(lambda after, size: views.list_warehouse_totals(conn, scope=None, after=after, size=size), lambda r: r.key, 15)
    assert [len(p) for p in pages] == [50, 50, 20]
    keys = [r.key for p in pages for r in p]
    assert len(set(keys)) == 120 and keys == sorted(keys)
    assert [len(p) for p in totals] == [15, 15, 10] and all(r.on_hand == 3 for p in totals for r in p)


def test_warehouse_totals_show_in_transit_at_the_destination(world: World) -> None:
    world.stock(world.sku, world.b1, 10)
    with world.store.transaction() as conn:
        t = transfers.create(conn, world.wh_b, world.wh_a, [(world.sku, 4)], hlc=world.hlc())
        transfers.ship(conn, t.id, world.b1.id, hlc=world.hlc())
        rows = views.list_warehouse_totals(conn, scope=None)
        assert [(r.warehouse.code, r.on_hand, r.reserved, r.in_transit, r.available) for r in rows] == [
            ("WH-GZ", 6, 0, 0, 6), ("WH-SH", 0, 0, 4, 0)]
        assert [r.warehouse.code for r in views.list_warehouse_totals(conn, scope={world.wh_a})] == ["WH-SH"]
        assert [r.warehouse.code for r in views.sku_warehouse_totals(conn, world.sku, {world.wh_b})] == ["WH-GZ"]
        per_bin = views.sku_bin_balances(conn, world.sku, None)
        assert [(b.bin_code, b.on_hand, b.bin_kind) for b in per_bin] == [("B-01-01-01", 6, "storage"), ("_TRANSIT", 4, "transit")]


# ---- movements -------------------------------------------------------------------------------------


def _ledger(world: World, n: int) -> None:
    """``n`` receipts alternating between warehouse A's and B's bins, each with its own HLC."""
    legs = [Movement(new_id(), world.sku, *( (world.wh_a, world.a1.id) if i % 2 == 0 else (world.wh_b, world.b1.id)),
                     i + 1, Reason.RECEIPT_UNEXPECTED if i % 3 else Reason.RECEIPT_OPENING_STOCK, world.hlc())
            for i in range(n)]
    with world.store.transaction() as conn:
        ledger.post(conn, legs)


def test_movements_are_newest_first_with_names_and_filters(world: World) -> None:
    with world.store.transaction() as conn:
        r = receipts.create(conn, world.wh_a, [(world.sku, 5)], hlc=world.hlc(), reference="DN-1", supplier_name="供应商")
        receipts.receive(conn, r.id, world.dock_a.id, {world.sku: 7}, hlc=world.hlc(), user_id="zhangsan", device_id="dev-1")
    world.stock(world.sku2, world.b1, 2)
    with world.store.read() as conn:
        rows = views.list_movements(conn, scope=None)
        assert [(m.sku.code, m.warehouse.code, m.bin_code, m.qty, m.reason) for m in rows] == [
            ("CUP-002", "WH-GZ", "B-01-01-01", 2, 110), ("TEA-001", "WH-SH", "_DOCK", 2, 102), ("TEA-001", "WH-SH", "_DOCK", 5, 100)]
        assert rows[1].ref_type == "receipt" and rows[1].ref_number == r.number and rows[1].user_id == "zhangsan"
        assert [m.qty for m in views.list_movements(conn, scope={world.wh_a})] == [2, 5]
        assert views.list_movements(conn, scope=frozenset()) == []
        assert [m.qty for m in views.list_movements(conn, scope=None, where=views.MovementFilter(sku_id=world.sku2))] == [2]
        assert [m.qty for m in views.list_movements(conn, scope=None, where=views.MovementFilter(reason=100))] == [5]
        assert [m.qty for m in views.list_movements(conn, scope=None, where=views.MovementFilter(warehouse_id=world.wh_b))] == [2]
        assert views.list_movements(conn, scope={world.wh_a}, where=views.MovementFilter(warehouse_id=world.wh_b)) == []
        cut = rows[0].hlc
        assert [m.qty for m in views.list_movements(conn, scope=None, where=views.MovementFilter(hlc_from=cut))] == [2]
        assert [m.qty for m in views.list_movements(conn, scope=None, where=views.MovementFilter(hlc_to=cut))] == [2, 5]
        docs = views.document_movements(conn, "receipt", r.id, scope=None)
        assert [m.qty for m in docs] == [2, 5] and views.document_movements(conn, "receipt", r.id, scope={world.wh_b}) == []


@pytest.mark.parametrize("scope_of", [lambda w: None, lambda w: {w.wh_a, w.wh_b}, lambda w: {w.wh_a}])
def test_movement_pages_hold_every_row_once_newest_first(world: World, scope_of: Callable[[World], Any]) -> None:
    _ledger(world, 120)
    scope = scope_of(world)
    expected = 120 if scope is None or len(scope) == 2 else 60
    with world.store.read() as conn:
        pages = walk(lambda after, size: views.list_movements(conn, scope=scope, after_seq=after[0] if after else None, size=size),
                     lambda r: (r.seq,), 50)
    seqs = [m.seq for p in pages for m in p]
    assert len(seqs) == len(set(seqs)) == expected and seqs == sorted(seqs, reverse=True)
    assert [len(p) for p in pages] == ([50, 50, 20] if expected == 120 else [50, 10])


# ---- transfers and receipts ------------------------------------------------------------------------


def test_transfers_are_scoped_to_either_end_with_line_totals(world: World) -> None:
    world.stock(world.sku, world.b1, 10)
    with world.store.transaction() as conn:
        b_to_a = transfers.create(conn, world.wh_b, world.wh_a, [(world.sku, 4), (world.sku2, 2)], hlc=world.hlc())
        transfers.ship(conn, b_to_a.id, world.b1.id, hlc=world.hlc(), qty_by_line={1: 3})
        b_to_shop = transfers.create(conn, world.wh_b, world.shop, [(world.sku, 1)], hlc=world.hlc())
        every = views.list_transfers(conn, scope=None)
        assert [t.number for t in every] == [b_to_shop.number, b_to_a.number]
        row = every[1]
        assert (row.state, row.lines, row.qty, row.shipped, row.received) == ("in_transit", 2, 6, 3, 0)
        assert (row.from_warehouse.code, row.to_warehouse.code) == ("WH-GZ", "WH-SH")
        assert [t.number for t in views.list_transfers(conn, scope={world.wh_a})] == [b_to_a.number]
        assert [t.number for t in views.list_transfers(conn, scope=None, state="open")] == [b_to_shop.number]
        assert [t.number for t in views.list_transfers(conn, scope=None, warehouse_id=world.shop)] == [b_to_shop.number]
        head, lines = views.transfer_detail(conn, b_to_a.id, scope={world.wh_a})
        assert head.number == b_to_a.number and [(ln.sku.code, ln.qty, ln.shipped, ln.in_transit) for ln in lines] == [
            ("TEA-001", 4, 3, 3), ("CUP-002", 2, 0, 0)]
        assert views.transfer_detail(conn, b_to_a.number, scope=None)[0].id == b_to_a.id
        with pytest.raises(NotFoundError) as err:
            views.transfer_detail(conn, b_to_shop.id, scope={world.wh_a})
        assert err.value.code == "transfer.not_found"


def test_receipts_are_scoped_with_expected_received_and_over(world: World) -> None:
    with world.store.transaction() as conn:
        ra = receipts.create(conn, world.wh_a, [(world.sku, 5), (world.sku2, 3)], hlc=world.hlc(), reference="DN-A",
                             supplier_name="杭州茶厂")
        receipts.receive(conn, ra.id, world.dock_a.id, {world.sku: 8}, hlc=world.hlc())
        rb = receipts.create(conn, world.wh_b, [(world.sku, 1)], hlc=world.hlc(), reference="DN-B")
        row = views.list_receipts(conn, scope={world.wh_a})
        assert [(r.number, r.reference, r.supplier_name, r.state, r.lines, r.expected, r.received, r.over) for r in row] == [
            (ra.number, "DN-A", "杭州茶厂", "partial", 2, 8, 8, 3)]
        assert [r.number for r in views.list_receipts(conn, scope=None)] == [rb.number, ra.number]
        assert [r.number for r in views.list_receipts(conn, scope=None, state="expected")] == [rb.number]
        head, lines = views.receipt_detail(conn, ra.id, scope={world.wh_a})
        assert head.over == 3 and [(ln.expected, ln.received, ln.short, ln.over) for ln in lines] == [(5, 8, 0, 3), (3, 0, 3, 0)]
        with pytest.raises(NotFoundError) as err:
            views.receipt_detail(conn, rb.id, scope={world.wh_a})
        assert err.value.code == "receipt.not_found"


def test_document_pages_hold_every_document_once(world: World) -> None:
    with world.store.transaction() as conn:
        for i in range(60):
            transfers.create(conn, world.wh_a if i % 2 else world.wh_b, world.shop, [(world.sku, 1)], hlc=world.hlc())
            receipts.create(conn, world.wh_a if i % 2 else world.wh_b, [(world.sku, 1)], hlc=world.hlc())
    with world.store.read() as conn:
        tp = walk(lambda after, size: views.list_transfers(conn, scope={world.shop}, after=after, size=size), lambda r: (r.id,), 25)
        rp = walk(lambda after, size: views.list_receipts(conn, scope={world.wh_a}, after=after, size=size), lambda r: (r.id,), 25)
    assert [len(p) for p in tp] == [25, 25, 10] and len({t.id for p in tp for t in p}) == 60
    numbers = [t.number for p in tp for t in p]
    assert numbers == sorted(numbers, reverse=True)  # newest first
    assert [len(p) for p in rp] == [25, 5] and len({r.id for p in rp for r in p}) == 30
