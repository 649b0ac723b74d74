"""The inventory pages (/app/skus, /stock, /movements, /transfers, /receipts): they render in both
languages on demo data, search and filters work, keyset pages hold every row exactly once, bad
parameters are typed 4xx pages (never a 500), a viewer scoped to one warehouse sees only its rows and
gets a 404 for the other's documents, no permission is a 403, and hostile names stay inert."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from server import demo
from server.store import accounts, catalogue, ledger, moves, receipts, transfers
from server.store import users as user_store
from server.store.db import Store
from server.web.paging import encode_key
from shared.catalogue.model import new_pack, new_platform_sku, new_sku
from shared.core.ids import new_id
from shared.inventory.movement import Movement, Reason
from tests.server.web.conftest import ORIGIN, Browser, make_app
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
LISTS = ["/app/skus", "/app/stock", "/app/stock?view=warehouse", "/app/movements", "/app/transfers", "/app/receipts"]
PERMS = {"skus.view", "stock.view", "movements.view", "transfers.view", "receipts.view"}
HOSTILE = ["<script>alert(1)</script>", "{{7*7}}"]


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _page(browser: Browser, path: str) -> str:
    r = browser.get(path, headers=HTML)
    assert r.status_code == 200, (path, r.status_code, r.text[:2000])
    return r.text


def _marks(text: str, attr: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'<tr {attr}="([^"]*)"', text)]


def _row(text: str, attr: str, value: str) -> str:
    found = re.search(rf'<tr {attr}="{re.escape(html.escape(value))}">(.*?)</tr>', text, re.S)
    assert found, (value, text[:3000])
    return found.group(1)


def _walk(browser: Browser, path: str, attr: str) -> list[list[str]]:
    """Every page of a list, following its "next page" links; the row marks of each page."""
    pages: list[list[str]] = []
    url: str | None = path
    while url:
        text = _page(browser, url)
        pages.append(_marks(text, attr))
        found = re.search(r'class="pager-next" href="([^"]+)"', text)
        url = path.split("?")[0] + html.unescape(found.group(1)) if found else None
        assert len(pages) < 50
    return pages


def _detail_links(text: str, kind: str) -> list[str]:
    return re.findall(rf'href="(/app/{kind}/[^"]+)"', text)


# ---- demo data, both languages ---------------------------------------------------------------------


@pytest.fixture
def demo_browser(store: Store) -> Iterator[Browser]:
    demo.load(store, sku_count=40, bins_per_warehouse=30)
    with TestClient(make_app_for(store), base_url=ORIGIN) as client:
        b = Browser(client)
        assert b.login("admin", demo.DEMO_ADMIN_PASSWORD).status_code == 303
        yield b


def make_app_for(store: Store) -> object:
    from server.app import create_app
    from server.settings import Settings

    return create_app(Settings(secret_key="test-secret"), store=store)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_inventory_page_renders_on_demo_data_in_both_languages(demo_browser: Browser, lang: str) -> None:
    b = demo_browser
    _lang(b, lang)
    words = {"zh-CN": ["商品", "库存", "库存流水", "调拨", "预期收货"], "en": ["SKUs", "Stock", "Movements", "Transfers", "Expected receipts"]}
    for path, word in zip(["/app/skus", "/app/stock", "/app/movements", "/app/transfers", "/app/receipts"], words[lang], strict=True):
        text = _page(b, path)
        assert f'<html lang="{lang}">' in text and f"<h1>{word}" in text, path
        assert "<tr data-" in text, path  # demo rows are listed
        assert f'href="{path}"' in text  # the menu links the page
    skus = _page(b, "/app/skus")
    assert "¥" in skus and ("箱码 ×12" if lang == "zh-CN" else "case ×12") in skus
    by_warehouse = _page(b, "/app/stock?view=warehouse")
    assert ("在途" if lang == "zh-CN" else "In transit") in by_warehouse and "_TRANSIT" not in by_warehouse
    opening = "期初库存" if lang == "zh-CN" else "Opening stock"
    assert opening in _page(b, "/app/movements?reason=110")
    transfer = _detail_links(_page(b, "/app/transfers"), "transfers")[0]
    shown = _page(b, transfer)
    assert ("在途" if lang == "zh-CN" else "in transit") in shown and "WH-GZ" in shown and "WH-SH" in shown
    receipt = _detail_links(_page(b, "/app/receipts"), "receipts")[0]
    assert "DN-2026-" in _page(b, receipt)
    sku = _detail_links(skus, "skus")[0]
    detail = _page(b, sku)
    assert "SKU-00001" in detail and 'href="/app/movements?sku=SKU-00001"' in detail
    assert "data-movement=" in detail  # its opening stock


# ---- world data ------------------------------------------------------------------------------------


def _populate(world: World) -> dict[str, str]:
    """Barcodes (unit and case), a pack, a platform mapping, stock in both warehouses, a receipt
    received over, and a transfer B → A shipped; returns the documents' ids."""
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, "6901234567892")
        catalogue.add_barcode(conn, world.sku, "16901234567899", pack_qty_base=12)
        catalogue.insert_platform_sku(conn, new_platform_sku("jd", "jd-shop-1", "JD-77", world.sku, 1))
        catalogue.insert_sku(conn, new_sku("BOX-004", "礼盒", name_en="Gift box", price_fen=1250,
                                           packs=(new_pack("CASE", "箱", 6, "case"),)))
    world.stock(world.sku, world.a1, 10)
    world.stock(world.sku2, world.a2, 7)
    world.stock(world.sku, world.b1, 9)
    with world.store.transaction() as conn:
        r = receipts.create(conn, world.wh_a, [(world.sku, 5)], hlc=world.hlc(), reference="DN-A-1", supplier_name="杭州茶厂")
        receipts.receive(conn, r.id, world.dock_a.id, {world.sku: 6}, hlc=world.hlc(), user_id="admin")
        rb = receipts.create(conn, world.wh_b, [(world.sku2, 2)], hlc=world.hlc(), reference="DN-B-1", supplier_name="广州杯厂")
        t = transfers.create(conn, world.wh_b, world.wh_a, [(world.sku, 4)], hlc=world.hlc())
        transfers.ship(conn, t.id, world.b1.id, hlc=world.hlc())
        tb = transfers.create(conn, world.wh_b, world.shop, [(world.sku, 1)], hlc=world.hlc())
    return {"receipt_a": r.id, "receipt_b": rb.id, "transfer_ba": t.id, "transfer_b_shop": tb.id}


