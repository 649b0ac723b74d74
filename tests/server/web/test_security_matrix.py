"""The route × role × foreign-id matrix: every ``/app`` route, every method, asked by someone who may
not do it, answers no success — 0 unauthorised 2xx (nor a 303 "done" after a POST).

Askers: nobody signed in; a signed-in user with no role; and a warehouse supervisor holding every
permission (``*``) but only in warehouse A, who asks for warehouse B's objects by id (and for the
things only a global role may touch). Path parameters are filled from ``FOREIGN`` (objects owned by
warehouse B) or ``GLOBAL`` (objects no warehouse owns); a route with a parameter in neither map fails
the test, so a new page cannot skip the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from server.store import accounts, devices, receipts, sessions, stocktakes, tasks, transfers
from server.store import users as user_store
from server.store.schema import conflicts, users
from server.web.auth import now_of
from server.web.mount import ROUTES
from server.web.render import PREFIX
from server.web.permissions import GLOBAL_ONLY, PUBLIC, SIGNED_IN
from server.web.routing import PageRoute
from shared.core.ids import new_id
from tests.server.web.conftest import ORIGIN, Browser, Clock, make_app
from tests.server.world import World

PASSWORD = "a long enough password"
_PARAM = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass
class Objects:
    """Ids of things in warehouse B (``foreign``) and of things no warehouse owns (``shared``)."""

    foreign: dict[str, str]
    shared: dict[str, str]
    foreign_markers: list[str]  # text that must not appear on A's supervisor's pages


@pytest.fixture
def objects(world: World, browser: Browser, admin: accounts.Account, clock: Clock) -> Objects:
    world.stock(world.sku, world.b1, 20)
    assert browser.login().status_code == 303  # the admin's session: someone else's, for the others
    with world.store.transaction() as conn:
        code, _ = devices.new_enrolment_code(conn, world.wh_b)
    enrolled = browser.client.post("/sync/v1/enrol", json={"code": code, "device_name": "PDA-GZ-SECRET"}).json()
    bad_op = {"op_id": new_id(), "device_id": enrolled["device_id"], "seq": 1, "hlc": world.hlc(), "user_id": "zhangsan",
              "kind": "stock.pick", "v": 2, "payload": {"sku_id": new_id(), "bin_id": world.b1.id, "qty": 1, "batch": ""}}
    r = browser.client.post("/sync/v1/push", json={"ops": [bad_op]}, headers={"Authorization": f"Bearer {enrolled['token']}"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] != "applied", r.text
    with world.store.transaction() as conn:
        conflict_id = conn.execute(select(conflicts.c.id)).scalar_one()
        take = stocktakes.create(conn, world.wh_b, [world.b1.id], hlc=world.hlc())
        transfer = transfers.create(conn, world.wh_b, world.shop, [(world.sku, 5)], hlc=world.hlc())
        receipt = receipts.create(conn, world.wh_b, [(world.sku, 3)], hlc=world.hlc(), reference="PO-GZ-SECRET")
        pick = tasks.create_pick(conn, world.wh_b, [{"sku_id": world.sku, "bin_id": world.b1.id, "qty": 1}], hlc=world.hlc())
        admin_session = sessions.list_for_user(conn, admin.id, now=now_of(world.store))[0].id
    foreign = {"device_id": enrolled["device_id"], "conflict_id": str(conflict_id or "missing"), "stocktake_id": take.id,
               "transfer_id": transfer.id, "receipt_id": receipt.id, "task_id": pick.id}
    shared = {"session_id": admin_session, "sku_id": world.sku, "user_id": admin.id, "role_id": "admin",
              **_order_objects(world)}
    return Objects(foreign, shared, ["PDA-GZ-SECRET", "PO-GZ-SECRET", "B-01-01-01"])


def _order_objects(world: World) -> dict[str, str]:
    """An order, an order rule and a wave: objects no warehouse owns (orders.*, rules.manage, waves.manage)."""
    from server.store import order_rules, waves
    from tests.server.orders.fulfilment_world import make_order, make_shop

    with world.store.transaction() as conn:
        shop = make_shop(conn, world.wh_b)
        order_id = make_order(conn, shop, world.wh_b, [(world.sku, 1)], hlc=world.hlc(), reserve=False)
        rule_id = order_rules.save_rule(conn, kind="review", name="r", position=1, definition={"risk": True})
        wave = waves.insert_wave(conn, waves.Wave(new_id(), world.wh_b, "multi", "", "", 8, "picking", None), [(order_id, 1)])
    return {"order_id": order_id, "rule_id": rule_id, "wave_id": wave.id}


def _routes() -> list[PageRoute]:
    return [r for r in ROUTES if isinstance(r, PageRoute)]


def _fill(path: str, ids: dict[str, str]) -> str:
    return PREFIX + _PARAM.sub(lambda m: ids[m.group(1)], path)


@pytest.fixture
def askers(world: World, admin: accounts.Account, clock: Clock) -> Iterator[dict[str, Browser]]:
    with world.store.transaction() as conn:
        for name in ("nobody", "supervisor"):
            user_store.create(conn, name, name)
            accounts.set_password(conn, name, PASSWORD)
        accounts.ensure_role(conn, "everything", "全部", "Everything", {accounts.ALL})
        sup_id = conn.execute(select(users.c.id).where(users.c.username == "supervisor")).scalar_one()
        accounts.grant_role(conn, sup_id, "everything", warehouse_id=world.wh_a)
    clients = [TestClient(make_app(world), base_url=ORIGIN) for _ in range(3)]
    try:
        anon, nobody, sup = (Browser(c.__enter__()) for c in clients)
        assert nobody.login("nobody", PASSWORD).status_code == 303
        assert sup.login("supervisor", PASSWORD).status_code == 303
        yield {"anonymous": anon, "nobody": nobody, "supervisor": sup}
    finally:
        for c in clients:
            c.__exit__(None, None, None)


def _ask(b: Browser, method: str, path: str) -> int:
    if method == "GET":
        return b.get(path).status_code
    token = b.csrf_from("/app/sessions") if b.session_cookie else "x"
    return b.post(path, {"csrf_token": token, "note": "x", "username": "x", "password": "x" * 20}).status_code


def _succeeded(method: str, status: int) -> bool:
    return 200 <= status < 300 or (method != "GET" and status in (301, 302, 303, 307, 308))


def test_every_route_parameter_is_known_to_the_matrix(objects: Objects) -> None:
    unknown = {p for r in _routes() for p in _PARAM.findall(r.path) if p not in objects.foreign and p not in objects.shared}
    assert not unknown, f"add these path parameters to the matrix's FOREIGN or GLOBAL objects: {sorted(unknown)}"


def test_no_unauthorised_success_anywhere(objects: Objects, askers: dict[str, Browser]) -> None:
    ids = {**objects.shared, **objects.foreign}
    offenders: list[str] = []
    asked = 0
    for route in _routes():
        if route.permission == PUBLIC:
            continue
        params = set(_PARAM.findall(route.path))
        for method in sorted(route.methods - {"HEAD"}):
            path = _fill(route.path, ids)
            status = _ask(askers["anonymous"], method, path)
            asked += 1
            if _succeeded(method, status) or (method == "GET" and status != 303):
                offenders.append(f"anonymous {method} {path} → {status}")
            if route.permission != SIGNED_IN:
                status = _ask(askers["nobody"], method, path)
                asked += 1
                if status != 403:
                    offenders.append(f"no-role {method} {path} → {status}")
            foreign_params = params & objects.foreign.keys()
            if foreign_params or route.permission in GLOBAL_ONLY:
                status = _ask(askers["supervisor"], method, path)
                asked += 1
                if _succeeded(method, status):
                    offenders.append(f"warehouse-A supervisor {method} {path} → {status}")
    assert asked >= len([r for r in _routes() if r.permission != PUBLIC])  # every guarded route was asked
    assert offenders == [], "\n".join(offenders)


def test_a_warehouse_supervisor_sees_nothing_of_another_warehouse_in_lists(objects: Objects, askers: dict[str, Browser]) -> None:
    sup = askers["supervisor"]
    leaks = []
    for route in _routes():
        if "GET" not in route.methods or _PARAM.search(route.path) or route.permission in GLOBAL_ONLY | {PUBLIC}:
            continue
        r = sup.get(PREFIX + route.path)
        assert r.status_code in (200, 403), (route.path, r.status_code)
        if r.status_code == 200:
            leaks += [f"{route.path} shows {marker!r}" for marker in objects.foreign_markers if marker in r.text]
    assert leaks == [], "\n".join(leaks)
