"""Platform times → aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.orders.errors import OrderPayloadError
from shared.orders.times import china_time, iso_time, to_china_time, unix_or_china_time, unix_seconds


def test_china_time_is_eight_hours_ahead_of_utc() -> None:
    assert china_time("2024-11-11 00:01:02", path="p") == datetime(2024, 11, 10, 16, 1, 2, tzinfo=UTC)
    assert to_china_time(datetime(2024, 11, 10, 16, 1, 2, tzinfo=UTC)) == "2024-11-11 00:01:02"


def test_unix_seconds_and_both_pdd_forms() -> None:
    assert unix_seconds(1731916551, path="p") == datetime(2024, 11, 18, 7, 55, 51, tzinfo=UTC)
    assert unix_seconds("1731916551", path="p") == unix_or_china_time(1731916551, path="p")
    assert unix_or_china_time("2024-11-18 15:55:51", path="p") == datetime(2024, 11, 18, 7, 55, 51, tzinfo=UTC)


def test_iso_time_keeps_the_offset_and_returns_utc() -> None:
    assert iso_time("2024-05-01T10:00:00-04:00", path="p") == datetime(2024, 5, 1, 14, tzinfo=UTC)
    assert iso_time("2024-05-01T10:00:00Z", path="p") == datetime(2024, 5, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(("parse", "value", "reason"), [
    (china_time, "2024/11/11 00:01:02", "yyyy-MM-dd"),
    (china_time, "2024-13-01 00:00:00", "yyyy-MM-dd"),
    (china_time, "２０２４-11-11 00:01:02", "yyyy-MM-dd"),
    (china_time, 1731916551, "yyyy-MM-dd"),
    (china_time, "1970-01-01 08:00:00", "outside 2000-2100"),
    (unix_seconds, 0, "outside 2000-2100"),
    (unix_seconds, 1731916551000, "milliseconds"),
    (unix_seconds, -1, "negative"),
    (unix_seconds, True, "Unix seconds"),
    (unix_seconds, 1.5, "Unix seconds"),
    (iso_time, "2024-05-01T10:00:00", "no UTC offset"),
    (iso_time, "yesterday at noon", "ISO 8601"),
    (iso_time, "2150-01-01T00:00:00Z", "outside 2000-2100"),
])
def test_bad_times_are_refused(parse: object, value: object, reason: str) -> None:
    with pytest.raises(OrderPayloadError) as caught:
        parse(value, path="trade.created")  # type: ignore[operator]
    assert caught.value.code == "order.bad_time" and caught.value.path == "trade.created"
    assert reason in caught.value.message("en")
