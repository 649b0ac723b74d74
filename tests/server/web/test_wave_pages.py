"""The wave pages: reviewed orders ready per warehouse, creating waves from them, one wave with its
packages and "print waybills" (through the app's order services), return tasks put back, and the
shipments list with "ship all packed"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.orders import fulfilment, shipping
from server.store import ledger, packages, tasks
from server.store import orders as order_store
from tests.server.orders.fulfilment_world import make_order, make_shop
from tests.server.web.conftest import Browser
from tests.server.web.helpers import cell, user_with
from tests.server.world import World

HTML = {"Accept": "text/html"}


def _lang(browser: Browser, lang: str) -> None:
    browser.client.cookies.set("lang", lang, domain="testserver.local", path="/app")


def _reviewed(world: World, count: int = 2) -> list[str]:
    world.stock(world.sku, world.a2, 10)
    world.stock(world.sku2, world.a3, 10)
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a)
        return [make_order(conn, shop, world.wh_a, [(world.sku, 1), (world.sku2, 1)], hlc=world.hlc()) for _ in range(count)]


def _state(world: World, order_id: str) -> str:
    with world.store.read() as conn:
        return order_store.get_order(conn, order_id).state


def _post(browser: Browser, path: str, data: dict[str, str], page: str) -> object:
    return browser.post(path, {"csrf_token": browser.csrf_from(page), **data})


def test_waves_page_counts_ready_orders_in_both_languages(world: World, browser: Browser) -> None:
    _reviewed(world, 3)
    assert browser.login().status_code == 303
    for lang, title in (("zh-CN", "波次"), ("en", "Waves")):
        _lang(browser, lang)
        r = browser.get("/app/waves", headers=HTML)
        assert r.status_code == 200 and f"<h1>{title}</h1>" in r.text
        row = re.search(rf'<tr data-warehouse="{world.wh_a}">(.*?)</tr>', r.text, re.S).group(1)
        assert cell(row, "ready-count") == "3"


def test_create_waves_puts_the_ready_orders_in_a_wave_and_shows_it(world: World, browser: Browser) -> None:
    ids = _reviewed(world, 2)
    assert browser.login().status_code == 303
    r = _post(browser, "/app/waves", {"warehouse": world.wh_a, "slots": "8", "max_orders": "1"}, "/app/waves")
    assert r.status_code == 303 and "created=1" in r.headers["location"]
    assert sorted(_state(world, o) for o in ids) == ["in_wave", "reviewed"]  # at most 1 order
    page = browser.get("/app/waves", headers=HTML).text
    wave_id = re.search(r'<tr data-wave="([^"]+)">', page).group(1)
    detail = browser.get(f"/app/waves/{wave_id}", headers=HTML)
    assert detail.status_code == 200 and 'data-package="' in detail.text
    assert browser.get("/app/waves/nope", headers=HTML).status_code == 404


def test_create_waves_refusals_show_a_message_and_change_nothing(world: World, browser: Browser) -> None:
    assert browser.login().status_code == 303
    r = _post(browser, "/app/waves", {"warehouse": world.wh_a, "slots": "0"}, "/app/waves")
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = _post(browser, "/app/waves", {"warehouse": world.wh_a}, "/app/waves")
    assert r.status_code == 409 and 'role="alert"' in r.text  # nothing ready


@dataclass
class FakeServices:
    """Stands in for ``OrderServices``: records the calls, reports what it was told to."""

    carrier: object = "carrier"
    calls: list[str] = field(default_factory=list)

    def print_waybills(self, wave_id: str) -> shipping.ShipReport:
        self.calls.append(f"print:{wave_id}")
        return shipping.ShipReport(waybills={"p1": "W1"})

    def ship_packed(self) -> shipping.ShipReport:
        self.calls.append("ship")
        return shipping.ShipReport(shipped=["o1"], failed={"p2": "x"})


def test_print_and_ship_go_through_the_order_services(world: World, browser: Browser) -> None:
    ids = _reviewed(world, 1)
    with world.store.transaction() as conn:
        (wave,) = fulfilment.create_waves(conn, world.wh_a, ids, slots=8, hlc=world.hlc())
    assert browser.login().status_code == 303
    page = f"/app/waves/{wave.wave_id}"
    r = _post(browser, f"{page}/print", {}, page)
    assert r.status_code == 409  # the test app has no carrier configured: said so, nothing done
    fake = FakeServices()
    browser.client.app.state.order_services = fake  # type: ignore[attr-defined]
    r = _post(browser, f"{page}/print", {}, page)
    assert r.status_code == 303 and "done=1" in r.headers["location"]
    r = _post(browser, "/app/shipments/ship", {}, "/app/shipments")
    assert r.status_code == 303 and "done=1" in r.headers["location"] and "failed=1" in r.headers["location"]
    assert fake.calls == [f"print:{wave.wave_id}", "ship"]


def test_shipments_lists_packed_and_failed_packages(world: World, browser: Browser) -> None:
    ids = _reviewed(world, 2)
    with world.store.transaction() as conn:
        fulfilment.create_waves(conn, world.wh_a, ids, slots=8, hlc=world.hlc())
        boxes = [packages.packages_of_order(conn, o)[0] for o in ids]
        packages.set_package(conn, boxes[0].id, state="packed")
        packages.set_package(conn, boxes[1].id, state="packed", ship_error="<script>alert(1)</script>{{7*7}}")
    assert browser.login().status_code == 303
    for lang in ("zh-CN", "en"):
        _lang(browser, lang)
        packed = browser.get("/app/shipments", headers=HTML).text
        assert f'data-package="{boxes[0].id}"' in packed and f'data-package="{boxes[1].id}"' in packed
        failed = browser.get("/app/shipments?state=failed", headers=HTML).text
        assert f'data-package="{boxes[1].id}"' in failed and f'data-package="{boxes[0].id}"' not in failed
        assert "<script>alert(1)</script>" not in failed and "{{7*7}}" in failed
    assert browser.get("/app/shipments?state=bogus", headers=HTML).status_code == 422


def test_put_back_returns_the_units_to_their_bins(world: World, browser: Browser) -> None:
    ids = _reviewed(world, 1)
    with world.store.transaction() as conn:
        (wave,) = fulfilment.create_waves(conn, world.wh_a, ids, slots=8, hlc=world.hlc())
        t = tasks.complete(conn, wave.pick_task_id, device_id="dev-1", hlc=world.hlc(),
                           shorts=[{"sku_id": world.sku2, "bin_id": world.a3.id, "qty": 1, "reason": "damaged"}])
        fulfilment.on_task_completed(conn, t, verified=[], user_id="zhangsan", device_id="dev-1", hlc=world.hlc())
        (ret,) = tasks.open_tasks(conn, world.wh_a, "return")
        before = ledger.warehouse_level(conn, world.sku, world.wh_a).on_hand
    assert browser.login().status_code == 303
    page = browser.get("/app/waves", headers=HTML).text
    assert f'data-task="{ret.id}"' in page
    r = _post(browser, "/app/waves/put-back", {"task_id": ret.id}, "/app/waves")
    assert r.status_code == 303
    with world.store.read() as conn:
        assert ledger.warehouse_level(conn, world.sku, world.wh_a).on_hand == before + 1
        assert not tasks.open_tasks(conn, world.wh_a, "return")
    assert _post(browser, "/app/waves/put-back", {"task_id": ret.id}, "/app/waves").status_code == 409


def test_wave_pages_need_waves_manage(world: World, browser: Browser) -> None:
    user_with(world, browser, "viewer", {"orders.view"})
    assert browser.get("/app/waves", headers=HTML).status_code == 403
    assert browser.get("/app/shipments", headers=HTML).status_code == 403
    token = browser.csrf_from("/app/orders")
    assert browser.post("/app/shipments/ship", {"csrf_token": token}).status_code == 403
    assert browser.post("/app/waves", {"csrf_token": token, "warehouse": world.wh_a}).status_code == 403


def test_a_merged_package_shows_every_order_it_carries_on_the_wave_shipments_and_order_pages(world: World, browser: Browser) -> None:
    world.stock(world.sku, world.a2, 10)
    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_a)
        first, second = (make_order(conn, shop, world.wh_a, [(world.sku, 1)], platform_order_id=ref, buyer_open_id="b-1",
                                    hlc=world.hlc()) for ref in ("TB-FIRST", "TB-SECOND"))
        (wave,) = fulfilment.create_waves(conn, world.wh_a, [first, second], slots=8, hlc=world.hlc(), merges=[[first, second]])
        (box,) = packages.packages_of_order(conn, second)
        packages.set_package(conn, box.id, state="packed")
    assert browser.login().status_code == 303
    for lang, word in (("zh-CN", "合单"), ("en", "merged with")):
        _lang(browser, lang)
        for path in (f"/app/waves/{wave.wave_id}", "/app/shipments"):
            row = re.search(rf'<tr data-package="{box.id}">(.*?)</tr>', browser.get(path, headers=HTML).text, re.S).group(1)
            assert "TB-FIRST" in row and word in row and f'/app/orders/{second}"><code>TB-SECOND' in row
        detail = browser.get(f"/app/orders/{first}", headers=HTML).text
        row = re.search(r'<tr class="package">(.*?)</tr>', detail, re.S).group(1)
        assert word in row and f'/app/orders/{second}"><code>TB-SECOND' in row
