"""Batch UUIDv7 ids: valid version 7, unique, increasing within and across batches."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from shared.orders.ids import new_ids


@given(st.lists(st.integers(0, 5000), min_size=1, max_size=4))
def test_new_ids_are_valid_unique_and_increasing(sizes: list[int]) -> None:
    ids = [i for size in sizes for i in new_ids(size)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) == sum(sizes)
    assert all(uuid.UUID(i).version == 7 and uuid.UUID(i).variant == uuid.RFC_4122 and str(uuid.UUID(i)) == i
               for i in ids[:50])
