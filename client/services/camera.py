"""Camera scanning as a UI-free service: frames in, new scan texts out (AIM prefix kept).

    FrameSource                 .read() -> frame | None (None: no frame now), .close()
    OpenCvCamera(index=0, width=1280, height=720)   a camera through cv2.VideoCapture;
                                                     raises CameraUnavailable (camera.unavailable)
    StillFrames(frames, loop=False)                  given frames in order (tests, demos, self-test)

    CameraScanner(source, decoder=None, *, now_ms, repeat_after_ms=1500, leave_frames=1)
        .poll() -> list[str]        read one frame, decode it, the texts that are NEW scans
        .run(on_scan, stop, *, max_fps=15)   poll in a loop until ``stop`` is set (a background thread)
        .last_decode_ms             how long the last frame took to decode
        .last_found                 what the last frame held (``Decoded`` with boxes, for an overlay)
        .close()                    closes the source

A camera sees the same label in many consecutive frames, so it needs its own rule, unlike a wedge
scanner's debounce (``scan_input.WedgeInput``): a code is one scan while it stays in view. It counts
again when it has left the view (absent from ``leave_frames`` decoded frames in a row, 1 by default) and
comes back, or when it has stayed in view for ``repeat_after_ms`` since it was last reported. So a box
held under the camera is not counted 20 times, and scanning the same SKU twice on purpose (take it out
of view, or hold it) works. A frame the source does not have (``read()`` gives None) says nothing
about what is in view and changes nothing. ``now_ms`` should be a monotonic millisecond clock; if it
runs backwards, a code still in view counts again (as ``WedgeInput`` keeps such a read).

Texts are returned exactly as the decoder reports them, AIM symbology identifier first (``]E0…``,
``]C1…``): hand them to ``shared.scan.resolve.resolve_scan``, which needs the prefix to tell an EAN-13
from a GS1 message. ``run`` decodes on the thread it is called on and calls ``on_scan`` there; a Flet
screen hands each text to its UI thread itself. Exceptions from the source, the decoder or ``on_scan``
end ``run`` and propagate to its caller. The decoder is not shared: one scanner per camera thread
(OpenCV's detector objects are not thread-safe).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from client.scanner.decoders import Decoded, Decoder
from shared.core.errors import RuleViolation

Frame = NDArray[np.uint8]


class CameraUnavailable(RuleViolation):
    """The camera ``index`` cannot be opened (no such device, in use, or no permission)."""

    def __init__(self, index: int) -> None:
        super().__init__("camera.unavailable", index=index)


class FrameSource(Protocol):
    def read(self) -> Frame | None:
        """The next frame (BGR, BGRA or grayscale uint8), or None when there is no frame now."""
        ...

    def close(self) -> None: ...


class OpenCvCamera:
    """A camera through ``cv2.VideoCapture``; ``width``/``height`` are asked for (the device may give
    another size). Opening a missing device is quick and raises ``CameraUnavailable``; OpenCV's own
    warnings about it are kept off stderr. A failed read (a camera unplugged) is a None frame."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, *, api: int = cv2.CAP_ANY) -> None:
        self.index = index
        capture = _open_quietly(index, api)
        if capture is None or not capture.isOpened():
            if capture is not None:
                capture.release()
            raise CameraUnavailable(index)
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self._capture: Any = capture
        self._lock = threading.Lock()

    def read(self) -> Frame | None:
        with self._lock:
            if self._capture is None:
                return None
            ok, frame = self._capture.read()
        return frame if ok and frame is not None else None

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None


def _open_quietly(index: int, api: int) -> Any:
    """``cv2.VideoCapture(index, api)`` with OpenCV's warnings silenced meanwhile; None if it raised."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        return cv2.VideoCapture(index, api)
    except cv2.error:
        return None
    finally:
        cv2.utils.logging.setLogLevel(level)


class StillFrames:
    """Given frames one per ``read`` (a None in them is "no frame now"), then None; ``loop`` repeats
    them forever (a demo). Closed, it gives None."""

    def __init__(self, frames: Iterable[Frame | None], *, loop: bool = False) -> None:
        self._frames = list(frames)
        self._loop = loop and bool(self._frames)
        self._next = 0
        self._closed = False
        self.reads = 0  # how many times ``read`` was called (tests)

    def read(self) -> Frame | None:
        self.reads += 1
        if self._closed:
            return None
        if self._next >= len(self._frames):
            if not self._loop:
                return None
            self._next = 0
        frame = self._frames[self._next]
        self._next += 1
        return frame

    def close(self) -> None:
        self._closed = True


class CameraScanner:
    """Turns a ``FrameSource`` into scans: see the module docstring for the repeat rule."""

    def __init__(
        self,
        source: FrameSource,
        decoder: Decoder | None = None,
        *,
        now_ms: Callable[[], int],
        repeat_after_ms: int = 1500,
        leave_frames: int = 1,
    ) -> None:
        if repeat_after_ms < 0:
            raise ValueError("repeat_after_ms must not be negative")
        if leave_frames < 1:
            raise ValueError("leave_frames must be at least 1")
        if decoder is None:
            from client.scanner.product import ProductDecoder

            decoder = ProductDecoder()
        self.source = source
        self.decoder = decoder
        self.repeat_after_ms = repeat_after_ms
        self.leave_frames = leave_frames
        self.last_decode_ms = 0.0
        self.last_found: list[Decoded] = []
        self._now_ms = now_ms
        self._reported_ms: dict[str, int] = {}  # code in view -> when it was last reported
        self._missing: dict[str, int] = {}  # code in view -> decoded frames in a row without it

    def poll(self) -> list[str]:
        """Read one frame and decode it; the texts (AIM prefix first) that count as new scans, in the
        order the decoder found them. No frame now: ``[]`` and nothing changes."""
        frame = self.source.read()
        if frame is None:
            return []
        now = self._now_ms()
        started = time.perf_counter()
        found = self.decoder.decode(frame)
        self.last_decode_ms = (time.perf_counter() - started) * 1000.0
        self.last_found = list(found)
        texts = list(dict.fromkeys(d.text_with_aim_prefix for d in found))
        return self._new_scans(texts, now)

    def _new_scans(self, texts: list[str], now: int) -> list[str]:
        for code in list(self._reported_ms):
            if code in texts:
                continue
            self._missing[code] = self._missing.get(code, 0) + 1
            if self._missing[code] >= self.leave_frames:
                del self._reported_ms[code], self._missing[code]
        new = []
        for code in texts:
            self._missing.pop(code, None)
            last = self._reported_ms.get(code)
            if last is None or now - last >= self.repeat_after_ms or now < last:
                self._reported_ms[code] = now
                new.append(code)
        return new

    def run(self, on_scan: Callable[[str], None], stop: threading.Event, *, max_fps: float = 15) -> None:
        """Poll until ``stop`` is set, at most ``max_fps`` frames a second, calling ``on_scan`` with each
        new scan on this thread. Returns soon after ``stop`` is set (within one frame's decode)."""
        if max_fps <= 0:
            raise ValueError("max_fps must be positive")
        interval_s = 1.0 / max_fps
        while not stop.is_set():
            started = time.monotonic()
            for text in self.poll():
                on_scan(text)
            if stop.wait(max(0.0, interval_s - (time.monotonic() - started))):
                break

    def close(self) -> None:
        self.source.close()
