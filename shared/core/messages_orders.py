"""Catalogue entries for orders: shops, incremental pull, ingest, review, reservations, exceptions, stock push.
Merged into ``shared.core.messages.MESSAGES`` (zh-CN first, English second; same rules as there)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # shops
    "shop.not_found": ("找不到店铺：{shop}", "Unknown shop: {shop}"),
    "shop.duplicate_code": ("店铺编码 {code} 已存在", "Shop code {code} already exists"),
    "shop.bad_settings": ("店铺设置无效：{reason}", "Invalid shop settings: {reason}"),
    "shop.inactive": ("店铺 {shop} 已停用", "Shop {shop} is inactive"),
    # pull
    "order.pull_failed": ("拉单失败（{platform}）：HTTP {status}，已重试 {attempts} 次", "Order pull failed ({platform}): HTTP {status} after {attempts} attempts"),
    "order.pull_network": ("拉单时网络错误（{platform}）：{reason}", "Network error while pulling orders ({platform}): {reason}"),
    # the order pipeline and its timeline codes
    "order.not_found": ("找不到订单：{order}", "Unknown order: {order}"),
    "order.ingested": ("订单已接收", "Order received"),
    "order.updated": ("平台订单已更新：{status}", "The platform updated the order: {status}"),
    "order.unmapped_line": ("订单行无法对应商品：{lines}", "Order lines not matched to a SKU: {lines}"),
    "order.out_of_stock": ("库存不足：{skus}", "Not enough stock: {skus}"),
    "order.held_by_rule": ("审单规则拦截：{codes}", "Held by review rules: {codes}"),
    "order.reviewed": ("审单通过，已占用库存", "Reviewed; stock reserved"),
    "order.held": ("订单已挂起", "Order put on hold"),
    "order.unheld": ("订单已取消挂起", "Order taken off hold"),
    "order.resolved": ("异常已处理：{note}", "Exception resolved: {note}"),
    "order.cancelled": ("订单已取消，库存占用已释放", "Order cancelled; reserved stock released"),
    "order.cancel_requested": ("订单已在履约中，已请求取消", "The order is being fulfilled; cancellation requested"),
    "order.shipped_on_platform": ("平台显示已发货，库存占用已释放", "The platform shows the order shipped; reserved stock released"),
    # 拆单 by warehouse stock (server.orders.parts)
    "order.rerouted": ("{from_warehouse} 库存不足，改由 {to_warehouse} 发货，已占用库存",
                       "Not enough stock in {from_warehouse}; ships from {to_warehouse} instead, stock reserved"),
    "order.split": ("按仓库库存拆为 {count} 个子单：{parts}", "Split by warehouse stock into {count} parts: {parts}"),
    "order.part_created": ("订单 {order} 的子单 {part_no}/{count}，由 {warehouse} 发货，已占用库存",
                           "Part {part_no} of {count} of order {order}, ships from {warehouse}; stock reserved"),
    "order.parts_shipped": ("所有子单已发货", "Every part has shipped"),
    "order.parts_cancelled": ("所有子单已取消", "Every part was cancelled"),
    "order.bad_transition": ("订单当前状态为 {state}，不能{action}", "The order is {state}; cannot {action}"),
    "order.stale": ("订单已被其他操作修改，请重试", "The order was changed by someone else; try again"),
    "order.note_required": ("请填写处理说明", "A note is required"),
    # stock push
    "push.failed": ("库存同步失败（{platform}）：{reason}", "Stock push failed ({platform}): {reason}"),
}
