"""Back-office accounts: argon2id passwords, sign-in with lock-out, roles and permissions.

A back-office account is a row of ``users`` (the same people who sign in to handhelds with a PIN) plus
a row of ``user_passwords``; the hash never sits in ``users``, which is replicated to devices.

Sign-in failures are counted in ``login_throttle`` (in the database, so every worker process sees
them) under two keys: the username and the client IP. ``LoginPolicy`` holds the limits. Keys are
SHA-256 hashes, so what people typed in the username box is not stored.

    DomainError
    ├── LoginFailed        auth.bad_credentials             401  unknown user, inactive, no or wrong password
    ├── LoginLocked        auth.locked, auth.ip_limited     429  too many failures; no password is checked
    ├── ValidationError    auth.password_too_short/_too_long/_is_username
    └── NotFoundError      user.not_found, auth.unknown_role

Sign-in is two phases so the slow argon2 hash never holds the write lock: ``check_login`` (read-only:
lock check, hash check) then ``record_login`` (write: count the failure and raise, or clear the count
and return the account); ``verify_login`` does both on one connection. ``record_login`` records a
failure in ``conn`` and then raises: catch the error *inside* the transaction so the record is
committed (the lock-out depends on it).
"""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.store import audit, sessions
from server.store import users as user_store
from server.store.changes import stamp
from server.store.schema import login_throttle, role_permissions, roles, user_passwords, user_roles, users
from shared.core.errors import ConflictError, DomainError, NotFoundError, RuleViolation, ValidationError
from shared.core.text import clean_text
from shared.core.time import utc_now

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile; tests may swap in a cheaper one
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 256
ADMIN_USERNAME = "admin"
ADMIN_ROLE = "admin"
ALL = "*"  # the permission that grants every permission


class LoginFailed(DomainError):
    http_status = 401


class LoginLocked(DomainError):
    http_status = 429


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """Failures allowed per window before a lock of ``lockout`` (per username and per IP)."""

    user_failures: int = 5
    ip_failures: int = 30
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


POLICY = LoginPolicy()


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    username: str
    display_name: str


# ---- passwords ----------------------------------------------------------------------------------


def check_password(password: object, username: str = "") -> str:
    """The password NFC-normalised, or a typed error. Length rules only (ASVS 2.1): 12 to 256."""
    if not isinstance(password, str):
        raise ValidationError("auth.password_too_short", min=MIN_PASSWORD_CHARS)
    text = unicodedata.normalize("NFC", password)
    if len(text) < MIN_PASSWORD_CHARS:
        raise ValidationError("auth.password_too_short", min=MIN_PASSWORD_CHARS)
    if len(text) > MAX_PASSWORD_CHARS:
        raise ValidationError("auth.password_too_long", max=MAX_PASSWORD_CHARS)
    if username and text.lower() == username.lower():
        raise ValidationError("auth.password_is_username")
    return text


def set_password(conn: Connection, username: str, password: str, *, hasher: PasswordHasher | None = None,
                 now: datetime | None = None) -> None:
    """Set (or replace) a user's back-office password. Ends all of that user's sessions and lifts
    their lock-out, as an administrator's reset should."""
    row = conn.execute(select(users.c.id, users.c.username).where(users.c.username == username.strip().lower())).first()
    if row is None:
        raise NotFoundError("user.not_found", username=username)
    _store_hash(conn, row.id, (hasher or HASHER).hash(check_password(password, row.username)), now or utc_now())
    sessions.end_all_for_user(conn, row.id)
    conn.execute(delete(login_throttle).where(login_throttle.c.key == _key("user", row.username)))


def _store_hash(conn: Connection, user_id: str, password_hash: str, now: datetime) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(user_passwords).values(user_id=user_id, password_hash=password_hash, changed_at=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["user_id"],
                                            set_={"password_hash": password_hash, "changed_at": now}))


