"""The Printing page: bin labels by warehouse and code prefix, SKU labels by code list, as PDF (50×30 mm
or A4) or ZPL, and pick lists for pick tasks; only for warehouses the viewer may print in (a foreign
pick task is 404 like an unknown one). PDFs are parsed back (pypdf)."""

from __future__ import annotations

import io

import httpx
import pytest
from pypdf import PdfReader

from server.store import accounts, catalogue, tasks
from server.store import users as user_store
from server.web import label_pages
from shared.catalogue.model import new_sku
from tests.server.web.conftest import Browser
from tests.server.web.helpers import user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
EAN = "6901234567892"


def _pdf(r: httpx.Response) -> PdfReader:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(r.content))


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def _pick(world: World, warehouse: str | None = None) -> str:
    wid = warehouse or world.wh_a
    bins_ = (world.a3, world.a1) if wid == world.wh_a else (world.b1, world.b1)
    with world.store.transaction() as conn:
        task = tasks.create_pick(conn, wid, [{"sku_id": world.sku, "bin_id": bins_[0].id, "qty": 2},
                                             {"sku_id": world.sku2, "bin_id": bins_[1].id, "qty": 5}], hlc=world.hlc())
    return task.id


def _sh_printer(world: World, browser: Browser) -> None:
    with world.store.transaction() as conn:
        user = user_store.create(conn, "sh-printer", "sh-printer")
        accounts.set_password(conn, "sh-printer", "a long enough password")
        accounts.ensure_role(conn, "print-sh", "上海打印", "SH printing", {"labels.print"})
        accounts.grant_role(conn, user.id, "print-sh", warehouse_id=world.wh_a)
    assert browser.login("sh-printer", "a long enough password").status_code == 303


def test_labels_page_renders_in_both_languages_with_open_pick_tasks(browser: Browser, world: World) -> None:
    task_id = _pick(world)
    browser.login()
    for lang, words in (("zh-CN", ["库位标签", "商品标签", "拣货单", "ZPL"]), ("en", ["Bin labels", "SKU labels", "Pick lists"])):
        browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
        r = browser.get("/app/labels", headers=HTML)
        assert r.status_code == 200 and all(w in r.text for w in words)
        assert f'href="/app/labels/pick/{task_id}"' in r.text and 'value="WH-GZ"' in r.text


