"""Read models for the back office's admin pages: stocktake lists, users with their roles, roles with
their permissions, the audit log. Lists are keyset-paginated (``server.web.paging``): each function
takes the decoded key of the last row shown and returns up to ``size + 1`` rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from server.store.schema import (
    audit_log,
    bins,
    role_permissions,
    roles,
    skus,
    stocktake_bins,
    stocktake_counts,
    stocktakes,
    user_roles,
    users,
    web_sessions,
)
from shared.core.errors import NotFoundError

# ---- stocktakes -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StocktakeRow:
    id: str
    number: str
    warehouse_id: str
    state: str
    blind: bool
    bins: int
    lines: int
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None


def stocktake_key(row: StocktakeRow) -> tuple[int, str]:
    """The list's order, newest first: numbers are ``ST-000001`` …, so length then text."""
    return (len(row.number), row.number)


def list_stocktakes(conn: Connection, *, warehouse_ids: Iterable[str] | None, state: str = "",
                    after: tuple[Any, ...] | None = None, size: int = 50) -> list[StocktakeRow]:
    """Stocktakes newest first, in ``warehouse_ids`` (``None``: every warehouse), optionally of one state."""
    bin_count = (select(func.count()).select_from(stocktake_bins)
                 .where(stocktake_bins.c.stocktake_id == stocktakes.c.id).scalar_subquery())
    line_count = (select(func.count()).select_from(stocktake_counts)
                  .where(stocktake_counts.c.stocktake_id == stocktakes.c.id).scalar_subquery())
    length = func.length(stocktakes.c.number)
    q = select(stocktakes, bin_count.label("bin_count"), line_count.label("line_count"))
    if warehouse_ids is not None:
        q = q.where(stocktakes.c.warehouse_id.in_(sorted(warehouse_ids)))
    if state:
        q = q.where(stocktakes.c.state == state)
    if after is not None:
        last_len, last_number = int(after[0] or 0), str(after[1] or "")
        q = q.where(or_(length < last_len, and_(length == last_len, stocktakes.c.number < last_number)))
    rows = conn.execute(q.order_by(length.desc(), stocktakes.c.number.desc()).limit(size + 1))
    return [StocktakeRow(r.id, r.number, r.warehouse_id, r.state, r.blind, int(r.bin_count), int(r.line_count), r.created_by,
                         _aware(r.created_at), r.approved_by, _aware(r.approved_at) if r.approved_at else None) for r in rows]


@dataclass(frozen=True, slots=True)
class SkuLabel:
    code: str
    name_zh: str
    name_en: str
    unit_value_fen: int | None  # purchase cost, else shelf price; None when neither is known
    valued_at: str  # "cost", "price" or ""


def sku_labels(conn: Connection, ids: Iterable[str]) -> dict[str, SkuLabel]:
    wanted, out = sorted(set(ids)), {}
    for start in range(0, len(wanted), 900):
        q = select(skus.c.id, skus.c.code, skus.c.name_zh, skus.c.name_en, skus.c.cost_fen, skus.c.price_fen) \
            .where(skus.c.id.in_(wanted[start:start + 900]))
        for r in conn.execute(q):
            value, basis = (r.cost_fen, "cost") if r.cost_fen else (r.price_fen, "price") if r.price_fen else (None, "")
            out[r.id] = SkuLabel(r.code, r.name_zh, r.name_en, value, basis)
    return out


def bin_codes(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 900):
        out.update((r.id, r.code) for r in conn.execute(select(bins.c.id, bins.c.code).where(bins.c.id.in_(wanted[start:start + 900]))))
    return out


def user_names(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """User id → username, for the ids that are users (others are left out: devices, "system")."""
    wanted = sorted({i for i in ids if i})
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 900):
        out.update((r.id, r.username) for r in conn.execute(select(users.c.id, users.c.username)
                                                            .where(users.c.id.in_(wanted[start:start + 900]))))
    return out


# ---- users and roles ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grant:
    role_id: str
    role_name_zh: str
    role_name_en: str
    warehouse_id: str | None  # None: every warehouse


@dataclass(frozen=True, slots=True)
class UserRow:
    id: str
    username: str
    display_name: str
    active: bool
    has_pin: bool
    grants: list[Grant] = field(default_factory=list)
    last_sign_in: datetime | None = None


def list_users(conn: Connection, *, after: tuple[Any, ...] | None = None, size: int = 50) -> list[UserRow]:
    """Users by username (keyset on username), with their grants and last sign-in (if a session is kept)."""
    q = select(users.c.id, users.c.username, users.c.display_name, users.c.active, users.c.pin_hash)
    if after is not None:
        q = q.where(users.c.username > str(after[0] or ""))
    rows = conn.execute(q.order_by(users.c.username).limit(size + 1)).all()
    return _with_grants(conn, rows)


