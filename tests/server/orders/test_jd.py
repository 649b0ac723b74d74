"""JD POP orders → canonical orders (fixtures/jd_search_page.json)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from server.orders.adapters import jd
from server.orders.adapters.paging import first_request
from shared.orders.errors import OrderPayloadError, PlatformError
from shared.orders.model import OrderStatus
from tests.server.orders.payloads import convert, order, page


def test_online_paid_order_derives_the_jd_funded_discount() -> None:
    result = convert("jd", order("jd", 0))
    assert result.key == ("jd", "shop-1", "300123456789") and result.status is OrderStatus.PAID
    amounts = result.amounts
    assert (amounts.goods_fen, amounts.seller_discount_fen, amounts.platform_discount_fen, amounts.paid_fen) == (19900, 2000, 1000, 16900)
    assert result.seller_remark == "VIP客户" and result.buyer_open_id == "o2R4Jb8k1dCm9FqS7xYz0AbCdEf"
    assert not result.flags.cod
    line = result.lines[0]
    assert (line.platform_sku_id, line.platform_item_id, line.seller_sku_code, line.qty) == ("100012043978", "100001234567", "JD-TEA-250", 1)


def test_cod_order_with_a_repeated_sku_keeps_both_lines() -> None:
    result = convert("jd", order("jd", 1))
    assert result.flags.cod and result.status is OrderStatus.SHIPPED and result.paid_at is None
    assert [line.line_id for line in result.lines] == ["100020000001", "100020000001#2"]
    assert result.amounts.freight_fen == 800 and result.buyer_remark == "周末送货"


def test_masked_consignee_stays_masked() -> None:
    receiver = convert("jd", order("jd", 0)).receiver
    assert (receiver.name_masked, receiver.phone_masked) == ("李**", "139****1234")
    assert receiver.region.district == "三环到四环之间"


def test_plaintext_consignee_is_masked() -> None:
    raw = order("jd", 0)
    raw["consigneeInfo"] |= {"fullname": "李四", "mobile": "13912341234", "fullAddress": "北京朝阳区建国路 88 号"}
    result = convert("jd", raw)
    assert (result.receiver.name_masked, result.receiver.phone_masked) == ("李**", "139****1234")
    assert result.flags.plaintext_pii_in_raw


@pytest.mark.parametrize(("changes", "path"), [
    ({"orderSellerPrice": "180.00"}, "order.orderSellerPrice"),
    ({"orderPayment": "300.00"}, "order.orderPayment"),
])
def test_amounts_that_do_not_reconcile_are_refused(changes: dict[str, str], path: str) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        convert("jd", order("jd", 0) | changes)
    assert (caught.value.code, caught.value.path) == ("order.amounts_mismatch", path)


def test_both_wrapper_spellings_and_the_detail_response() -> None:
    raw_page = page("jd")
    body = raw_page.pop("jingdong_pop_order_search_responce")
    assert len(jd.orders_of_page({"jingdong_pop_order_search_response": body})) == 2
    detail = {"jingdong_pop_order_get_responce": {"orderDetailInfo": {"orderInfo": order("jd", 0)}}}
    assert convert("jd", dict(jd.orders_of_page(detail)[0])).platform_order_id == "300123456789"


def test_api_result_failure_and_error_response_are_platform_errors() -> None:
    failed = page("jd")
    failed["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["apiResult"] = {
        "success": False, "englishErrCode": "INVALID_PARAM", "chineseErr": "参数错误"}
    with pytest.raises(PlatformError, match="参数错误"):
        jd.orders_of_page(failed)
    with pytest.raises(PlatformError) as caught:
        jd.orders_of_page({"error_response": {"code": "19", "zh_desc": "token已过期", "en_desc": "token expired"}})
    assert caught.value.code == "order.platform_error" and "token已过期" in caught.value.message()


def test_paging_by_order_total() -> None:
    raw_page = copy.deepcopy(page("jd"))
    raw_page["jingdong_pop_order_search_responce"]["searchorderinfo_result"]["orderTotal"] = 250
    request = first_request(jd.LIMITS, datetime(2024, 11, 11, tzinfo=UTC), datetime(2024, 11, 12, tzinfo=UTC))
    second = jd.next_cursor(raw_page, request)
    assert second is not None and second.page == 2
    third = jd.next_cursor(raw_page, second)
    assert third is not None and jd.next_cursor(raw_page, third) is None
