"""Store functions behind the admin pages (SQLite and PostgreSQL): audited account and role changes
with their guard rails, the read models (keyset lists, grants, audit filters), and the review of an
approved stocktake as it was counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from server.store import accounts, admin_views, audit, events, sessions, stocktakes
from server.store import users as user_store
from server.store.schema import audit_log, users
from shared.core.errors import ConflictError, NotFoundError, RuleViolation, ValidationError
from shared.core.time import utc_now
from tests.server.world import World

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASHER", FAST)


def _manager(world: World, username: str = "boss") -> str:
    with world.store.transaction() as conn:
        user = accounts.create_account(conn, username, username, PASSWORD)
        accounts.ensure_role(conn, "admin", "管理员", "Administrator", {accounts.ALL})
        accounts.grant(conn, user.id, "admin")
    return user.id


def _actions(world: World) -> list[str]:
    with world.store.read() as conn:
        return list(conn.execute(select(audit_log.c.action).order_by(audit_log.c.seq)).scalars())


def test_create_account_checks_the_password_before_writing(world: World) -> None:
    with pytest.raises(ValidationError) as err, world.store.transaction() as conn:
        accounts.create_account(conn, "lisi", "李四", "short")
    assert err.value.code == "auth.password_too_short"
    with world.store.read() as conn:
        assert conn.execute(select(users.c.id).where(users.c.username == "lisi")).first() is None
    with world.store.transaction() as conn:
        accounts.create_account(conn, "LiSi", "李四", PASSWORD)
        accounts.verify_login(conn, "lisi", PASSWORD, "1.2.3.4", hasher=FAST)
    assert _actions(world) == ["user.created"]


def test_deactivate_ends_sessions_and_refuses_oneself(world: World) -> None:
    boss = _manager(world)
    with world.store.transaction() as conn:
        other = accounts.create_account(conn, "zhang", "张", PASSWORD)
        sessions.create(conn, other.id, now=utc_now(), ip="", user_agent="")
        accounts.set_active(conn, other.id, False, by=boss)
        assert sessions.list_for_user(conn, other.id, now=utc_now()) == []
        accounts.set_active(conn, other.id, False, by=boss)  # twice: nothing more
    with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
        accounts.set_active(conn, boss, False, by=boss)
    assert err.value.code == "web.adm.cannot_deactivate_self"
    assert _actions(world).count("user.deactivated") == 1


def test_last_manager_is_kept_through_revoke_deactivate_and_role_edits(world: World) -> None:
    boss = _manager(world)
    for change in (lambda conn: accounts.revoke(conn, boss, "admin"),
                   lambda conn: accounts.set_role_permissions(conn, "admin", {"dashboard.view"}),
                   lambda conn: accounts.set_active(conn, boss, False, by="someone-else")):
        with pytest.raises(RuleViolation) as err, world.store.transaction() as conn:
            change(conn)
        assert err.value.code == "web.adm.last_manager"
    with world.store.read() as conn:
        assert accounts.ALL in accounts.permissions_of(conn, boss)
    deputy = _manager(world, "deputy")
    with world.store.transaction() as conn:
        accounts.revoke(conn, boss, "admin")
    with world.store.read() as conn:
        assert accounts.permissions_of(conn, boss) == frozenset() and accounts.ALL in accounts.permissions_of(conn, deputy)


def test_warehouse_grants_do_not_count_as_user_managers(world: World) -> None:
    boss = _manager(world)
    with world.store.transaction() as conn:
        local = accounts.create_account(conn, "local", "local", PASSWORD)
        accounts.grant(conn, local.id, "admin", warehouse_id=world.wh_a)
    with pytest.raises(RuleViolation), world.store.transaction() as conn:
        accounts.revoke(conn, boss, "admin")


def test_grant_and_revoke_are_audited_once(world: World) -> None:
    _manager(world)
    with world.store.transaction() as conn:
        user = accounts.create_account(conn, "wang", "王", PASSWORD)
        accounts.ensure_role(conn, "counter", "盘点员", "Counter", {"stocktakes.view"})
        accounts.grant(conn, user.id, "counter", warehouse_id=world.wh_b)
        accounts.grant(conn, user.id, "counter", warehouse_id=world.wh_b)  # already held
        accounts.revoke(conn, user.id, "counter", warehouse_id=world.wh_b)
    with pytest.raises(NotFoundError) as err, world.store.transaction() as conn:
        accounts.revoke(conn, user.id, "counter", warehouse_id=world.wh_b)
    assert err.value.code == "web.adm.grant_not_found"
    assert _actions(world)[-2:] == ["user.role_granted", "user.role_revoked"]
    assert _actions(world).count("user.role_granted") == 2  # the manager's and this one


def test_create_role_validates_its_code(world: World) -> None:
    with world.store.transaction() as conn:
        assert accounts.create_role(conn, " Picker ", "拣货员", "") == "picker"
    for bad, error in (("", ValidationError), ("a b", ValidationError), ("x" * 33, ValidationError), ("picker", ConflictError)):
        with pytest.raises(error), world.store.transaction() as conn:
            accounts.create_role(conn, bad, "x", "x")


def test_rename_and_pin_stamp_the_replicated_row_and_audit_without_secrets(world: World) -> None:
    with world.store.transaction() as conn:
        user = user_store.create(conn, "zhao", "赵")
        seq = conn.execute(select(users.c.change_seq).where(users.c.id == user.id)).scalar_one()
    with world.store.transaction() as conn:  # a later transaction: a later stamp
        user_store.rename(conn, user.id, "  赵六 ")
        user_store.rename(conn, user.id, "赵六")  # unchanged: no entry
        user_store.change_pin(conn, user.id, "2468")
        row = conn.execute(select(users).where(users.c.id == user.id)).one()
    assert row.display_name == "赵六" and row.change_seq > seq
    with world.store.read() as conn:
        entries = conn.execute(select(audit_log.c.action, audit_log.c.after).order_by(audit_log.c.seq)).all()
    assert [e.action for e in entries] == ["user.renamed", "user.pin_set"]
    assert "2468" not in str(entries[1].after) and "pbkdf2" not in str(entries[1].after)
    with pytest.raises(ValidationError), world.store.transaction() as conn:
        user_store.change_pin(conn, user.id, "12")


def test_list_users_pages_by_username_with_grants(world: World) -> None:
    with world.store.transaction() as conn:
        for name in ("c", "a", "b"):
            accounts.create_account(conn, name + "-user", name, PASSWORD)
        accounts.ensure_role(conn, "r", "角色", "Role", {"audit.view"})
        b = conn.execute(select(users.c.id).where(users.c.username == "b-user")).scalar_one()
        accounts.grant(conn, b, "r", warehouse_id=world.wh_a)
    with world.store.read() as conn:
        first = admin_views.list_users(conn, size=2)
        rest = admin_views.list_users(conn, after=(first[1].username,), size=2)
        one = admin_views.get_user(conn, b)
    assert [u.username for u in first] == ["a-user", "b-user", "c-user"]  # size + 1
    assert [u.username for u in rest] == ["c-user"]
    assert one.grants == [admin_views.Grant("r", "角色", "Role", world.wh_a)] and one.last_sign_in is None


def test_list_stocktakes_is_newest_first_within_the_warehouses_given(world: World) -> None:
    with world.store.transaction() as conn:
        made = [stocktakes.create(conn, w, [b], hlc=world.hlc()) for w, b in
                ((world.wh_a, world.a1.id), (world.wh_b, world.b1.id), (world.wh_a, world.a2.id))]
    with world.store.read() as conn:
        everywhere = admin_views.list_stocktakes(conn, warehouse_ids=None)
        only_a = admin_views.list_stocktakes(conn, warehouse_ids={world.wh_a}, size=1)
        after = admin_views.list_stocktakes(conn, warehouse_ids={world.wh_a}, after=admin_views.stocktake_key(only_a[0]), size=1)
        none = admin_views.list_stocktakes(conn, warehouse_ids=frozenset())
    assert [s.id for s in everywhere] == [made[2].id, made[1].id, made[0].id]
    assert [s.id for s in only_a] == [made[2].id, made[0].id] and [s.id for s in after] == [made[0].id]
    assert none == [] and everywhere[0].bins == 1 and everywhere[0].lines == 0


def test_audit_filters_by_actor_action_prefix_entity_and_time(world: World) -> None:
    with audit.acting("dev-1", "device:dev-1"), world.store.transaction() as conn:
        events.record(conn, "sku.created", "sku", "s1", {}, hlc=1)
        events.record(conn, "sku.updated", "sku", "s1", {}, hlc=2)
    with world.store.transaction() as conn:
        events.record(conn, "skux.odd", "sku", "s2", {}, hlc=3)
    now = utc_now()
    with world.store.read() as conn:
        def seqs(**kw: object) -> list[int]:
            return [e.seq for e in admin_views.list_audit(conn, admin_views.AuditFilter(**kw))]  # type: ignore[arg-type]

        assert seqs() == [3, 2, 1]
        assert seqs(actors=("dev-1",)) == [2, 1]
        assert seqs(action="sku.") == [2, 1]  # a prefix ending in "." does not match "skux."
        assert seqs(action="skux.odd") == [3]
        assert seqs(entity_type="sku", entity_id="s2") == [3]
        assert seqs(since=now + timedelta(hours=1)) == [] and seqs(until=now + timedelta(hours=1)) == [3, 2, 1]
        assert [e.seq for e in admin_views.list_audit(conn, admin_views.AuditFilter(), before_seq=3, size=1)] == [2, 1]


def test_review_as_counted_keeps_the_variance_after_approval(world: World) -> None:
    world.stock(world.sku, world.a1, 10)
    world.stock(world.sku2, world.a1, 3)
    with world.store.transaction() as conn:
        st = stocktakes.create(conn, world.wh_a, [world.a1.id], hlc=world.hlc())
        stocktakes.record_count(conn, st.id, world.a1.id, world.sku, 8, counted_hlc=world.hlc(), counted_by="c")
    with world.store.read() as conn:
        before = stocktakes.review_as_counted(conn, st.id)
    with world.store.transaction() as conn:
        stocktakes.approve(conn, st.id, approver="m", hlc=world.hlc())
    with world.store.read() as conn:
        after = stocktakes.review_as_counted(conn, st.id)
        plain = stocktakes.review(conn, st.id)
    assert sorted(v.delta for v in before.variances) == sorted(v.delta for v in after.variances) == [-3, -2]
    assert all(v.delta == 0 for v in plain.variances)  # why the page uses review_as_counted
