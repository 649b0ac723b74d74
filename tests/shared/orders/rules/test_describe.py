"""describe(rule, lang): every kind in zh-CN and English, built from the catalogue only."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from shared.core import messages_order_rules
from shared.core.messages import MESSAGES
from shared.orders.rules import describe, parse_rule
from tests.shared.orders.rules.factories import row

RULES_DIR = Path(__file__).resolve().parents[4] / "shared" / "orders" / "rules"


@pytest.mark.parametrize(("kind", "definition", "zh", "en"), [
    ("review", {"paid_over_fen": 500000, "buyer_remark_keywords": ["发顺丰", "急"]},
     "审单规则「R」：实付超过 5000.00 元时拦截；买家留言含 “发顺丰”、“急” 之一时拦截",
     "Review rule “R”: hold when paid is over 5000.00; hold when the buyer remark contains any of “发顺丰”, “急”"),
    ("merge", {"enabled": False}, "合单规则「R」：不自动合单", "Merge rule “R”: never merge"),
    ("split", {"default_warehouse": "SH", "max_package_weight_g": 20500, "presale_apart": False},
     "拆单规则「R」：按各仓库存拆单，包裹尽量少；优先从 SH 发货；每包不超过 20.5 千克",
     "Split rule “R”: split by warehouse stock into as few parcels as possible; prefer warehouse SH; at most 20.5 kg per parcel"),
    ("gift", {"paid_at_least_fen": 9900, "gift_sku": "G-1", "starts_at": "2024-11-11T00:00:00+08:00"},
     "赠品规则「R」：实付满 99.00 元；送 G-1 × 1；活动时间 2024-11-11 00:00 至 不限；赠品送完即止",
     "Gift rule “R”: paid at least 99.00; give 1 × G-1; from 2024-11-10 16:00 UTC until any time; while gift stock lasts"),
    ("priority", {"shop_points": {"旗舰店": 30}},
     "优先级规则「R」：店铺 旗舰店 加 30 分", "Priority rule “R”: 30 points for shop 旗舰店"),
    ("carrier", {"carrier_code": "SF", "max_weight_g": 30000, "zones": [{"first_fen": 1200, "additional_per_kg_fen": 250}],
                 "scope": {"platforms": ["jd"]}},
     "快递规则「R」：使用 SF，重量 0–30 千克；其他地区：首重 1 千克 12.00 元，续重每千克 2.50 元；多家可发时选运费最低的；适用于 jd",
     "Carrier rule “R”: use SF for 0–30 kg; elsewhere: first 1 kg 12.00, then 2.50 per kg; the cheapest eligible carrier is chosen; applies to jd"),
])
def test_describe_each_kind_in_both_languages(kind: str, definition: dict[str, Any], zh: str, en: str) -> None:
    rule = parse_rule(row(kind, definition, name="R"))
    assert describe(rule, "zh-CN") == zh
    assert describe(rule, "en") == en


def test_describe_marks_a_disabled_rule() -> None:
    rule = parse_rule(row("review", {"risk": True}, name="R", enabled=False))
    assert describe(rule, "zh-CN").startswith("审单规则「R」（已停用）：")
    assert describe(rule, "en").startswith("Review rule “R” (disabled): ")


def test_describe_a_priority_rule_of_zeros_says_it_does_nothing() -> None:
    assert describe(parse_rule(row("priority", {}, name="R")), "en") == "Priority rule “R”: does nothing"


def test_catalogue_part_has_only_rule_and_hold_keys_with_both_languages() -> None:
    for key, (zh, en) in messages_order_rules.MESSAGES.items():
        assert key.startswith(("rule.", "hold.")), key
        assert zh and en and zh != en, key
        assert MESSAGES[key] == (zh, en)


def test_every_catalogue_key_named_in_the_rules_code_exists() -> None:
    used: set[str] = set()
    for path in RULES_DIR.glob("*.py"):
        used |= set(re.findall(r"""["']((?:rule|hold)\.[a-z_]+(?:\.[a-z_]+)*)["']""", path.read_text(encoding="utf-8")))
    assert used and sorted(used - MESSAGES.keys()) == []


def test_describe_accepts_a_stored_row() -> None:
    assert describe(row("merge", {"max_orders": 3}, name="R"), "en") == (
        "Merge rule “R”: merge unshipped orders of one shop, buyer and address, at most 3 at a time; "
        "only when the seller remarks agree")
