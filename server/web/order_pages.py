"""``/app/orders``: the orders (keyset list, newest placed first, filtered by state, shop, platform and
platform order id prefix, with counts by state as chips), one order (amounts, masked receiver, lines
with their SKU, exception reasons in the viewer's language, reservations, packages and waybills, the
timeline; a split order's parts and a part's parent) with its manual actions, and the exception queue
with a bulk re-review.

Orders belong to no warehouse view here: ``orders.view`` / ``orders.manage`` are global-only.
The actions call ``server.orders.review`` (each appends to the timeline) and redirect 303; a refusal
(``order.bad_transition`` 409, ``order.note_required`` 422) is the service's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from server.orders import review as reviewing
from server.store import order_events, order_stock, order_views, packages
from server.store import orders as order_store
from server.store import shops as shop_store
from server.web.paging import Page, decode_key, page_size
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.core.errors import DomainError, ValidationError
from shared.core.messages import MESSAGES
from shared.orders.rules.outcome import render

VIEW, MANAGE = "orders.view", "orders.manage"
PLATFORMS = ("taobao", "jd", "douyin", "pinduoduo", "shopify")
FULFILMENT_STATES = ("in_wave", "picking", "picked", "short_picked", "packing", "packed", "shipped")
PIPELINE_STATES = ("awaiting_payment", "platform_hold", "exception", "pending_review", "reviewed", "on_hold",
                   "cancel_requested", "cancelled", "shipped_on_platform", "split")
STATES = PIPELINE_STATES + FULFILMENT_STATES
REMARK_CHARS = 40
MAX_BULK = 200


def state_label(lang: str, state: str | None) -> str:
    """A state in the viewer's words (an unknown one as stored)."""
    key = f"web.ord.state.{state}"
    if state is None or key not in MESSAGES:
        return state or "—"
    return MESSAGES[key][1 if lang == "en" else 0]


def reason_text(lang: str, reason: Mapping[str, Any]) -> str:
    """An exception reason (``{"code", "details"}``) in the viewer's language."""
    code = str(reason.get("code", ""))
    if code not in MESSAGES:
        return code
    return render(code, lang, dict(reason.get("details") or {}))


