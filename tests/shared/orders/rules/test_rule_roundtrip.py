"""A rule round-trips through its data form, and any generated row either parses or names a field."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.orders.rules import RuleSet, describe, parse_rule
from tests.shared.orders.rules.strategies import PROPERTY, rows


@PROPERTY
@given(rows())
def test_parse_rule_then_to_row_round_trips(stored: dict[str, Any]) -> None:
    rule = parse_rule(stored)
    data = rule.to_row()
    assert json.loads(json.dumps(data)) == data  # the data form is plain JSON
    assert parse_rule(data) == rule
    assert parse_rule(data).to_row() == data


@PROPERTY
@given(rows())
def test_every_parsed_rule_can_be_described_in_both_languages(stored: dict[str, Any]) -> None:
    rule = parse_rule(stored)
    for lang in ("zh-CN", "en"):
        text = describe(rule, lang)
        assert rule.name in text and "{" not in text


@PROPERTY
@given(st.lists(rows(), max_size=8))
def test_ruleset_keeps_enabled_rows_only_in_position_order(stored: list[dict[str, Any]]) -> None:
    try:
        rules = RuleSet.parse(stored)
    except ValidationError as error:
        assert error.code == "rule.duplicate_id"
        return
    enabled = [r for r in stored if r["enabled"]]
    assert sorted(rule.id for rule in rules.rules) == sorted(r["id"] for r in enabled)
    keys = [(rule.position, rule.id) for rule in rules.rules]
    assert keys == sorted(keys)


@PROPERTY
@given(st.dictionaries(st.sampled_from(["paid_over_fen", "risk", "scope", "zones", "gift_sku", "x"]),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=5),
                                 st.lists(st.integers(), max_size=2)), max_size=4),
       st.sampled_from(["review", "merge", "split", "gift", "priority", "carrier"]))
def test_garbage_definitions_parse_or_raise_rule_invalid(definition: dict[str, Any], kind: str) -> None:
    try:
        parse_rule({"id": "g", "kind": kind, "name": "g", "position": 0, "enabled": True, "definition": definition})
    except ValidationError as error:
        assert error.code == "rule.invalid"
        assert str(error.details["field"]).startswith("definition")