@functools.cache
def _decoy_hash() -> str:
    """A real hash of nothing, checked for unknown usernames so they cost the same time as known ones."""
    return HASHER.hash(secrets.token_urlsafe(16))


# ---- sign-in --------------------------------------------------------------------------------------


def verify_login(conn: Connection, username: object, password: object, ip: str, *, now: datetime | None = None,
                 policy: LoginPolicy = POLICY, hasher: PasswordHasher | None = None) -> Account:
    """The account if ``password`` is right and neither the username nor the IP is locked out, in
    one call (``check_login`` then ``record_login`` on the same connection)."""
    now = now or utc_now()
    return record_login(conn, check_login(conn, username, password, ip, now=now, hasher=hasher), now=now, policy=policy)


@dataclass(frozen=True, slots=True)
class LoginCheck:
    """What ``check_login`` found; only ``record_login`` turns it into an account or an error."""

    user_key: str
    ip_key: str
    account: Account | None
    new_hash: str | None  # set when the stored hash used older parameters


def check_login(conn: Connection, username: object, password: object, ip: str, *, now: datetime,
                hasher: PasswordHasher | None = None) -> LoginCheck:
    """Phase one, read-only: refuse locked keys, then check the password with argon2. Run it in a
    read transaction so the slow hash never holds the store's write lock. Every attempt costs one
    argon2 verification, known user or not (no timing hint whether a user exists)."""
    hasher = hasher or HASHER
    name = username.strip().lower() if isinstance(username, str) else ""
    check = LoginCheck(_key("user", name), _key("ip", ip), None, None)
    _refuse_if_locked(conn, check.ip_key, "auth.ip_limited", now)
    _refuse_if_locked(conn, check.user_key, "auth.locked", now)
    row = conn.execute(select(users.c.id, users.c.username, users.c.display_name, users.c.active, user_passwords.c.password_hash)
                       .join(user_passwords, user_passwords.c.user_id == users.c.id)
                       .where(users.c.username == name[:64])).first()
    typed = unicodedata.normalize("NFC", password) if isinstance(password, str) and len(password) <= MAX_PASSWORD_CHARS else ""
    matches = _matches(hasher, row.password_hash if row is not None else _decoy_hash(), typed)
    if row is None or not row.active or not matches:
        return check
    new_hash = hasher.hash(typed) if hasher.check_needs_rehash(row.password_hash) else None
    return LoginCheck(check.user_key, check.ip_key, Account(row.id, row.username, row.display_name), new_hash)


def record_login(conn: Connection, check: LoginCheck, *, now: datetime, policy: LoginPolicy = POLICY) -> Account:
    """Phase two, in a write transaction: a lock set meanwhile still refuses; a failure is counted
    (then ``LoginFailed``); a success clears the username's count and stores any re-hash."""
    _refuse_if_locked(conn, check.ip_key, "auth.ip_limited", now)
    _refuse_if_locked(conn, check.user_key, "auth.locked", now)
    if check.account is None:
        _count_failure(conn, check.ip_key, policy.ip_failures, now, policy)
        _count_failure(conn, check.user_key, policy.user_failures, now, policy)
        raise LoginFailed("auth.bad_credentials")
    if check.new_hash is not None:
        _store_hash(conn, check.account.id, check.new_hash, now)
    conn.execute(delete(login_throttle).where(login_throttle.c.key == check.user_key))
    return check.account


def _matches(hasher: PasswordHasher, stored: str, typed: str) -> bool:
    try:
        return hasher.verify(stored, typed or "\x00")  # an empty password still costs one verification
    except (VerificationError, InvalidHashError):
        return False


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _refuse_if_locked(conn: Connection, key: str, code: str, now: datetime) -> None:
    row = conn.execute(select(login_throttle.c.locked_until).where(login_throttle.c.key == key)).first()
    until = _aware(row.locked_until) if row is not None and row.locked_until is not None else None
    if until is not None and until > now:
        raise LoginLocked(code, minutes=max(1, math.ceil((until - now).total_seconds() / 60)))