def test_sku_list_shows_price_barcodes_and_state_and_searches(browser: Browser, world: World) -> None:
    _populate(world)
    with world.store.transaction() as conn:
        catalogue.archive_sku(conn, world.lot_sku)
    browser.login()
    text = _page(browser, "/app/skus")
    assert _marks(text, "data-sku") == ["BOX-004", "CUP-002", "MILK-003", "TEA-001"]
    tea = _row(text, "data-sku", "TEA-001")
    assert cell(tea, "name-zh") == "西湖龙井 250g" and cell(tea, "name-en") == "Longjing tea 250g"
    assert "6901234567892" in cell(tea, "barcodes") and "箱码 ×12" in cell(tea, "barcodes")
    assert cell(_row(text, "data-sku", "BOX-004"), "price") == "¥12.50"
    assert "已停用" in cell(_row(text, "data-sku", "MILK-003"), "state")
    for q, found in [("tea", ["TEA-001"]), ("6901234567892", ["TEA-001"]), ("16901234", ["TEA-001"]), ("礼盒", ["BOX-004"]),
                     ("blue or", []), ("BLUE AND white", ["CUP-002"]), ("%", []), ("\x00", ["BOX-004", "CUP-002", "MILK-003", "TEA-001"])]:
        assert _marks(_page(browser, "/app/skus?" + _qs(q=q)), "data-sku") == found, q


def _qs(**values: str) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


def test_sku_detail_has_barcodes_mappings_stock_and_recent_movements(browser: Browser, world: World) -> None:
    _populate(world)
    browser.login()
    _lang(browser, "en")
    text = _page(browser, f"/app/skus/{world.sku}")
    assert "SKU TEA-001" in text and "case ×12" in text and "JD-77" in text and "jd-shop-1" in text
    warehouses = re.search(r'<table class="per-warehouse">(.*?)</table>', text, re.S).group(1)  # type: ignore[union-attr]
    assert "WH-SH Shanghai DC" in warehouses and "WH-GZ Guangzhou DC" in warehouses
    sh = re.search(r"<tr><td class=\"warehouse\">WH-SH.*?</tr>", warehouses, re.S).group(0)  # type: ignore[union-attr]
    assert cell(sh, "on-hand") == "16" and cell(sh, "in-transit") == "4"  # 10 + 6 received; 4 on the way from GZ
    per_bin = re.search(r'<table class="per-bin">(.*?)</table>', text, re.S).group(1)  # type: ignore[union-attr]
    assert "A-01-01-01" in per_bin and "_DOCK" in per_bin and "B-01-01-01" in per_bin
    assert text.count("data-movement=") == 6  # opening A, opening B, receipt (2 legs), transfer out (2 legs)
    assert "Over-receipt" in text and "Transfer out" in text and 'href="/app/movements?sku=TEA-001"' in text
    box = _page(browser, "/app/skus/BOX-004")  # by code too
    assert "No barcodes" in box and "No stock" in box and "No movements" in box and "CASE" in box
    assert browser.get(f"/app/skus/{new_id()}", headers=HTML).status_code == 404


