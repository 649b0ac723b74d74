"""Paging a platform's order list: limits per platform, the request for the next page, windows.

Each adapter declares its ``Limits`` (from PLATFORMS.md) and a ``next_cursor`` that reads one raw
page and returns the ``PageRequest`` for the next page, or ``None`` when the window is done. The pull
(next slice) walks ``split_window(...)`` windows with overlap and saves its cursor with the orders.

    platform     first page  page size  window (by modified time)           end of window
    taobao       1           ≤ 100      1 day (increment API) [K]          has_next / total_results
    jd           1           ≤ 100      30 days [K]                        orderTotal
    douyin       0           ≤ 100      90 days, ≤ 50,000 rows per query   total
    pinduoduo    1           ≤ 100      30 min (increment API) [K]; 24 h list   has_next / total_count
    shopify      (cursor)    ≤ 250      none                               Link: rel="next"

A window holding more rows than the platform pages through (Douyin's 50,000) raises
``order.window_overfull`` instead of silently stopping: the caller splits the window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from shared.orders.errors import PullWindowError


@dataclass(frozen=True, slots=True)
class Limits:
    platform: str
    page_size_max: int
    first_page: int  # 0 or 1; Shopify pages by cursor and ignores it
    window_max: timedelta | None
    rows_per_query_max: int | None = None


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One list call: the modified-time window, the page (in the platform's numbering) and size."""

    start: datetime
    end: datetime
    page: int
    page_size: int
    cursor: str | None = None  # Shopify page_info


def first_request(limits: Limits, start: datetime, end: datetime, page_size: int | None = None) -> PageRequest:
    """The first page of the window ``[start, end)``, checked against the platform's limits."""
    size = limits.page_size_max if page_size is None else page_size
    if not 1 <= size <= limits.page_size_max:
        raise PullWindowError("order.bad_page_size", platform=limits.platform, page_size=size, limit=limits.page_size_max)
    if start.tzinfo is None or end.tzinfo is None:
        raise PullWindowError("order.bad_window", platform=limits.platform, reason="naive datetimes")
    if not start < end:
        raise PullWindowError("order.bad_window", platform=limits.platform, reason="the window ends before it starts")
    if limits.window_max is not None and end - start > limits.window_max:
        raise PullWindowError("order.bad_window", platform=limits.platform,
                              reason=f"{end - start} is longer than {limits.window_max}")
    return PageRequest(start, end, limits.first_page, size)


def next_by_total(limits: Limits, request: PageRequest, total: int) -> PageRequest | None:
    """Page-number paging where the response states the total rows of the window."""
    if limits.rows_per_query_max is not None and total > limits.rows_per_query_max:
        raise PullWindowError("order.window_overfull", platform=limits.platform,
                              limit=limits.rows_per_query_max, total=total)
    seen = (request.page - limits.first_page + 1) * request.page_size
    return replace(request, page=request.page + 1) if seen < total else None


def next_by_has_next(request: PageRequest, has_next: bool) -> PageRequest | None:
    return replace(request, page=request.page + 1) if has_next else None


def split_window(start: datetime, end: datetime, span: timedelta) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into consecutive windows of at most ``span``."""
    if span <= timedelta(0):
        raise ValueError("span must be positive")
    windows: list[tuple[datetime, datetime]] = []
    cursor = start
    while cursor < end:
        windows.append((cursor, min(cursor + span, end)))
        cursor += span
    return windows
