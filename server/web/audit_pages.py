"""``/app/audit``: the audit log, newest first (keyset by ``seq``), filtered by actor (a username or a
raw actor id such as a device id), action (exact, or a prefix ending in "." such as ``user.``),
entity type and id, and a date range (UTC days, both ends included). Each entry shows who, from
where (``ip:`` / ``device:`` / ``cli``), and its before/after as pretty JSON, escaped like any other
value. ``verify`` recomputes the SHA-256 chain and says OK or names the first broken entry.
Needs ``audit.view`` held everywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.datastructures import QueryParams
from starlette.responses import Response

from server.store import admin_views, audit
from server.web.paging import Page, decode_key, encode_key, page_size
from server.web.routing import Ctx
from server.web.user_pages import require
from shared.core.errors import ValidationError

VIEW = "audit.view"
MAX_FILTER = 64
BRIEF = 60


@dataclass(frozen=True, slots=True)
class EntryRow:
    seq: int
    at: datetime
    actor: str
    actor_name: str
    source: str
    action: str
    entity_type: str
    entity_id: str
    before: str  # pretty JSON, "" when none
    after: str
    before_brief: str  # the same on one line, cut at BRIEF characters
    after_brief: str


def list_entries(ctx: Ctx) -> Response:
    require(ctx, VIEW)
    query = ctx.request.query_params
    size = page_size(query.get("size"))
    key = decode_key(query.get("after"), arity=1)
    with ctx.store.read() as conn:
        where = _filter(query, lambda name: admin_views.user_ids_named(conn, name))
        fetched = admin_views.list_audit(conn, where, before_seq=int(key[0] or 0) if key else None, size=size)
        page = Page.of(fetched, size, lambda e: (e.seq,))
        names = admin_views.user_names(conn, [e.actor for e in page.rows])
    rows = [EntryRow(e.seq, e.at, e.actor, names.get(e.actor, ""), e.source, e.action, e.entity_type, e.entity_id,
                     pretty(e.before), pretty(e.after), brief(e.before), brief(e.after)) for e in page.rows]
    return ctx.render("audit/list.html", page=page, rows=rows, query=query, filters=_shown(query))


def _filter(query: QueryParams, ids_named: Any) -> admin_views.AuditFilter:
    actor = _text(query, "actor")
    since, until = _day(query, "since"), _day(query, "until")
    return admin_views.AuditFilter(
        actors=tuple(dict.fromkeys((*ids_named(actor), actor))) if actor else (),
        action=_text(query, "action"), entity_type=_text(query, "entity_type"), entity_id=_text(query, "entity_id"),
        since=since, until=until + timedelta(days=1) if until else None)


def _text(query: QueryParams, name: str) -> str:
    value = query.get(name, "").strip()
    if len(value) > MAX_FILTER:
        raise ValidationError("web.adm.audit.filter_too_long", field=name, max=MAX_FILTER)
    return value


def _day(query: QueryParams, name: str) -> datetime | None:
    """A ``YYYY-MM-DD`` day as the UTC midnight that starts it."""
    value = query.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10]) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError("web.adm.audit.bad_day", field=name)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _shown(query: QueryParams) -> dict[str, str]:
    return {k: query.get(k, "")[:MAX_FILTER] for k in ("actor", "action", "entity_type", "entity_id", "since", "until")}


def pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def brief(value: Any) -> str:
    """One line of compact JSON, at most ``BRIEF`` characters (the summary of a folded value)."""
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "), default=str)
    return text if len(text) <= BRIEF else text[:BRIEF - 1] + "…"


def verify(ctx: Ctx) -> Response:
    """Recompute the whole chain (read-only) and say whether it holds."""
    require(ctx, VIEW)
    with ctx.store.read() as conn:
        broken = audit.verify(conn)
        total = audit.count(conn)
    return ctx.render("audit/verify.html", broken=broken, total=total, checked_at=ctx.now,
                      broken_after=encode_key([broken + 1]) if broken is not None else "")
