"""The Ctrl+K search page: grouped results by code, barcode, pinyin initials and Chinese text in both
languages; the htmx fragment; groups and bins limited to what the viewer may open; 403 without
``search.use``; hostile names inert; the top bar's button and dialog; vendored scripts that match
VERSIONS.md and need no inline script."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from server.store import accounts, catalogue
from server.store import users as user_store
from server.web.render import STATIC_DIR
from shared.catalogue.model import new_sku
from tests.server.web.conftest import Browser
from tests.server.web.helpers import user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
HTMX = {"Accept": "text/html", "HX-Request": "true"}


def _set_lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _results(text: str) -> list[tuple[str, str]]:
    """(href, label) of every result, in order."""
    return re.findall(r'<a class="search-result" href="([^"]+)"[^>]*>\s*<span class="search-label">(.*?)</span>', text, re.S)


def _group_kinds(text: str) -> list[str]:
    return re.findall(r'<section class="search-group" data-kind="(\w+)">', text)


@pytest.mark.parametrize(("lang", "label", "group"), [("zh-CN", "西湖龙井 250g", "商品"), ("en", "Longjing tea 250g", "SKUs")])
def test_search_by_pinyin_initials_renders_a_full_page_in_each_language(browser: Browser, world: World, lang: str,
                                                                          label: str, group: str) -> None:
    browser.login()
    _set_lang(browser, lang)
    r = browser.get("/app/search?q=xhlj", headers=HTML)
    assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    assert _results(r.text) == [(f"/app/skus/{world.sku}", label)]
    assert f"<h3>{group}</h3>" in r.text and 'value="xhlj"' in r.text


def test_htmx_gets_the_results_fragment_only(browser: Browser, world: World) -> None:
    browser.login()
    r = browser.get("/app/search?q=TEA-001", headers=HTMX)
    assert r.status_code == 200 and "<html" not in r.text and "<header" not in r.text
    ((href, _),) = _results(r.text)
    assert href == f"/app/skus/{world.sku}" and "完全匹配" in r.text  # an exact code match is marked


def test_results_are_grouped_and_link_to_each_kind(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("A-01-KIT", "货架套件"))
    browser.login()
    text = browser.get("/app/search?q=a-01", headers=HTMX).text
    assert _group_kinds(text) == ["sku", "bin"]
    hrefs = [h for h, _ in _results(text)]
    assert hrefs[0].startswith("/app/skus/") and f"/app/stock?bin={world.a1.id}" in hrefs
    assert not any("/app/stock?bin=" + world.b1.id in h for h in hrefs)


def test_barcode_and_chinese_substring_find_the_sku(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        sku = catalogue.insert_sku(conn, new_sku("BT-9", "无线蓝牙耳机"))
        catalogue.add_barcode(conn, sku.id, "6901234567892")
    browser.login()
    for q in ["6901234567892", "６９０１２３４５６７８９２", "蓝牙", "wxlyej"]:
        assert _results(browser.get(f"/app/search?q={q}", headers=HTMX).text)[0][0] == f"/app/skus/{sku.id}", q


def test_empty_and_unmatched_queries_say_so(browser: Browser, world: World) -> None:
    browser.login()
    assert "输入编码、条码、名称或拼音首字母开始搜索" in browser.get("/app/search", headers=HTML).text
    text = browser.get("/app/search?q=nothing-like-this", headers=HTMX).text
    assert "没有找到“nothing-like-this”" in text and _results(text) == []


def test_a_query_too_long_is_an_error_in_place_of_results(browser: Browser, world: World) -> None:
    browser.login()
    page = browser.get("/app/search?q=" + "x" * 300, headers=HTML)
    assert page.status_code == 422 and "搜索内容过长" in page.text
    fragment = browser.get("/app/search?q=" + "x" * 300, headers=HTMX)
    assert fragment.status_code == 200 and 'role="alert"' in fragment.text


def test_a_viewer_without_search_use_gets_403_and_no_search_button(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"dashboard.view", "skus.view"})
    r = browser.get("/app/search?q=tea", headers=HTML)
    assert r.status_code == 403 and "search.use" in r.text
    dashboard = browser.get("/app/", headers=HTML).text
    assert "data-search-open" not in dashboard and 'id="search-dialog"' not in dashboard


def test_groups_follow_the_viewers_permissions(browser: Browser, world: World) -> None:
    user_with(world, browser, "picker", {"search.use", "stock.view"})  # bins, but no SKUs
    text = browser.get("/app/search?q=a-01", headers=HTMX).text
    assert _group_kinds(text) == ["bin"]
    assert _results(browser.get("/app/search?q=xhlj", headers=HTMX).text) == []


def test_bins_only_from_warehouses_the_viewer_may_see(browser: Browser, world: World) -> None:
    with world.store.transaction() as conn:
        user = user_store.create(conn, "gz", "广州仓管")
        accounts.set_password(conn, "gz", "a long enough password")
        accounts.ensure_role(conn, "search-all", "搜索", "Search", {"search.use"})
        accounts.ensure_role(conn, "stock-gz", "广州库存", "GZ stock", {"stock.view"})
        accounts.grant_role(conn, user.id, "search-all")
        accounts.grant_role(conn, user.id, "stock-gz", warehouse_id=world.wh_b)
    assert browser.login("gz", "a long enough password").status_code == 303
    hrefs = [h for h, _ in _results(browser.get("/app/search?q=01-01", headers=HTMX).text)]
    assert hrefs == [f"/app/stock?bin={world.b1.id}"]


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "{{7*7}}", "<img src=x onerror=alert(1)>"])
def test_hostile_names_and_queries_render_inert(browser: Browser, world: World, hostile: str) -> None:
    with world.store.transaction() as conn:
        catalogue.insert_sku(conn, new_sku("EVIL-1", hostile, name_en=hostile))
    browser.login()
    for lang in ("zh-CN", "en"):
        _set_lang(browser, lang)
        for headers in (HTML, HTMX):
            text = browser.get("/app/search", params={"q": "evil-1"}, headers=headers).text
            ((_, label),) = _results(text)
            assert "<" not in label and ">" not in label and ">49<" not in text
            assert "<script>alert" not in text and "<img src=x" not in text
            echoed = browser.get("/app/search", params={"q": hostile}, headers=headers).text
            assert "<script>alert" not in echoed and "<img src=x" not in echoed


def test_the_top_bar_has_the_search_button_dialog_and_local_scripts(browser: Browser, world: World) -> None:
    browser.login()
    text = browser.get("/app/", headers=HTML).text
    assert 'href="/app/search" data-search-open' in text and '<dialog id="search-dialog"' in text
    assert 'hx-get="/app/search"' in text
    scripts = re.findall(r"<script([^>]*)>", text)
    assert scripts and all('src="/app/static/' in attrs for attrs in scripts)  # no inline script
    assert '<script src="/app/static/vendor/htmx.min.js" defer>' in text
    assert '<script src="/app/static/search.js" defer>' in text


def test_vendored_files_match_versions_md_and_are_served(browser: Browser) -> None:
    vendor = Path(STATIC_DIR) / "vendor"
    table = (vendor / "VERSIONS.md").read_text(encoding="utf-8")
    for name, version in (("htmx.min.js", "2.0.11"), ("echarts.min.js", "5.6.0")):
        digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
        row = next(line for line in table.splitlines() if line.startswith(f"| `{name}`"))
        assert digest in row and version in row
        r = browser.get(f"/app/static/vendor/{name}")
        assert r.status_code == 200 and "javascript" in r.headers["content-type"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
    for name in ("search.js", "search.css"):
        assert browser.get(f"/app/static/{name}").status_code == 200
