from __future__ import annotations

import pytest

from server.store import catalogue
from server.store.scan_index import StoreScanIndex
from shared.catalogue.model import BinKind, new_bin, new_pack, new_platform_sku, new_sku, new_warehouse
from shared.core.errors import ConflictError, ValidationError
from shared.scan.resolve import BinScan, SkuScan, UniqueCodeScan, UnknownScan, resolve_scan

from tests.server.world import World


def test_new_warehouse_gets_dock_and_transit_bins(world: World) -> None:
    with world.store.read() as conn:
        kinds = {b.code: b.kind for b in catalogue.list_bins(conn, world.wh_b)}
    assert kinds["_DOCK"] is BinKind.DOCK and kinds["_TRANSIT"] is BinKind.TRANSIT


def test_duplicate_sku_code_is_a_conflict(world: World) -> None:
    with pytest.raises(ConflictError) as err, world.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("tea-001", "重复"))
    assert err.value.code == "sku.duplicate_code"


def test_duplicate_bin_code_in_one_warehouse_is_a_conflict_but_fine_in_another(world: World) -> None:
    with pytest.raises(ConflictError), world.store.transaction() as conn:
        catalogue.insert_bins(conn, [new_bin(world.wh_a, "A-01-01-01")])
    with world.store.transaction() as conn:
        catalogue.insert_bins(conn, [new_bin(world.wh_b, "A-01-01-01")])


def test_upc_a_and_its_ean13_form_are_one_barcode(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, "036000241457")
    with pytest.raises(ConflictError) as err, world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku2, "0036000241457")
    assert err.value.code == "barcode.taken" and err.value.details["sku_code"] == "TEA-001"


def test_wrong_check_digit_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, "6901234567893")
    assert err.value.code == "barcode.bad_check_digit"


def test_case_barcode_scans_as_twelve_units(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, "6901234567892")
        catalogue.add_barcode(conn, world.sku, "16901234567899", pack_qty_base=12)
    with world.store.read() as conn:
        index = StoreScanIndex(conn, world.wh_a)
        unit, case = resolve_scan("6901234567892\r\n", index), resolve_scan("]C10116901234567899", index)
    assert isinstance(unit, SkuScan) and unit.qty_base == 1 and unit.sku_id == world.sku
    assert isinstance(case, SkuScan) and case.qty_base == 12


def test_scan_resolves_bins_of_the_device_warehouse_and_unique_codes(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.add_unique_code(conn, "SN0000001", world.sku)
    with world.store.read() as conn:
        here, elsewhere = StoreScanIndex(conn, world.wh_a), StoreScanIndex(conn, world.wh_b)
        assert isinstance(resolve_scan("a-01-01-01", here), BinScan)
        assert isinstance(resolve_scan("A-01-01-01", elsewhere), UnknownScan)
        assert isinstance(resolve_scan("SN0000001", here), UniqueCodeScan)


def test_sku_packs_round_trip(store: object) -> None:
    from server.store.db import Store

    assert isinstance(store, Store)
    with store.transaction() as conn:
        sku = catalogue.insert_sku(conn, new_sku("BOX-1", "纸箱", packs=(new_pack("CASE", "箱", 12, "case"),)))
    with store.read() as conn:
        assert catalogue.get_sku(conn, "box-1").packs[0].qty_base == 12
    assert sku.code == "BOX-1"


def test_platform_sku_maps_once_per_shop(world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_platform_sku(conn, new_platform_sku("taobao", "shop-1", "5012345678", world.sku, 2))
        hit = catalogue.resolve_platform_sku(conn, "taobao", "shop-1", "5012345678")
    assert hit is not None and hit.sku_id == world.sku and hit.qty_base == 2
    with pytest.raises(ConflictError) as err, world.store.transaction() as conn:
        catalogue.insert_platform_sku(conn, new_platform_sku("taobao", "shop-1", "5012345678", world.sku2))
    assert err.value.code == "platform_sku.duplicate"


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "{{7*7}}", "'; DROP TABLE skus;--", "𠮷野家 🍵"])
def test_hostile_names_are_stored_verbatim(world: World, name: str) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("X-1", name))
    with world.store.read() as conn:
        assert catalogue.get_sku(conn, "X-1").name_zh == name


@pytest.mark.parametrize("name,code", [("", "invalid.text"), ("a\u202eb", "invalid.text"), ("x" * 201, "invalid.text"), ("a\x00b", "invalid.text")])
def test_bad_names_are_refused(name: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        new_sku("X-1", name)
    assert err.value.code == code


def test_warehouse_kind_must_be_known() -> None:
    with pytest.raises(ValidationError) as err:
        new_warehouse("W", "仓", kind="garage")
    assert err.value.code == "invalid.enum"