def test_stock_filters_and_the_by_warehouse_view(browser: Browser, world: World) -> None:
    _populate(world)
    browser.login()
    every = _marks(_page(browser, "/app/stock"), "data-stock")
    assert every == ["CUP-002|WH-SH|A-01-01-02|", "TEA-001|WH-GZ|B-01-01-01|", "TEA-001|WH-SH|A-01-01-01|",
                     "TEA-001|WH-SH|_DOCK|", "TEA-001|WH-SH|_TRANSIT|"]
    assert _marks(_page(browser, "/app/stock?warehouse=WH-GZ"), "data-stock") == ["TEA-001|WH-GZ|B-01-01-01|"]
    assert _marks(_page(browser, "/app/stock?bin=a-01-01"), "data-stock") == ["CUP-002|WH-SH|A-01-01-02|", "TEA-001|WH-SH|A-01-01-01|"]
    assert _marks(_page(browser, "/app/stock?sku=6901234567892"), "data-stock") == every[1:]
    assert _marks(_page(browser, "/app/stock?sku=cup&warehouse=WH-SH"), "data-stock") == every[:1]
    text = _page(browser, "/app/stock?view=warehouse")
    assert _marks(text, "data-stock") == ["CUP-002|WH-SH||", "TEA-001|WH-GZ||", "TEA-001|WH-SH||"]
    sh = _row(text, "data-stock", "TEA-001|WH-SH||")
    assert (cell(sh, "on-hand"), cell(sh, "reserved"), cell(sh, "available"), cell(sh, "in-transit")) == ("16", "0", "16", "4")
    assert _marks(_page(browser, "/app/stock?view=warehouse&warehouse=WH-GZ"), "data-stock") == ["TEA-001|WH-GZ||"]
    assert browser.get("/app/stock?warehouse=NOPE", headers=HTML).status_code == 404
    assert browser.get("/app/stock?view=shelf", headers=HTML).status_code == 422


def test_movement_filters(browser: Browser, world: World) -> None:
    ids = _populate(world)
    browser.login()
    text = _page(browser, "/app/movements")
    rows = re.findall(r'<tr data-movement="\d+">(.*?)</tr>', text, re.S)
    assert len(rows) == 7
    newest = rows[0]  # the transfer's leg into A's transit bin
    assert cell(newest, "qty") == "+4" and "调拨出库" in cell(newest, "reason") and f'href="/app/transfers/{ids["transfer_ba"]}"' in newest
    received = [r for r in rows if "超收" in r][0]
    assert "收货单" in cell(received, "ref") and "管理员" in cell(received, "by")

    def count(query: str) -> int:
        return len(_marks(_page(browser, "/app/movements?" + query), "data-movement"))

    assert count("warehouse=WH-GZ") == 2  # opening stock, transfer out
    assert count("sku=CUP-002") == 1 and count("sku=6901234567892") == 6  # by code, by barcode
    assert count("reason=500") == 2 and count("reason=102") == 1
    assert count("reason=500&warehouse=WH-SH") == 1
    today = _today()
    assert count(f"from={today}&to={today}") == 7 and count("to=2000-01-01") == 0 and count("from=2999-01-01") == 0
    assert count("from=1900-01-01&to=9999-12-31") == 7
    unknown = _page(browser, "/app/movements?sku=NO-SUCH")
    assert "找不到商品：NO-SUCH" in unknown and "data-movement" not in unknown
    for bad in ["reason=999", "reason=abc", "from=2026-13-01", "to=yesterday", "warehouse=NOPE", "size=0", "size=1000"]:
        r = browser.get("/app/movements?" + bad, headers=HTML)
        assert r.status_code in (404, 422) and "<html" in r.text, bad


