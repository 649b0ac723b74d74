"""``/app/search?q=…``: the Ctrl+K search. The top bar's dialog asks for it with htmx as you type and
gets the results fragment (``HX-Request``); without JavaScript the same URL is a full page.

Results come in groups, each shown only to a viewer who may open what it links to:

    group   needs         scope                                   links to
    sku     skus.view     every SKU                               /app/skus/{id}
    bin     stock.view    bins of warehouses_for("stock.view")    /app/stock?bin={id}
    order   orders.view   orders of warehouses_for("orders.view") /app/orders/{id}

The index catches up with the catalogue before searching (``search_index.catch_up``: a few indexed
reads when nothing changed). A query too long is shown as an error in place of results.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from starlette.responses import Response

from server.store import search_index
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.catalogue.search_text import MAX_QUERY_CHARS, clean_query
from shared.core.errors import ValidationError

PER_GROUP = 8


@dataclass(frozen=True, slots=True)
class Group:
    kind: str
    permission: str
    warehouse_owned: bool


GROUPS = (Group("sku", "skus.view", False), Group("bin", "stock.view", True), Group("order", "orders.view", True))


@dataclass(frozen=True, slots=True)
class Result:
    href: str
    label: str
    detail: str
    exact: bool


@dataclass(frozen=True, slots=True)
class ResultGroup:
    kind: str
    title: str  # catalogue key
    results: list[Result]


def show(ctx: Ctx) -> Response:
    fragment = ctx.request.headers.get("hx-request") == "true"
    raw = ctx.request.query_params.get("q", "")
    try:
        query, error = clean_query(raw), ""
    except ValidationError as exc:
        query, error = "", exc.message(ctx.lang)
    groups = _search(ctx, query) if query else []
    template = "search/results.html" if fragment else "search/page.html"
    status = 422 if error and not fragment else 200  # htmx swaps only 2xx; the page says what went wrong
    return ctx.render(template, status=status, query=raw[:MAX_QUERY_CHARS + 1] if error else query, error=error,
                      groups=groups, searched=bool(query))


def _search(ctx: Ctx, query: str) -> list[ResultGroup]:
    viewer = ctx.signed_in
    allowed = [g for g in GROUPS if viewer.can_somewhere(g.permission)]
    if not allowed:
        return []
    search_index.catch_up(ctx.store)
    out: list[ResultGroup] = []
    with ctx.store.read() as conn:
        for group in allowed:
            scope = viewer.warehouses_for(group.permission) if group.warehouse_owned else None
            hits = search_index.search(conn, query, [group.kind], scope, PER_GROUP)
            if hits:
                out.append(ResultGroup(group.kind, f"web.search.group.{group.kind}",
                                       [_result(h, ctx.lang) for h in hits]))
    return out


def _result(hit: search_index.Hit, lang: str) -> Result:
    label = (hit.label_en or hit.label) if lang == "en" else hit.label
    return Result(_href(hit), label, hit.detail, hit.rank == 0)


def _href(hit: search_index.Hit) -> str:
    ident = quote(hit.entity_id, safe="")
    if hit.kind == "sku":
        return f"{PREFIX}/skus/{ident}"
    if hit.kind == "bin":
        return f"{PREFIX}/stock?bin={ident}"
    return f"{PREFIX}/orders/{ident}"
