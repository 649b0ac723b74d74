"""Review rules: each failing check is a hold with a stable code and details; passing orders pass."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import ValidationError
from shared.core.messages import MESSAGES
from shared.orders.model import OrderFlags, OrderStatus, Presale, PresaleKind, PresalePhase, RefundState, Region
from shared.orders.rules import Hold, ReviewFacts, ReviewOutcome, RuleSet
from tests.shared.orders.rules.factories import NOW, line, order, receiver, replace, row
from tests.shared.orders.rules.strategies import PROPERTY, orders, review_definitions

ALL_CHECKS: dict[str, Any] = {"address_complete": True, "paid_over_fen": 100000, "paid_under_fen": 100,
                              "buyer_remark_keywords": ["发顺丰"], "seller_remark_keywords": ["不发"], "blacklist": True,
                              "risk": True, "presale": True, "refund": True, "unmapped_sku": True}


def _review(definition: dict[str, Any], the_order: Any, facts: ReviewFacts | None = None) -> ReviewOutcome:
    return RuleSet.parse([row("review", definition, rule_id="r1")]).review(the_order, facts or ReviewFacts(now=NOW))


def test_review_clean_order_passes_every_check() -> None:
    outcome = _review(ALL_CHECKS, order())
    assert outcome.passed and outcome.holds == []


@pytest.mark.parametrize(("receiver_changes", "missing"), [
    ({"province": ""}, "province"),
    ({"city": " ", "district": ""}, "city,district"),
    ({"detail": ""}, "detail"),
    ({"province": "", "city": "", "district": "", "detail": ""}, "province,city,district,detail"),
])
def test_review_incomplete_address_holds_with_the_missing_parts(receiver_changes: dict[str, str], missing: str) -> None:
    outcome = _review({"address_complete": True}, order(receiver=receiver(**receiver_changes)))
    assert "{" not in outcome.holds[0].message("zh-CN")
    assert [(h.code, h.details["missing"], h.rule_id) for h in outcome.holds] == [("hold.address_incomplete", missing, "r1")]


def test_review_cities_without_districts_need_no_district() -> None:
    outcome = _review({"address_complete": True}, order(receiver=receiver(province="广东省", city="东莞市", district="")))
    assert outcome.passed


def test_review_foreign_address_needs_city_and_detail_only() -> None:
    foreign = order(receiver=receiver(province="", city="Berlin", district="", country_code="DE"), platform="shopify")
    assert _review({"address_complete": True}, foreign).passed


def test_address_hold_message_names_the_parts_in_each_language() -> None:
    hold = _review({"address_complete": True}, order(receiver=receiver(district="", detail=""))).holds[0]
    assert hold.message("zh-CN") == "收货地址不完整：缺少区/县、详细地址"
    assert hold.message("en") == "Incomplete address: district, street address missing"


def test_review_town_counts_as_district() -> None:
    the_receiver = replace(receiver(), region=Region("福建省", "厦门市", "", "鼓浪屿街道"))
    assert _review({"address_complete": True}, order(receiver=the_receiver)).passed


@pytest.mark.parametrize(("paid", "code"), [(100001, "hold.amount_over_limit"), (99, "hold.amount_under_limit")])
def test_review_amount_out_of_limits_holds(paid: int, code: str) -> None:
    outcome = _review({"paid_over_fen": 100000, "paid_under_fen": 100}, order(paid_fen=paid))
    assert [(h.code, h.details["paid_fen"]) for h in outcome.holds] == [(code, paid)]


@pytest.mark.parametrize("paid", [100, 100000])
def test_review_amount_on_the_limit_passes(paid: int) -> None:
    assert _review({"paid_over_fen": 100000, "paid_under_fen": 100}, order(paid_fen=paid)).passed


def test_review_amount_limits_apply_to_their_currency_only() -> None:
    usd_order = order(paid_fen=10**7, currency="USD", platform="shopify")
    assert _review({"paid_over_fen": 100000}, usd_order).passed
    assert not _review({"paid_over_fen": 100000, "currency": "usd"}, usd_order).passed


def test_amount_hold_message_shows_yuan_in_both_languages() -> None:
    hold = _review({"paid_over_fen": 500000}, order(paid_fen=512345)).holds[0]
    assert hold.message("zh-CN") == "实付 5123.45 元，超过上限 5000.00 元"
    assert hold.message("en") == "Paid 5123.45, above the limit of 5000.00"


@pytest.mark.parametrize("remark", ["请发顺丰", "请 发顺丰！", "PLEASE SEND SF", "please send ｓｆ", "ＳＦ\u200b please"])
def test_review_buyer_remark_keyword_matches_case_and_width_insensitively(remark: str) -> None:
    outcome = _review({"buyer_remark_keywords": ["发顺丰", "sf"]}, order(buyer_remark=remark))
    assert [h.code for h in outcome.holds] == ["hold.remark_keyword"]
    assert outcome.holds[0].details["remark"] == "buyer"


def test_review_seller_remark_keyword_holds_and_names_the_remark() -> None:
    hold = _review({"seller_remark_keywords": ["不发"]}, order(seller_remark="暂时不发货")).holds[0]
    assert hold.details == {"remark": "seller", "remark_zh": "卖家备注", "remark_en": "seller remark", "keyword": "不发"}
    assert hold.message("zh-CN") == "卖家备注含关键词“不发”"
    assert hold.message("en") == "The seller remark contains the keyword “不发”"


def test_review_keyword_absent_passes() -> None:
    assert _review({"buyer_remark_keywords": ["急"]}, order(buyer_remark="谢谢")).passed


def test_review_blacklisted_buyer_or_address_holds() -> None:
    facts = ReviewFacts(blacklisted_buyers=frozenset({"buyer-1"}), blacklisted_address_keys=frozenset({"addr-1"}))
    outcome = _review({"blacklist": True}, order(), facts)
    assert [h.details for h in outcome.holds] == [{"buyer": "buyer-1"}, {"address_key": "addr-1"}]
    assert _review({"blacklist": True}, order(buyer_open_id=None, receiver=receiver(address_key=None)), facts).passed


@pytest.mark.parametrize("changes", [{"flags": OrderFlags(risk=True)}, {"status": OrderStatus.ON_HOLD}])
def test_review_risk_flag_holds(changes: dict[str, Any]) -> None:
    assert _review({"risk": True}, order(**changes)).codes == ["hold.risk"]


def test_review_presale_holds_until_ship_after() -> None:
    ship_after = NOW + timedelta(days=3)
    presale_order = order(presale=Presale(PresaleKind.FULL_PAYMENT, PresalePhase.PAID_IN_FULL, ship_after=ship_after),
                          flags=OrderFlags(presale=True))
    held = _review({"presale": True}, presale_order, ReviewFacts(now=NOW)).holds
    assert held == [Hold("hold.presale_not_released", {"ship_after": "2024-11-14T12:00:00+00:00"}, "r1")]
    assert _review({"presale": True}, presale_order, ReviewFacts(now=ship_after)).passed
    assert not _review({"presale": True}, presale_order, ReviewFacts(now=None)).passed  # unknown time: never early


def test_review_presale_with_unpaid_balance_holds() -> None:
    deposit_only = order(status=OrderStatus.PRESALE_DEPOSIT_PAID,
                         presale=Presale(PresaleKind.DEPOSIT, PresalePhase.DEPOSIT_PAID, deposit_fen=100))
    assert _review({"presale": True}, deposit_only).codes == ["hold.presale_unpaid"]


@pytest.mark.parametrize("changes", [
    {"lines": (line("1"), line("2", refund=RefundState.IN_PROGRESS))},
    {"flags": OrderFlags(refund_in_progress=True)},
    {"status": OrderStatus.REFUNDING},
])
def test_review_refund_in_progress_holds(changes: dict[str, Any]) -> None:
    lines = changes.pop("lines", None)
    the_order = order(*lines, **changes) if lines else order(**changes)
    assert _review({"refund": True}, the_order).codes == ["hold.refund_in_progress"]


def test_review_unmapped_line_holds_with_its_line_id() -> None:
    outcome = _review({"unmapped_sku": True}, order(line("1"), line("2", sku="")))
    assert outcome.holds == [Hold("hold.unmapped_sku", {"lines": "2"}, "r1")]


def test_review_every_failing_check_gives_its_own_hold() -> None:
    bad = order(line("1", sku="", refund=RefundState.IN_PROGRESS), paid_fen=10**6, buyer_remark="发顺丰",
                seller_remark="不发", flags=OrderFlags(risk=True), receiver=receiver(detail=""))
    outcome = _review(ALL_CHECKS, bad, ReviewFacts(blacklisted_buyers=frozenset({"buyer-1"}), now=NOW))
    assert not outcome.passed
    assert outcome.codes == ["hold.address_incomplete", "hold.amount_over_limit", "hold.remark_keyword", "hold.remark_keyword",
                             "hold.blacklisted", "hold.risk", "hold.refund_in_progress", "hold.unmapped_sku"]
    for hold in outcome.holds:
        assert "{" not in hold.message("zh-CN") and "{" not in hold.message("en")


def test_review_two_rules_with_one_check_hold_once_for_the_first_rule() -> None:
    rules = RuleSet.parse([row("review", {"risk": True}, rule_id="b", position=2),
                           row("review", {"risk": True, "refund": True}, rule_id="a", position=1)])
    outcome = rules.review(order(flags=OrderFlags(risk=True)), ReviewFacts())
    assert [(h.code, h.rule_id) for h in outcome.holds] == [("hold.risk", "a")]


def test_review_rule_scoped_to_other_shop_does_not_hold() -> None:
    definition = {"risk": True, "scope": {"shops": ["shop-2"]}}
    assert _review(definition, order(flags=OrderFlags(risk=True))).passed
    assert not _review(definition, order(flags=OrderFlags(risk=True), shop_id="shop-2")).passed


def test_review_facts_refuse_a_naive_now() -> None:
    with pytest.raises(ValidationError) as caught:
        ReviewFacts(now=NOW.replace(tzinfo=None))
    assert caught.value.code == "invalid.timestamp"


def test_review_outcome_passes_exactly_without_holds() -> None:
    with pytest.raises(ValueError):
        ReviewOutcome(passed=True, holds=[Hold("hold.risk", {}, "r")])
    assert ReviewOutcome.of([]).passed


def test_review_any_remark_holds_unless_a_keyword_hold_covers_it() -> None:
    definition = {"any_buyer_remark": True, "any_seller_remark": True, "seller_remark_keywords": ["不发"]}
    outcome = _review(definition, order(buyer_remark="谢谢", seller_remark="不发货"))
    assert [(h.code, h.details["remark"]) for h in outcome.holds] == [("hold.has_remark", "buyer"), ("hold.remark_keyword", "seller")]
    assert outcome.holds[0].message("zh-CN") == "有买家留言，需人工审核"
    assert _review(definition, order(buyer_remark=" \u200b ")).passed  # blank once normalised


def test_review_seller_flag_listed_sku_and_cod_hold() -> None:
    definition = {"seller_flags": [1, 4], "hold_skus": ["ｇｉｆｔ-box"], "cod": True}
    flagged = order(line("1", "gift-box"), line("2", "GIFT-BOX"), seller_flag=4, flags=OrderFlags(cod=True))
    assert [(h.code, h.details) for h in _review(definition, flagged).holds] == [
        ("hold.seller_flag", {"flag": 4}), ("hold.listed_sku", {"skus": "GIFT-BOX"}), ("hold.cod", {})]
    assert _review(definition, order(seller_flag=2)).passed


def test_hold_round_trips_through_its_data_form() -> None:
    outcome = _review({"paid_over_fen": 1}, order())
    data = outcome.to_data()
    assert data == {"passed": False, "holds": [{"code": "hold.amount_over_limit", "rule_id": "r1", "details": {
        "paid_fen": 1000, "paid_yuan": "10.00", "limit_fen": 1, "limit_yuan": "0.01"}}]}
    assert [Hold.from_data(h) for h in data["holds"]] == outcome.holds


@PROPERTY
@given(orders())
def test_review_with_no_rules_passes_every_order(the_order: Any) -> None:
    assert RuleSet.parse([]).review(the_order, ReviewFacts(now=NOW)).passed


@PROPERTY
@given(orders(), st.lists(review_definitions, min_size=1, max_size=3), review_definitions,
       st.frozensets(st.sampled_from(["buyer-1", "buyer-2"])))
def test_review_adding_a_rule_never_removes_a_hold(the_order: Any, definitions: list[dict[str, Any]],
                                                   extra: dict[str, Any], blacklist: frozenset[str]) -> None:
    facts = ReviewFacts(blacklisted_buyers=blacklist, now=NOW)
    rows = [row("review", d, rule_id=f"r{i}", position=i) for i, d in enumerate(definitions)]
    before = RuleSet.parse(rows).review(the_order, facts)
    after = RuleSet.parse(rows + [row("review", extra, rule_id="extra", position=99)]).review(the_order, facts)
    assert {(h.code, str(h.details)) for h in before.holds} <= {(h.code, str(h.details)) for h in after.holds}
    assert after.passed == (not after.holds)
    for hold in after.holds:  # a stored hold renders with a plain str.format of its details
        zh, en = MESSAGES[hold.code]
        assert zh.format(**hold.details) == hold.message("zh-CN") and en.format(**hold.details) == hold.message("en")
        assert "{" not in hold.message("zh-CN") + hold.message("en")
