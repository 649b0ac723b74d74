"""Property: whatever is dropped or retyped in a platform payload, the adapters answer with a
canonical order or a typed ``DomainError`` -- never a KeyError, TypeError, ValueError ..."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.orders.adapters import ADAPTERS
from server.orders.adapters.paging import first_request
from shared.catalogue.model import PLATFORMS
from shared.core.errors import DomainError
from shared.orders.model import CanonicalOrder
from tests.server.orders.payloads import SHOP, page

Path = tuple[Any, ...]
BAD_VALUES: list[object] = [
    None, "", "x", "NaN", "1,000.00", "0.001", "-1", "１２", "\u202e", "2024-11-11", "9" * 30,
    1.5, float("nan"), float("inf"), -1, 0, 1, 2**64, True, False, Decimal("1E+999"), Decimal("0.001"),
    [], {}, [1], {"a": 1}, [{"a": 1}],
]


def _paths(node: object, prefix: Path = ()) -> list[Path]:
    """Every key/index path inside ``node``."""
    found: list[Path] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        found.append(prefix + (key,))
        found.extend(_paths(child, prefix + (key,)))
    return found


def _mutate(root: Any, path: Path, value: object, drop: bool) -> None:
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    if drop and isinstance(parent, dict):
        del parent[path[-1]]
    elif drop:
        parent.pop(path[-1])
    else:
        parent[path[-1]] = copy.deepcopy(value)  # never share (and later mutate) a BAD_VALUES object


@st.composite
def mutated_pages(draw: st.DrawFn, platform: str) -> dict[str, Any]:
    raw_page = page(platform)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(raw_page)
        if not paths:
            break
        _mutate(raw_page, draw(st.sampled_from(paths)), draw(st.sampled_from(BAD_VALUES)), draw(st.booleans()))
    return raw_page


def _orders_inside(raw_page: dict[str, Any], platform: str) -> list[Any]:
    """The order payloads of an (unmutated-envelope) fixture page, found by key, so a mutated order
    is still converted even where ``orders_of_page`` now refuses the page."""
    stack: list[Any] = [raw_page]
    keys = {"trade", "orderInfoList", "shop_order_list", "order_sn_list", "orders"}
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if key in keys and isinstance(child, list):
                    return child
                stack.append(child)
    return []


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_to_canonical_raises_only_domain_errors(platform: str, data: st.DataObject) -> None:
    raw_page = data.draw(mutated_pages(platform))
    adapter = ADAPTERS[platform]
    for raw in _orders_inside(raw_page, platform):
        try:
            assert isinstance(adapter.to_canonical(raw, shop_id=SHOP), CanonicalOrder)
        except DomainError as exc:
            assert exc.code.startswith("order.")
            assert exc.message("zh-CN") and exc.message("en")


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_page_helpers_raise_only_domain_errors(platform: str, data: st.DataObject) -> None:
    raw_page = data.draw(mutated_pages(platform))
    adapter = ADAPTERS[platform]
    request = first_request(adapter.limits, datetime(2024, 11, 11, tzinfo=UTC), datetime(2024, 11, 11, 0, 10, tzinfo=UTC))
    for call in (lambda: adapter.orders_of_page(raw_page), lambda: adapter.next_cursor(raw_page, request)):
        try:
            call()
        except DomainError as exc:
            assert exc.code.startswith("order.")


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=50, deadline=None)
@given(value=st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                          max_leaves=10))
def test_arbitrary_json_is_refused_with_a_typed_error(platform: str, value: object) -> None:
    try:
        ADAPTERS[platform].to_canonical(value, shop_id=SHOP)  # type: ignore[arg-type]
    except DomainError as exc:
        assert exc.code.startswith("order.")
