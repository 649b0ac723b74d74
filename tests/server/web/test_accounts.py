"""Back-office accounts in the store (SQLite and PostgreSQL): argon2id passwords, re-hash, lock-out by
username and by IP with an injected time, roles and permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from server.store import accounts, sessions
from server.store import users as user_store
from server.store.db import Store
from server.store.schema import login_throttle, user_passwords, users
from shared.core.errors import ValidationError
from tests.server.web.conftest import ADMIN_PASSWORD
from tests.server.world import World

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
IP = "10.0.0.7"


def _login(store: Store, username: str, password: str, *, now: datetime = T0, ip: str = IP) -> accounts.Account:
    with store.transaction() as conn:
        return accounts.verify_login(conn, username, password, ip, now=now)


def _fail(store: Store, username: str, password: str, error: type[Exception], code: str, *, now: datetime = T0, ip: str = IP) -> None:
    with store.transaction() as conn, pytest.raises(error) as caught:  # caught inside: the failure is committed
        accounts.verify_login(conn, username, password, ip, now=now)
    assert caught.value.code == code  # type: ignore[attr-defined]


def test_verify_login_right_password_returns_the_account(world: World, admin: accounts.Account) -> None:
    assert _login(world.store, "Admin ", ADMIN_PASSWORD) == admin


def test_password_is_stored_as_argon2id_outside_the_replicated_users_table(world: World, admin: accounts.Account) -> None:
    with world.store.read() as conn:
        stored = conn.execute(select(user_passwords.c.password_hash)).scalar_one()
        assert "password" not in " ".join(users.c.keys())
    assert stored.startswith("$argon2id$") and ADMIN_PASSWORD not in stored


def test_wrong_password_and_unknown_user_fail_alike(world: World, admin: accounts.Account) -> None:
    _fail(world.store, "admin", "wrong password!!", accounts.LoginFailed, "auth.bad_credentials")
    _fail(world.store, "nobody", ADMIN_PASSWORD, accounts.LoginFailed, "auth.bad_credentials")
    _fail(world.store, "admin", "", accounts.LoginFailed, "auth.bad_credentials")
    _fail(world.store, "admin", "x" * 10_000, accounts.LoginFailed, "auth.bad_credentials")


def test_user_without_password_or_inactive_cannot_sign_in(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        user_store.create(conn, "lisi", "李四", pin="1234")
    _fail(world.store, "lisi", "1234", accounts.LoginFailed, "auth.bad_credentials")
    with world.store.transaction() as conn:
        conn.execute(users.update().where(users.c.username == "admin").values(active=False))
    _fail(world.store, "admin", ADMIN_PASSWORD, accounts.LoginFailed, "auth.bad_credentials")


def test_password_rules_are_length_and_not_the_username(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        for bad, code in [("short", "auth.password_too_short"), ("x" * 257, "auth.password_too_long")]:
            with pytest.raises(ValidationError) as caught:
                accounts.set_password(conn, "admin", bad)
            assert caught.value.code == code
        user_store.create(conn, "warehouse-manager", "王经理")
        with pytest.raises(ValidationError) as caught:
            accounts.set_password(conn, "warehouse-manager", "Warehouse-Manager")
        assert caught.value.code == "auth.password_is_username"
        accounts.set_password(conn, "warehouse-manager", "仓库里的龙井茶要先进先出")
    assert _login(world.store, "warehouse-manager", "仓库里的龙井茶要先进先出").username == "warehouse-manager"


def test_five_failures_lock_the_account_for_fifteen_minutes(world: World, admin: accounts.Account) -> None:
    for i in range(5):
        _fail(world.store, "admin", f"wrong password {i}", accounts.LoginFailed, "auth.bad_credentials", now=T0 + timedelta(seconds=i))
    _fail(world.store, "admin", ADMIN_PASSWORD, accounts.LoginLocked, "auth.locked", now=T0 + timedelta(minutes=14))
    assert _login(world.store, "admin", ADMIN_PASSWORD, now=T0 + timedelta(minutes=15, seconds=5)) == admin


def test_failures_outside_the_window_do_not_add_up(world: World, admin: accounts.Account) -> None:
    for i in range(4):
        _fail(world.store, "admin", "wrong password!!", accounts.LoginFailed, "auth.bad_credentials", now=T0 + timedelta(seconds=i))
    later = T0 + timedelta(minutes=16)
    for i in range(4):
        _fail(world.store, "admin", "wrong password!!", accounts.LoginFailed, "auth.bad_credentials", now=later + timedelta(seconds=i))
    assert _login(world.store, "admin", ADMIN_PASSWORD, now=later + timedelta(seconds=10)) == admin


def test_success_clears_the_username_count(world: World, admin: accounts.Account) -> None:
    for _ in range(4):
        _fail(world.store, "admin", "wrong password!!", accounts.LoginFailed, "auth.bad_credentials")
    _login(world.store, "admin", ADMIN_PASSWORD)
    for _ in range(4):
        _fail(world.store, "admin", "wrong password!!", accounts.LoginFailed, "auth.bad_credentials")
    assert _login(world.store, "admin", ADMIN_PASSWORD) == admin


def test_many_usernames_from_one_ip_lock_that_ip_only(world: World, admin: accounts.Account) -> None:
    for i in range(accounts.POLICY.ip_failures):
        _fail(world.store, f"guess{i}", "wrong password!!", accounts.LoginFailed, "auth.bad_credentials")
    _fail(world.store, "admin", ADMIN_PASSWORD, accounts.LoginLocked, "auth.ip_limited")
    assert _login(world.store, "admin", ADMIN_PASSWORD, ip="10.0.0.8") == admin


def test_throttle_keys_do_not_store_what_was_typed(world: World, admin: accounts.Account) -> None:
    _fail(world.store, "my-secret-password-typed-as-username", "x", accounts.LoginFailed, "auth.bad_credentials")
    with world.store.read() as conn:
        keys = list(conn.execute(select(login_throttle.c.key)).scalars())
    assert len(keys) == 2 and all(len(k) == 64 and "secret" not in k for k in keys)


def test_login_rehashes_when_the_parameters_change(world: World, admin: accounts.Account) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    strong = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    with world.store.transaction() as conn:
        accounts.set_password(conn, "admin", ADMIN_PASSWORD, hasher=weak)
    with world.store.transaction() as conn:
        accounts.verify_login(conn, "admin", ADMIN_PASSWORD, IP, now=T0, hasher=strong)
    with world.store.read() as conn:
        stored = conn.execute(select(user_passwords.c.password_hash)).scalar_one()
    assert "m=1024,t=2,p=1" in stored and not strong.check_needs_rehash(stored)
    assert _login(world.store, "admin", ADMIN_PASSWORD) == admin


def test_the_default_hasher_is_argon2id_with_at_least_owasp_parameters() -> None:
    from argon2 import Type

    params = PasswordHasher().time_cost, PasswordHasher().memory_cost, PasswordHasher().type
    assert params[2] is Type.ID and params[1] >= 19 * 1024 and params[0] >= 2


def test_setting_a_password_ends_the_users_sessions(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        sessions.create(conn, admin.id, now=T0, ip=IP, user_agent="ua")
        accounts.set_password(conn, "admin", "a new long password")
        assert sessions.list_for_user(conn, admin.id, now=T0) == []


def test_ensure_admin_is_idempotent_and_grants_every_permission(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        again = accounts.ensure_admin(conn, "another long password")
        assert again == admin
        assert accounts.permissions_of(conn, admin.id) == frozenset({accounts.ALL})
    assert _login(world.store, "admin", "another long password") == admin


def test_roles_can_be_scoped_to_a_warehouse(world: World, admin: accounts.Account) -> None:
    with world.store.transaction() as conn:
        clerk = user_store.create(conn, "clerk", "文员")
        accounts.ensure_role(conn, "viewer", "只读", "Viewer", {"dashboard.view"})
        accounts.ensure_role(conn, "stock", "库存", "Stock", {"stock.adjust"})
        accounts.grant_role(conn, clerk.id, "viewer")
        accounts.grant_role(conn, clerk.id, "stock", warehouse_id=world.wh_a)
        accounts.grant_role(conn, clerk.id, "stock", warehouse_id=world.wh_a)  # idempotent
        assert accounts.permissions_of(conn, clerk.id) == {"dashboard.view"}
        assert accounts.permissions_of(conn, clerk.id, warehouse_id=world.wh_a) == {"dashboard.view", "stock.adjust"}
        assert accounts.permissions_of(conn, clerk.id, warehouse_id=world.wh_b) == {"dashboard.view"}
        with pytest.raises(Exception) as caught:
            accounts.grant_role(conn, clerk.id, "no-such-role")
        assert caught.value.code == "auth.unknown_role"  # type: ignore[attr-defined]
