"""Keyboard-wedge input: framing stripped, accidental double reads dropped, deliberate repeats and
different codes always kept."""

from __future__ import annotations

from client.services.scan_input import WedgeInput


class Ticks:
    def __init__(self) -> None:
        self.ms = 1_000

    def __call__(self) -> int:
        return self.ms


def test_submit_strips_enter_and_tab_framing() -> None:
    wedge = WedgeInput(now_ms=Ticks())
    assert wedge.submit("6901234567892\r\n") == "6901234567892"
    assert wedge.submit("\tA-01-02-3\t") == "A-01-02-3"


def test_submit_of_an_empty_burst_is_none() -> None:
    wedge = WedgeInput(now_ms=Ticks())
    assert wedge.submit("\r\n") is None
    assert wedge.submit("") is None


def test_submit_drops_the_same_code_within_the_debounce_window() -> None:
    ticks = Ticks()
    wedge = WedgeInput(debounce_ms=80, now_ms=ticks)
    assert wedge.submit("6901234567892\r") == "6901234567892"
    ticks.ms += 30
    assert wedge.submit("6901234567892\r") is None


def test_submit_keeps_a_deliberate_repeat_after_the_window() -> None:
    ticks = Ticks()
    wedge = WedgeInput(debounce_ms=80, now_ms=ticks)
    assert wedge.submit("6901234567892") == "6901234567892"
    ticks.ms += 400
    assert wedge.submit("6901234567892") == "6901234567892"


def test_submit_never_drops_a_different_code_however_close() -> None:
    wedge = WedgeInput(debounce_ms=80, now_ms=Ticks())  # the clock does not move at all
    assert [wedge.submit(c) for c in ("A-01-01-1", "6901234567892", "A-01-01-1")] == ["A-01-01-1", "6901234567892", "A-01-01-1"]


def test_submit_a_held_trigger_reading_every_50_ms_stays_one_scan() -> None:
    ticks = Ticks()
    wedge = WedgeInput(debounce_ms=80, now_ms=ticks)
    reads = []
    for _ in range(5):
        reads.append(wedge.submit("6901234567892"))
        ticks.ms += 50
    assert reads == ["6901234567892", None, None, None, None]


def test_submit_keeps_the_read_when_the_clock_runs_backwards() -> None:
    ticks = Ticks()
    wedge = WedgeInput(debounce_ms=80, now_ms=ticks)
    wedge.submit("6901234567892")
    ticks.ms -= 500
    assert wedge.submit("6901234567892") == "6901234567892"


def test_submit_many_splits_a_buffer_of_bursts() -> None:
    ticks = Ticks()
    wedge = WedgeInput(now_ms=ticks)
    assert wedge.submit_many("A-01-01-1\r\n6901234567892\r\n\r\n") == ["A-01-01-1", "6901234567892"]