def _today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).date().isoformat()


def test_transfer_and_receipt_lists_and_details(browser: Browser, world: World) -> None:
    ids = _populate(world)
    browser.login()
    _lang(browser, "en")
    transfers_page = _page(browser, "/app/transfers")
    numbers = _marks(transfers_page, "data-transfer")
    assert numbers == ["TR-000002", "TR-000001"]
    row = _row(transfers_page, "data-transfer", "TR-000001")
    assert (cell(row, "state"), cell(row, "qty"), cell(row, "shipped"), cell(row, "received")) == ("in transit", "4", "4", "0")
    assert "WH-GZ" in cell(row, "from") and "WH-SH" in cell(row, "to")
    assert _marks(_page(browser, "/app/transfers?state=open"), "data-transfer") == ["TR-000002"]
    assert _marks(_page(browser, "/app/transfers?warehouse=ST-01"), "data-transfer") == ["TR-000002"]
    detail = _page(browser, f"/app/transfers/{ids['transfer_ba']}")
    line = _row(detail, "data-line", "1")
    assert (cell(line, "qty"), cell(line, "shipped"), cell(line, "received"), cell(line, "in-transit")) == ("4", "4", "0", "4")
    assert "Movements of this transfer" in detail and detail.count("data-movement=") == 2
    assert _page(browser, "/app/transfers/TR-000001").count('data-line="1"') == 1  # by number too

    receipts_page = _page(browser, "/app/receipts")
    assert _marks(receipts_page, "data-receipt") == ["RC-000002", "RC-000001"]
    row = _row(receipts_page, "data-receipt", "RC-000001")
    assert (cell(row, "reference"), cell(row, "supplier"), cell(row, "state")) == ("DN-A-1", "杭州茶厂", "received")
    assert (cell(row, "expected"), cell(row, "received"), cell(row, "over")) == ("5", "6", "1")
    assert _marks(_page(browser, "/app/receipts?state=expected"), "data-receipt") == ["RC-000002"]
    detail = _page(browser, f"/app/receipts/{ids['receipt_a']}")
    line = _row(detail, "data-line", "1")
    assert (cell(line, "expected"), cell(line, "received"), cell(line, "short"), cell(line, "over")) == ("5", "6", "0", "1")
    assert "Over-receipt" in detail and "Receipt (expected)" in detail
    for path in [f"/app/transfers/{new_id()}", f"/app/receipts/{new_id()}", "/app/transfers/TR-999999"]:
        r = browser.get(path, headers=HTML)
        assert r.status_code == 404 and "<html" in r.text
    assert browser.get("/app/receipts?state=lost", headers=HTML).status_code == 422


# ---- keyset pages ----------------------------------------------------------------------------------


def test_every_list_pages_through_all_rows_exactly_once(browser: Browser, world: World) -> None:
    made = [new_sku(f"P-{i:03d}", f"分页商品{i}", name_en=f"Paged {i}") for i in range(117)]  # + the world's 3 = 120
    with world.store.transaction() as conn:
        catalogue.insert_skus(conn, made)
        ledger.post(conn, [Movement(new_id(), s.id, world.wh_a, world.a1.id, 1, Reason.RECEIPT_UNEXPECTED, world.hlc())
                           for s in made[:100]] + [Movement(new_id(), world.sku, world.wh_b, world.b1.id, 1,
                                                            Reason.RECEIPT_UNEXPECTED, world.hlc()) for _ in range(20)])
        for _ in range(60):
            transfers.create(conn, world.wh_a, world.wh_b, [(world.sku, 1)], hlc=world.hlc())
            receipts.create(conn, world.wh_a, [(world.sku, 1)], hlc=world.hlc())
    browser.login()
    cases = [("/app/skus?size=50", "data-sku", [50, 50, 20], 120), ("/app/movements?size=50", "data-movement", [50, 50, 20], 120),
             ("/app/stock?size=50", "data-stock", [50, 50, 1], 101), ("/app/stock?view=warehouse&size=50", "data-stock", [50, 50, 1], 101),
             ("/app/skus?q=p-0&size=40", "data-sku", [40, 40, 20], 100), ("/app/movements?warehouse=WH-GZ&size=7", "data-movement", [7, 7, 6], 20),
             ("/app/transfers?size=25", "data-transfer", [25, 25, 10], 60), ("/app/receipts?size=25", "data-receipt", [25, 25, 10], 60)]
    for path, attr, sizes, total in cases:
        pages = _walk(browser, path, attr)
        marks = [m for p in pages for m in p]
        assert [len(p) for p in pages] == sizes, path
        assert len(marks) == len(set(marks)) == total, path
    first = _page(browser, "/app/skus?size=50")
    assert 'class="pager-first"' not in first
    second = _page(browser, "/app/skus?size=50&" + re.search(r'pager-next" href="\?([^"]+)"', first).group(1).replace("&amp;", "&"))  # type: ignore[union-attr]
    assert 'class="pager-first"' in second


