"""``/app/rules``: the order rules by kind and position, each in words (``describe(rule, lang)``), and
the editor of one rule (kind, name, position, enabled, and its definition as JSON). The row is
validated with ``shared.orders.rules.parse_rule`` before it is saved: a bad definition shows the
``rule.invalid`` message naming the field (422) and saves nothing. Every kind shows an example."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import RedirectResponse, Response

from server.store import order_rules, order_views
from server.web.render import PREFIX
from server.web.routing import Ctx
from shared.core.errors import ValidationError
from shared.orders.rules import RuleKind, describe, parse_rule

MANAGE = "rules.manage"
KINDS = tuple(str(k) for k in RuleKind)
MAX_DEFINITION_CHARS = 20_000
EXAMPLES: dict[str, dict[str, Any]] = {
    "review": {"paid_over_fen": 500000, "buyer_remark_keywords": ["发顺丰", "急"], "address_complete": True},
    "merge": {"enabled": True, "max_orders": 10, "across_seller_remarks": False},
    "split": {"by_stock": True, "presale_apart": True, "max_package_weight_g": 20000},
    "gift": {"paid_at_least_fen": 9900, "gift_sku": "GIFT-SOCKS", "gift_qty": 1},
    "priority": {"paid_age_points_per_hour": 1, "max_age_hours": 720, "ship_by_within_hours": 24,
                 "ship_by_points": 100},
    "carrier": {"carrier_code": "ZTO", "min_weight_g": 0, "max_weight_g": 30000,
                "zones": [{"first_weight_g": 1000, "first_fen": 800, "additional_per_kg_fen": 500}]},
}


@dataclass(frozen=True, slots=True)
class RuleLine:
    row: order_views.RuleRow
    words: str  # describe(rule, lang), or the rule.invalid message of a broken stored row
    broken: bool


def list_rules(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        rows = order_views.all_rules(conn)
    lines = [_line(ctx.lang, r) for r in rows]
    groups = [(kind, [x for x in lines if x.row.kind == kind]) for kind in KINDS]
    return ctx.render("rules/list.html", groups=groups)


def _line(lang: str, row: order_views.RuleRow) -> RuleLine:
    try:
        return RuleLine(row, describe(_as_row(row), lang), False)
    except ValidationError as exc:
        return RuleLine(row, exc.message(lang), True)


def _as_row(row: order_views.RuleRow) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "name": row.name, "position": row.position, "enabled": row.enabled,
            "definition": row.definition}


@dataclass(frozen=True, slots=True)
class Draft:
    kind: str
    name: str
    position: str
    enabled: bool
    definition: str


def new_form(ctx: Ctx) -> Response:
    kind = ctx.request.query_params.get("kind", "review")
    kind = kind if kind in KINDS else "review"
    draft = Draft(kind, "", "100", True, json.dumps(EXAMPLES[kind], ensure_ascii=False, indent=2))
    return _form(ctx, draft, rule_id="", error="")


def edit_form(ctx: Ctx) -> Response:
    with ctx.store.read() as conn:
        row = order_views.get_rule(conn, str(ctx.request.path_params["rule_id"]))
    draft = Draft(row.kind, row.name, str(row.position), row.enabled,
                  json.dumps(row.definition, ensure_ascii=False, indent=2))
    return _form(ctx, draft, rule_id=row.id, error="")


def _form(ctx: Ctx, draft: Draft, *, rule_id: str, error: str, status: int = 200) -> Response:
    examples = {k: json.dumps(v, ensure_ascii=False, indent=2) for k, v in EXAMPLES.items()}
    return ctx.render("rules/edit.html", status=status, draft=draft, rule_id=rule_id, error=error, kinds=KINDS,
                      examples=examples)


def create(ctx: Ctx) -> Response:
    return _save(ctx, rule_id=None)


def update(ctx: Ctx) -> Response:
    rule_id = str(ctx.request.path_params["rule_id"])
    with ctx.store.read() as conn:
        order_views.get_rule(conn, rule_id)  # 404 for an unknown rule
    return _save(ctx, rule_id=rule_id)


def _save(ctx: Ctx, *, rule_id: str | None) -> Response:
    form = ctx.form
    draft = Draft(form.get("kind", ""), form.get("name", "").strip(), form.get("position", "").strip(),
                  form.get("enabled") == "1", form.get("definition", ""))
    try:
        row = _parsed(ctx, draft, rule_id)
    except ValidationError as exc:
        return _form(ctx, draft, rule_id=rule_id or "", error=exc.message(ctx.lang), status=422)
    with ctx.store.transaction() as conn:
        saved = order_rules.save_rule(conn, kind=row["kind"], name=row["name"], position=row["position"],
                                      definition=row["definition"], enabled=row["enabled"],
                                      updated_by=ctx.signed_in.account.id, rule_id=rule_id)
    return RedirectResponse(f"{PREFIX}/rules/{saved}", status_code=303)


def _parsed(ctx: Ctx, draft: Draft, rule_id: str | None) -> dict[str, Any]:
    """The row in normal form, validated by ``parse_rule``; else ``rule.invalid`` naming the field."""
    name = rule_id or "new"
    if draft.kind not in KINDS:
        raise ValidationError("rule.invalid", rule=name, field="kind", reason=f"kind: {draft.kind[:32]!r}")
    if not draft.position.lstrip("-").isdigit():
        raise ValidationError("rule.invalid", rule=name, field="position",
                              reason=ctx.t("web.ord.rule.position_number"))
    if len(draft.definition) > MAX_DEFINITION_CHARS:
        raise ValidationError("rule.invalid", rule=name, field="definition",
                              reason=ctx.t("web.ord.rule.definition_too_long", max=MAX_DEFINITION_CHARS))
    try:
        definition = json.loads(draft.definition or "{}")
    except ValueError as exc:
        raise ValidationError("rule.invalid", rule=name, field="definition",
                              reason=ctx.t("web.ord.rule.bad_json", line=getattr(exc, "lineno", 0))) from None
    rule = parse_rule({"id": name, "kind": draft.kind, "name": draft.name or name, "position": int(draft.position),
                       "enabled": draft.enabled, "definition": definition})
    row = rule.to_row()
    row["name"] = draft.name or row["name"]
    return row
