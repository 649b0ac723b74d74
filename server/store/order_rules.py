"""Order rules as data (``order_rules``): the rows ``shared.orders.rules.RuleSet.parse`` reads. The
back office edits them; the review loads the enabled ones in ``position`` order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from server.store.schema_orders import order_rules
from shared.core.ids import new_id
from shared.core.time import utc_now


def save_rule(conn: Connection, *, kind: str, name: str, position: int, definition: Mapping[str, Any],
              enabled: bool = True, updated_by: str = "", rule_id: str | None = None) -> str:
    """Insert a rule, or replace rule ``rule_id`` (its ``version`` goes up by one)."""
    values = {"kind": kind, "name": name, "position": position, "enabled": enabled, "definition": dict(definition),
              "updated_by": updated_by, "updated_at": utc_now()}
    if rule_id is not None:
        done = conn.execute(order_rules.update().where(order_rules.c.id == rule_id)
                            .values(**values, version=order_rules.c.version + 1)).rowcount
        if done:
            return rule_id
    rid = rule_id or new_id()
    conn.execute(order_rules.insert().values(id=rid, version=1, **values))
    return rid


def rows(conn: Connection, *, kind: str | None = None, enabled_only: bool = True) -> list[dict[str, Any]]:
    """Rule rows as dicts (``id, kind, name, position, enabled, definition, version``) by position."""
    r = order_rules.c
    query = select(r.id, r.kind, r.name, r.position, r.enabled, r.definition, r.version).order_by(r.position, r.id)
    if enabled_only:
        query = query.where(r.enabled.is_(True))
    if kind is not None:
        query = query.where(r.kind == kind)
    return [{"id": x.id, "kind": x.kind, "name": x.name, "position": x.position, "enabled": bool(x.enabled),
             "definition": dict(x.definition), "version": x.version} for x in conn.execute(query)]