def _count_failure(conn: Connection, key: str, limit: int, now: datetime, policy: LoginPolicy) -> None:
    """One more failure under ``key``; the ``limit``-th within ``policy.window`` locks the key."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(login_throttle).values(key=key, failures=0, window_started_at=now, locked_until=None)
                 .on_conflict_do_nothing(index_elements=["key"]))
    row = conn.execute(select(login_throttle).where(login_throttle.c.key == key).with_for_update()).one()
    fresh = _aware(row.window_started_at) + policy.window <= now
    failures, started = (1, now) if fresh else (row.failures + 1, _aware(row.window_started_at))
    locked_until = None
    if failures >= limit:
        failures, started, locked_until = 0, now, now + policy.lockout
    conn.execute(login_throttle.update().where(login_throttle.c.key == key)
                 .values(failures=failures, window_started_at=started, locked_until=locked_until))


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---- roles and permissions ---------------------------------------------------------------------------


def ensure_role(conn: Connection, role_id: str, name_zh: str, name_en: str, permissions: frozenset[str] | set[str]) -> None:
    """Create the role if missing and add any of ``permissions`` it lacks (never removes one)."""
    if conn.execute(select(roles.c.id).where(roles.c.id == role_id)).first() is None:
        conn.execute(roles.insert().values(id=role_id, name_zh=name_zh, name_en=name_en, created_at=utc_now()))
    have = set(conn.execute(select(role_permissions.c.permission).where(role_permissions.c.role_id == role_id)).scalars())
    missing = sorted(set(permissions) - have)
    if missing:
        conn.execute(role_permissions.insert(), [{"role_id": role_id, "permission": p} for p in missing])


def grant_role(conn: Connection, user_id: str, role_id: str, *, warehouse_id: str | None = None) -> None:
    """Give ``user_id`` the role, in every warehouse (``warehouse_id`` None) or in one. Idempotent."""
    if conn.execute(select(roles.c.id).where(roles.c.id == role_id)).first() is None:
        raise NotFoundError("auth.unknown_role", role=role_id)
    scope = user_roles.c.warehouse_id.is_(None) if warehouse_id is None else user_roles.c.warehouse_id == warehouse_id
    if conn.execute(select(user_roles.c.user_id).where(and_(user_roles.c.user_id == user_id, user_roles.c.role_id == role_id, scope))).first():
        return
    conn.execute(user_roles.insert().values(user_id=user_id, role_id=role_id, warehouse_id=warehouse_id))


def permissions_of(conn: Connection, user_id: str, *, warehouse_id: str | None = None) -> frozenset[str]:
    """The permissions ``user_id`` holds everywhere, plus (with ``warehouse_id``) those held in that
    warehouse. ``"*"`` among them means every permission."""
    scope = user_roles.c.warehouse_id.is_(None)
    if warehouse_id is not None:
        scope = or_(scope, user_roles.c.warehouse_id == warehouse_id)
    q = (select(role_permissions.c.permission).join(user_roles, user_roles.c.role_id == role_permissions.c.role_id)
         .where(and_(user_roles.c.user_id == user_id, scope)))
    return frozenset(conn.execute(q).scalars())


def warehouse_permissions_of(conn: Connection, user_id: str) -> dict[str, frozenset[str]]:
    """The permissions ``user_id`` holds through roles granted in single warehouses: warehouse id →
    permissions (roles granted everywhere are in ``permissions_of``)."""
    q = (select(user_roles.c.warehouse_id, role_permissions.c.permission)
         .join(user_roles, user_roles.c.role_id == role_permissions.c.role_id)
         .where(and_(user_roles.c.user_id == user_id, user_roles.c.warehouse_id.is_not(None))))
    held: dict[str, set[str]] = {}
    for warehouse_id, permission in conn.execute(q):
        held.setdefault(warehouse_id, set()).add(permission)
    return {w: frozenset(p) for w, p in held.items()}


def ensure_admin(conn: Connection, password: str, *, hasher: PasswordHasher | None = None) -> Account:
    """The demo/first administrator: user ``admin`` (created if missing) with role ``admin`` (every
    permission) and the given password (replacing any earlier one; their sessions end)."""
    row = conn.execute(select(users.c.id, users.c.display_name).where(users.c.username == ADMIN_USERNAME)).first()
    if row is None:
        created = user_store.create(conn, ADMIN_USERNAME, "管理员")
        user_id, display_name = created.id, created.display_name
    else:
        user_id, display_name = row.id, row.display_name
    ensure_role(conn, ADMIN_ROLE, "管理员", "Administrator", {ALL})
    grant_role(conn, user_id, ADMIN_ROLE)
    set_password(conn, ADMIN_USERNAME, password, hasher=hasher)
    return Account(user_id, ADMIN_USERNAME, display_name)


def get_account(conn: Connection, user_id: str) -> Account:
    """An active account by id, or ``user.not_found``."""
    row = conn.execute(select(users.c.id, users.c.username, users.c.display_name)
                       .where(and_(users.c.id == user_id, users.c.active.is_(True)))).first()
    if row is None:
        raise NotFoundError("user.not_found", username=user_id)
    return Account(row.id, row.username, row.display_name)


# ---- back-office administration (every change audited in the same transaction) --------------------------
#
#     ValidationError   web.adm.bad_role_id, auth.password_*, invalid.text
#     ConflictError     web.adm.role_exists, user.duplicate
#     RuleViolation     web.adm.last_manager   the change would leave no active user able to manage users

MANAGE_USERS = "users.manage"
ROLE_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def create_account(conn: Connection, username: str, display_name: str, password: str, *,
                   hasher: PasswordHasher | None = None) -> user_store.User:
    """A new active user with a back-office password (checked before anything is written)."""
    text = check_password(password, username.strip().lower())
    user = user_store.create(conn, username, display_name)
    _store_hash(conn, user.id, (hasher or HASHER).hash(text), utc_now())
    audit.append(conn, "user.created", "user", user.id, {"username": user.username, "display_name": user.display_name})
    return user


def reset_password(conn: Connection, user_id: str, password: str, *, hasher: PasswordHasher | None = None) -> None:
    """An administrator's reset: new password, every session of the user ended, lock-out lifted."""
    username = _username(conn, user_id)
    set_password(conn, username, password, hasher=hasher)
    audit.append(conn, "user.password_reset", "user", user_id, {"username": username})