def get_user(conn: Connection, user_id: str) -> UserRow:
    """One user, active or not, or ``user.not_found``."""
    rows = conn.execute(select(users.c.id, users.c.username, users.c.display_name, users.c.active, users.c.pin_hash)
                        .where(users.c.id == user_id)).all()
    if not rows:
        raise NotFoundError("user.not_found", username=user_id)
    return _with_grants(conn, rows)[0]


def _with_grants(conn: Connection, rows: Any) -> list[UserRow]:
    ids = [r.id for r in rows]
    grants: dict[str, list[Grant]] = {i: [] for i in ids}
    last: dict[str, datetime] = {}
    if ids:
        q = (select(user_roles.c.user_id, user_roles.c.role_id, user_roles.c.warehouse_id, roles.c.name_zh, roles.c.name_en)
             .join(roles, roles.c.id == user_roles.c.role_id).where(user_roles.c.user_id.in_(ids))
             .order_by(user_roles.c.role_id, user_roles.c.warehouse_id))
        for g in conn.execute(q):
            grants[g.user_id].append(Grant(g.role_id, g.name_zh, g.name_en, g.warehouse_id))
        q2 = (select(web_sessions.c.user_id, func.max(web_sessions.c.created_at).label("at"))
              .where(web_sessions.c.user_id.in_(ids)).group_by(web_sessions.c.user_id))
        last = {r.user_id: _aware(r.at) for r in conn.execute(q2)}
    return [UserRow(r.id, r.username, r.display_name, bool(r.active), bool(r.pin_hash), grants[r.id], last.get(r.id))
            for r in rows]


@dataclass(frozen=True, slots=True)
class RoleRow:
    id: str
    name_zh: str
    name_en: str
    permissions: frozenset[str]
    holders: int


def list_roles(conn: Connection) -> list[RoleRow]:
    perms: dict[str, set[str]] = {}
    for role_id, permission in conn.execute(select(role_permissions.c.role_id, role_permissions.c.permission)):
        perms.setdefault(role_id, set()).add(permission)
    holders = dict(conn.execute(select(user_roles.c.role_id, func.count(func.distinct(user_roles.c.user_id)))
                                .group_by(user_roles.c.role_id)).all())
    return [RoleRow(r.id, r.name_zh, r.name_en, frozenset(perms.get(r.id, ())), int(holders.get(r.id, 0)))
            for r in conn.execute(select(roles).order_by(roles.c.id))]


def get_role(conn: Connection, role_id: str) -> RoleRow:
    found = [r for r in list_roles(conn) if r.id == role_id]
    if not found:
        raise NotFoundError("auth.unknown_role", role=role_id)
    return found[0]


# ---- the audit log --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actors: tuple[str, ...] = ()  # any of these actor ids (a typed username and the id it names)
    action: str = ""  # exact, or a prefix ending in "." ("user.")
    entity_type: str = ""
    entity_id: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime
    actor: str
    source: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any


def list_audit(conn: Connection, where: AuditFilter, *, before_seq: int | None = None, size: int = 50) -> list[AuditRow]:
    """Entries newest first (by ``seq``), matching ``where``, with ``seq < before_seq``."""
    q = select(audit_log)
    if where.actors:
        q = q.where(audit_log.c.actor.in_(where.actors))
    if where.action:
        q = q.where(audit_log.c.action.startswith(where.action, autoescape=True) if where.action.endswith(".")
                    else audit_log.c.action == where.action)
    if where.entity_type:
        q = q.where(audit_log.c.entity_type == where.entity_type)
    if where.entity_id:
        q = q.where(audit_log.c.entity_id == where.entity_id)
    if where.since is not None:
        q = q.where(audit_log.c.at >= where.since)
    if where.until is not None:
        q = q.where(audit_log.c.at < where.until)
    if before_seq is not None:
        q = q.where(audit_log.c.seq < before_seq)
    rows = conn.execute(q.order_by(audit_log.c.seq.desc()).limit(size + 1))
    return [AuditRow(r.seq, _aware(r.at), r.actor, r.source, r.action, r.entity_type, r.entity_id, r.before, r.after) for r in rows]


def user_ids_named(conn: Connection, username: str) -> tuple[str, ...]:
    row = conn.execute(select(users.c.id).where(users.c.username == username.strip().lower())).first()
    return (row.id,) if row is not None else ()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)



def countable_bins(conn: Connection, warehouse_id: str, code_prefix: str) -> list[tuple[str, str]]:
    """(id, code) of the warehouse's storage bins in use whose code starts with ``code_prefix``
    (any case), in walk order: the bins a new stocktake covers."""
    prefix = code_prefix.strip().upper()
    rows = conn.execute(select(bins.c.id, bins.c.code).where(and_(
        bins.c.warehouse_id == warehouse_id, bins.c.kind == "storage", bins.c.archived.is_(False)))
        .order_by(bins.c.walk_seq, bins.c.code))
    return [(r.id, r.code) for r in rows if r.code.upper().startswith(prefix)]
