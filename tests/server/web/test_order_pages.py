"""The order pages: the list (filters, state chips, keyset pages), one order (amounts, masked receiver,
lines with their SKU or "unmapped", reasons in the viewer's language, the timeline), the manual
actions (review, hold, unhold, resolve with a note, cancel) and the exception queue's bulk re-review."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import update

from server.orders.ingest import ingest_batch
from server.store import order_events
from server.store import orders as order_store
from server.store.schema_orders import order_lines, orders
from tests.server.orders.order_world import OrderWorld, make_order_world
from tests.server.orders.test_ingest import canonical
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
HOSTILE = "<script>alert(1)</script>{{7*7}}"


@pytest.fixture
def ow(world: World) -> OrderWorld:
    return make_order_world(world, stock=5)


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _ingest(ow: OrderWorld, platform: str = "jd", key: str | None = None) -> str:
    order = canonical(ow, platform, key)
    with ow.store.transaction() as conn:
        return ingest_batch(conn, ow.shops[platform], [order], hlc=ow.hlc()).created[order.platform_order_id]


def _stored(ow: OrderWorld, order_id: str) -> order_store.StoredOrder:
    with ow.store.read() as conn:
        return order_store.get_order(conn, order_id)


def _row(html: str, order_id: str) -> str:
    found = re.search(rf'<tr data-order="{order_id}">(.*?)</tr>', html, re.S)
    assert found, html
    return found.group(1)


def _post(browser: Browser, path: str, data: dict[str, str] | None = None, page: str | None = None):  # type: ignore[no-untyped-def]
    token = browser.csrf_from(page or path.rsplit("/", 1)[0])
    return browser.post(path, {"csrf_token": token, **(data or {})})


def _hostile(ow: OrderWorld, order_id: str) -> None:
    with ow.store.transaction() as conn:
        conn.execute(update(orders).where(orders.c.id == order_id).values(buyer_remark=HOSTILE))
        conn.execute(update(order_lines).where(order_lines.c.order_id == order_id).values(title=HOSTILE))


def test_order_list_shows_each_order_translated_in_both_languages(ow: OrderWorld, browser: Browser) -> None:
    order_id = _ingest(ow)
    assert browser.login().status_code == 303
    for lang, state in (("zh-CN", "待审核"), ("en", "Pending review")):
        _lang(browser, lang)
        r = browser.get("/app/orders", headers=HTML)
        assert r.status_code == 200, r.text
        row = _row(r.text, order_id)
        assert cell(row, "state") == state
        stored = _stored(ow, order_id)
        assert stored.platform_order_id in cell(row, "platform-order-id")
        assert cell(row, "paid") == f"¥{stored.paid_fen // 100}.{stored.paid_fen % 100:02d}"
        assert cell(row, "lines") == str(len(stored.lines))
        assert f"{state} (1)" in r.text  # the chip


def test_order_list_filters_by_state_platform_and_order_id_prefix(ow: OrderWorld, browser: Browser) -> None:
    jd, taobao = _ingest(ow, "jd"), _ingest(ow, "taobao")
    with ow.store.transaction() as conn:
        conn.execute(update(orders).where(orders.c.id == taobao).values(state="on_hold"))
    assert browser.login().status_code == 303
    r = browser.get("/app/orders?platform=jd", headers=HTML)
    assert f'data-order="{jd}"' in r.text and f'data-order="{taobao}"' not in r.text
    r = browser.get("/app/orders?state=on_hold", headers=HTML)
    assert f'data-order="{taobao}"' in r.text and f'data-order="{jd}"' not in r.text
    prefix = _stored(ow, jd).platform_order_id[:-1]
    r = browser.get(f"/app/orders?q={prefix}", headers=HTML)
    assert f'data-order="{jd}"' in r.text and f'data-order="{taobao}"' not in r.text
    assert browser.get("/app/orders?state=bogus", headers=HTML).status_code == 422


def test_order_list_pages_by_key_without_repeats(ow: OrderWorld, browser: Browser) -> None:
    keys = [k for k, o in ow.sim.orders["jd"].items() if o.status == "paid"][:5]
    ids = {_ingest(ow, "jd", k) for k in keys}
    assert browser.login().status_code == 303
    seen: list[str] = []
    path = "/app/orders?size=2"
    while path:
        r = browser.get(path, headers=HTML)
        assert r.status_code == 200
        seen += re.findall(r'<tr data-order="([^"]+)">', r.text)
        nxt = re.search(r'class="pager-next" href="\?([^"]+)"', r.text)
        path = "/app/orders?" + nxt.group(1).replace("&amp;", "&") if nxt else ""
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)


def test_order_pages_keep_hostile_text_inert(ow: OrderWorld, browser: Browser) -> None:
    order_id = _ingest(ow)
    _hostile(ow, order_id)
    assert browser.login().status_code == 303
    for path in ("/app/orders", f"/app/orders/{order_id}"):
        r = browser.get(path, headers=HTML)
        assert r.status_code == 200
        assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        assert "{{7*7}}" in r.text  # shown as typed, never evaluated


def test_order_detail_shows_amounts_masked_receiver_lines_and_timeline(ow: OrderWorld, browser: Browser) -> None:
    order_id = _ingest(ow)
    assert browser.login().status_code == 303
    for lang, event in (("zh-CN", "订单已接收"), ("en", "Order received")):
        _lang(browser, lang)
        r = browser.get(f"/app/orders/{order_id}", headers=HTML)
        assert r.status_code == 200, r.text
        assert event in r.text
        assert 'class="sku"><code>' in r.text  # mapped lines show their SKU code
        assert "*" in re.search(r'<dd class="receiver">(.*?)</dd>', r.text, re.S).group(1)  # masked as stored
    assert browser.get("/app/orders/nope", headers=HTML).status_code == 404


def test_order_detail_shows_unmapped_lines_and_reasons_in_the_viewers_language(ow: OrderWorld, browser: Browser) -> None:
    key = next(k for k, o in ow.sim.orders["jd"].items() if o.status == "paid")
    sim = ow.sim.orders["jd"][key]
    sim.lines[0] = replace(sim.lines[0], code="NOPE-1")
    order_id = _ingest(ow, "jd", key)
    assert _stored(ow, order_id).state == "exception"
    assert browser.login().status_code == 303
    for lang, words in (("zh-CN", "订单行无法对应商品"), ("en", "Order lines not matched to a SKU")):
        _lang(browser, lang)
        r = browser.get(f"/app/orders/{order_id}", headers=HTML)
        assert words in re.search(r'<li class="reason">(.*?)</li>', r.text, re.S).group(1)
        assert 'class="unmapped"' in r.text
        r = browser.get("/app/orders/exceptions", headers=HTML)
        assert words in _row(r.text, order_id)


def test_review_now_reserves_and_records_who(ow: OrderWorld, browser: Browser) -> None:
    order_id = _ingest(ow)
    assert browser.login().status_code == 303
    r = _post(browser, f"/app/orders/{order_id}/review", page=f"/app/orders/{order_id}")
    assert r.status_code == 303 and r.headers["location"] == f"/app/orders/{order_id}"
    assert _stored(ow, order_id).state == "reviewed"
    assert ow.reservations_of(order_id)
    with ow.store.read() as conn:
        last = order_events.timeline(conn, order_id)[-1]
    assert last.code == "order.reviewed" and last.source.startswith("ip:") and last.actor != "anonymous"


def test_hold_unhold_and_cancel_move_the_order(ow: OrderWorld, browser: Browser) -> None:
    order_id = _ingest(ow)
    page = f"/app/orders/{order_id}"
    assert browser.login().status_code == 303
    assert _post(browser, f"{page}/hold", {"note": "call the buyer"}, page=page).status_code == 303
    assert _stored(ow, order_id).state == "on_hold"
    assert "call the buyer" in browser.get(page, headers=HTML).text
    assert _post(browser, f"{page}/unhold", page=page).status_code == 303
    assert _stored(ow, order_id).state == "reviewed"  # back to pending review, reviewed at once
    assert _post(browser, f"{page}/cancel", page=page).status_code == 303
    assert _stored(ow, order_id).state == "cancelled" and not ow.reservations_of(order_id)
    assert _post(browser, f"{page}/cancel", page=page).status_code == 409  # order.bad_transition


def test_resolve_needs_a_note(ow: OrderWorld, browser: Browser) -> None:
    key = next(k for k, o in ow.sim.orders["jd"].items() if o.status == "paid")
    sim = ow.sim.orders["jd"][key]
    sim.lines[0] = replace(sim.lines[0], code="NOPE-1")
    order_id = _ingest(ow, "jd", key)
    page = f"/app/orders/{order_id}"
    assert browser.login().status_code == 303
    assert _post(browser, f"{page}/resolve", {"note": " "}, page=page).status_code == 422
    assert _post(browser, f"{page}/resolve", {"note": "still unmapped"}, page=page).status_code == 303
    assert _stored(ow, order_id).state == "exception"


def test_bulk_rerun_review_reviews_the_ticked_exceptions(ow: OrderWorld, browser: Browser) -> None:
    keys = [k for k, o in ow.sim.orders["jd"].items() if o.status == "paid"][:2]
    first, second = (_ingest(ow, "jd", k) for k in keys)
    with ow.store.transaction() as conn:  # held by hand: the cause is gone, a re-run reviews them
        conn.execute(update(orders).where(orders.c.id.in_([first, second]))
                     .values(state="exception", reasons=[{"code": "order.out_of_stock", "details": {"skus": "X"}}]))
    assert browser.login().status_code == 303
    r = _post(browser, "/app/orders/exceptions/review", {f"pick_{first}": "1", "pick_nope": "1"},
              page="/app/orders/exceptions")
    assert r.status_code == 303 and r.headers["location"].endswith("?done=1&failed=1")
    assert "alert result" in browser.get(r.headers["location"], headers=HTML).text
    assert _stored(ow, first).state == "reviewed" and _stored(ow, second).state == "exception"
    assert _post(browser, "/app/orders/exceptions/review", {}, page="/app/orders/exceptions").status_code == 422


def test_order_pages_need_their_permissions(ow: OrderWorld, world: World, browser: Browser) -> None:
    order_id = _ingest(ow)
    user_with(world, browser, "viewer", {"orders.view"})
    assert browser.get("/app/orders", headers=HTML).status_code == 200
    r = browser.get(f"/app/orders/{order_id}", headers=HTML)
    assert r.status_code == 200 and f"/orders/{order_id}/hold" not in r.text
    token = browser.csrf_from(f"/app/orders/{order_id}")
    assert browser.post(f"/app/orders/{order_id}/hold", {"csrf_token": token}).status_code == 403
    assert _stored(ow, order_id).state == "pending_review"


def test_order_pages_are_forbidden_without_orders_view(ow: OrderWorld, world: World, browser: Browser) -> None:
    order_id = _ingest(ow)
    user_with(world, browser, "nobody", {"skus.view"})
    for path in ("/app/orders", f"/app/orders/{order_id}", "/app/orders/exceptions"):
        assert browser.get(path, headers=HTML).status_code == 403
