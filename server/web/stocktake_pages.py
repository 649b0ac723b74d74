"""``/app/stocktakes``: stocktake sessions per warehouse (keyset list), the variance review of one
session (per bin × SKU × batch: ledger balance at the count's time, counted, variance, its value, and
the keys still waiting for a recount), approval and cancellation, and starting a new session over
the bins whose code starts with a prefix (blind by default) for the handhelds to count.

Every stocktake belongs to a warehouse: the list shows only warehouses where the viewer holds
``stocktakes.view``; one session elsewhere is ``stocktake.not_found`` (404, nothing of it shown).
Approving, cancelling and starting need ``stocktakes.approve`` in that warehouse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection
from starlette.responses import RedirectResponse, Response

from server.store import admin_views, catalogue, stocktakes
from server.web.errors import PermissionDenied
from server.web.paging import Page, decode_key, page_size
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.catalogue.model import Warehouse
from shared.core.errors import NotFoundError, RuleViolation, ValidationError
from shared.inventory.stocktake import StocktakeState, Variance

VIEW, APPROVE = "stocktakes.view", "stocktakes.approve"
STATES = tuple(s.value for s in StocktakeState)
MAX_PREFIX = 64


@dataclass(frozen=True, slots=True)
class VarianceRow:
    bin_code: str
    sku_code: str
    sku_name: str
    batch: str
    expected_qty: int
    counted_qty: int
    delta: int
    implicit: bool
    recounted: bool
    value: str  # signed yuan ("-¥12.50"), "" when the SKU has no cost or price
    valued_at: str


@dataclass(frozen=True, slots=True)
class RecountRow:
    bin_code: str
    sku_code: str
    batch: str
    counts: str  # the differing counts, "8 / 9"


@dataclass(frozen=True, slots=True)
class Totals:
    expected_qty: int
    counted_qty: int
    gain_qty: int
    loss_qty: int
    net_qty: int
    net_value: str
    unvalued: int  # variance lines whose SKU has no cost or price


# ---- list ---------------------------------------------------------------------------------------------


def list_stocktakes(ctx: Ctx) -> Response:
    query = ctx.request.query_params
    viewer = ctx.signed_in
    allowed = viewer.warehouses_for(VIEW)
    state = query.get("state", "")
    if state and state not in STATES:
        raise ValidationError("invalid.enum", field="state", value=state[:32])
    chosen = query.get("warehouse", "")
    scope: frozenset[str] | None = allowed
    if chosen:
        scope = frozenset({chosen}) if allowed is None or chosen in allowed else frozenset()
    size = page_size(query.get("size"))
    after = decode_key(query.get("after"), arity=2)
    with ctx.store.read() as conn:
        warehouses = _visible(catalogue.list_warehouses(conn), allowed)
        rows = admin_views.list_stocktakes(conn, warehouse_ids=scope, state=state, after=after, size=size)
        page = Page.of(rows, size, admin_views.stocktake_key)
        names = admin_views.user_names(conn, _people(page.rows))
    creatable = viewer.warehouses_for(APPROVE)
    return ctx.render("stocktakes/list.html", page=page, warehouses=warehouses, codes={w.id: w.code for w in warehouses},
                      names=names, states=STATES, state=state, chosen=chosen, query=query,
                      can_create=creatable is None or bool(creatable))


def _visible(warehouses: list[Warehouse], allowed: frozenset[str] | None) -> list[Warehouse]:
    return [w for w in warehouses if allowed is None or w.id in allowed]


def _people(rows: Iterable[admin_views.StocktakeRow]) -> set[str]:
    return {r.created_by for r in rows} | {r.approved_by for r in rows if r.approved_by}


# ---- one session --------------------------------------------------------------------------------------


def show(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        st = _visible_stocktake(ctx, conn)
        review = stocktakes.review_as_counted(conn, st.id)
        lines = stocktakes.count_lines(conn, st.id)
        keys = {v.key for v in review.variances} | set(review.recounts)
        bins = admin_views.bin_codes(conn, [k[0] for k in keys] + list(st.bin_ids))
        skus = admin_views.sku_labels(conn, [k[1] for k in keys])
        names = admin_views.user_names(conn, [st.created_by, st.approved_by or ""] + [ln.counted_by for ln in lines])
        warehouse = catalogue.get_warehouse(conn, st.warehouse_id)
    recounted = {ln.key for ln in lines if ln.is_recount}
    rows = [_variance_row(v, bins, skus, recounted, ctx.lang) for v in review.variances]
    recounts = [RecountRow(bins.get(k[0], k[0]), skus[k[1]].code if k[1] in skus else k[1], k[2],
                           " / ".join(str(ln.counted_qty) for ln in lines if ln.key == k)) for k in review.recounts]
    viewer = ctx.signed_in
    is_open = st.state is StocktakeState.OPEN
    counters = sorted({names.get(ln.counted_by, ln.counted_by) for ln in lines})
    return ctx.render("stocktakes/detail.html", st=st, warehouse=warehouse, rows=rows, recounts=recounts,
                      totals=_totals(review.variances, skus), names=names, counters=counters,
                      bin_list=sorted(bins.get(b, b) for b in st.bin_ids), line_count=len(lines),
                      can_decide=is_open and viewer.can_in(APPROVE, st.warehouse_id),
                      viewer_counted=any(ln.counted_by == viewer.account.id for ln in lines))


def _visible_stocktake(ctx: Ctx, conn: Connection, permission: str = VIEW) -> stocktakes.Stocktake:
    """The session in the path; one in a warehouse the viewer cannot see is not found. Seen but not
    held ``permission`` there: 403."""
    ref = str(ctx.request.path_params["stocktake_id"])
    st = stocktakes.get(conn, ref)
    viewer = ctx.signed_in
    if not viewer.can_in(VIEW, st.warehouse_id) and not viewer.can_in(permission, st.warehouse_id):
        raise NotFoundError("stocktake.not_found", stocktake=ref)
    if not viewer.can_in(permission, st.warehouse_id):
        raise PermissionDenied("auth.forbidden", permission=permission)
    return st


def _variance_row(v: Variance, bins: dict[str, str], skus: dict[str, admin_views.SkuLabel], recounted: set[tuple[str, str, str]],
                  lang: str) -> VarianceRow:
    bin_id, sku_id, batch = v.key
    label = skus.get(sku_id)
    name = "" if label is None else (label.name_en or label.name_zh) if lang == "en" else label.name_zh
    unit = label.unit_value_fen if label else None
    return VarianceRow(bins.get(bin_id, bin_id), label.code if label else sku_id, name, batch, v.expected_qty, v.counted_qty,
                       v.delta, v.implicit, v.key in recounted, yuan(v.delta * unit) if unit is not None and v.delta else "",
                       label.valued_at if label and unit is not None else "")


def _totals(variances: list[Variance], skus: dict[str, admin_views.SkuLabel]) -> Totals:
    value, unvalued = 0, 0
    for v in variances:
        unit = skus[v.key[1]].unit_value_fen if v.key[1] in skus else None
        if unit is None:
            unvalued += 1 if v.delta else 0
        else:
            value += v.delta * unit
    return Totals(sum(v.expected_qty for v in variances), sum(v.counted_qty for v in variances),
                  sum(v.delta for v in variances if v.delta > 0), -sum(v.delta for v in variances if v.delta < 0),
                  sum(v.delta for v in variances), yuan(value), unvalued)


def yuan(fen: int) -> str:
    """Integer fen as signed yuan text: -1234 → "-¥12.34", 500 → "+¥5.00", 0 → "¥0.00"."""
    sign = "-" if fen < 0 else "+" if fen > 0 else ""
    return f"{sign}¥{abs(fen) // 100}.{abs(fen) % 100:02d}"


# ---- decisions ----------------------------------------------------------------------------------------


def approve(ctx: Ctx) -> Response:
    """Approve: one adjustment per non-zero variance. A counter approving their own count, a second
    approval, or a pending recount is refused with its own message (409)."""
    with ctx.store.transaction() as conn:
        st = _visible_stocktake(ctx, conn, APPROVE)
        try:
            stocktakes.approve(conn, st.id, approver=ctx.signed_in.account.id, hlc=ctx.store.clock.now())
        except RuleViolation as exc:
            raise _clear(exc, st) from None
    return RedirectResponse(f"{PREFIX}/stocktakes/{st.id}", status_code=303)


def cancel(ctx: Ctx) -> Response:
    with ctx.store.transaction() as conn:
        st = _visible_stocktake(ctx, conn, APPROVE)
        try:
            stocktakes.cancel(conn, st.id, hlc=ctx.store.clock.now(), user_id=ctx.signed_in.account.id)
        except RuleViolation as exc:
            raise _clear(exc, st) from None
    return RedirectResponse(f"{PREFIX}/stocktakes/{st.id}", status_code=303)


def _clear(exc: RuleViolation, st: stocktakes.Stocktake) -> RuleViolation:
    """The store's refusal, said for the person at the screen."""
    if exc.code == "stocktake.approver_is_counter":
        return RuleViolation("web.adm.stocktake.own_count", stocktake=st.number)
    if exc.code == "stocktake.bad_state" and st.state is not StocktakeState.OPEN:
        return RuleViolation(f"web.adm.stocktake.already_{st.state.value}", stocktake=st.number)
    return exc