@pytest.mark.parametrize("path", LISTS)
def test_a_tampered_after_is_a_validation_page_not_a_500(browser: Browser, world: World, path: str) -> None:
    browser.login()
    sep = "&" if "?" in path else "?"
    tokens = ["%%%", "bm90IGpzb24", "A" * 600, encode_key([10**30]), encode_key([10**30] * 2), encode_key([10**30] * 4),
              encode_key(["x"]), encode_key([1]), encode_key(["a", "b"]), encode_key(["a", "b", "c", "d"]),
              encode_key(["a\x00"]), encode_key([None]), encode_key([None, None, None, None])]
    for token in tokens:
        r = browser.get(f"{path}{sep}after={token}", headers=HTML)
        assert r.status_code in (200, 422), (path, token, r.status_code)  # 200 only for a well-formed key of the right types
        if r.status_code == 422:
            assert "invalid.page_cursor" in r.text and "<html" in r.text
    json_answer = browser.get(f"{path}{sep}after=%25%25%25")
    assert json_answer.status_code == 422 and json_answer.json()["error"]["code"] == "invalid.page_cursor"


def test_odd_filter_text_is_refused_or_ignored_never_a_500(browser: Browser, world: World) -> None:
    _populate(world)
    browser.login()
    for path in ["/app/skus?q=", "/app/stock?sku=", "/app/stock?bin=", "/app/movements?sku=", "/app/transfers?warehouse="]:
        for value in ["\x00", "a\x00b", "'; DROP TABLE skus; --", "\\", "_%", "１２３"]:
            r = browser.get(path + _qs(v=value)[2:], headers=HTML)
            assert r.status_code in (200, 404), (path, value, r.status_code)
        r = browser.get(path + "x" * 101, headers=HTML)
        assert r.status_code == 422 and "<html" in r.text, path


# ---- scope and permissions -------------------------------------------------------------------------


def _scoped_user(world: World, browser: Browser, username: str, perms: set[str], warehouse: str) -> None:
    """``username`` holding ``perms`` in ``warehouse`` only, signed in on ``browser``."""
    with world.store.transaction() as conn:
        user = user_store.create(conn, username, username)
        accounts.set_password(conn, username, "a long enough password")
        accounts.ensure_role(conn, f"role-{username}", username, username, perms)
        accounts.grant_role(conn, user.id, f"role-{username}", warehouse_id=warehouse)
    assert browser.login(username, "a long enough password").status_code == 303


def test_a_viewer_scoped_to_warehouse_a_sees_only_a(browser: Browser, world: World) -> None:
    ids = _populate(world)
    _scoped_user(world, browser, "sh_clerk", PERMS, world.wh_a)
    stock = _marks(_page(browser, "/app/stock"), "data-stock")
    assert stock and all("|WH-SH|" in m for m in stock)
    totals = _page(browser, "/app/stock?view=warehouse")
    assert "WH-GZ" not in totals and _marks(totals, "data-stock") == ["CUP-002|WH-SH||", "TEA-001|WH-SH||"]
    movements = _page(browser, "/app/movements")
    assert "B-01-01-01" not in movements and "WH-GZ" not in movements and len(_marks(movements, "data-movement")) == 5
    assert _marks(_page(browser, "/app/transfers"), "data-transfer") == ["TR-000001"]  # B → A: A is its destination
    assert _marks(_page(browser, "/app/receipts"), "data-receipt") == ["RC-000001"]
    assert "DN-B-1" not in _page(browser, "/app/receipts")
    assert _page(browser, f"/app/transfers/{ids['transfer_ba']}").count("data-movement=") == 1  # only the leg in A
    for path in [f"/app/transfers/{ids['transfer_b_shop']}", f"/app/receipts/{ids['receipt_b']}", "/app/transfers/TR-000002",
                 "/app/stock?warehouse=WH-GZ", "/app/movements?warehouse=WH-GZ", "/app/receipts?warehouse=WH-GZ"]:
        r = browser.get(path, headers=HTML)
        assert r.status_code == 404 and "GZ" not in r.text.replace("WH-GZ", "") and "DN-B-1" not in r.text, path
    detail = _page(browser, f"/app/skus/{world.sku}")
    assert "B-01-01-01" not in detail and "WH-GZ" not in detail and "WH-SH" in detail
    assert "WH-GZ" not in _page(browser, "/app/movements").split("<select")[1].split("</select>")[0]  # not offered


