"""Orders, exceptions, rules, waves and shipments."""

from __future__ import annotations

from starlette.routing import BaseRoute

from server.web import order_pages, rule_pages, wave_pages
from server.web.routing import page

_POST = ("POST",)

ROUTES: list[BaseRoute] = [
    page("/orders", order_pages.list_orders, permission="orders.view", name="orders"),
    page("/orders/exceptions", order_pages.list_exceptions, permission="orders.view", name="order_exceptions"),
    page("/orders/exceptions/review", order_pages.rerun_review, permission="orders.manage", methods=_POST,
         name="order_exceptions_review"),
    page("/orders/{order_id}", order_pages.show_order, permission="orders.view", name="order"),
    page("/orders/{order_id}/review", order_pages.review_now, permission="orders.manage", methods=_POST,
         name="order_review"),
    page("/orders/{order_id}/hold", order_pages.hold, permission="orders.manage", methods=_POST, name="order_hold"),
    page("/orders/{order_id}/unhold", order_pages.unhold, permission="orders.manage", methods=_POST,
         name="order_unhold"),
    page("/orders/{order_id}/resolve", order_pages.resolve, permission="orders.manage", methods=_POST,
         name="order_resolve"),
    page("/orders/{order_id}/cancel", order_pages.cancel, permission="orders.manage", methods=_POST,
         name="order_cancel"),
    page("/rules", rule_pages.list_rules, permission="rules.manage", name="rules"),
    page("/rules/new", rule_pages.new_form, permission="rules.manage", name="rule_new"),
    page("/rules/new", rule_pages.create, permission="rules.manage", methods=_POST, name="rule_create"),
    page("/rules/{rule_id}", rule_pages.edit_form, permission="rules.manage", name="rule"),
    page("/rules/{rule_id}", rule_pages.update, permission="rules.manage", methods=_POST, name="rule_update"),
    page("/waves", wave_pages.list_waves, permission="waves.manage", name="waves"),
    page("/waves", wave_pages.create, permission="waves.manage", methods=_POST, name="wave_create"),
    page("/waves/put-back", wave_pages.put_back, permission="waves.manage", methods=_POST, name="wave_put_back"),
    page("/waves/{wave_id}", wave_pages.show_wave, permission="waves.manage", name="wave"),
    page("/waves/{wave_id}/print", wave_pages.print_waybills, permission="waves.manage", methods=_POST,
         name="wave_print"),
    page("/shipments", wave_pages.list_shipments, permission="waves.manage", name="shipments"),
    page("/shipments/ship", wave_pages.ship_packed, permission="waves.manage", methods=_POST, name="shipments_ship"),
]
