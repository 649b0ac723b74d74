"""Hypothesis strategies for rule rows, orders and stock, shared by the property tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from shared.orders.model import CanonicalOrder, OrderFlags, PresaleKind, RefundState
from tests.shared.orders.rules.factories import line, order, receiver

SKUS = ["SKU-A", "SKU-B", "SKU-C", "SKU-D"]
WAREHOUSES = ["WH-1", "WH-2", "WH-3"]
PROVINCES = ["浙江省", "上海市", "广西壮族自治区", "新疆维吾尔自治区", "北京", "广东省", ""]

fen = st.integers(min_value=0, max_value=10**7)
small_qty = st.integers(min_value=1, max_value=20)
words = st.text(alphabet="急发顺丰ABCsfＳＦ ", min_size=1, max_size=6).filter(lambda s: s.strip())
aware_times = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 1, 1), timezones=st.just(UTC))


def _optional(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=strategies)


review_definitions = _optional(
    address_complete=st.booleans(), paid_over_fen=st.integers(5000, 10**7), paid_under_fen=st.integers(0, 5000),
    buyer_remark_keywords=st.lists(words, max_size=3), seller_remark_keywords=st.lists(words, max_size=3),
    blacklist=st.booleans(), risk=st.just(True), presale=st.booleans(), refund=st.booleans(), unmapped_sku=st.booleans(),
    any_buyer_remark=st.booleans(), any_seller_remark=st.booleans(), cod=st.booleans(),
    seller_flags=st.lists(st.integers(0, 5), max_size=3), hold_skus=st.lists(st.sampled_from(SKUS), max_size=2),
    currency=st.sampled_from(["CNY", "usd"]),
    scope=_optional(platforms=st.lists(st.sampled_from(["taobao", "jd", "douyin"]), max_size=2),
                    shops=st.lists(st.sampled_from(["shop-1", "shop-2"]), max_size=2)),
).filter(lambda d: d.get("risk") or d.get("address_complete") or "paid_over_fen" in d)
merge_definitions = _optional(enabled=st.booleans(), max_orders=st.integers(2, 100), across_seller_remarks=st.booleans(),
                              statuses=st.lists(st.sampled_from(["paid", "on_hold"]), min_size=1, max_size=2))
split_definitions = _optional(by_stock=st.booleans(), default_warehouse=st.sampled_from(WAREHOUSES),
                              presale_apart=st.booleans(), max_package_weight_g=st.integers(1, 50000))
gift_definitions = st.one_of(
    st.fixed_dictionaries({"paid_at_least_fen": st.integers(1, 10**6), "gift_sku": st.sampled_from(SKUS)},
                          optional={"gift_qty": small_qty, "repeat": st.booleans(), "max_per_order": small_qty,
                                    "exclusive": st.booleans()}),
    st.fixed_dictionaries({"buy_sku": st.sampled_from(SKUS), "gift_sku": st.sampled_from(["GIFT-1", "GIFT-2"])},
                          optional={"buy_min_qty": small_qty, "gift_qty": small_qty, "repeat": st.booleans(),
                                    "max_per_order": small_qty, "starts_at": st.just("2024-11-01T00:00:00+08:00"),
                                    "ends_at": st.just("2024-12-01T00:00:00+08:00")}),
)
priority_definitions = _optional(
    paid_age_points_per_hour=st.integers(-100, 100), max_age_hours=st.integers(1, 2000), ship_by_within_hours=st.integers(1, 72),
    ship_by_points=st.integers(-1000, 1000), overdue_points=st.integers(0, 1000), presale_released_points=st.integers(0, 100),
    high_value_fen=st.integers(1, 10**6), high_value_points=st.integers(0, 100),
    platform_points=st.dictionaries(st.sampled_from(["taobao", "jd"]), st.integers(-50, 50), max_size=2),
    seller_flag_points=st.dictionaries(st.sampled_from(["0", "1", "5"]), st.integers(-50, 50), max_size=2),
)
zones = st.fixed_dictionaries({"first_fen": st.integers(0, 5000)},
                              optional={"provinces": st.lists(st.sampled_from(PROVINCES[:-1]), min_size=1, max_size=3),
                                        "first_weight_g": st.integers(0, 3000), "additional_per_kg_fen": st.integers(0, 2000)})
carrier_definitions = st.fixed_dictionaries(
    {"carrier_code": st.sampled_from(["ZTO", "YTO", "SF", "JD"]), "zones": st.lists(zones, min_size=1, max_size=3)},
    optional={"min_weight_g": st.integers(0, 1000), "max_weight_g": st.integers(1000, 100000),
              "exclude_provinces": st.lists(st.sampled_from(PROVINCES[:-1]), max_size=2)})

DEFINITIONS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "review": review_definitions, "merge": merge_definitions, "split": split_definitions,
    "gift": gift_definitions, "priority": priority_definitions, "carrier": carrier_definitions,
}


@st.composite
def rows(draw: st.DrawFn, kind: str | None = None) -> dict[str, Any]:
    kind = kind or draw(st.sampled_from(sorted(DEFINITIONS)))
    return {"id": draw(st.text("abcdef0123", min_size=1, max_size=8)), "kind": kind,
            "name": draw(st.text("审单合拆赠品ab ", min_size=1, max_size=10).filter(str.strip)),
            "position": draw(st.integers(-5, 5)), "enabled": draw(st.booleans()), "definition": draw(DEFINITIONS[kind])}


@st.composite
def orders(draw: st.DrawFn, *, presale_lines: bool = True, refunds: bool = True) -> CanonicalOrder:
    count = draw(st.integers(1, 5))
    made = []
    for index in range(count):
        made.append(line(str(index), sku=draw(st.sampled_from(SKUS)), qty=draw(small_qty), price_fen=draw(st.integers(0, 50000)),
                         presale_kind=draw(st.sampled_from([None, None, PresaleKind.FULL_PAYMENT])) if presale_lines else None,
                         refund=draw(st.sampled_from([RefundState.NONE, RefundState.NONE, RefundState.REFUNDED]))
                         if refunds else RefundState.NONE))
    paid_at = draw(aware_times)
    ship_by = draw(st.none() | aware_times)
    return order(*made, paid_at=paid_at, created_at=paid_at - timedelta(minutes=5), modified_at=paid_at, ship_by=ship_by,
                 platform=draw(st.sampled_from(["taobao", "jd", "douyin"])), platform_order_id=draw(st.text("0123456789", min_size=1, max_size=6)),
                 seller_flag=draw(st.none() | st.integers(0, 5)), buyer_open_id=draw(st.sampled_from([None, "buyer-1", "buyer-2"])),
                 buyer_remark=draw(st.sampled_from(["", "请发顺丰", "ＳＦ please", "谢谢"])), seller_remark=draw(st.sampled_from(["", "急"])),
                 flags=OrderFlags(risk=draw(st.booleans()), cod=draw(st.booleans())),
                 receiver=receiver(province=draw(st.sampled_from(PROVINCES)), detail=draw(st.sampled_from(["", "软件园****"]))))


stock_maps = st.dictionaries(st.sampled_from(WAREHOUSES), st.dictionaries(st.sampled_from(SKUS), st.integers(0, 30)), max_size=3)
weight_maps = st.fixed_dictionaries({sku: st.integers(0, 5000) for sku in SKUS})
later = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))

# CI shares two cores between many jobs: time per example is not what these properties test.
PROPERTY = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])
