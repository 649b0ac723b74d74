"""The search index on every backend: catching up from the catalogue's change stamps (new, renamed
and archived things; cheap when nothing changed), ranking (exact code/barcode, then prefix, then
contains), pinyin and Chinese substrings, warehouse scope, orders upserted by others, hostile text."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.store import catalogue, search_index
from server.store.schema import bins, skus
from server.store.schema_search import search_entries
from server.store.search_index import Hit
from shared.catalogue.model import new_bin, new_sku
from shared.core.errors import ValidationError
from tests.server.world import World

ALL = ("sku", "bin", "order")


def _find(world: World, q: str, kinds: tuple[str, ...] = ALL, warehouses: frozenset[str] | None = None,
          limit: int = 20) -> list[Hit]:
    search_index.catch_up(world.store)
    with world.store.read() as conn:
        return search_index.search(conn, q, kinds, warehouses, limit)


def _codes(hits: list[Hit]) -> list[str]:
    return [h.detail if h.kind == "sku" else h.label for h in hits]


def _add_sku(world: World, code: str, name: str, barcode: str | None = None, name_en: str = "") -> str:
    with world.store.transaction() as conn:
        sku = catalogue.insert_sku(conn, new_sku(code, name, name_en=name_en))
        if barcode:
            catalogue.add_barcode(conn, sku.id, barcode)
    return sku.id


def test_catch_up_indexes_the_catalogue_and_then_has_nothing_to_do(world: World) -> None:
    assert search_index.catch_up(world.store) == 3 + 4 + 6  # 3 SKUs, 4 bins, 2 system bins × 3 warehouses
    assert search_index.catch_up(world.store) == 0
    with world.store.read() as conn:
        assert not search_index.is_stale(conn)
        assert conn.execute(select(func.count()).select_from(search_entries)).scalar_one() == 13


def test_a_new_sku_and_a_new_barcode_are_found_after_catch_up(world: World) -> None:
    search_index.catch_up(world.store)
    sku_id = _add_sku(world, "BT-100", "蓝牙耳机")
    with world.store.read() as conn:
        assert search_index.is_stale(conn)
    assert search_index.catch_up(world.store) == 1
    assert _codes(_find(world, "lyej")) == ["BT-100"]
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, sku_id, "6901234567892")
    assert search_index.catch_up(world.store) == 1  # only that SKU re-indexed
    hits = _find(world, "6901234567892")
    assert [(h.entity_id, h.rank) for h in hits] == [(sku_id, 0)]


def test_a_renamed_sku_is_found_by_its_new_name_only(world: World) -> None:
    assert _codes(_find(world, "青花")) == ["CUP-002"]
    with world.store.transaction() as conn:
        conn.execute(skus.update().where(skus.c.id == world.sku2).values(name_zh="白瓷杯", change_seq=99_000))
    assert _find(world, "青花") == []
    assert _codes(_find(world, "bcb")) == ["CUP-002"]


def test_an_archived_bin_leaves_the_index(world: World) -> None:
    assert _codes(_find(world, "a-01-01-02", ("bin",))) == ["A-01-01-02"]
    with world.store.transaction() as conn:
        conn.execute(bins.update().where(bins.c.id == world.a2.id).values(archived=True, change_seq=99_000))
    assert _find(world, "a-01-01-02", ("bin",)) == []


def test_exact_code_ranks_before_prefix_before_contains(world: World) -> None:
    _add_sku(world, "TEAPOT-9", "茶壶")  # code starts with the query
    _add_sku(world, "GREEN-TEA", "绿茶")  # code contains it
    hits = _find(world, "tea", ("sku",))
    assert {h.detail: h.rank for h in hits} == {"TEAPOT-9": 1, "TEA-001": 1, "GREEN-TEA": 2}
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    _add_sku(world, "TEA", "毛尖")  # now "tea" is a whole code
    hits = _find(world, "tea", ("sku",))
    assert _codes(hits)[0] == "TEA" and hits[0].rank == 0
    assert {h.detail: h.rank for h in hits[1:]} == {"TEAPOT-9": 1, "TEA-001": 1}  # no substring scan after a whole code


def test_barcodes_match_as_stored_and_in_their_other_gtin_form(world: World) -> None:
    sku_id = _add_sku(world, "COLA-12", "可乐", barcode="036000241457")  # UPC-A
    for typed in ["036000241457", "0036000241457", "00036000241457"]:  # UPC-A, EAN-13, GTIN-14
        hits = _find(world, typed)
        assert hits and hits[0].entity_id == sku_id and hits[0].rank == 0, typed


def test_pinyin_full_initials_and_chinese_substrings(world: World) -> None:
    sku_id = _add_sku(world, "BT-1", "无线蓝牙耳机 Pro", name_en="Wireless earbuds")
    for q in ["wxlyej", "wuxianlanya", "lanyaerji", "蓝牙", "耳机", "无线蓝牙耳机 pro", "earbuds", "WXLYEJ", "ｗｘｌｙ"]:
        assert sku_id in [h.entity_id for h in _find(world, q, ("sku",))], q
    assert _codes(_find(world, "xhlj", ("sku",))) == ["TEA-001"]  # 西湖龙井


def test_bins_are_found_only_in_the_warehouses_given(world: World) -> None:
    assert _codes(_find(world, "b-01", ("bin",))) == ["B-01-01-01"]
    assert _find(world, "b-01", ("bin",), frozenset({world.wh_a})) == []
    assert _codes(_find(world, "b-01", ("bin",), frozenset({world.wh_b}))) == ["B-01-01-01"]
    assert _find(world, "b-01", ("bin",), frozenset()) == []
    hit = _find(world, "b-01-01-01", ("bin",))[0]
    assert hit.warehouse_id == world.wh_b and hit.detail == "WH-GZ"


def test_orders_upserted_by_the_orders_pipeline_are_found_and_replaced(world: World) -> None:
    with world.store.transaction() as conn:
        search_index.upsert(conn, "order", "o-1", "TB2026120400001", ["TB2026120400001"], world.wh_a, names=["快乐小买家"])
    assert [(h.entity_id, h.rank) for h in _find(world, "tb2026120400001", ("order",))] == [("o-1", 0)]
    assert [h.entity_id for h in _find(world, "klxmj", ("order",))] == ["o-1"]
    assert _find(world, "klxmj", ("order",), frozenset({world.wh_b})) == []
    with world.store.transaction() as conn:  # the same order again, with a changed nick
        search_index.upsert(conn, "order", "o-1", "TB2026120400001", ["TB2026120400001"], world.wh_a, names=["新昵称"])
    assert _find(world, "klxmj", ("order",)) == [] and len(_find(world, "xnc", ("order",))) == 1
    with world.store.transaction() as conn:
        search_index.remove(conn, "order", ["o-1"])
    assert _find(world, "tb2026", ("order",)) == []


def test_kinds_and_limit_are_respected(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_skus(conn, [new_sku(f"ZZ-{n:03d}", f"测试商品{n}") for n in range(30)])
        catalogue.insert_bins(conn, [new_bin(world.wh_a, "ZZ-BIN")])
    hits = _find(world, "zz", ("sku",), limit=7)
    assert len(hits) == 7 and {h.kind for h in hits} == {"sku"}
    assert _codes(_find(world, "zz-bin", ("bin",))) == ["ZZ-BIN"]
    assert len(_find(world, "cssp", ("sku",), limit=50)) == 30


@pytest.mark.parametrize("q", ["", "   ", "\u200b", "%", "_", "'; DROP TABLE skus;--", "a\x00b", "<script>"])
def test_odd_queries_find_nothing_or_only_real_matches_and_break_nothing(world: World, q: str) -> None:
    hits = _find(world, q)
    assert all(h.rank in (0, 1, 2) for h in hits)
    if q.strip() in ("", "\u200b", "%"):
        assert hits == []  # "%" is a plain character here, not a LIKE wildcard
    if q == "_":
        assert hits and all(h.label.startswith("_") for h in hits)  # only the system bins _DOCK, _TRANSIT
    assert _codes(_find(world, "tea-001")) == ["TEA-001"]


def test_hostile_names_are_stored_and_returned_as_typed(world: World) -> None:
    hostile = "<img src=x onerror=alert(1)>{{7*7}}"
    _add_sku(world, "EVIL-1", hostile)
    (hit,) = _find(world, "evil-1", ("sku",))
    assert hit.label == hostile
    assert _codes(_find(world, "onerror", ("sku",))) == ["EVIL-1"]


def test_a_query_too_long_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        _find(world, "x" * 4096)
    assert exc.value.code == "web.search.query_too_long"


def test_two_searches_catching_up_at_once_index_everything_once(world: World) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with world.store.transaction() as conn:
        catalogue.insert_skus(conn, [new_sku(f"PAR-{n:03d}", f"并发商品{n}") for n in range(200)])
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda _: search_index.catch_up(world.store), range(2)))
    assert sorted(done) == [0, 200 + 3 + 10]  # the second waited for the first's lock, then found nothing new
    with world.store.read() as conn:
        assert conn.execute(select(func.count()).select_from(search_entries)).scalar_one() == 213
        assert not search_index.is_stale(conn)
    assert len(_find(world, "par-", ("sku",), limit=300)) == 200
