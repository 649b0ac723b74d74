"""The order worker: a daemon thread that runs ``OrderServices.run_once`` every
``ERP_ORDER_WORKER_SECONDS`` (started by the app when that is above 0). With the simulators on (the
demo), each round first moves the simulated marketplace's clock to the wall clock, so its orders keep
changing (modifications, late cancels and refunds) while the demo runs.

A round's failures are logged by the services and retried next round; the thread never dies of one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from server.orders.services import OrderServices
from shared.core.time import utc_now

log = logging.getLogger("erp.orders")


class OrderWorker:
    def __init__(self, services: OrderServices, every_s: float, *, before_round: Callable[[datetime], None] | None = None,
                 now: Callable[[], datetime] = utc_now) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self.services, self.every_s, self.before_round, self.now = services, every_s, before_round, now
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="erp-order-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def run_round(self) -> str:
        now = self.now()
        if self.before_round is not None:
            self.before_round(now)
        summary = self.services.run_once(now).summary()
        self.rounds += 1
        return summary

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                log.info("order worker: %s", self.run_round())
            except Exception:  # noqa: BLE001 - a round must never end the worker; the next one retries
                log.exception("order worker: round failed")
            self._stop.wait(self.every_s)
