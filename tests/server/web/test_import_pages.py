"""The Import pages: templates to download, a multipart upload (CSRF as a form field, 20 MiB limit with
a 413 page, not-a-table files refused) → a dry-run report that writes nothing (reasons in the viewer's
language, hostile text inert) → rejected rows as CSV/XLSX → confirm, which commits exactly the plan
shown or, if the store changed since, nothing. Uploads are bound to the session and expire."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from server.imports.staging import Staging
from server.store import accounts, catalogue
from server.store import users as user_store
from server.store.schema import bins, skus
from server.web import import_pages
from server.web.forms import MAX_UPLOAD_BYTES
from shared.catalogue.model import new_sku
from tests.server.web.conftest import ORIGIN, Browser, Clock
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
GOOD_EAN = "6901234567892"
BAD_EAN = "6901234567891"  # wrong check digit
_TOKEN = re.compile(r"^/app/import/report\?token=([A-Za-z0-9_-]{32})$")


@pytest.fixture(autouse=True)
def staging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Staging:
    area = Staging(tmp_path / "staging")
    monkeypatch.setattr(import_pages, "STAGING", area)
    return area


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


SKU_FILE = [["商品编码", "商品名称", "条码"], ["NEW-1", "新品一号", GOOD_EAN], ["NEW-2", "新品二号", BAD_EAN]]


def _upload(browser: Browser, content: bytes, *, kind: str = "skus", filename: str = "商品.csv",
            csrf: bool = True) -> object:
    data = {"kind": kind}
    if csrf:
        data["csrf_token"] = browser.csrf_from("/app/import")
    return browser.post("/app/import", data, files={"file": (filename, content, "text/csv")}, headers=HTML)


def _report(browser: Browser, content: bytes, **kw: object) -> tuple[str, str]:
    r = _upload(browser, content, **kw)  # type: ignore[arg-type]
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    found = _TOKEN.search(r.headers["location"])  # type: ignore[attr-defined]
    assert found, r.headers["location"]  # type: ignore[attr-defined]
    page = browser.get(_report_url(found.group(1)), headers=HTML)
    assert page.status_code == 200, page.text
    return found.group(1), page.text


def _report_url(token: str) -> str:
    return f"/app/import/report?token={token}"


def _confirm(browser: Browser, token: str, **fields: str) -> object:
    csrf = browser.csrf_from(_report_url(token))
    return browser.post("/app/import/confirm", {"csrf_token": csrf, "token": token, **fields}, headers=HTML)


def _sku_count(world: World) -> int:
    with world.store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(skus)).scalar_one())


def _row(text: str, number: int) -> str:
    found = re.search(rf'<tr data-row="{number}">(.*?)</tr>', text, re.S)
    assert found, text
    return found.group(1)


def test_import_page_renders_in_both_languages_with_template_links(browser: Browser) -> None:
    browser.login()
    for lang, words in (("zh-CN", ["导入", "商品与条码", "期初库存", "下载模板"]), ("en", ["Import", "Opening stock", "Download a template"])):
        browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
        r = browser.get("/app/import", headers=HTML)
        assert r.status_code == 200
        assert all(w in r.text for w in words)
        assert 'enctype="multipart/form-data"' in r.text and 'name="csrf_token"' in r.text
        for kind in ("skus", "bins", "stock"):
            assert f"/app/import/template?kind={kind}&amp;format=xlsx" in r.text
            assert f"/app/import/template?kind={kind}&amp;format=csv" in r.text


def test_xlsx_template_has_chinese_headers_and_text_cells(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/import/template?kind=skus&format=xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    assert "filename*=UTF-8''%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF_skus.xlsx" in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["商品编码", "商品名称", "英文名称"] and "条码" in headers
    assert sheet["A2"].number_format == "@" and sheet.cell(row=100, column=headers.index("条码") + 1).number_format == "@"


def test_csv_template_is_utf8_with_bom_and_reads_back(browser: Browser) -> None:
    browser.login()
    r = browser.get("/app/import/template?kind=stock&format=csv")
    assert r.status_code == 200 and r.content.startswith(codecs.BOM_UTF8)
    assert next(csv.reader(io.StringIO(r.content.decode("utf-8-sig")))) == ["仓库编码", "库位编码", "商品编码", "数量", "批次"]
    assert browser.get("/app/import/template?kind=stock&format=pdf").status_code == 422
    assert browser.get("/app/import/template?kind=nope&format=csv").status_code == 422


def test_dry_run_writes_nothing_and_reports_reasons_in_both_languages(browser: Browser, world: World) -> None:
    browser.login()
    before = _sku_count(world)
    token, text = _report(browser, _csv(SKU_FILE, "gb18030"))  # GBK/GB18030 from Chinese Excel
    assert _sku_count(world) == before
    assert 'class="tile-value count-total">2<' in text and 'class="tile-value count-accepted">1<' in text
    assert 'class="tile-value count-rejected">1<' in text
    assert "将新建 1 个商品、1 个条码" in text and "不会修改任何已有数据" in text
    rejected = _row(text, 3)
    assert cell(rejected, "row-label") == "NEW-2" and "barcode." in cell(rejected, "row-code")
    assert "校验" in cell(rejected, "row-reason")
    browser.client.cookies.set("lang", "en", domain="testserver.local", path="/app")
    english = browser.get(_report_url(token), headers=HTML).text
    assert "check digit" in cell(_row(english, 3), "row-reason").lower()
    assert "Would create 1 SKUs and 1 barcodes" in english


def test_confirm_needs_the_partial_tick_then_imports_exactly_the_accepted_rows(browser: Browser, world: World) -> None:
    browser.login()
    token, _ = _report(browser, _csv(SKU_FILE))
    refused = _confirm(browser, token)
    assert refused.status_code == 409 and "import.not_confirmed" in refused.text  # type: ignore[attr-defined]
    done = _confirm(browser, token, accept_partial="1")
    assert done.status_code == 303  # type: ignore[attr-defined] and done.headers["location"] == "/app/import?imported=1"  # type: ignore[attr-defined]
    with world.store.read() as conn:
        assert catalogue.get_sku(conn, "NEW-1").name_zh == "新品一号"
        assert conn.execute(select(skus.c.id).where(skus.c.code == "NEW-2")).first() is None
    assert "已导入 1 行" in browser.get("/app/import?imported=1", headers=HTML).text
    assert browser.get(_report_url(token), headers=HTML).status_code == 404  # used up


def test_a_clean_file_imports_bins_without_the_tick(browser: Browser, world: World) -> None:
    browser.login()
    token, text = _report(browser, _csv([["仓库", "库位", "拣货顺序"], ["WH-SH", "Z-01", "9"], ["WH-SH", "Z-02", "10"]]),
                          kind="bins")
    assert "accept_partial" not in text and "将新建 2 个库位" in text
    assert _confirm(browser, token).status_code == 303  # type: ignore[attr-defined]
    with world.store.read() as conn:
        assert {b.code for b in catalogue.list_bins(conn, world.wh_a)} >= {"Z-01", "Z-02"}


def test_store_change_after_the_dry_run_makes_the_plan_stale_and_nothing_is_written(browser: Browser, world: World) -> None:
    browser.login()
    good = [["商品编码", "商品名称"], ["NEW-1", "新品一号"], ["NEW-3", "新品三号"]]
    token, _ = _report(browser, _csv(good))
    with world.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("NEW-3", "别人先建的"))
    before = _sku_count(world)
    r = _confirm(browser, token)
    assert r.status_code == 409 and "import.stale_plan" in r.text and "预检之后数据已被他人修改" in r.text  # type: ignore[attr-defined]
    assert _sku_count(world) == before
    with world.store.read() as conn:
        assert conn.execute(select(skus.c.id).where(skus.c.code == "NEW-1")).first() is None


def test_rejected_rows_download_as_csv_and_xlsx_with_reasons(browser: Browser) -> None:
    browser.login()
    rows = [["商品编码", "商品名称", "条码"], ["NEW-1", "新品一号", BAD_EAN], ["=HYPERLINK(1)", "x", ""]]
    token, text = _report(browser, _csv(rows), filename="我的商品.csv")
    r = browser.get(f"/app/import/rejected?token={token}&file=rejected.csv")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    assert "%E6%88%91%E7%9A%84%E5%95%86%E5%93%81.rejected.csv" in r.headers["content-disposition"]
    read = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert read[0][:3] == ["商品编码", "商品名称", "条码"] and read[0][-1] == "Reason (English)"
    assert read[1][:3] == ["NEW-1", "新品一号", BAD_EAN] and read[1][3] == "2"
    assert read[2][0] == "'=HYPERLINK(1)"  # formula-escaped
    x = browser.get(f"/app/import/rejected?token={token}&file=rejected.xlsx")
    sheet = load_workbook(io.BytesIO(x.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:4] == ["NEW-1", "新品一号", BAD_EAN, "2"] and sheet["C2"].data_type == "s"
    assert values[2][0] == "=HYPERLINK(1)" and sheet["A3"].data_type == "s"  # text, not a formula
    assert browser.get(f"/app/import/rejected?token={token}&file=upload.bin").status_code == 404
    assert browser.get(f"/app/import/rejected?token={token}&file=../meta.json").status_code == 404
    assert browser.get("/app/import/rejected?token=../../etc&file=rejected.csv").status_code == 404


def test_xlsx_upload_keeps_barcodes_as_typed(browser: Browser, world: World) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["商品编码 (code)", "商品名称 (name_zh)", "条码 (barcode)"])
    sheet.append(["NEW-9", "表格商品", GOOD_EAN])
    out = io.BytesIO()
    book.save(out)
    browser.login()
    token, text = _report(browser, out.getvalue(), filename="skus.xlsx")
    assert 'count-accepted">1<' in text
    _confirm(browser, token)
    with world.store.read() as conn:
        assert [b.raw for b in catalogue.barcodes_of(conn, catalogue.get_sku(conn, "NEW-9").id)] == [GOOD_EAN]


@pytest.mark.parametrize(("filename", "content"), [
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("scan.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("notes.docx", b"PK\x03\x04 whatever"),
])
def test_a_file_that_is_not_csv_or_xlsx_gets_a_clear_error(browser: Browser, filename: str, content: bytes) -> None:
    browser.login()
    r = _upload(browser, content, filename=filename)
    assert r.status_code == 422 and "web.files.not_a_table" in r.text  # type: ignore[attr-defined]
    assert "不是 CSV 或 XLSX 文件" in r.text  # type: ignore[attr-defined]


def test_old_xls_and_undecodable_text_get_the_engines_errors(browser: Browser) -> None:
    browser.login()
    old = _upload(browser, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, filename="old.xls.csv")
    assert old.status_code == 422 and "import.old_xls" in old.text  # type: ignore[attr-defined]
    utf16 = _upload(browser, _csv(SKU_FILE, "utf-16"), filename="unicode.txt")
    assert utf16.status_code == 303  # type: ignore[attr-defined]


def test_oversize_upload_gets_a_413_page_and_nothing_is_kept(browser: Browser, staging: Staging) -> None:
    browser.login()
    r = _upload(browser, b"a" * (MAX_UPLOAD_BYTES + 1))
    assert r.status_code == 413 and "web.files.too_large" in r.text and "20 MiB" in r.text  # type: ignore[attr-defined]
    assert not staging.root.exists() or not any(staging.root.iterdir())


def test_a_streamed_body_without_length_is_counted(browser: Browser) -> None:
    browser.login()
    token = browser.csrf_from("/app/import")
    boundary = "b0undary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nskus\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n').encode()

    def body():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(21):
            yield b"x" * (1024 * 1024)

    r = browser.client.post("/app/import", content=body(), headers={
        "Origin": ORIGIN, "Accept": "text/html", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and "web.files.too_large" in r.text


def test_upload_without_csrf_token_is_refused(browser: Browser, world: World) -> None:
    browser.login()
    r = _upload(browser, _csv(SKU_FILE), csrf=False)
    assert r.status_code == 403 and "csrf.missing_token" in r.text  # type: ignore[attr-defined]
    assert _sku_count(world) == 3


def test_files_are_refused_on_routes_that_take_none(browser: Browser) -> None:
    browser.login()
    csrf = browser.csrf_from("/app/import")
    r = browser.post("/app/logout", {"csrf_token": csrf}, files={"file": ("a.csv", b"x", "text/csv")}, headers=HTML)
    assert r.status_code == 422 and "web.bad_form" in r.text


def test_import_pages_refuse_a_viewer_without_the_permission(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view"})
    assert browser.get("/app/import", headers=HTML).status_code == 403
    assert browser.get("/app/import/template?kind=skus&format=csv", headers=HTML).status_code == 403
    assert "/app/import" not in browser.get("/app/", headers=HTML).text


def test_another_session_cannot_open_the_report_and_uploads_expire(browser: Browser, second_browser: Browser,
                                                                   clock: Clock) -> None:
    browser.login()
    token, _ = _report(browser, _csv(SKU_FILE))
    second_browser.login()
    assert second_browser.get(_report_url(token), headers=HTML).status_code == 404
    assert second_browser.get(f"/app/import/rejected?token={token}&file=rejected.csv").status_code == 404
    assert browser.get(_report_url("not-a-token"), headers=HTML).status_code == 404
    clock.advance(minutes=61)
    browser.login()
    expired = browser.get(_report_url(token), headers=HTML)
    assert expired.status_code == 404 and "web.files.upload_expired" in expired.text


def test_discard_forgets_the_upload(browser: Browser, staging: Staging) -> None:
    browser.login()
    token, _ = _report(browser, _csv(SKU_FILE))
    r = browser.post("/app/import/discard", {"csrf_token": browser.csrf_from(_report_url(token)), "token": token})
    assert r.status_code == 303 and not (staging.root / token).exists()


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}"])
def test_hostile_file_names_and_cells_render_inert(browser: Browser, hostile: str) -> None:
    browser.login()
    rows = [["商品编码", "商品名称", "条码"], [hostile, "x", ""]]
    _, text = _report(browser, _csv(rows), filename=f"{hostile}.csv")
    label = cell(_row(text, 2), "row-label")
    assert "<" not in label and label.replace("&lt;", "<").replace("&gt;", ">") == hostile
    assert "<script>alert" not in text and ">49<" not in text


def test_import_needs_the_permission_everywhere_not_in_one_warehouse(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        user = user_store.create(conn, "sh-clerk", "sh-clerk")
        accounts.set_password(conn, "sh-clerk", "a long enough password")
        accounts.ensure_role(conn, "import-sh", "导入", "import", {"import.run", "dashboard.view"})
        accounts.grant_role(conn, user.id, "import-sh", warehouse_id=world.wh_a)
    assert browser.login("sh-clerk", "a long enough password").status_code == 303
    assert browser.get("/app/import", headers=HTML).status_code == 403
    csrf = browser.csrf_from("/app/sessions")
    r = browser.post("/app/import", {"csrf_token": csrf, "kind": "bins"},
                     files={"file": ("b.csv", _csv([["仓库", "库位"], ["WH-SH", "Q-01"]]), "text/csv")}, headers=HTML)
    assert r.status_code == 403
    with world.store.read() as conn:
        assert conn.execute(select(bins.c.id).where(bins.c.code == "Q-01")).first() is None


def test_a_multipart_form_with_thousands_of_parts_is_refused(browser: Browser) -> None:
    browser.login()
    fields = {"csrf_token": browser.csrf_from("/app/import"), "kind": "skus", **{f"f{n}": "x" for n in range(5000)}}
    r = browser.post("/app/import", fields, files={"file": ("a.csv", _csv(SKU_FILE), "text/csv")}, headers=HTML)
    assert r.status_code == 422 and "web.bad_form" in r.text
    two_files = browser.post("/app/import", {"csrf_token": fields["csrf_token"], "kind": "skus"}, headers=HTML,
                             files=[("file", ("a.csv", b"x", "text/csv")), ("other", ("b.csv", b"y", "text/csv"))])
    assert two_files.status_code == 422 and "web.bad_form" in two_files.text
