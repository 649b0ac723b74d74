"""``task.complete`` carries a pack task's verified units: optional (older clients and other tasks
send none), each line a SKU id and a whole positive quantity; anything else is refused whole."""

from __future__ import annotations

import pytest

from shared.core.errors import ValidationError
from sync.kinds import CURRENT_VERSION, check_payload

TASK = "0193a000-0000-7000-8000-00000000aa01"
SKU = "0193a000-0000-7000-8000-00000000bb01"


def test_task_complete_without_verified_is_accepted_as_before() -> None:
    p = check_payload("task.complete", CURRENT_VERSION, {"task_id": TASK})
    assert p == {"task_id": TASK, "shorts": [], "verified": []}
    assert check_payload("task.complete", CURRENT_VERSION - 1, {"task_id": TASK, "shorts": []})["verified"] == []


def test_task_complete_with_verified_lines() -> None:
    p = check_payload("task.complete", CURRENT_VERSION, {"task_id": TASK, "verified": [{"sku_id": SKU, "qty": 3}]})
    assert p["verified"] == [{"sku_id": SKU, "qty": 3}]


@pytest.mark.parametrize("verified", [
    "all", [{"sku_id": SKU, "qty": 0}], [{"sku_id": SKU, "qty": -1}], [{"sku_id": SKU, "qty": "1,000"}],
    [{"sku_id": SKU, "qty": float("nan")}], [{"sku_id": SKU, "qty": 2**63}], [{"sku_id": "not-an-id", "qty": 1}],
    ["x"], [{"sku_id": SKU, "qty": 1}] * 501,
])
def test_task_complete_bad_verified_is_refused(verified: object) -> None:
    with pytest.raises(ValidationError):
        check_payload("task.complete", CURRENT_VERSION, {"task_id": TASK, "verified": verified})
