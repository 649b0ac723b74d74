"""The handheld's camera decoder: a fast first look, then pre-processed retries within a time budget.

    ProductDecoder(decoders=None, formats=DEFAULT_FORMATS, budget_s=0.05).decode(frame) -> list[Decoded]

The frame is made grayscale once. ``ATTEMPTS`` run in order until one yields a barcode or the budget
is spent. The first always runs; an attempt started before the deadline runs to its end. Each takes
2-12 ms on 1280×720 here, all ten about 42 ms on a frame with no code, so the default budget tries a
frame in full on this machine; a slower or busier CPU drops the last attempts. An attempt is a view of
the frame (``preprocess``: centre region, median denoise, 2× up-scale, unsharp mask, ±15° rotation,
adaptive threshold, ½ down-scale) and the decoders that read it (``Attempt.role``). The order is by
measurement on ``bench/scan.py``'s frames: what rescues most frames per millisecond comes first.
Boxes are reported in frame pixels whatever view the code was found in.

Default decoders (``default_decoders``): the first look is zxing-cpp restricted to the expected
formats, also searching 90° turns and smaller scales (fastest here, 5-6 ms, and it reads DataMatrix
and the GS1 markers); the retries use zxing-cpp without those searches, then zbar (which reads small
and soft bars that zxing-cpp misses) for the ``secondary`` attempts. Without zxing-cpp, zbar does it
all; without either (an Android build has no zbar), OpenCV's EAN/UPC and QR detectors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from client.scanner import preprocess as pp
from client.scanner.decoders import (
    DEFAULT_FORMATS,
    Decoded,
    Decoder,
    OpenCvDecoder,
    PyzbarDecoder,
    ZxingDecoder,
    to_gray,
)

Role = Literal["first", "primary", "secondary"]

_ROI = (0.8, 0.8)  # the centre region (where the operator aims): 80 % of the width and of the height


@dataclass(frozen=True, slots=True)
class Attempt:
    """A view of the frame and who reads it: ``first`` (the first look's decoder), ``primary`` (the
    first retry decoder) or ``secondary`` (the other retry decoders; skipped when there are none)."""

    name: str
    prepare: Callable[[pp.View], pp.View]
    role: Role


def _roi(view: pp.View) -> pp.View:
    return pp.centre(view, *_ROI)


def _rotated(degrees: float) -> Callable[[pp.View], pp.View]:
    return lambda view: pp.rotated(pp.centre(view, 0.9, 0.9), degrees)


def _upscaled(view: pp.View) -> pp.View:
    return pp.scaled(pp.centre(view, 0.5, 0.6), 2.0)


ATTEMPTS: tuple[Attempt, ...] = (
    Attempt("frame", lambda view: view, "first"),
    Attempt("roi_denoised", lambda view: pp.denoised(_roi(view)), "primary"),  # noise, low light
    Attempt("roi_upscaled", _upscaled, "primary"),  # small bars
    Attempt("roi_sharpened", lambda view: pp.sharpened(_roi(view)), "primary"),  # defocus
    Attempt("rotated_ccw", _rotated(15.0), "primary"),  # a long 1D code at a slant
    Attempt("rotated_cw", _rotated(-15.0), "primary"),
    Attempt("roi_denoised_secondary", lambda view: pp.denoised(_roi(view)), "secondary"),
    Attempt("roi_upscaled_secondary", _upscaled, "secondary"),
    Attempt("roi_thresholded", lambda view: pp.thresholded(_roi(view)), "primary"),
    Attempt("downscaled_secondary", lambda view: pp.scaled(view, 0.5), "secondary"),
)


@dataclass(frozen=True, slots=True)
class Read:
    """What ``ProductDecoder.read`` found, in which attempt (empty if none), and the attempts tried."""

    found: list[Decoded]
    attempt: str = ""
    tried: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Decoders:
    """``first`` takes the first look at the whole frame; ``retry`` read the pre-processed views."""

    first: Decoder
    retry: tuple[Decoder, ...]


def default_decoders(formats: Iterable[str] = DEFAULT_FORMATS) -> Decoders:
    """zxing-cpp (searching 90° turns and smaller scales on the first look only), then zbar when
    installed; without zxing-cpp, zbar alone; without either, OpenCV's detectors."""
    wanted = frozenset(formats)
    retry: list[Decoder] = []
    first: Decoder | None = None
    try:
        first = ZxingDecoder(wanted)
        retry.append(ZxingDecoder(wanted, try_rotate=False, try_downscale=False))
    except (ImportError, ValueError):
        pass
    try:
        retry.append(PyzbarDecoder(wanted & PyzbarDecoder.READS, scan_density=2))
    except (ImportError, ValueError):
        pass
    if not retry:
        retry.append(OpenCvDecoder(wanted & OpenCvDecoder.READS))
    return Decoders(first or retry[0], tuple(retry))


class ProductDecoder:
    """Decodes a camera frame with ``decoders`` through ``ATTEMPTS`` within ``budget_s``."""

    def __init__(
        self,
        decoders: Decoders | None = None,
        *,
        formats: Iterable[str] = DEFAULT_FORMATS,
        budget_s: float = 0.05,
        attempts: Sequence[Attempt] = ATTEMPTS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.decoders = default_decoders(formats) if decoders is None else decoders
        self.budget_s = budget_s
        self.attempts = tuple(attempts)
        self._clock = clock

    def decode(self, frame: NDArray[np.uint8]) -> list[Decoded]:
        return self.read(frame).found

    def read(self, frame: NDArray[np.uint8]) -> Read:
        deadline = self._clock() + self.budget_s
        base = pp.whole(to_gray(frame))
        tried: list[str] = []
        for attempt in self.attempts:
            decoders = self._decoders_for(attempt.role)
            if not decoders:
                continue
            if tried and self._clock() >= deadline:
                break
            tried.append(attempt.name)
            view = attempt.prepare(base)
            for decoder in decoders:
                found = decoder.decode(view.image)
                if found:
                    return Read(_in_frame(found, view), attempt.name, tried)
        return Read([], "", tried)

    def _decoders_for(self, role: Role) -> tuple[Decoder, ...]:
        if role == "first":
            return (self.decoders.first,)
        return self.decoders.retry[:1] if role == "primary" else self.decoders.retry[1:]


def _in_frame(found: list[Decoded], view: pp.View) -> list[Decoded]:
    """Each distinct text once, its box in frame pixels."""
    unique = {d.text_with_aim_prefix: d for d in found}
    return [Decoded(d.text_with_aim_prefix, d.symbology, pp.frame_bbox(view, d.bbox)) for d in unique.values()]
