"""The viewer's per-warehouse scope (``server.web.permissions.Viewer``), built by ``auth.load_viewer``
from real roles granted everywhere or in one warehouse (``accounts.grant_role(..., warehouse_id=...)``):
``can`` (everywhere), ``can_in`` (one warehouse), ``can_somewhere`` (the route gate) and
``warehouses_for`` (``None`` = all, else the warehouse ids)."""

from __future__ import annotations

from datetime import UTC, datetime

from server.store import accounts, sessions
from server.store import users as user_store
from server.web import auth
from server.web.permissions import GLOBAL_ONLY, PUBLIC, SIGNED_IN, Viewer
from tests.server.world import World

NOW = datetime.now(UTC)


def _viewer(world: World, username: str, grants: list[tuple[set[str], str | None]]) -> Viewer:
    """A signed-in viewer holding one role per (permissions, warehouse or None for everywhere)."""
    with world.store.transaction() as conn:
        user = user_store.create(conn, username, username)
        for n, (perms, warehouse) in enumerate(grants):
            accounts.ensure_role(conn, f"{username}-{n}", "r", "r", perms)
            accounts.grant_role(conn, user.id, f"{username}-{n}", warehouse_id=warehouse)
        _, token = sessions.create(conn, user.id, now=NOW, ip="", user_agent="")
    return auth.load_viewer(world.store, token, now=NOW)


def test_role_granted_everywhere_holds_in_every_warehouse(world: World) -> None:
    v = _viewer(world, "boss", [({"stocktakes.view"}, None)])
    assert v.can("stocktakes.view") and v.can_somewhere("stocktakes.view")
    assert v.can_in("stocktakes.view", world.wh_a) and v.can_in("stocktakes.view", world.wh_b)
    assert v.warehouses_for("stocktakes.view") is None
    assert not v.can("stocktakes.approve") and v.warehouses_for("stocktakes.approve") == frozenset()


def test_role_granted_in_one_warehouse_holds_only_there(world: World) -> None:
    v = _viewer(world, "shlead", [({"stocktakes.view", "stocktakes.approve"}, world.wh_a)])
    assert not v.can("stocktakes.view")
    assert v.can_in("stocktakes.approve", world.wh_a)
    assert not v.can_in("stocktakes.approve", world.wh_b)
    assert not v.can_in("stocktakes.approve", None)  # no warehouse named: not held everywhere
    assert v.can_somewhere("stocktakes.approve")  # the gate lets them reach the page
    assert v.warehouses_for("stocktakes.view") == frozenset({world.wh_a})
    assert v.by_warehouse == {world.wh_a: frozenset({"stocktakes.view", "stocktakes.approve"})}


def test_star_in_one_warehouse_is_every_warehouse_permission_there_only(world: World) -> None:
    v = _viewer(world, "gzadmin", [({accounts.ALL}, world.wh_b)])
    assert v.can_in("stocktakes.approve", world.wh_b) and v.can_in("devices.revoke", world.wh_b)
    assert not v.can("stocktakes.approve") and not v.can_in("stocktakes.approve", world.wh_a)
    assert v.warehouses_for("stocktakes.view") == frozenset({world.wh_b})


def test_global_only_permissions_never_come_from_a_warehouse_role(world: World) -> None:
    v = _viewer(world, "climber", [({accounts.ALL, "users.manage", "audit.view"}, world.wh_a)])
    for permission in sorted(GLOBAL_ONLY):
        assert not v.can_in(permission, world.wh_a), permission
        assert not v.can_somewhere(permission), permission  # the gate refuses them
        assert v.warehouses_for(permission) == frozenset(), permission
    boss = _viewer(world, "realboss", [({"users.manage"}, None)])
    assert boss.can_in("users.manage", world.wh_a) and boss.warehouses_for("users.manage") is None


def test_roles_in_two_warehouses_and_everywhere_combine(world: World) -> None:
    v = _viewer(world, "mixed", [({"stocktakes.view"}, world.wh_a), ({"stocktakes.view", "stocktakes.approve"}, world.wh_b),
                                 ({"dashboard.view"}, None)])
    assert v.warehouses_for("stocktakes.view") == frozenset({world.wh_a, world.wh_b})
    assert v.warehouses_for("stocktakes.approve") == frozenset({world.wh_b})
    assert v.warehouses_for("dashboard.view") is None and v.can_in("dashboard.view", world.wh_a)
    assert not v.can_in("stocktakes.approve", world.wh_a)


def test_same_role_granted_everywhere_and_in_a_warehouse_is_held_everywhere(world: World) -> None:
    v = _viewer(world, "both", [({"audit.view"}, world.wh_a), ({"audit.view"}, None)])
    assert v.can("audit.view") and v.warehouses_for("audit.view") is None


def test_no_roles_holds_nothing_but_public_and_signed_in(world: World) -> None:
    v = _viewer(world, "nobody", [])
    assert v.can(PUBLIC) and v.can(SIGNED_IN) and v.can_in(SIGNED_IN, world.wh_a)
    assert not v.can_somewhere("stocktakes.view") and v.warehouses_for("stocktakes.view") == frozenset()
    assert not v.can_in("stocktakes.view", world.wh_a)


def test_a_grant_takes_effect_at_the_next_request(world: World) -> None:
    v = _viewer(world, "later", [])
    with world.store.transaction() as conn:
        accounts.ensure_role(conn, "late", "r", "r", {"stocktakes.view"})
        accounts.grant_role(conn, v.account.id, "late", warehouse_id=world.wh_b)
        _, token = sessions.create(conn, v.account.id, now=NOW, ip="", user_agent="")
    again = auth.load_viewer(world.store, token, now=NOW)
    assert again.warehouses_for("stocktakes.view") == frozenset({world.wh_b}) and not v.can_somewhere("stocktakes.view")
