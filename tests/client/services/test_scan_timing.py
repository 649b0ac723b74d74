"""The scan timer keeps the recent scans and reports their median, rounded up."""

from __future__ import annotations

from client.services.scan_timing import ScanTimer


def test_median_of_the_recent_scans_rounded_up_and_none_before_any() -> None:
    timer = ScanTimer(window=3)
    assert timer.p50_ms() is None
    for ms in (100.0, 4.2, 5.1, 6.0):  # the first falls out of the window
        timer.record(ms)
    assert timer.p50_ms() == 6
    timer.record(-1)  # a clock that ran backwards is not a scan time
    assert timer.p50_ms() == 6