def test_bin_labels_pdf_for_a_prefix_storage_bins_only(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/labels?labels=bins&warehouse=WH-SH&prefix=a-01-01&format=pdf_label&copies=1")
    reader = _pdf(r)
    assert len(reader.pages) == 2
    assert "A-01-01-01" in reader.pages[0].extract_text() and "A-01-01-02" in reader.pages[1].extract_text()
    assert "_DOCK" not in _text(reader)
    assert r.headers["content-disposition"].startswith("inline; ") and "filename*=UTF-8''" in r.headers["content-disposition"]
    sheet = _pdf(browser.get("/app/labels?labels=bins&warehouse=WH-SH&format=pdf_a4&copies=2"))
    assert len(sheet.pages) == 1 and _text(sheet).count("A-01-02-01") >= 2


def test_bin_labels_zpl(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/labels?labels=bins&warehouse=WH-SH&prefix=A-01-01&format=zpl&copies=2")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"].startswith("attachment; ") and ".zpl" in r.headers["content-disposition"]
    assert r.text.count("^XA") == 2 and r.text.count("^XZ") == 2 and r.text.count("^PQ2") == 2 and "^CI28" in r.text


def test_sku_labels_by_code_list_with_barcode_and_hostile_name(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.add_barcode(conn, world.sku, EAN)
        catalogue.insert_sku(conn, new_sku("EVIL-1", "<script>alert(1)</script>^XZ~JA"))
    browser.login()
    reader = _pdf(browser.get("/app/labels", params={"labels": "skus", "codes": "tea-001, CUP-002\nTEA-001；EVIL-1",
                                                     "format": "pdf_label", "copies": "1"}))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) == 3 and "TEA-001" in pages[0] and "西湖龙井" in pages[0] and "CUP-002" in pages[1]
    assert "<script>alert(1)</script>" in pages[2]
    zpl = browser.get("/app/labels", params={"labels": "skus", "codes": "TEA-001 EVIL-1", "format": "zpl", "copies": "1"}).text
    assert "^BEN,70,Y,N^FD690123456789^FS" in zpl and zpl.count("^XZ") == 2 and "~" not in zpl


def test_sku_labels_for_a_search(browser: Browser, world: World) -> None:
    browser.login()
    reader = _pdf(browser.get("/app/labels", params={"labels": "skus", "codes": "", "q": "cup", "format": "pdf_a4", "copies": "1"}))
    text = _text(reader)
    assert "CUP-002" in text and "TEA-001" not in text
    none = browser.get("/app/labels", params={"labels": "skus", "q": "no such thing", "format": "zpl", "copies": "1"}, headers=HTML)
    assert none.status_code == 422 and "print.nothing" in none.text


def test_unknown_skus_and_bad_options_get_clear_errors(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    browser.login()
    unknown = browser.get("/app/labels?labels=skus&codes=TEA-001,NOPE-1,NOPE-2&format=pdf_label&copies=1", headers=HTML)
    assert unknown.status_code == 422 and "NOPE-1, NOPE-2" in unknown.text
    for query in ("labels=skus&codes=TEA-001&format=png&copies=1", "labels=skus&codes=TEA-001&format=zpl&copies=0",
                  "labels=skus&codes=TEA-001&format=zpl&copies=101", "labels=skus&codes=TEA-001&format=zpl&copies=２",
                  "labels=skus&codes=&format=zpl&copies=1", "labels=bins&warehouse=WH-SH&prefix=ZZZ&format=zpl&copies=1"):
        r = browser.get(f"/app/labels?{query}", headers=HTML)
        assert r.status_code == 422 and 'role="alert"' in r.text, query
    monkeypatch.setattr(label_pages, "MAX_LABELS", 5)
    many = browser.get("/app/labels?labels=bins&warehouse=WH-SH&format=zpl&copies=2", headers=HTML)
    assert many.status_code == 422 and "print.too_many" in many.text


def test_pick_list_pdf_in_walking_order(browser: Browser, world: World) -> None:
    task_id = _pick(world)
    browser.login()
    r = browser.get(f"/app/labels/pick/{task_id}")
    text = _text(_pdf(r))
    assert "拣货单" in text and task_id in text and "WH-SH" in text and "2 行 · 7 件" in text
    assert text.index("A-01-01-01") < text.index("A-01-02-01")  # walk_seq 1 before 3
    assert "青花瓷杯" in text and "西湖龙井 250g" in text
    browser.client.cookies.set("lang", "en", domain="testserver.local", path="/app")
    assert "Pick list" in _text(_pdf(browser.get(f"/app/labels/pick/{task_id}")))


def test_pick_lists_only_for_the_viewers_warehouses(browser: Browser, world: World) -> None:
    mine, foreign = _pick(world), _pick(world, world.wh_b)
    with world.store.transaction() as conn:
        count = tasks.create(conn, "count", world.wh_a, {"bins": []}, hlc=world.hlc()).id
    _sh_printer(world, browser)
    page = browser.get("/app/labels", headers=HTML).text
    assert mine in page and foreign not in page and "WH-GZ" not in page and "B-01-01-01" not in page
    assert browser.get(f"/app/labels/pick/{mine}").status_code == 200
    assert browser.get(f"/app/labels/pick/{foreign}", headers=HTML).status_code == 404
    assert browser.get("/app/labels/pick/no-such-task", headers=HTML).status_code == 404
    assert browser.get(f"/app/labels/pick/{count}", headers=HTML).status_code == 404
    assert browser.get("/app/labels?labels=bins&warehouse=WH-GZ&format=zpl&copies=1", headers=HTML).status_code == 403
    assert browser.get("/app/labels?labels=bins&warehouse=WH-SH&format=zpl&copies=1").status_code == 200


def test_labels_refuse_a_viewer_without_the_permission(browser: Browser, world: World) -> None:
    task_id = _pick(world)
    user_with(world, browser, "clerk", {"dashboard.view"})
    assert browser.get("/app/labels", headers=HTML).status_code == 403
    assert browser.get("/app/labels?labels=skus&codes=TEA-001&format=zpl&copies=1", headers=HTML).status_code == 403
    assert browser.get(f"/app/labels/pick/{task_id}", headers=HTML).status_code == 403
