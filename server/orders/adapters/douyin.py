"""Douyin 抖店: ``order.searchList`` (list) and ``order.orderDetail`` (detail).

Money is **fen in JSON integers**; times are Unix seconds (0 = not yet). The receiver comes twice:
``mask_post_*`` (shown) and ``encrypt_post_*`` (ciphertext for ``order.batchDecrypt``);
``open_address_id`` is equal for equal receiver+address (the merge key). ``main_status`` is read
when present (it adds 103 partially paid and 21/22/39 refunded); line refunds come from
``sku_order_list[].after_sale_info.refund_status``.

Presale: ``order_phase_list[]`` (one entry per phase of a deposit presale: ``current_phase``,
``total_phase``, ``pay_success``) makes it a deposit presale; a line's ``pre_sale_type`` 1 is a
full-payment presale, 2 staged shipping (阶梯发货).

Amounts [K]: goods = Σ ``goods_price × item_num``; freight = ``post_amount``; the discounts are
split by who funds them -- ``shop_cost_amount`` is the seller's, ``platform_cost_amount`` +
``author_cost_amount`` (influencer) + ``promotion_pay_amount`` (payment channel) are not;
``modify_amount`` + ``modify_post_amount`` is the seller's price change; paid = ``pay_amount``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from server.orders.adapters.base import Adapter, ReceiverParts, build_receiver, plain_orders, seller_flag
from server.orders.adapters.paging import Limits, PageRequest, next_by_total
from server.orders.adapters.reader import Reader
from shared.orders import status as tables
from shared.orders.errors import PlatformError
from shared.orders.model import (
    Amounts, CanonicalOrder, EncryptedReceiver, OrderFlags, OrderLine, Presale, PresaleKind, PresalePhase,
    RefundState, Region,
)

LIMITS = Limits("douyin", page_size_max=100, first_page=0, window_max=timedelta(days=90), rows_per_query_max=50_000)
_LINE_PRESALE = {0: None, 1: PresaleKind.FULL_PAYMENT, 2: PresaleKind.STAGED}
_PHASE_ORDER = (PresalePhase.UNPAID, PresalePhase.DEPOSIT_PAID, PresalePhase.PAID_IN_FULL)


def to_canonical(raw: Mapping[str, Any], *, shop_id: str) -> CanonicalOrder:
    """One element of ``data.shop_order_list[]``."""
    order = Reader(raw, "shop_order")
    phases = _deposit_phases(order)
    lines = tuple(_line(sku, phases) for sku in order.objects("sku_order_list"))
    presale = _presale(order, lines, phases)
    refund = tables.combine_refunds(line.refund for line in lines)
    key = "main_status" if order.has("main_status") else "order_status"
    base = order.status(key, tables.DOUYIN_MAIN_STATUS if key == "main_status" else tables.DOUYIN_ORDER_STATUS,
                        platform="douyin")
    receiver, plaintext = build_receiver(_receiver(order))
    buyer_remark, seller_remark = order.text("buyer_words", max_chars=500), order.text("seller_words", max_chars=500)
    return CanonicalOrder(
        platform="douyin",
        shop_id=shop_id,
        platform_order_id=order.ident("order_id"),
        status=tables.derive_status(base, refund=refund, presale_phase=presale.phase if presale else None),
        platform_status=f"{order.get('order_status')}/{order.get('main_status')}" if key == "main_status"
        else str(order.get("order_status")),
        created_at=order.unix_time("create_time"),
        modified_at=order.unix_time("update_time"),
        paid_at=order.opt_unix_time("pay_time"),
        shipped_at=_shipped_at(order),
        ship_by=order.opt_unix_time("exp_ship_time"),
        buyer_open_id=order.opaque("doudian_open_id") or None,
        receiver=receiver,
        lines=lines,
        amounts=_amounts(order, lines),
        buyer_remark=buyer_remark,
        seller_remark=seller_remark,
        seller_flag=seller_flag(order, "seller_remark_stars"),
        presale=presale,
        flags=OrderFlags(
            presale=presale is not None,
            risk=order.get("order_status") == 105,
            cod=order.integer("pay_type", required=False, default=-1) == 0,
            refund_in_progress=any(line.refund is RefundState.IN_PROGRESS for line in lines),
            text_sanitized=order.sanitized,
            plaintext_pii_in_raw=plaintext,
        ),
        raw=raw,
    )


def orders_of_page(raw_page: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return plain_orders(_data(raw_page).objects("shop_order_list", required=False))


def next_cursor(raw_page: Mapping[str, Any], request: PageRequest, *, link_header: str | None = None) -> PageRequest | None:
    """Pages count from 0; ``total`` above 50,000 rows raises ``order.window_overfull``."""
    return next_by_total(LIMITS, request, _data(raw_page).integer("total", minimum=0))


def _data(raw_page: Mapping[str, Any]) -> Reader:
    """``data`` of a response whose ``code`` is 10000 (or, in the newer envelope, ``err_no`` 0)."""
    page = Reader(raw_page, "page")
    ok = page.get("code") == 10000 if "code" in page.data else page.get("err_no") == 0
    if not ok:
        code = page.data.get("code", page.data.get("err_no"))
        message = page.get("sub_msg") or page.get("msg") or page.get("message") or ""
        raise PlatformError("order.platform_error", platform="douyin", error_code=str(code)[:40], error_message=str(message)[:200])
    return page.obj("data")


def _line(sku: Reader, phases: dict[str, PresalePhase]) -> OrderLine:
    line_id = sku.ident("order_id")
    refund = RefundState.NONE
    after_sale = sku.opt_obj("after_sale_info")
    if after_sale is not None and after_sale.has("refund_status"):
        refund = after_sale.status("refund_status", tables.DOUYIN_REFUND_STATUS, platform="douyin")
    kind = sku.status("pre_sale_type", _LINE_PRESALE, platform="douyin") if sku.has("pre_sale_type") else None
    phase = phases.get(line_id)
    return OrderLine(
        line_id=line_id,
        platform_item_id=sku.ident("product_id"),
        platform_sku_id=sku.ident("sku_id"),
        seller_sku_code=sku.text("code", max_chars=64) or sku.text("out_sku_id", max_chars=64),
        title=sku.text("product_name", required=True),
        spec=";".join(f"{spec.text('name')}:{spec.text('value')}" for spec in sku.objects("spec", required=False)),
        qty=sku.integer("item_num", minimum=1),
        unit_price_fen=sku.fen("goods_price"),
        discount_fen=sku.fen("promotion_amount", required=False),
        paid_fen=sku.fen("pay_amount") if sku.has("pay_amount") else None,
        refund=refund,
        presale_kind=PresaleKind.DEPOSIT if phase else kind,
        presale_phase=phase,
        is_gift=sku.text("given_product_type") == "FREE",
    )


def _deposit_phases(order: Reader) -> dict[str, PresalePhase]:
    """Each sku order's phase from ``order_phase_list`` (one entry per phase and sku order)."""
    paid: dict[str, list[bool]] = {}
    for entry in order.objects("order_phase_list", required=False):
        sku_order = entry.ident("sku_order_id")
        current, total = entry.integer("current_phase", minimum=1), entry.integer("total_phase", minimum=1)
        if entry.flag("pay_success"):
            paid.setdefault(sku_order, []).append(current >= total)
        else:
            paid.setdefault(sku_order, [])
    return {sku: (PresalePhase.PAID_IN_FULL if any(done) else PresalePhase.DEPOSIT_PAID if done else PresalePhase.UNPAID)
            for sku, done in paid.items()}


