"""Back-office web sessions, kept server-side.

The browser holds a random 256-bit token; the row holds only its SHA-256, so a copy of the database
does not let anyone sign in. A session ends after ``IDLE`` without a request or ``ABSOLUTE`` after
sign-in, whichever comes first; ``last_seen_at`` is written at most once per ``TOUCH_EVERY`` so a
busy page does not write on every request. Each session has its own CSRF token.

    DomainError
    ├── SessionInvalid    auth.required (no or unknown token), auth.session_expired    401
    └── NotFoundError     session.not_found (not one of this user's sessions)          404

Times are passed in (``now``): the web layer reads the store's injectable wall clock.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, and_, delete, or_, select

from server.store.schema import web_sessions
from shared.core.errors import DomainError, NotFoundError
from shared.core.ids import new_id

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)
MAX_TOKEN_CHARS = 128


class SessionInvalid(DomainError):
    http_status = 401


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str

    def expired(self, now: datetime) -> bool:
        return now - self.last_seen_at >= IDLE or now - self.created_at >= ABSOLUTE

    def needs_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(conn: Connection, user_id: str, *, now: datetime, ip: str, user_agent: str) -> tuple[Session, str]:
    """A new session for ``user_id`` and the token to put in the cookie (shown once, stored hashed).
    Expired sessions (everyone's: the table is small) are removed on the way."""
    prune(conn, now)
    token = secrets.token_urlsafe(32)
    session = Session(new_id(), user_id, secrets.token_urlsafe(32), now, now, ip[:64], user_agent[:300])
    conn.execute(web_sessions.insert().values(
        id=session.id, token_hash=hash_token(token), user_id=user_id, csrf_token=session.csrf_token,
        created_at=now, last_seen_at=now, ip=session.ip, user_agent=session.user_agent))
    return session, token


def authenticate(conn: Connection, token: str | None, *, now: datetime) -> Session:
    """The live session for ``token``, or ``SessionInvalid``. Read-only: see ``touch``."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise SessionInvalid("auth.required")
    row = conn.execute(select(web_sessions).where(web_sessions.c.token_hash == hash_token(token))).first()
    if row is None:
        raise SessionInvalid("auth.required")
    session = _session(row)
    if session.expired(now):
        raise SessionInvalid("auth.session_expired")
    return session


def touch(conn: Connection, session_id: str, *, now: datetime) -> None:
    conn.execute(web_sessions.update().where(web_sessions.c.id == session_id).values(last_seen_at=now))


def list_for_user(conn: Connection, user_id: str, *, now: datetime) -> list[Session]:
    """The user's live sessions, most recently active first."""
    rows = conn.execute(select(web_sessions).where(web_sessions.c.user_id == user_id)
                        .order_by(web_sessions.c.last_seen_at.desc(), web_sessions.c.id))
    return [s for s in map(_session, rows) if not s.expired(now)]


def end(conn: Connection, session_id: str, *, user_id: str) -> None:
    """End one of ``user_id``'s sessions; someone else's session is reported as not found."""
    done = conn.execute(delete(web_sessions).where(and_(web_sessions.c.id == session_id, web_sessions.c.user_id == user_id))).rowcount
    if done != 1:
        raise NotFoundError("session.not_found", session=session_id)


def end_by_token(conn: Connection, token: str | None) -> None:
    """End the session holding ``token``, if any (sign-out, and rotation at sign-in)."""
    if token and len(token) <= MAX_TOKEN_CHARS:
        conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == hash_token(token)))


def end_all_for_user(conn: Connection, user_id: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def prune(conn: Connection, now: datetime, *, user_id: str | None = None) -> int:
    """Delete expired sessions (of one user, or all); returns how many."""
    stale = or_(web_sessions.c.last_seen_at <= now - IDLE, web_sessions.c.created_at <= now - ABSOLUTE)
    if user_id is not None:
        stale = and_(stale, web_sessions.c.user_id == user_id)
    return int(conn.execute(delete(web_sessions).where(stale)).rowcount)


def _session(row: object) -> Session:
    r = row
    return Session(r.id, r.user_id, r.csrf_token, _aware(r.created_at), _aware(r.last_seen_at), r.ip, r.user_agent)  # type: ignore[attr-defined]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
