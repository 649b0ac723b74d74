"""The Stocktakes pages: the warehouse-scoped list (keyset pages), the variance review (balance at count
time, counted, variance, value, recounts, totals), approval (counters may not approve their own
count; a second approval is a clear 409), cancellation, and starting a session by bin prefix."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from server.store import accounts, ledger, stocktakes
from server.store import users as user_store
from server.store.schema import skus
from shared.inventory.stocktake import StocktakeState
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}
HOSTILE = ["<script>alert(1)</script>", "{{7*7}}"]
PASSWORD = "a long enough password"


def _user_in(world: World, browser: Browser, username: str, perms: set[str], warehouse_id: str) -> str:
    """Sign ``browser`` in as a new user holding ``perms`` in one warehouse only; their id."""
    with world.store.transaction() as conn:
        user = user_store.create(conn, username, username)
        accounts.set_password(conn, username, PASSWORD)
        accounts.ensure_role(conn, f"role-{username}", username, username, perms)
        accounts.grant_role(conn, user.id, f"role-{username}", warehouse_id=warehouse_id)
    assert browser.login(username, PASSWORD).status_code == 303
    return user.id


def _session(world: World, warehouse: str | None = None, bins: list[str] | None = None) -> stocktakes.Stocktake:
    with world.store.transaction() as conn:
        return stocktakes.create(conn, warehouse or world.wh_a, bins or [world.a1.id, world.a2.id], hlc=world.hlc(), user_id="lead")


def _count(world: World, st: stocktakes.Stocktake, sku: str, qty: int, *, by: str = "counter", bin_id: str | None = None,
           batch: str = "", recount: bool = False) -> None:
    with world.store.transaction() as conn:
        stocktakes.record_count(conn, st.id, bin_id or world.a1.id, sku, qty, counted_hlc=world.hlc(), counted_by=by,
                                batch=batch, is_recount=recount)


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _row(text: str, stocktake_id: str) -> str:
    found = re.search(rf'<tr data-stocktake="{stocktake_id}">(.*?)</tr>', text, re.S)
    assert found, text
    return found.group(1)


def _variances(text: str) -> list[str]:
    return re.findall(r'<tr class="variance">(.*?)</tr>', text, re.S)


def test_list_shows_each_session_with_state_bins_lines_and_people(browser: Browser, world: World, admin: accounts.Account) -> None:
    st = _session(world)
    _count(world, st, world.sku, 3, by=admin.id)
    other = _session(world, world.wh_b, [world.b1.id])
    with world.store.transaction() as conn:
        stocktakes.cancel(conn, other.id, hlc=world.hlc())
    browser.login()
    for lang, state in (("zh-CN", "进行中"), ("en", "Open")):
        _lang(browser, lang)
        r = browser.get("/app/stocktakes", headers=HTML)
        assert r.status_code == 200, r.text
        row = _row(r.text, st.id)
        assert st.number in cell(row, "number") and "<code>WH-SH</code>" in row
        assert cell(row, "state") == state and cell(row, "bins") == "2" and cell(row, "lines") == "1"
        assert "lead" in cell(row, "created") and "UTC" in cell(row, "created")
        assert ("已取消" if lang == "zh-CN" else "Cancelled") == cell(_row(r.text, other.id), "state")
    assert r.text.index(other.number) < r.text.index(st.number)  # newest first
    assert 'href="/app/stocktakes"' in r.text  # in the menu now


def test_list_pages_by_keyset_and_filters_by_state(browser: Browser, world: World) -> None:
    made = [_session(world) for _ in range(3)]
    browser.login()
    first = browser.get("/app/stocktakes?size=2", headers=HTML)
    assert made[2].number in first.text and made[1].number in first.text and made[0].number not in first.text
    token = re.search(r'class="pager-next" href="\?([^"]+)"', first.text)
    assert token, first.text
    second = browser.get("/app/stocktakes?" + token.group(1).replace("&amp;", "&"), headers=HTML)
    assert made[0].number in second.text and made[1].number not in second.text and "pager-next" not in second.text
    assert made[0].number not in browser.get("/app/stocktakes?state=approved", headers=HTML).text
    assert browser.get("/app/stocktakes?state=<x>").status_code == 422
    assert browser.get("/app/stocktakes?after=garbage!").status_code == 422


def test_list_shows_only_warehouses_where_the_viewer_may_look(browser: Browser, world: World) -> None:
    mine, theirs = _session(world), _session(world, world.wh_b, [world.b1.id])
    _user_in(world, browser, "shlead", {"stocktakes.view"}, world.wh_a)
    text = browser.get("/app/stocktakes", headers=HTML).text
    assert mine.number in text and theirs.number not in text
    assert theirs.number not in browser.get(f"/app/stocktakes?warehouse={world.wh_b}", headers=HTML).text
    assert "/app/stocktakes/new" not in text  # cannot start one without stocktakes.approve
    r = browser.get(f"/app/stocktakes/{theirs.id}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "stocktake.not_found"
    assert browser.get(f"/app/stocktakes/{mine.id}", headers=HTML).status_code == 200


def test_review_shows_variance_value_totals_and_recounts(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    world.stock(world.sku2, world.a1, 3)
    world.stock(world.lot_sku, world.a2, 5, batch="L1")
    with world.store.transaction() as conn:
        conn.execute(update(skus).where(skus.c.id == world.sku).values(cost_fen=1250))
    st = _session(world)
    _count(world, st, world.sku, 8)  # loss 2 at ¥12.50 → -25.00; sku2 not counted → implicit 0
    _count(world, st, world.lot_sku, 4, bin_id=world.a2.id, batch="L1", by="alice")
    _count(world, st, world.lot_sku, 6, bin_id=world.a2.id, batch="L1", by="bob")  # disagree → recount
    browser.login()
    for lang in ("zh-CN", "en"):
        _lang(browser, lang)
        r = browser.get(f"/app/stocktakes/{st.id}", headers=HTML)
        assert r.status_code == 200, r.text
        rows = _variances(r.text)
        assert len(rows) == 2
        tea = next(x for x in rows if "TEA-001" in x)
        assert (cell(tea, "expected"), cell(tea, "counted"), cell(tea, "delta")) == ("10", "8", "-2")
        assert cell(tea, "value") == "-¥25.00" and cell(tea, "bin") == "<code>A-01-01-01</code>"
        cup = next(x for x in rows if "CUP-002" in x)
        assert cell(cup, "delta") == "-3" and ("按 0 计" if lang == "zh-CN" else "taken as 0") in cell(cup, "counted")
        assert cell(cup, "value") == "—"
        assert cell(r.text, "total-net") == "-5" and cell(r.text, "total-value") == "-¥25.00"
        recount = re.findall(r'<tr class="recount">(.*?)</tr>', r.text, re.S)
        assert len(recount) == 1 and "MILK-003" in recount[0] and cell(recount[0], "counts") in ("4 / 6", "6 / 4")
        assert "/approve" in r.text and "/cancel" in r.text


def test_approve_posts_adjustments_and_a_second_approve_is_a_clear_409(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    _count(world, st, world.sku, 8)
    browser.login()
    assert browser.post(f"/app/stocktakes/{st.id}/approve", {}).status_code == 403  # no CSRF token
    token = browser.csrf_from(f"/app/stocktakes/{st.id}")
    r = browser.post(f"/app/stocktakes/{st.id}/approve", {"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/app/stocktakes/{st.id}"
    with world.store.read() as conn:
        assert stocktakes.get(conn, st.id).state is StocktakeState.APPROVED
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 8
    page = browser.get(f"/app/stocktakes/{st.id}", headers=HTML).text
    assert cell(_variances(page)[0], "delta") == "-2"  # still the variance as counted, not zero
    assert '<dd class="approved-by">admin</dd>' in page
    assert "/approve" not in page
    again = browser.post(f"/app/stocktakes/{st.id}/approve", {"csrf_token": token})
    assert again.status_code == 409 and again.json()["error"]["code"] == "web.adm.stocktake.already_approved"
    assert st.number in again.json()["error"]["message"]
    html = browser.post(f"/app/stocktakes/{st.id}/approve", {"csrf_token": token}, headers=HTML)
    assert html.status_code == 409 and "已审核" in html.text and "<html" in html.text
    with world.store.read() as conn:
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 8


def test_a_counter_cannot_approve_their_own_count(browser: Browser, world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    st = _session(world)
    lead = _user_in(world, browser, "counter1", {"stocktakes.view", "stocktakes.approve"}, world.wh_a)
    _count(world, st, world.sku, 7, by=lead)
    page = browser.get(f"/app/stocktakes/{st.id}", headers=HTML).text
    assert 'role="alert"' in page  # warned before trying
    token = browser.csrf_from(f"/app/stocktakes/{st.id}")
    for lang, text in (("zh-CN", "不能审核自己的盘点"), ("en", "you cannot approve it")):
        _lang(browser, lang)
        r = browser.post(f"/app/stocktakes/{st.id}/approve", {"csrf_token": token}, headers=HTML)
        assert r.status_code == 409 and text in r.text and st.number in r.text
    r = browser.post(f"/app/stocktakes/{st.id}/approve", {"csrf_token": token})
    assert r.json()["error"]["code"] == "web.adm.stocktake.own_count"
    with world.store.read() as conn:
        assert stocktakes.get(conn, st.id).state is StocktakeState.OPEN
        assert ledger.balance(conn, world.sku, world.a1.id).on_hand == 10


def test_approve_needs_the_permission_in_that_warehouse(browser: Browser, world: World) -> None:
    st_a, st_b = _session(world), _session(world, world.wh_b, [world.b1.id])
    _user_in(world, browser, "gzlead", {"stocktakes.view", "stocktakes.approve"}, world.wh_b)
    token = browser.csrf_from(f"/app/stocktakes/{st_b.id}")
    r = browser.post(f"/app/stocktakes/{st_a.id}/approve", {"csrf_token": token})
    assert r.status_code == 404 and r.json()["error"]["code"] == "stocktake.not_found"  # foreign: nothing of it
    assert browser.post(f"/app/stocktakes/{st_b.id}/cancel", {"csrf_token": token}).status_code == 303
    user_with(world, browser, "looker", {"stocktakes.view"})
    token = browser.csrf_from(f"/app/stocktakes/{st_a.id}")
    r = browser.post(f"/app/stocktakes/{st_a.id}/approve", {"csrf_token": token})
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"
    assert "/approve" not in browser.get(f"/app/stocktakes/{st_a.id}", headers=HTML).text


def test_cancel_then_approve_is_refused(browser: Browser, world: World) -> None:
    st = _session(world)
    browser.login()
    token = browser.csrf_from(f"/app/stocktakes/{st.id}")
    assert browser.post(f"/app/stocktakes/{st.id}/cancel", {"csrf_token": token}).status_code == 303
    with world.store.read() as conn:
        assert stocktakes.get(conn, st.id).state is StocktakeState.CANCELLED
    r = browser.post(f"/app/stocktakes/{st.id}/approve", {"csrf_token": token})
    assert r.status_code == 409 and r.json()["error"]["code"] == "web.adm.stocktake.already_cancelled"


def test_new_stocktake_covers_the_bins_with_the_prefix_and_is_blind_by_default(browser: Browser, world: World) -> None:
    browser.login()
    form = browser.get("/app/stocktakes/new", headers=HTML)
    assert form.status_code == 200 and 'name="blind" value="1" checked' in form.text
    token = browser.csrf_from("/app/stocktakes/new")
    r = browser.post("/app/stocktakes/new", {"csrf_token": token, "warehouse": world.wh_a, "bin_prefix": "a-01-01", "blind": "1"})
    assert r.status_code == 303
    st_id = r.headers["location"].rsplit("/", 1)[1]
    with world.store.read() as conn:
        st = stocktakes.get(conn, st_id)
    assert st.blind and set(st.bin_ids) == {world.a1.id, world.a2.id} and st.warehouse_id == world.wh_a
    for bad in ({"warehouse": world.wh_a, "bin_prefix": "ZZZ"}, {"warehouse": "nope", "bin_prefix": ""}):
        refused = browser.post("/app/stocktakes/new", {"csrf_token": token, **bad}, headers=HTML)
        assert refused.status_code == 422 and 'role="alert"' in refused.text


def test_new_stocktake_only_in_warehouses_where_the_viewer_may_approve(browser: Browser, world: World) -> None:
    _user_in(world, browser, "gzonly", {"stocktakes.view", "stocktakes.approve"}, world.wh_b)
    form = browser.get("/app/stocktakes/new", headers=HTML).text
    assert "WH-GZ" in form and "WH-SH" not in form
    token = browser.csrf_from("/app/stocktakes/new")
    r = browser.post("/app/stocktakes/new", {"csrf_token": token, "warehouse": world.wh_a, "bin_prefix": ""}, headers=HTML)
    assert r.status_code == 422
    assert browser.post("/app/stocktakes/new", {"csrf_token": token, "warehouse": world.wh_b, "bin_prefix": ""}).status_code == 303


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_batch_and_prefix_render_inert(browser: Browser, world: World, hostile: str) -> None:
    st = _session(world)
    _count(world, st, world.lot_sku, 2, batch=hostile)
    browser.login()
    text = browser.get(f"/app/stocktakes/{st.id}", headers=HTML).text
    assert "<script>alert" not in text and ">49<" not in text
    assert hostile.replace("<", "&lt;").replace(">", "&gt;") in text
    token = browser.csrf_from("/app/stocktakes/new")
    r = browser.post("/app/stocktakes/new", {"csrf_token": token, "warehouse": world.wh_a, "bin_prefix": hostile}, headers=HTML)
    assert r.status_code == 422 and "<script>alert" not in r.text and ">49<" not in r.text


def test_user_without_stocktakes_view_gets_403(browser: Browser, world: World) -> None:
    st = _session(world)
    user_with(world, browser, "clerk", {"dashboard.view"})
    for path in ("/app/stocktakes", f"/app/stocktakes/{st.id}", "/app/stocktakes/new"):
        r = browser.get(path)
        assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


def test_stocktake_routes_declare_their_permissions() -> None:
    from server.web.mount import ROUTES

    declared = {(getattr(r, "path", ""), tuple(sorted(getattr(r, "methods", None) or ()))): getattr(r, "permission", None) for r in ROUTES}
    assert declared[("/stocktakes", ("GET", "HEAD"))] == "stocktakes.view"
    assert declared[("/stocktakes/{stocktake_id}", ("GET", "HEAD"))] == "stocktakes.view"
    assert declared[("/stocktakes/{stocktake_id}/approve", ("POST",))] == "stocktakes.approve"
    assert declared[("/stocktakes/{stocktake_id}/cancel", ("POST",))] == "stocktakes.approve"
    assert declared[("/stocktakes/new", ("POST",))] == "stocktakes.approve"