def _presale(order: Reader, lines: tuple[OrderLine, ...], phases: dict[str, PresalePhase]) -> Presale | None:
    if phases:
        phase = min(phases.values(), key=_PHASE_ORDER.index)
        paid = sum(entry.fen("phase_pay_amount", required=False) for entry in order.objects("order_phase_list")
                   if entry.flag("pay_success"))
        return Presale(PresaleKind.DEPOSIT, phase, paid_so_far_fen=paid)
    kinds = [line.presale_kind for line in lines if line.presale_kind]
    if not kinds:
        return None
    phase = PresalePhase.PAID_IN_FULL if order.opt_unix_time("pay_time") else PresalePhase.UNPAID
    return Presale(PresaleKind.FULL_PAYMENT if PresaleKind.FULL_PAYMENT in kinds else PresaleKind.STAGED, phase)


def _amounts(order: Reader, lines: tuple[OrderLine, ...]) -> Amounts:
    if order.has("shop_cost_amount") or order.has("platform_cost_amount"):
        seller = order.fen("shop_cost_amount", required=False)
        others = order.fen("platform_cost_amount", required=False) + order.fen("author_cost_amount", required=False)
    else:
        seller = order.fen("promotion_shop_amount", required=False)
        others = order.fen("promotion_platform_amount", required=False) + order.fen("promotion_talent_amount", required=False)
    return Amounts(
        goods_fen=sum(line.goods_fen for line in lines),
        freight_fen=order.fen("post_amount", required=False),
        platform_discount_fen=others + order.fen("promotion_pay_amount", required=False),
        seller_discount_fen=seller,
        adjustment_fen=order.fen("modify_amount", required=False, allow_negative=True)
        + order.fen("modify_post_amount", required=False, allow_negative=True),
        paid_fen=order.fen("pay_amount"),
    )


def _receiver(order: Reader) -> ReceiverParts:
    post_addr = order.opt_obj("post_addr")
    mask_addr = order.opt_obj("mask_post_addr")
    where = post_addr or mask_addr
    address_cipher = order.opaque("encrypt_post_addr") or (post_addr.opaque("encrypt_detail") if post_addr else "")
    return ReceiverParts(
        name=order.text("mask_post_receiver", max_chars=100),
        phone=order.text("mask_post_tel", max_chars=40),
        address=mask_addr.text("detail", max_chars=300) if mask_addr else "",
        region=Region(*(_region_name(where, key) for key in ("province", "city", "town", "street"))) if where else Region(),
        encrypted=EncryptedReceiver("douyin", name_cipher=order.opaque("encrypt_post_receiver"),
                                    phone_cipher=order.opaque("encrypt_post_tel"), address_cipher=address_cipher),
        address_key=order.opaque("open_address_id") or None,
    )


def _region_name(where: Reader, key: str) -> str:
    """A region level is ``{"name": ..., "id": ...}`` in the SDKs, plain text in older payloads."""
    if isinstance(where.get(key), Mapping):
        return where.obj(key).text("name", max_chars=50)
    return where.text(key, max_chars=50)


def _shipped_at(order: Reader) -> datetime | None:
    shipments = [entry.opt_unix_time("ship_time") for entry in order.objects("logistics_info", required=False)]
    times = [moment for moment in shipments if moment is not None]
    return min(times) if times else None


ADAPTER = Adapter("douyin", LIMITS, to_canonical, orders_of_page, next_cursor)
