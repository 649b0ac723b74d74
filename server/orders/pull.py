"""Incremental pull of one shop's orders by modified-time window.

    pull_shop(store, shop_id, http, until=…) -> PullReport

* **Windows.** From the shop's cursor (``modified_through``) minus ``overlap`` (5 minutes) up to
  ``until``, cut into windows no longer than the platform allows (``Limits.window_max``). The overlap
  re-reads orders modified around the last window's end; the ingest's dedup makes re-reads harmless.
* **Pages.** Each window is walked page by page with the adapter (``first_request``, ``next_cursor``).
  Every page is ingested (``ingest.ingest_batch``) in **one transaction together with the cursor**: the
  next page's request while the window goes on, ``modified_through = window end`` after its last page.
  A crash between pages resumes at the saved page; nothing is missed, a page re-read stores nothing twice.
* **Retries.** 429 and 5xx answers, and network errors, are retried with exponential backoff (honouring
  ``Retry-After``, capped) up to ``max_attempts``; then ``order.pull_failed`` / ``order.pull_network``.
  A platform error body on a 200 (bad parameters, token) is not retried: ``order.platform_error``.

Errors:  PullError (502, code order.pull_failed | order.pull_network), RuleViolation shop.inactive, PlatformError,
PullWindowError, OrderPayloadError (a page the adapter cannot read: nothing of it is stored).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from server.orders import platform_http
from server.orders.adapters import adapter_for
from server.orders.adapters.base import loads
from server.orders.adapters.paging import PageRequest, first_request, split_window
from server.orders.ingest import ingest_batch, prepare
from server.orders.review import ReviewPlan
from server.store import shops as shop_store
from server.store.db import Store
from shared.core.errors import DomainError, RuleViolation

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PullError(DomainError):
    """The platform did not answer usably after every retry (the next pull tries again)."""

    http_status = 502


@dataclass(frozen=True, slots=True)
class PullConfig:
    overlap: timedelta = timedelta(minutes=5)
    first_start: timedelta = timedelta(days=1)  # how far back the first pull of a shop reaches
    page_size: int | None = None  # default: the platform's maximum
    max_attempts: int = 6
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0


@dataclass(slots=True)
class PullReport:
    pages: int = 0
    windows: int = 0
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retries: int = 0
    states: dict[str, str] = field(default_factory=dict)


def page_json(request: PageRequest) -> dict[str, Any]:
    return {"start": request.start.isoformat(), "end": request.end.isoformat(), "page": request.page,
            "page_size": request.page_size, "cursor": request.cursor}


def page_from_json(data: dict[str, Any]) -> PageRequest:
    return PageRequest(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]), int(data["page"]),
                       int(data["page_size"]), data.get("cursor"))


def pull_shop(store: Store, shop_id: str, http: httpx.Client, *, until: datetime, config: PullConfig = PullConfig(),
              plan: ReviewPlan | None = None, sleep: Callable[[float], None] = time.sleep,
              after_page: Callable[[int], None] | None = None) -> PullReport:
    """Pull every order of the shop modified before ``until``; ``after_page(n)`` runs after the n-th page
    committed (tests crash there)."""
    until = until.astimezone(UTC)
    with store.read() as conn:
        shop = shop_store.get_shop(conn, shop_id)
        cursor = shop_store.get_cursor(conn, shop_id)
    if not shop.active:
        raise RuleViolation("shop.inactive", shop=shop.code)
    adapter = adapter_for(shop.platform)
    report = PullReport()
    request: PageRequest | None = page_from_json(cursor.page) if cursor.page else None
    if request is not None:  # finish the window a crash interrupted
        cursor = _walk(store, shop, http, request, cursor, config, plan, sleep, after_page, report)
    start = (cursor.modified_through or until - config.first_start) - config.overlap
    if start >= until:
        return report
    span = adapter.limits.window_max or (until - start)
    for window_start, window_end in split_window(start, until, span):
        first = first_request(adapter.limits, window_start, window_end, config.page_size)
        cursor = _walk(store, shop, http, first, cursor, config, plan, sleep, after_page, report)
    return report


def _walk(store: Store, shop: shop_store.Shop, http: httpx.Client, request: PageRequest, cursor: shop_store.Cursor,
          config: PullConfig, plan: ReviewPlan | None, sleep: Callable[[float], None],
          after_page: Callable[[int], None] | None, report: PullReport) -> shop_store.Cursor:
    adapter = adapter_for(shop.platform)
    report.windows += 1
    current: PageRequest | None = request
    while current is not None:
        page, link = _fetch(http, shop, current, config, sleep, report)
        raws = adapter.orders_of_page(page)
        following = adapter.next_cursor(page, current, link_header=link)
        orders = prepare([adapter.to_canonical(raw, shop_id=shop.id) for raw in raws], shop, plan)  # before the lock
        done = following is None
        cursor = shop_store.Cursor(shop.id, current.end if done else cursor.modified_through,
                                   None if following is None else page_json(following), cursor.pages_done + 1)
        with store.transaction() as conn:
            result = ingest_batch(conn, shop, orders, hlc=store.clock.now(), source=f"pull:{shop.code}", plan=plan)
            shop_store.save_cursor(conn, cursor)
        report.pages += 1
        report.seen += len(raws)
        report.created += len(result.created)
        report.updated += len(result.updated)
        report.unchanged += result.unchanged
        report.states.update(result.states)
        if after_page is not None:
            after_page(report.pages)
        current = following
    return cursor


def _fetch(http: httpx.Client, shop: shop_store.Shop, request: PageRequest, config: PullConfig,
           sleep: Callable[[float], None], report: PullReport) -> tuple[Any, str | None]:
    method, path, kwargs = platform_http.list_call(shop.platform, request)
    status, reason = 0, ""
    for attempt in range(config.max_attempts):
        if attempt:
            report.retries += 1
        try:
            response = http.request(method, f"{shop.api_base_url}{path}", **kwargs)
        except httpx.TransportError as exc:
            reason, retry_after = type(exc).__name__, None
        else:
            if response.status_code not in RETRY_STATUSES:
                return loads(response.content), response.headers.get("link")
            status, retry_after = response.status_code, response.headers.get("retry-after")
        if attempt + 1 < config.max_attempts:
            sleep(_delay(config, attempt, retry_after))
    if status:
        raise PullError("order.pull_failed", platform=shop.platform, status=status, attempts=config.max_attempts)
    raise PullError("order.pull_network", platform=shop.platform, reason=reason)


def _delay(config: PullConfig, attempt: int, retry_after: str | None) -> float:
    delay = config.backoff_s * (2 ** attempt)
    if retry_after is not None:
        try:
            delay = max(delay, float(retry_after))
        except ValueError:
            pass
    return min(delay, config.backoff_max_s)
