"""The Export page: SKUs with barcodes, bins, stock by bin and movements for a date range, as XLSX
(codes as text cells, never 6.9E+12) or CSV (UTF-8 with BOM, formula-escaped), with a UTF-8 file name
(RFC 5987); warehouse-owned rows only from warehouses the viewer may see. Files are read back."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from server.store import accounts, catalogue
from server.store import users as user_store
from shared.catalogue.model import new_sku
from tests.server.web.conftest import Browser
from tests.server.web.helpers import user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
LEADING_ZERO_EAN = "0036000241457"


def _sheet(r: httpx.Response) -> list[list[object]]:
    assert r.status_code == 200, r.text
    assert "spreadsheetml" in r.headers["content-type"]
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows()]


def _csv(r: httpx.Response) -> list[list[str]]:
    assert r.status_code == 200, r.text
    assert r.content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def _sh_only(world: World, browser: Browser, perms: set[str]) -> None:
    with world.store.transaction() as conn:
        user = user_store.create(conn, "sh-clerk", "sh-clerk")
        accounts.set_password(conn, "sh-clerk", "a long enough password")
        accounts.ensure_role(conn, "sh-role", "上海", "Shanghai", perms)
        accounts.grant_role(conn, user.id, "sh-role", warehouse_id=world.wh_a)
    assert browser.login("sh-clerk", "a long enough password").status_code == 303


def test_export_page_renders_in_both_languages(browser: Browser) -> None:
    browser.login()
    for lang, words in (("zh-CN", ["导出", "库存（按库位）", "库存流水（按日期）"]), ("en", ["Export", "Stock by bin", "Movements"])):
        browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
        r = browser.get("/app/export", headers=HTML)
        assert r.status_code == 200 and all(w in r.text for w in words)
        assert 'value="WH-SH"' in r.text and 'value="WH-GZ"' in r.text and 'name="from"' in r.text


def test_skus_xlsx_keeps_barcodes_as_text_and_names_the_file_in_utf8(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, LEADING_ZERO_EAN)
    browser.login()
    r = browser.get("/app/export?what=skus&format=xlsx")
    rows = _sheet(r)
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"") and "filename*=UTF-8''%E5%95%86%E5%93%81_" in disposition
    assert rows[0][0] == "商品编码 (code)"
    tea = next(row for row in rows if row[0] == "TEA-001")
    assert tea[6] == LEADING_ZERO_EAN and tea[1] == "西湖龙井 250g"
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    barcode_cell = next(row[6] for row in sheet.iter_rows() if row[0].value == "TEA-001")
    assert barcode_cell.data_type == "s" and barcode_cell.number_format == "@"


def test_skus_csv_escapes_formulas(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("EVIL-1", "=HYPERLINK(\"http://x\")"))
    browser.login()
    rows = _csv(browser.get("/app/export?what=skus&format=csv"))
    evil = next(row for row in rows if row[0] == "EVIL-1")
    assert evil[1] == "'=HYPERLINK(\"http://x\")"


def test_stock_by_bin_for_every_warehouse_the_admin_sees(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 7)
    world.stock(world.sku2, world.b1, 4)
    browser.login()
    rows = _sheet(browser.get("/app/export?what=stock&format=xlsx"))
    assert [(r[0], r[1], r[2], r[5]) for r in rows[1:]] == [("WH-GZ", "B-01-01-01", "CUP-002", 4), ("WH-SH", "A-01-01-01", "TEA-001", 7)]
    one = browser.get("/app/export?what=stock&format=csv&warehouse=WH-SH")
    assert "%E5%BA%93%E5%AD%98_WH-SH_" in one.headers["content-disposition"]
    assert [r[:3] for r in _csv(one)[1:]] == [["WH-SH", "A-01-01-01", "TEA-001"]]


def test_warehouse_owned_exports_only_cover_the_viewers_warehouses(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 7)
    world.stock(world.sku2, world.b1, 4)
    _sh_only(world, browser, {"export.run"})
    page = browser.get("/app/export", headers=HTML).text
    assert 'value="WH-SH"' in page and "WH-GZ" not in page
    rows = _csv(browser.get("/app/export?what=stock&format=csv"))
    assert {r[0] for r in rows[1:]} == {"WH-SH"}
    bins = _csv(browser.get("/app/export?what=bins&format=csv"))
    assert {r[0] for r in bins[1:]} == {"WH-SH"} and "B-01-01-01" not in str(bins)
    assert browser.get("/app/export?what=stock&format=csv&warehouse=WH-GZ", headers=HTML).status_code == 403
    assert browser.get("/app/export?what=movements&format=csv&warehouse=WH-GZ&from=2026-01-01&to=2026-01-02",
                       headers=HTML).status_code == 403


def test_movements_for_a_date_range(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 7)
    world.stock(world.lot_sku, world.b1, 3, batch="L-1")
    today = datetime.now(UTC).date()
    browser.login()
    rows = _sheet(browser.get(f"/app/export?what=movements&format=xlsx&from={today - timedelta(days=1)}&to={today}"))
    assert rows[0][:4] == ["时间(UTC) (recorded_at)", "仓库编码 (warehouse)", "库位编码 (bin)", "商品编码 (code)"]
    found = {(r[1], r[2], r[3], r[5] or "", r[6], r[8]) for r in rows[1:]}  # an empty text cell reads as None
    assert found == {("WH-SH", "A-01-01-01", "TEA-001", "", 7, "receipt"), ("WH-GZ", "B-01-01-01", "MILK-003", "L-1", 3, "receipt")}
    old = _csv(browser.get(f"/app/export?what=movements&format=csv&from={today - timedelta(days=9)}&to={today - timedelta(days=2)}"))
    assert len(old) == 1  # the header only
    only_sh = _csv(browser.get(f"/app/export?what=movements&format=csv&warehouse=WH-SH&from={today}&to={today}"))
    assert [r[1] for r in only_sh[1:]] == ["WH-SH"]


@pytest.mark.parametrize("query", ["what=nope&format=csv", "what=skus&format=pdf", "what=movements&format=csv&from=x&to=y",
                                   "what=movements&format=csv&from=2026-02-01&to=2026-01-01",
                                   "what=movements&format=csv&from=2020-01-01&to=2026-01-01"])
def test_bad_export_requests_get_a_clear_error(browser: Browser, query: str) -> None:
    browser.login()
    r = browser.get(f"/app/export?{query}", headers=HTML)
    assert r.status_code == 422 and 'role="alert"' in r.text


def test_export_refuses_a_viewer_without_the_permission(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    assert browser.get("/app/export", headers=HTML).status_code == 403
    assert browser.get("/app/export?what=skus&format=csv", headers=HTML).status_code == 403
