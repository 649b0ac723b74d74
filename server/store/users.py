"""Users as the handhelds know them: a name to pick and a PIN to sign in with on a shared device.
(Back-office accounts with passwords, roles and sessions come with the back-office issue.)"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from server.store import audit
from server.store.changes import stamp
from server.store.schema import users
from shared.core.errors import ConflictError, NotFoundError
from shared.core.ids import new_id
from shared.core.pin import hash_pin
from shared.core.text import clean_text
from shared.core.time import utc_now


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    display_name: str
    active: bool


def create(conn: Connection, username: str, display_name: str, *, pin: str = "") -> User:
    name = clean_text(username, "username", max_chars=64).lower()
    if conn.execute(select(users.c.id).where(users.c.username == name)).first():
        raise ConflictError("user.duplicate", username=name)
    uid = new_id()
    conn.execute(users.insert().values(id=uid, username=name, display_name=clean_text(display_name, "display_name", max_chars=100),
                                       active=True, created_at=utc_now(), pin_hash=hash_pin(pin) if pin else "", change_seq=stamp(conn)))
    return User(uid, name, display_name, True)


def set_pin(conn: Connection, username: str, pin: str) -> None:
    done = conn.execute(users.update().where(users.c.username == username.lower())
                        .values(pin_hash=hash_pin(pin), change_seq=stamp(conn))).rowcount
    if done != 1:
        raise NotFoundError("user.not_found", username=username)


def list_all(conn: Connection) -> list[User]:
    return [User(r.id, r.username, r.display_name, r.active) for r in conn.execute(select(users).order_by(users.c.username))]


# ---- back-office edits (audited; the users row is replicated, so each edit stamps it) -------------------


def rename(conn: Connection, user_id: str, display_name: str) -> None:
    """Change a user's display name (the name handhelds show)."""
    row = conn.execute(select(users.c.display_name).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFoundError("user.not_found", username=user_id)
    name = clean_text(display_name, "display_name", max_chars=100)
    if name == row.display_name:
        return
    conn.execute(users.update().where(users.c.id == user_id).values(display_name=name, change_seq=stamp(conn)))
    audit.append(conn, "user.renamed", "user", user_id, {"before": {"display_name": row.display_name},
                                                         "after": {"display_name": name}})


def change_pin(conn: Connection, user_id: str, pin: str) -> None:
    """Set the handheld sign-in PIN (4 to 8 digits); the audit entry never holds the PIN or its hash."""
    row = conn.execute(select(users.c.username).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFoundError("user.not_found", username=user_id)
    set_pin(conn, row.username, pin)
    audit.append(conn, "user.pin_set", "user", user_id, {"username": row.username})
