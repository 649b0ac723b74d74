"""The order pages of a split order (拆单): the parent lists its parts (link, warehouse, state), a part
links its parent, the list marks parts and labels the ``split`` state, in both languages."""

from __future__ import annotations

import re

from tests.server.orders.order_world import OrderWorld
from tests.server.orders.test_split_warehouses import ow, part_heads, split_order  # noqa: F401  (ow: the fixture)
from tests.server.web.conftest import Browser

HTML = {"Accept": "text/html"}


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def test_split_order_page_shows_its_parts_and_each_part_its_parent(ow: OrderWorld, browser: Browser) -> None:
    _key, parent_id = split_order(ow)
    first, second = part_heads(ow, parent_id)
    assert browser.login().status_code == 303
    for lang, state, part_state in (("zh-CN", "已拆单", "已审核"), ("en", "Split", "Reviewed")):
        _lang(browser, lang)
        r = browser.get(f"/app/orders/{parent_id}", headers=HTML)
        assert r.status_code == 200, r.text
        assert state in re.search(r'<dd class="state"[^>]*>(.*?)</dd>', r.text, re.S).group(1)
        rows = re.findall(r'<tr class="part" data-part="(\d)">(.*?)</tr>', r.text, re.S)
        assert [n for n, _ in rows] == ["1", "2"]
        assert f'/app/orders/{first.id}"' in rows[0][1] and "WH-GZ" in rows[0][1] and part_state in rows[0][1]
        assert f'/app/orders/{second.id}"' in rows[1][1] and "WH-SH" in rows[1][1]
        r = browser.get(f"/app/orders/{second.id}", headers=HTML)
        part_of = re.search(r'<dd class="part-of">(.*?)</dd>', r.text, re.S).group(1)
        assert f'/app/orders/{parent_id}"' in part_of
        assert "WH-SH" in re.search(r'<dd class="warehouse">(.*?)</dd>', r.text, re.S).group(1)


def test_order_list_marks_parts_and_filters_the_split_state(ow: OrderWorld, browser: Browser) -> None:
    _key, parent_id = split_order(ow)
    first, _second = part_heads(ow, parent_id)
    assert browser.login().status_code == 303
    _lang(browser, "en")
    r = browser.get("/app/orders?state=split", headers=HTML)
    assert r.status_code == 200, r.text
    assert f'data-order="{parent_id}"' in r.text and f'data-order="{first.id}"' not in r.text
    assert 'data-state="split"' in r.text  # its chip
    r = browser.get("/app/orders", headers=HTML)
    row = re.search(rf'<tr data-order="{first.id}">(.*?)</tr>', r.text, re.S).group(1)
    assert "part 1" in row


def test_cancel_on_the_split_order_page_cancels_its_parts(ow: OrderWorld, browser: Browser) -> None:
    _key, parent_id = split_order(ow)
    assert browser.login().status_code == 303
    page = f"/app/orders/{parent_id}"
    assert f'action="/app/orders/{parent_id}/hold"' not in browser.get(page, headers=HTML).text
    token = browser.csrf_from(page)
    r = browser.post(f"{page}/cancel", {"csrf_token": token, "note": "买家要求"})
    assert r.status_code == 303
    assert [h.state for h in part_heads(ow, parent_id)] == ["cancelled", "cancelled"]
    r = browser.post(f"{page}/hold", {"csrf_token": browser.csrf_from(page)})
    assert r.status_code == 409
