"""``/app/waves``: reviewed orders ready for a wave per warehouse, creating waves from them
(``fulfilment.create_waves``: soonest first by the priority rules, grouped by the carrier rules, up to a maximum), the waves (keyset list) and
one wave with its packages and the "print waybills" action; the open ``return`` tasks with their
"put back" action (``fulfilment.put_back``). ``/app/shipments``: packages packed, shipped, or failed
(packed with a shipping error), and "ship all packed".

Waybills and ship-confirm go through ``request.app.state.order_services`` (``OrderServices``: the
carrier and platform clients built from the settings); without a carrier configured the actions are
refused with ``web.ord.ship.not_wired`` (409). Every page and action needs ``waves.manage`` (global only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from server.orders import fulfilment, wave_rules
from server.store import catalogue, fulfilment_views, order_views
from server.web.order_pages import state_label
from server.web.paging import Page, decode_key, page_size
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.core.errors import DomainError, RuleViolation, ValidationError

MANAGE = "waves.manage"
DEFAULT_SLOTS, MAX_SLOTS = 8, 200
DEFAULT_MAX_ORDERS, MAX_ORDERS = 50, 1000
CANDIDATES = 2000  # reviewed orders weighed by the priority rules before the wave takes its share


def _services(ctx: Ctx) -> Any:
    """The app's ``OrderServices``; none, or one without a carrier configured: ``web.ord.ship.not_wired``."""
    services = getattr(ctx.request.app.state, "order_services", None)
    if services is None or getattr(services, "carrier", True) is None:
        raise RuleViolation("web.ord.ship.not_wired")
    return services


def _number(ctx: Ctx, name: str, default: int, limit: int) -> int:
    raw = ctx.form.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        raise ValidationError("web.ord.wave.bad_number", field=ctx.t(f"web.ord.wave.{name}"), max=limit)
    return int(raw)


def _counts(query: Any) -> dict[str, str]:
    return {k: query.get(k, "") for k in ("created", "done", "failed", "put_back") if query.get(k, "").isdigit()}


# ---- waves --------------------------------------------------------------------------------------------


def list_waves(ctx: Ctx) -> Response:
    return _list(ctx, error="", status=200, form={})


def _list(ctx: Ctx, *, error: str, status: int, form: dict[str, str]) -> Response:
    query = ctx.request.query_params
    size = page_size(query.get("size"))
    after = decode_key(query.get("after"), arity=2)
    with ctx.store.read() as conn:
        ready = fulfilment_views.ready_by_warehouse(conn)
        page = Page.of(fulfilment_views.list_waves(conn, after=after, size=size), size, fulfilment_views.wave_key)
        returns = fulfilment_views.open_returns(conn)
        warehouses = catalogue.list_warehouses(conn)
        codes = order_views.sku_codes(conn, {ln.get("sku_id", "") for r in returns for ln in r.lines})
    return ctx.render("waves/list.html", status=status, ready=ready, page=page, returns=returns, warehouses=warehouses,
                      codes=codes, query=query, error=error, form=form, counts=_counts(query),
                      default_slots=DEFAULT_SLOTS, default_max=DEFAULT_MAX_ORDERS, label=lambda s: state_label(ctx.lang, s))


def create(ctx: Ctx) -> Response:
    form = {k: ctx.form.get(k, "")[:36] for k in ("warehouse", "slots", "max_orders")}
    try:
        slots = _number(ctx, "slots", DEFAULT_SLOTS, MAX_SLOTS)
        limit = _number(ctx, "max_orders", DEFAULT_MAX_ORDERS, MAX_ORDERS)
        with ctx.store.transaction() as conn:
            ready = fulfilment_views.ready_orders(conn, form["warehouse"], CANDIDATES)
            if not ready:
                raise RuleViolation("web.ord.wave.none_ready")
            choice = wave_rules.choose(conn, ready, limit=limit, now=ctx.now)  # priority and carrier rules
            created = fulfilment.create_waves(conn, form["warehouse"], choice.order_ids, slots=slots, hlc=ctx.store.clock.now(),
                                              carrier_of=choice.carrier_of, splits=choice.splits, merges=choice.merges,
                                              user_id=ctx.signed_in.account.id)
    except DomainError as exc:
        return _list(ctx, error=exc.message(ctx.lang), status=exc.http_status, form=form)
    return RedirectResponse(f"{PREFIX}/waves?" + urlencode({"created": len(created)}), status_code=303)


def show_wave(ctx: Ctx) -> Response:
    wave_id = str(ctx.request.path_params["wave_id"])
    with ctx.store.read() as conn:
        wave = fulfilment_views.get_wave(conn, wave_id)
        boxes = fulfilment_views.wave_packages(conn, wave.id)
    return ctx.render("waves/detail.html", wave=wave, boxes=boxes, counts=_counts(ctx.request.query_params),
                      label=lambda s: state_label(ctx.lang, s))


def print_waybills(ctx: Ctx) -> Response:
    wave_id = str(ctx.request.path_params["wave_id"])
    with ctx.store.read() as conn:
        wave = fulfilment_views.get_wave(conn, wave_id)
    report = _services(ctx).print_waybills(wave.id)
    counts = {"done": len(report.waybills), "failed": len(report.failed)}
    return RedirectResponse(f"{PREFIX}/waves/{wave.id}?" + urlencode(counts), status_code=303)


def put_back(ctx: Ctx) -> Response:
    task_id = ctx.form.get("task_id", "")[:36]
    with ctx.store.transaction() as conn:
        fulfilment.put_back(conn, task_id, user_id=ctx.signed_in.account.id, hlc=ctx.store.clock.now())
    return RedirectResponse(f"{PREFIX}/waves?put_back=1", status_code=303)


# ---- shipments ----------------------------------------------------------------------------------------


def list_shipments(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    state = query.get("state", "packed")
    if state not in fulfilment_views.SHIPMENT_STATES:
        raise ValidationError("invalid.enum", field="state", value=state[:32])
    size = page_size(query.get("size"))
    after = decode_key(query.get("after"), arity=2)
    with ctx.store.read() as conn:
        page = Page.of(fulfilment_views.shipments(conn, state, after=after, size=size), size, fulfilment_views.package_key)
        totals = fulfilment_views.count_shipments(conn)
    return ctx.render("waves/shipments.html", page=page, state=state, states=fulfilment_views.SHIPMENT_STATES, totals=totals,
                      query=query, counts=_counts(query), can_ship=ctx.signed_in.can(MANAGE),
                      label=lambda s: state_label(ctx.lang, s))


def ship_packed(ctx: Ctx) -> Response:
    report = _services(ctx).ship_packed()
    counts = {"done": len(report.shipped), "failed": len(report.failed)}
    return RedirectResponse(f"{PREFIX}/shipments?" + urlencode(counts), status_code=303)
