"""The adapter registry covers exactly the catalogue's platforms."""

from __future__ import annotations

import pytest

from server.orders.adapters import ADAPTERS, adapter_for
from shared.catalogue.model import PLATFORMS
from shared.core.errors import ValidationError
from tests.server.orders.payloads import SHOP, order


def test_one_adapter_per_platform() -> None:
    assert set(ADAPTERS) == set(PLATFORMS)
    assert all(adapter.platform == name == adapter.limits.platform for name, adapter in ADAPTERS.items())


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_adapter_produces_orders_of_its_platform(platform: str) -> None:
    assert adapter_for(platform).to_canonical(order(platform), shop_id=SHOP).platform == platform


@pytest.mark.parametrize("name", ["amazon", "Taobao", "", None])
def test_unknown_platform_is_a_typed_error(name: object) -> None:
    with pytest.raises(ValidationError) as caught:
        adapter_for(name)  # type: ignore[arg-type]
    assert caught.value.code == "order.unknown_platform"
