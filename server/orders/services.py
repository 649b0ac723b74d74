"""The order side of a running server, as one object the back office and the order worker share:
HTTP clients for the platforms and the carrier, built from the settings, and the periodic work.

    services = OrderServices.from_settings(store, settings)
    services.run_once(now)        pull every active shop, push stock, handle cancel requests after
                                  picking, cancel their waybills, get waybills + ship-confirm packed packages
    services.print_waybills(wave_id)   waybills for a wave's packages (before packing)
    services.ship_packed()        waybills + ship-confirm for packed packages now

Each step of ``run_once`` runs on its own: one failing (a platform down) is logged and reported, and
the others still run; the next run tries again (every step is idempotent: cursors, object ids,
package states).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy.exc import DBAPIError

from server.orders import fulfilment, shipping
from server.orders import review as reviewing
from server.orders import stock_push as pusher
from server.orders.carrier.client import CarrierClient
from server.orders.carrier.shapes import Address, Party
from server.orders.pull import pull_shop
from server.settings import Settings
from server.store import orders as order_store
from server.store import shops as shop_store
from server.store.db import Store
from shared.core.errors import DomainError, RuleViolation
from shared.orders.pipeline import State

log = logging.getLogger("erp.orders")


@dataclass
class RunReport:
    pulled: dict[str, int] = field(default_factory=dict)  # shop code → orders seen
    reviewed: int = 0  # backlog reviewed after the pulls (pulled orders are reviewed as they arrive)
    pushed: int = 0
    cancelled: int = 0
    shipped: int = 0
    waybills: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # step → error code

    def summary(self) -> str:
        seen = sum(self.pulled.values())
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items()))
        return (f"pulled {seen} orders from {len(self.pulled)} shops, reviewed {self.reviewed} more, pushed {self.pushed} stock levels, "
                f"{self.cancelled} cancels after picking, {self.waybills} waybills, {self.shipped} shipped"
                + (f"; errors: {errors}" if errors else ""))


def sender_of(settings: Settings) -> Party:
    parts = (settings.sender_address.split("/") + ["", "", "", ""])[:4]
    return Party(settings.sender_name, settings.sender_mobile, Address(*parts))


@dataclass
class OrderServices:
    store: Store
    http: httpx.Client
    carrier: CarrierClient | None
    poster: shipping.PlatformPoster
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_settings(cls, store: Store, settings: Settings, *, http: httpx.Client | None = None,
                      carrier_http: httpx.Client | None = None) -> OrderServices:
        """Clients for the shops' APIs (``http``) and the carrier (``carrier_http``, its base URL the
        carrier's); tests hand in clients whose transports reach the simulators in process."""
        client = http or httpx.Client(timeout=30)
        url = settings.resolved_carrier_url
        carrier = None
        if carrier_http is not None or url:
            carrier = CarrierClient(carrier_http or httpx.Client(base_url=url, timeout=30), settings.carrier_cp_code,
                                    sender_of(settings))
        return cls(store, client, carrier, shipping.httpx_poster(client))

    def close(self) -> None:
        self.http.close()
        if self.carrier is not None and self.carrier.http is not self.http:
            self.carrier.http.close()

    # ---- the back office's actions -------------------------------------------------------------------

    def print_waybills(self, wave_id: str) -> shipping.ShipReport:
        return shipping.print_waybills(self.store, self._carrier(), wave_id)

    def ship_packed(self) -> shipping.ShipReport:
        return shipping.ship_packed(self.store, self._carrier(), self.poster)

    def _carrier(self) -> CarrierClient:
        if self.carrier is None:
            raise RuleViolation("waybill.carrier_unavailable")
        return self.carrier

    # ---- the worker's round ----------------------------------------------------------------------------

    def run_once(self, now: datetime) -> RunReport:
        report = RunReport()
        with self.store.read() as conn:
            active = shop_store.list_shops(conn, active_only=True)
            plan = reviewing.load_plan(conn)  # the enabled rules, once a round
        for shop in active:
            self._step(report, f"pull:{shop.code}", lambda s=shop: report.pulled.__setitem__(
                s.code, pull_shop(self.store, s.id, self.http, until=now, plan=plan, sleep=self.sleep).seen))
        self._step(report, "review", lambda: setattr(report, "reviewed", self._review_pending(plan)))
        self._step(report, "stock_push", lambda: setattr(report, "pushed", len(pusher.push_stock(self.store, self.http).pushed)))
        self._step(report, "cancel_requests", lambda: setattr(report, "cancelled", self._cancel_requests()))
        if self.carrier is not None:
            carrier = self.carrier
            self._step(report, "cancel_waybills", lambda: shipping.cancel_waybills(self.store, carrier))
            self._step(report, "ship_packed", lambda: self._ship(report))
        return report

    def _review_pending(self, plan: reviewing.ReviewPlan) -> int:
        """Orders still waiting for review (pulled before a rule changed, or unheld): one transaction each."""
        with self.store.read() as conn:
            waiting = order_store.ids_in_state(conn, State.PENDING_REVIEW)
        for order_id in waiting:
            with self.store.transaction() as conn:
                reviewing.review(conn, order_id, plan, hlc=self.store.clock.now())
        return len(waiting)

    def _cancel_requests(self) -> int:
        with self.store.transaction() as conn:
            return len(fulfilment.process_cancel_requests(conn, hlc=self.store.clock.now()))

    def _ship(self, report: RunReport) -> None:
        shipped = self.ship_packed()
        report.shipped, report.waybills = len(shipped.shipped), len(shipped.waybills)

    @staticmethod
    def _step(report: RunReport, name: str, step: Callable[[], object]) -> None:
        try:
            step()
        except DomainError as exc:
            report.errors[name] = exc.code
            log.warning("order worker: %s failed: %s", name, exc.code)
        except (httpx.HTTPError, OSError, DBAPIError) as exc:  # DBAPIError: e.g. a deadlock victim; retried next round
            report.errors[name] = type(exc).__name__
            log.warning("order worker: %s failed: %s", name, exc)
