"""What the inventory pages share: reading and checking query parameters (filters, page size, the
``after`` key), the viewer's warehouse scope, and how values are shown (names in the viewer's
language, fen as yuan, HLC and datetimes as UTC text)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from server.store.inventory_views import Named, Scope
from server.web.paging import decode_key, page_size
from server.web.routing import Ctx
from shared.core.clock import wall_ms_of
from shared.core.errors import ValidationError
from shared.core.messages import MESSAGES

MAX_QUERY_CHARS = 100
_BIGINT = 2**63


def scope(ctx: Ctx, permission: str) -> Scope:
    """``None`` (every warehouse) or the warehouse ids the viewer holds ``permission`` in."""
    return ctx.signed_in.warehouses_for(permission)


def param(ctx: Ctx, name: str, *, max_chars: int = MAX_QUERY_CHARS) -> str:
    """A text filter from the query string: NFKC, control characters dropped (PostgreSQL refuses NUL),
    trimmed, at most ``max_chars``."""
    raw = ctx.request.query_params.get(name, "")
    text = "".join(c for c in unicodedata.normalize("NFKC", raw) if unicodedata.category(c)[0] != "C").strip()
    if len(text) > max_chars:
        raise ValidationError("web.inv.text_too_long", field=name, limit=max_chars)
    return text


def size(ctx: Ctx) -> int:
    return page_size(ctx.request.query_params.get("size"))


def after(ctx: Ctx, *types: type) -> tuple[Any, ...] | None:
    """The decoded ``after`` key, each value of the type the list sorts by (a token from another list,
    or a hand-made one, is ``invalid.page_cursor``, never a database error)."""
    key = decode_key(ctx.request.query_params.get("after"), arity=len(types))
    if key is None:
        return None
    for value, kind in zip(key, types, strict=True):
        if not isinstance(value, kind):
            raise ValidationError("invalid.page_cursor")
        if isinstance(value, int) and not -_BIGINT <= value < _BIGINT:
            raise ValidationError("invalid.page_cursor")
        if isinstance(value, str) and (len(value) > 200 or any(unicodedata.category(c)[0] == "C" for c in value)):
            raise ValidationError("invalid.page_cursor")
    return key


def day(ctx: Ctx, name: str) -> date | None:
    """A ``YYYY-MM-DD`` date filter, or None when empty."""
    text = param(ctx, name, max_chars=10)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("web.inv.bad_date", field=name, value=text) from None


def day_start_ms(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() * 1000)


def day_end_ms(d: date) -> int:
    """The first millisecond after day ``d`` (UTC)."""
    return day_start_ms(d) + int(timedelta(days=1).total_seconds() * 1000)


def name(lang: str, zh: str, en: str) -> str:
    """The name in the viewer's language (English falls back to Chinese)."""
    return (en or zh) if lang == "en" else (zh or en)


def named(lang: str, thing: Named) -> str:
    return name(lang, thing.name_zh, thing.name_en)


def yuan(fen: int) -> str:
    """Integer fen as yuan: 1250 → ``¥12.50``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def hlc_text(hlc: int) -> str:
    """When an HLC stamp happened, as ``YYYY-MM-DD HH:MM:SS`` UTC."""
    return datetime.fromtimestamp(wall_ms_of(hlc) / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def time_text(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M")


def label(ctx: Ctx, key: str, fallback: str) -> str:
    """The catalogue text of ``key``, or ``fallback`` for a value the catalogue does not know."""
    return ctx.t(key) if key in MESSAGES else fallback


def options(lang: str, warehouses: Sequence[Named]) -> list[tuple[str, str]]:
    """(code, "code name") pairs for a warehouse drop-down."""
    return [(w.code, f"{w.code} {named(lang, w)}") for w in warehouses]