def test_sku_detail_hides_stock_and_movements_without_their_permissions(browser: Browser, world: World) -> None:
    _populate(world)
    user_with(world, browser, "catalogue_only", {"skus.view"})
    text = _page(browser, f"/app/skus/{world.sku}")
    assert "6901234567892" in text and "per-warehouse" not in text and "data-movement" not in text
    assert 'href="/app/movements' not in text


@pytest.mark.parametrize("perm, paths", [
    ("skus.view", ["/app/skus", "/app/skus/{sku}"]), ("stock.view", ["/app/stock"]), ("movements.view", ["/app/movements"]),
    ("transfers.view", ["/app/transfers", "/app/transfers/{transfer}"]), ("receipts.view", ["/app/receipts", "/app/receipts/{receipt}"])])
def test_each_page_needs_its_permission(browser: Browser, world: World, perm: str, paths: list[str]) -> None:
    ids = _populate(world)
    fill = {"sku": world.sku, "transfer": ids["transfer_ba"], "receipt": ids["receipt_a"]}
    user_with(world, browser, "outsider", (PERMS - {perm}) | {"dashboard.view"})
    for path in paths:
        r = browser.get(path.format(**fill))
        assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden", path
    assert f'href="{paths[0]}"' not in _page(browser, "/app/")


def test_inventory_routes_declare_their_permissions() -> None:
    from server.web.mount import ROUTES

    declared = {getattr(r, "path", ""): getattr(r, "permission", None) for r in ROUTES}
    assert {p: declared[p] for p in ["/skus", "/skus/{sku_id}", "/stock", "/movements", "/transfers", "/transfers/{transfer_id}",
                                     "/receipts", "/receipts/{receipt_id}"]} == {
        "/skus": "skus.view", "/skus/{sku_id}": "skus.view", "/stock": "stock.view", "/movements": "movements.view",
        "/transfers": "transfers.view", "/transfers/{transfer_id}": "transfers.view", "/receipts": "receipts.view",
        "/receipts/{receipt_id}": "receipts.view"}


# ---- hostile names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_render_inert_on_every_page(browser: Browser, world: World, hostile: str) -> None:
    with world.store.transaction() as conn:
        sku = catalogue.insert_sku(conn, new_sku("EVIL-1", hostile, name_en=hostile, spec=hostile))
        catalogue.insert_platform_sku(conn, new_platform_sku("taobao", hostile, hostile, sku.id))
        r = receipts.create(conn, world.wh_a, [(sku.id, 3)], hlc=world.hlc(), reference="REF-1", supplier_name=hostile)
        receipts.receive(conn, r.id, world.dock_a.id, {sku.id: 2}, hlc=world.hlc(), user_id=hostile, device_id=hostile)
        t = transfers.create(conn, world.wh_a, world.wh_b, [(sku.id, 1)], hlc=world.hlc())
        moves.single(conn, sku.id, world.a1.id, 1, Reason.RETURN_CUSTOMER, hlc=world.hlc())
    browser.login()
    for lang in ("zh-CN", "en"):
        _lang(browser, lang)
        for path in ["/app/skus", "/app/skus?" + _qs(q=hostile), f"/app/skus/{sku.id}", "/app/stock", "/app/stock?view=warehouse",
                     "/app/movements", "/app/movements?" + _qs(sku=hostile), f"/app/transfers/{t.id}", "/app/receipts",
                     f"/app/receipts/{r.id}"]:
            text = _page(browser, path)
            assert "<script>alert" not in text and ">49<" not in text and " 49 " not in text, path
            if path in ("/app/skus", "/app/stock", "/app/movements", f"/app/receipts/{r.id}"):
                assert html.escape(hostile, quote=False) in text, path
