"""The dashboard's figures beyond the counts (which test_shell covers): today's movements by reason
band (pairs counted once, yesterday left out), sync health, the chart figures embedded as JSON and
served by /app/dashboard/data, warehouse scope, both languages, hostile names inert, no inline script."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from server.store import accounts, catalogue, dashboard_figures, moves
from server.store import users as user_store
from server.store.schema import conflicts, devices, movements
from server.web.dashboard import BUSINESS_UTC_OFFSET
from shared.catalogue.model import new_warehouse
from shared.core.ids import new_id
from shared.inventory.movement import Reason
from tests.server.web.conftest import Browser, Clock
from tests.server.web.helpers import enrol_device, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}


def _bands(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-band="(\w+)">\s*<span class="tile-value band-value">(\d+)</span>', text)}


def _health(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-health="(\w+)"><span class="tile-value health-value">(\d+)</span>', text)}


def _chart(text: str) -> dict[str, object]:
    found = re.search(r"data-chart='([^']*)'", text)
    assert found, text
    data: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return data


def _a_day_of_work(world: World) -> None:
    world.stock(world.sku, world.a1, 20)  # receipt
    world.stock(world.sku2, world.b1, 5)  # receipt in the other warehouse
    with world.store.transaction() as conn:
        moves.move(conn, world.sku, world.a1.id, world.a2.id, 3, hlc=world.hlc())  # one move, two legs
        moves.single(conn, world.sku, world.a2.id, 1, Reason.PICK_ORDER, hlc=world.hlc())
        moves.single(conn, world.sku, world.a1.id, -2, Reason.ADJUST_DAMAGE, hlc=world.hlc())


def test_todays_movements_are_counted_by_band_with_pairs_once(browser: Browser, world: World) -> None:
    _a_day_of_work(world)
    browser.login()
    text = browser.get("/app/", headers=HTML).text
    assert _bands(text) == {"receipts": 2, "picks": 1, "moves": 1, "adjustments": 1}
    chart = _chart(text)
    assert sum(chart["movements"]) == 5  # type: ignore[arg-type]
    hour = (datetime.now(UTC) + BUSINESS_UTC_OFFSET).hour
    assert chart["movements"][hour] >= 4  # type: ignore[index]
    assert chart["hours"][0] == "00" and len(chart["hours"]) == 24  # type: ignore[arg-type,index]


def test_movements_before_today_are_left_out(browser: Browser, world: World) -> None:
    _a_day_of_work(world)
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).replace(tzinfo=None)
    with world.store.transaction() as conn:  # back-date the first receipt (a test-only edit of the ledger)
        first = conn.execute(movements.select().order_by(movements.c.seq).limit(1)).first()
        assert first is not None
        conn.execute(update(movements).where(movements.c.seq == first.seq).values(recorded_at=two_days_ago))
    browser.login()
    assert _bands(browser.get("/app/", headers=HTML).text)["receipts"] == 1


def test_the_first_movement_of_a_window_is_found_by_binary_search(world: World) -> None:
    for _ in range(9):
        world.stock(world.sku, world.a1, 1)
    with world.store.transaction() as conn:
        seqs = [r.seq for r in conn.execute(movements.select().order_by(movements.c.seq))]
        base = datetime(2026, 1, 1, tzinfo=UTC)
        for n, seq in enumerate(seqs):
            conn.execute(update(movements).where(movements.c.seq == seq)
                         .values(recorded_at=(base + timedelta(hours=n)).replace(tzinfo=None)))
    with world.store.read() as conn:
        for n, seq in enumerate(seqs):
            assert dashboard_figures.first_seq_since(conn, base + timedelta(hours=n, minutes=-30)) == seq
        assert dashboard_figures.first_seq_since(conn, base - timedelta(days=1)) == seqs[0]
        assert dashboard_figures.first_seq_since(conn, base + timedelta(days=1)) is None
        counts = dashboard_figures.movement_counts(conn, base + timedelta(hours=2), None)
    assert sorted((c.hour, c.count) for c in counts) == [(h, 1) for h in range(7)]


def test_units_by_warehouse_are_charted_and_tabled(browser: Browser, world: World) -> None:
    _a_day_of_work(world)
    browser.login()
    chart = browser.get("/app/dashboard/data").json()
    assert dict(zip(chart["warehouses"], chart["units"], strict=True)) == {"上海仓": 17, "广州仓": 5}
    browser.client.cookies.set("lang", "en", domain="testserver.local", path="/app")
    text = browser.get("/app/", headers=HTML).text
    assert _chart(text)["warehouses"] == ["Guangzhou DC", "Shanghai DC"]
    assert "Units in stock by warehouse" in text and "Movements per hour today" in text


def test_sync_health_counts_recent_and_stale_devices_and_open_conflicts(browser: Browser, world: World, clock: Clock) -> None:
    fresh, old = enrol_device(browser, world, "PDA-1"), enrol_device(browser, world, "PDA-2")
    enrol_device(browser, world, "PDA-3")  # never synced: stale
    now = datetime.fromtimestamp(clock.ms / 1000, UTC).replace(tzinfo=None)
    with world.store.transaction() as conn:
        conn.execute(update(devices).where(devices.c.id == fresh["device_id"]).values(last_seen_at=now - timedelta(minutes=40)))
        conn.execute(update(devices).where(devices.c.id == old["device_id"]).values(last_seen_at=now - timedelta(hours=3)))
        conn.execute(conflicts.insert().values(id=new_id(), op_id=new_id(), device_id=old["device_id"], kind="stock.pick",
                                               payload={}, code="sku.not_found", message="找不到商品", message_en="Unknown SKU",
                                               state="open", created_at=now))
    browser.login()
    assert _health(browser.get("/app/", headers=HTML).text) == {"synced": 1, "stale": 2, "conflicts": 1}
    clock.advance(minutes=25)  # PDA-1 last synced 65 minutes ago now (the session stays, idle < 30 min)
    assert _health(browser.get("/app/", headers=HTML).text) == {"synced": 0, "stale": 3, "conflicts": 1}


def test_figures_are_limited_to_the_viewers_warehouses(browser: Browser, world: World) -> None:
    _a_day_of_work(world)
    with world.store.transaction() as conn:
        user = user_store.create(conn, "gz", "广州仓管")
        accounts.set_password(conn, "gz", "a long enough password")
        accounts.ensure_role(conn, "dash-gz", "广州概览", "GZ dashboard", {"dashboard.view"})
        accounts.grant_role(conn, user.id, "dash-gz", warehouse_id=world.wh_b)
    assert browser.login("gz", "a long enough password").status_code == 303
    text = browser.get("/app/", headers=HTML).text
    assert _bands(text) == {"receipts": 1, "picks": 0, "moves": 0, "adjustments": 0}
    assert browser.get("/app/dashboard/data").json()["warehouses"] == ["广州仓"]


def test_chart_data_needs_dashboard_view(browser: Browser, world: World) -> None:
    user_with(world, browser, "clerk", {"search.use"})
    r = browser.get("/app/dashboard/data")
    assert r.status_code == 403 and r.json()["error"]["code"] == "auth.forbidden"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_dashboard_renders_in_both_languages_with_local_scripts_only(browser: Browser, world: World, lang: str) -> None:
    browser.login()
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")
    text = browser.get("/app/", headers=HTML).text
    assert ("今日库存流水" if lang == "zh-CN" else "Stock movements today") in text
    assert ("同步状态" if lang == "zh-CN" else "Sync health") in text
    scripts = re.findall(r"<script([^>]*)>", text)
    assert all('src="/app/static/' in attrs for attrs in scripts)
    assert '<script src="/app/static/vendor/echarts.min.js" defer>' in text
    assert '<script src="/app/static/dashboard.js" defer>' in text


def test_hostile_warehouse_names_are_inert_in_the_chart_data(browser: Browser, world: World) -> None:
    hostile = "<script>alert(1)</script>'\"{{7*7}}"
    with world.store.transaction() as conn:
        wh = catalogue.insert_warehouse(conn, new_warehouse("EVIL", hostile, hostile))
        bin_ = catalogue.find_bin(conn, wh.id, "_DOCK")
        moves.single(conn, world.sku, bin_.id, 1, Reason.RECEIPT_UNEXPECTED, hlc=world.hlc())
    browser.login()
    text = browser.get("/app/", headers=HTML).text
    assert "<script>alert" not in text and ">49<" not in text
    assert hostile in _chart(text)["warehouses"]  # type: ignore[operator]