# ---- a new session ------------------------------------------------------------------------------------


def new_form(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        warehouses = _visible(catalogue.list_warehouses(conn), ctx.signed_in.warehouses_for(APPROVE))
    return ctx.render("stocktakes/new.html", warehouses=warehouses, chosen="", prefix_value="", blind=True, error="")


def create(ctx: Ctx) -> Response:
    form = ctx.form
    chosen, prefix, blind = form.get("warehouse", ""), form.get("bin_prefix", "").strip(), form.get("blind") == "1"
    with ctx.store.transaction() as conn:
        warehouses = _visible(catalogue.list_warehouses(conn), ctx.signed_in.warehouses_for(APPROVE))
        error = ""
        if chosen not in {w.id for w in warehouses}:
            error = ctx.t("web.adm.stocktake.pick_warehouse")
        elif len(prefix) > MAX_PREFIX:
            error = ctx.t("web.adm.stocktake.prefix_too_long", max=MAX_PREFIX)
        else:
            found = admin_views.countable_bins(conn, chosen, prefix)
            if not found:
                error = ctx.t("web.adm.stocktake.no_bins_match", prefix=prefix)
            else:
                st = stocktakes.create(conn, chosen, [b for b, _ in found], hlc=ctx.store.clock.now(), blind=blind,
                                       user_id=ctx.signed_in.account.id)
                return RedirectResponse(f"{PREFIX}/stocktakes/{st.id}", status_code=303)
    return ctx.render("stocktakes/new.html", status=422, warehouses=warehouses, chosen=chosen, prefix_value=prefix[:MAX_PREFIX],
                      blind=blind, error=error)
