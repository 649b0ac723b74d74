"""Camera scanning service: generated frames through the product decoder, the camera's repeat rule (in
view once, again after leaving or after the hold time), resolution of what it returns, a missing
camera, and the background loop."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pytest

from client.scanner import frames
from client.scanner.decoders import Decoded
from client.services.camera import CameraScanner, CameraUnavailable, OpenCvCamera, StillFrames
from shared.scan.resolve import BarcodeHit, BinHit, BinScan, SkuScan, UniqueCodeHit, resolve_scan

EAN_13 = "4006381333931"
UPC_A = "036000291452"
CODE_128 = "BIN-A01-03"
GS1_128 = "0109506000134352" + "17261231" + "10ABC12345"


def _frame(symbology: str, payload: str, seed: int = 7) -> np.ndarray:
    return frames.make_sample(symbology, "clean", np.random.default_rng(seed), payload).frame


@pytest.fixture(scope="module")
def ean() -> np.ndarray:
    return _frame("ean13", EAN_13)


@pytest.fixture(scope="module")
def bin_code() -> np.ndarray:
    return _frame("code128", CODE_128, seed=8)


@pytest.fixture(scope="module")
def blank() -> np.ndarray:
    return frames.blank_frame(seed=3)


@dataclass
class Clock:
    ms: int = 1_000_000

    def __call__(self) -> int:
        return self.ms


def _scanner(frame_list: list[np.ndarray | None], clock: Clock | None = None, **kw: object) -> CameraScanner:
    return CameraScanner(StillFrames(frame_list), now_ms=clock or Clock(), **kw)  # type: ignore[arg-type]


def _poll_all(scanner: CameraScanner, polls: int, clock: Clock | None = None, step_ms: int = 66) -> list[str]:
    found: list[str] = []
    for _ in range(polls):
        found += scanner.poll()
        if clock is not None:
            clock.ms += step_ms
    return found


def test_code_held_in_view_for_ten_frames_is_one_scan(ean: np.ndarray) -> None:
    clock = Clock()
    scanner = _scanner([ean] * 10, clock)
    assert _poll_all(scanner, 10, clock) == ["]E0" + EAN_13]  # 10 frames at 15 fps: 0.6 s < hold time
    assert scanner.last_decode_ms > 0
    assert [d.symbology for d in scanner.last_found] == ["ean13"]


def test_code_again_after_an_empty_frame_is_a_second_scan(ean: np.ndarray, blank: np.ndarray) -> None:
    scanner = _scanner([ean, ean, blank, ean, ean])
    assert _poll_all(scanner, 5) == ["]E0" + EAN_13] * 2


def test_no_frame_now_is_not_leaving_the_view(ean: np.ndarray) -> None:
    scanner = _scanner([ean, None, None, ean])
    assert _poll_all(scanner, 4) == ["]E0" + EAN_13]


def test_two_different_codes_are_both_scans(ean: np.ndarray, bin_code: np.ndarray) -> None:
    scanner = _scanner([ean, ean, bin_code, bin_code])
    assert _poll_all(scanner, 4) == ["]E0" + EAN_13, "]C0" + CODE_128]


def test_code_held_past_the_hold_time_counts_again(ean: np.ndarray) -> None:
    clock = Clock()
    scanner = _scanner([ean] * 7, clock, repeat_after_ms=1500)
    per_poll = []
    for _ in range(7):  # at 0, 500 … 3000 ms
        per_poll.append(len(scanner.poll()))
        clock.ms += 500
    assert per_poll == [1, 0, 0, 1, 0, 0, 1]


@dataclass
class ScriptedDecoder:
    """Returns the given texts per frame (the frame itself is ignored): the rule without image work."""

    script: list[list[str]]
    calls: int = 0

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        texts = self.script[self.calls]
        self.calls += 1
        return [Decoded(t, "code128", (0, 0, 1, 1)) for t in texts]


def _scripted(script: list[list[str]], clock: Clock | None = None, **kw: object) -> tuple[CameraScanner, int]:
    frame = np.zeros((4, 4), np.uint8)
    source = StillFrames([frame] * len(script))
    return CameraScanner(source, ScriptedDecoder(script), now_ms=clock or Clock(), **kw), len(script)  # type: ignore[arg-type]


def test_code_leaves_when_absent_even_if_another_code_is_in_view() -> None:
    scanner, n = _scripted([["]C0A", "]C0B"], ["]C0B"], ["]C0A", "]C0B"], ["]C0A", "]C0A"]])
    assert [scanner.poll() for _ in range(n)] == [["]C0A", "]C0B"], [], ["]C0A"], []]


def test_leave_frames_tolerates_a_missed_decode() -> None:
    scanner, n = _scripted([["]C0A"], [], ["]C0A"], [], [], ["]C0A"]], leave_frames=2)
    assert [scanner.poll() for _ in range(n)] == [["]C0A"], [], [], [], [], ["]C0A"]]


def test_clock_running_backwards_keeps_the_read() -> None:
    clock = Clock()
    scanner, _ = _scripted([["]C0A"], ["]C0A"]], clock)
    scanner.poll()
    clock.ms -= 10
    assert scanner.poll() == ["]C0A"]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        _scripted([], repeat_after_ms=-1)
    with pytest.raises(ValueError):
        _scripted([], leave_frames=0)
    scanner, _ = _scripted([])
    with pytest.raises(ValueError):
        scanner.run(lambda text: None, threading.Event(), max_fps=0)


@dataclass
class MemoryIndex:
    barcodes: dict[str, BarcodeHit] = field(default_factory=dict)
    bins: dict[str, BinHit] = field(default_factory=dict)

    def sku_for_barcode(self, key: str) -> BarcodeHit | None:
        return self.barcodes.get(key)

    def bin_for_code(self, code: str) -> BinHit | None:
        return self.bins.get(code)

    def unique_code(self, code: str) -> UniqueCodeHit | None:
        return None


INDEX = MemoryIndex(
    barcodes={
        "04006381333931": BarcodeHit(sku_id="id-PEN", sku_code="PEN-1", pack_qty_base=1),
        "09506000134352": BarcodeHit(sku_id="id-TEA", sku_code="TEA-1", pack_qty_base=1),
    },
    bins={"BIN-A01-03": BinHit(bin_id="id-BIN", bin_code="BIN-A01-03", warehouse_id="wh")},
)


def test_scanned_texts_resolve_with_their_aim_prefix(ean: np.ndarray, bin_code: np.ndarray) -> None:
    gs1 = _frame("gs1_128", GS1_128)
    scanner = _scanner([ean, gs1, bin_code])
    texts = _poll_all(scanner, 3)
    assert [t[:3] for t in texts] == ["]E0", "]C1", "]C0"]
    pen, tea, where = (resolve_scan(t, INDEX) for t in texts)
    assert isinstance(pen, SkuScan) and (pen.sku_code, pen.gtin) == ("PEN-1", "04006381333931")
    assert isinstance(tea, SkuScan) and (tea.sku_code, tea.batch, tea.expiry) == ("TEA-1", "ABC12345", date(2026, 12, 31))
    assert isinstance(where, BinScan) and where.bin_code == "BIN-A01-03"


def test_missing_camera_raises_typed_error_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(CameraUnavailable) as caught:
        OpenCvCamera(99)
    assert time.perf_counter() - started < 2.0
    err = caught.value
    assert err.code == "camera.unavailable" and err.details == {"index": 99}
    assert "99" in err.message("zh-CN") and "99" in err.message("en")
    assert err.message("zh-CN") != err.message("en")


def test_run_delivers_scans_and_stops_when_the_event_is_set(ean: np.ndarray, blank: np.ndarray) -> None:
    source = StillFrames([ean, blank], loop=True)
    scanner = CameraScanner(source, now_ms=lambda: time.monotonic_ns() // 1_000_000)
    stop = threading.Event()
    scans: list[str] = []
    two_scans = threading.Event()

    def on_scan(text: str) -> None:
        scans.append(text)
        if len(scans) == 2:
            two_scans.set()

    worker = threading.Thread(target=scanner.run, args=(on_scan, stop), kwargs={"max_fps": 100}, daemon=True)
    worker.start()
    assert two_scans.wait(2.0)
    stop.set()
    worker.join(1.0)
    assert not worker.is_alive()
    assert scans[:2] == ["]E0" + EAN_13] * 2  # in, out (blank frame), in again
    reads = source.reads
    time.sleep(0.05)
    assert source.reads == reads  # no polling after stop


def test_run_with_stop_already_set_reads_nothing() -> None:
    source = StillFrames([np.zeros((4, 4), np.uint8)])
    scanner = CameraScanner(source, ScriptedDecoder([["]C0A"]]), now_ms=Clock())
    stop = threading.Event()
    stop.set()
    scanner.run(lambda text: None, stop)
    assert source.reads == 0


def test_run_paces_to_max_fps() -> None:
    source = StillFrames([None], loop=True)
    scanner = CameraScanner(source, ScriptedDecoder([]), now_ms=Clock())
    stop = threading.Event()
    timer = threading.Timer(0.2, stop.set)
    timer.start()
    scanner.run(lambda text: None, stop, max_fps=20)
    timer.join()
    assert 2 <= source.reads <= 6  # about 4 frames in 0.2 s at 20 fps, not thousands


def test_still_frames_end_and_close(ean: np.ndarray) -> None:
    source = StillFrames([ean])
    assert source.read() is ean and source.read() is None
    looping = StillFrames([ean], loop=True)
    assert looping.read() is ean and looping.read() is ean
    looping.close()
    assert looping.read() is None