def set_active(conn: Connection, user_id: str, active: bool, *, by: str) -> None:
    """Deactivate (sessions end at once; handhelds stop offering the user) or reactivate a user.
    Nobody deactivates themselves, and the last active user manager stays."""
    username = _username(conn, user_id)
    if not active and user_id == by:
        raise RuleViolation("web.adm.cannot_deactivate_self")
    before = _manager_count(conn)
    done = conn.execute(users.update().where(and_(users.c.id == user_id, users.c.active.is_(not active)))
                        .values(active=active, change_seq=stamp(conn))).rowcount
    if not done:
        return
    if not active:
        sessions.end_all_for_user(conn, user_id)
        _keep_a_manager(conn, before)
    audit.append(conn, "user.reactivated" if active else "user.deactivated", "user", user_id,
                 {"before": {"active": not active}, "after": {"active": active, "username": username}})


def grant(conn: Connection, user_id: str, role_id: str, *, warehouse_id: str | None = None) -> None:
    """``grant_role``, audited (a grant already held changes nothing and records nothing)."""
    _username(conn, user_id)
    if _held(conn, user_id, role_id, warehouse_id):
        return
    grant_role(conn, user_id, role_id, warehouse_id=warehouse_id)
    audit.append(conn, "user.role_granted", "user", user_id, {"role": role_id, "warehouse_id": warehouse_id})