def yuan(fen: int | None) -> str:
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{abs(fen) // 100}.{abs(fen) % 100:02d}"


def truncate(text: str, chars: int = REMARK_CHARS) -> str:
    return text if len(text) <= chars else text[:chars] + "…"


# ---- list ---------------------------------------------------------------------------------------------


def _filter(query: Mapping[str, str]) -> order_views.OrderFilter:
    state, platform, text = query.get("state", ""), query.get("platform", ""), query.get("q", "").strip()
    if state and state not in STATES:
        raise ValidationError("invalid.enum", field="state", value=state[:32])
    if platform and platform not in PLATFORMS:
        raise ValidationError("invalid.enum", field="platform", value=platform[:32])
    if len(text) > order_views.MAX_TEXT:
        raise ValidationError("web.ord.text_too_long", max=order_views.MAX_TEXT)
    return order_views.OrderFilter(state, query.get("shop", "")[:36], platform, text)


def list_orders(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    flt = _filter(query)
    size = page_size(query.get("size"))
    after = decode_key(query.get("after"), arity=2)
    with ctx.store.read() as conn:
        page = Page.of(order_views.list_orders(conn, flt, after=after, size=size), size, order_views.order_key)
        counts = order_views.count_by_state(conn, flt)
        shops = shop_store.list_shops(conn)
    chips = [(s, counts[s], _chip_url(flt, s)) for s in STATES if counts.get(s)]
    return ctx.render("orders/list.html", page=page, flt=flt, chips=chips, total=sum(counts.values()),
                      all_url=_chip_url(flt, ""), shops=shops, shop_names={s.id: s.name for s in shops},
                      platforms=PLATFORMS, states=STATES, query=query, label=lambda s: state_label(ctx.lang, s),
                      yuan=yuan, truncate=truncate)


def _chip_url(flt: order_views.OrderFilter, state: str) -> str:
    params = {"state": state, "shop": flt.shop_id, "platform": flt.platform, "q": flt.text}
    return f"{PREFIX}/orders?" + urlencode({k: v for k, v in params.items() if v})


# ---- one order ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageView:
    id: str
    seq: int
    state: str
    weight_g: int
    ship_error: str
    carrier: str
    waybill_code: str
    waybill_state: str
    merged: tuple[tuple[str, str], ...] = ()  # the other orders a merged package carries: (order id, platform order id)


def show_order(ctx: Ctx) -> Response:
    order_id = str(ctx.request.path_params["order_id"])
    with ctx.store.read() as conn:
        order = order_views.order_detail(conn, order_id)
        timeline = order_events.timeline(conn, order.id)
        reservations = order_stock.open_reservations(conn, order.id)
        boxes = [_package_view(p, packages.waybill_of(conn, p.id),
                               tuple((o, order_store.get_order(conn, o).platform_order_id)
                                     for o in packages.orders_of_package(conn, p.id) if o != order.id))
                 for p in packages.packages_of_order(conn, order.id)]
        codes = order_views.sku_codes(conn, [r.sku_id for r in reservations])
        shop = shop_store.get_shop(conn, order.shop_id)
        parts = order_views.parts_of(conn, order.id)
    reasons = [reason_text(ctx.lang, r) for r in order.reasons]
    return ctx.render("orders/detail.html", order=order, timeline=timeline, reservations=reservations, codes=codes,
                      boxes=boxes, reasons=reasons, shop=shop, parts=parts, can_manage=ctx.signed_in.can(MANAGE),
                      label=lambda s: state_label(ctx.lang, s), yuan=yuan, event_text=lambda e: _event_text(ctx.lang, e))


def _package_view(p: packages.Package, waybill: packages.StoredWaybill | None, merged: tuple[tuple[str, str], ...]) -> PackageView:
    return PackageView(p.id, p.seq, p.state, p.weight_g, p.ship_error, waybill.carrier_code if waybill else p.carrier_code,
                       waybill.waybill_code if waybill else "", waybill.state if waybill else "", merged)


def _event_text(lang: str, entry: order_events.TimelineEntry) -> str:
    details = {**entry.details}
    details.setdefault("note", entry.note)
    return reason_text(lang, {"code": entry.code, "details": details})


def _order_id(ctx: Ctx) -> str:
    return str(ctx.request.path_params["order_id"])


def _back(order_id: str) -> Response:
    return RedirectResponse(f"{PREFIX}/orders/{order_id}", status_code=303)


def review_now(ctx: Ctx) -> Response:
    order_id = _order_id(ctx)
    with ctx.store.transaction() as conn:
        reviewing.review(conn, order_id, reviewing.load_plan(conn), hlc=ctx.store.clock.now(), note=_note(ctx))
    return _back(order_id)


def hold(ctx: Ctx) -> Response:
    order_id = _order_id(ctx)
    with ctx.store.transaction() as conn:
        reviewing.hold(conn, order_id, note=_note(ctx))
    return _back(order_id)


def unhold(ctx: Ctx) -> Response:
    order_id = _order_id(ctx)
    with ctx.store.transaction() as conn:
        reviewing.unhold(conn, order_id, hlc=ctx.store.clock.now(), note=_note(ctx), plan=reviewing.load_plan(conn))
    return _back(order_id)


def resolve(ctx: Ctx) -> Response:
    order_id = _order_id(ctx)
    with ctx.store.transaction() as conn:
        reviewing.resolve(conn, order_id, reviewing.load_plan(conn), hlc=ctx.store.clock.now(), note=_note(ctx))
    return _back(order_id)


def cancel(ctx: Ctx) -> Response:
    order_id = _order_id(ctx)
    with ctx.store.transaction() as conn:
        reviewing.cancel(conn, order_id, hlc=ctx.store.clock.now(), note=_note(ctx))
    return _back(order_id)


def _note(ctx: Ctx) -> str:
    return ctx.form.get("note", "").strip()[:2000]


# ---- the exception queue ------------------------------------------------------------------------------


def list_exceptions(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    size = page_size(query.get("size"))
    after = decode_key(query.get("after"), arity=1)
    with ctx.store.read() as conn:
        page = Page.of(order_views.exceptions(conn, after=after, size=size), size, order_views.exception_key)
        shops = shop_store.list_shops(conn)
    reasons = {row.id: [reason_text(ctx.lang, r) for r in row.reasons] for row in page.rows}
    done, failed = query.get("done", ""), query.get("failed", "")
    return ctx.render("orders/exceptions.html", page=page, reasons=reasons, shop_names={s.id: s.name for s in shops},
                      query=query, can_manage=ctx.signed_in.can(MANAGE), yuan=yuan, truncate=truncate,
                      done=done if done.isdigit() else "", failed=failed if failed.isdigit() else "")


def rerun_review(ctx: Ctx) -> Response:
    """Resolve-and-review each selected order in its own transaction (the resolve maps unmapped lines
    again first). ``done``: orders out of exception now; ``failed``: still in exception, or refused
    (no longer in exception: left alone)."""
    chosen = _selected(ctx)
    note = _note(ctx) or ctx.t("web.ord.exc.rerun_note")
    done = failed = 0
    for order_id in chosen:
        try:
            with ctx.store.transaction() as conn:
                state = reviewing.resolve(conn, order_id, reviewing.load_plan(conn), hlc=ctx.store.clock.now(), note=note)
        except DomainError:
            failed += 1
            continue
        if state == "exception":
            failed += 1
        else:
            done += 1
    return RedirectResponse(f"{PREFIX}/orders/exceptions?" + urlencode({"done": done, "failed": failed}), status_code=303)


def _selected(ctx: Ctx) -> list[str]:
    """The ticked order ids: one checkbox ``pick_<order id>`` per row (the form reader keeps one value
    per name)."""
    ids = [k.removeprefix("pick_") for k, v in ctx.form.items() if k.startswith("pick_") and v == "1"]
    if not ids:
        raise ValidationError("web.ord.exc.none_selected")
    if len(ids) > MAX_BULK:
        raise ValidationError("web.ord.exc.too_many", max=MAX_BULK)
    return list(dict.fromkeys(v[:36] for v in ids))