def revoke(conn: Connection, user_id: str, role_id: str, *, warehouse_id: str | None = None) -> None:
    """Take a role away (globally or in one warehouse); the last active user manager keeps theirs."""
    if not _held(conn, user_id, role_id, warehouse_id):
        raise NotFoundError("web.adm.grant_not_found", role=role_id)
    before = _manager_count(conn)
    conn.execute(delete(user_roles).where(and_(user_roles.c.user_id == user_id, user_roles.c.role_id == role_id,
                                               _scope(warehouse_id))))
    _keep_a_manager(conn, before)
    audit.append(conn, "user.role_revoked", "user", user_id, {"role": role_id, "warehouse_id": warehouse_id})


def create_role(conn: Connection, role_id: str, name_zh: str, name_en: str) -> str:
    """A new role without permissions; ``role_id`` is 1-32 of ``a-z 0-9 _ -``."""
    rid = role_id.strip().lower()
    if not rid or len(rid) > 32 or not set(rid) <= ROLE_ID_CHARS:
        raise ValidationError("web.adm.bad_role_id")
    if conn.execute(select(roles.c.id).where(roles.c.id == rid)).first() is not None:
        raise ConflictError("web.adm.role_exists", role=rid)
    zh = clean_text(name_zh, "name_zh", max_chars=100)
    en = clean_text(name_en, "name_en", max_chars=100, required=False)
    conn.execute(roles.insert().values(id=rid, name_zh=zh, name_en=en, created_at=utc_now()))
    audit.append(conn, "role.created", "role", rid, {"name_zh": zh, "name_en": en})
    return rid


def set_role_permissions(conn: Connection, role_id: str, permissions: frozenset[str] | set[str]) -> None:
    """Replace the role's permissions; refused if no active user could manage users afterwards."""
    if conn.execute(select(roles.c.id).where(roles.c.id == role_id)).first() is None:
        raise NotFoundError("auth.unknown_role", role=role_id)
    have = set(conn.execute(select(role_permissions.c.permission).where(role_permissions.c.role_id == role_id)).scalars())
    wanted = set(permissions)
    if have == wanted:
        return
    before = _manager_count(conn)
    conn.execute(delete(role_permissions).where(role_permissions.c.role_id == role_id))
    if wanted:
        conn.execute(role_permissions.insert(), [{"role_id": role_id, "permission": p} for p in sorted(wanted)])
    _keep_a_manager(conn, before)
    audit.append(conn, "role.permissions_set", "role", role_id, {"before": sorted(have), "after": sorted(wanted)})


def _username(conn: Connection, user_id: str) -> str:
    row = conn.execute(select(users.c.username).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFoundError("user.not_found", username=user_id)
    return str(row.username)


def _scope(warehouse_id: str | None) -> Any:
    return user_roles.c.warehouse_id.is_(None) if warehouse_id is None else user_roles.c.warehouse_id == warehouse_id


def _held(conn: Connection, user_id: str, role_id: str, warehouse_id: str | None) -> bool:
    return conn.execute(select(user_roles.c.user_id).where(and_(
        user_roles.c.user_id == user_id, user_roles.c.role_id == role_id, _scope(warehouse_id)))).first() is not None


def _manager_count(conn: Connection) -> int:
    """Active users holding ``*`` or ``users.manage`` in every warehouse."""
    q = (select(func.count(func.distinct(users.c.id)))
         .join(user_roles, user_roles.c.user_id == users.c.id)
         .join(role_permissions, role_permissions.c.role_id == user_roles.c.role_id)
         .where(and_(users.c.active.is_(True), user_roles.c.warehouse_id.is_(None),
                     role_permissions.c.permission.in_([ALL, MANAGE_USERS]))))
    return int(conn.execute(q).scalar_one())


def _keep_a_manager(conn: Connection, before: int) -> None:
    """Refuse (the transaction rolls back) when a change took the last user manager away."""
    if before > 0 and _manager_count(conn) == 0:
        raise RuleViolation("web.adm.last_manager")
