"""Camera frame decoders behind one interface, so each build uses the libraries it has.

    Decoder.decode(frame) -> list[Decoded]     frame: BGR, BGRA or grayscale uint8 array

    ZxingDecoder    zxing-cpp: EAN/UPC, Code 128 (GS1-128), QR, DataMatrix (GS1 too); the first choice
    PyzbarDecoder   zbar through pyzbar: EAN/UPC, Code 128, QR; reads small bars well; no zbar on Android
    OpenCvDecoder   OpenCV's cv2.barcode (EAN/UPC) and, if asked, its QR detector: what Android has for sure

``ProductDecoder`` (``client.scanner.product``) composes them with pre-processing. ``Decoded.text``
starts with the AIM symbology identifier (ISO/IEC 15424) that ``shared.scan.resolve.resolve_scan``
expects: ``]E0`` EAN-13/UPC-A/UPC-E, ``]E4`` EAN-8, ``]C0`` Code 128, ``]C1`` GS1-128, ``]Q1`` QR
(``]Q3`` GS1 QR), ``]d1`` DataMatrix (``]d2`` GS1 DataMatrix). GS1 fields are separated by GS (``\\x1d``).
UPC-A comes as zbar and cv2.barcode report it (12 digits) and as zxing-cpp reports it (13 digits,
a leading 0, as AIM specifies for ``]E0``): both are the same GTIN to ``classify_barcode``.

Formats are named by ``FORMATS``; ``"gs1_128"`` restricts like ``"code128"``. A decoder given no
format it can read raises ``ValueError`` when built. ``ImportError`` when its library is missing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

EAN13, UPCA, EAN8, UPCE = "ean13", "upca", "ean8", "upce"
CODE128, GS1_128, QR, DATAMATRIX = "code128", "gs1_128", "qr", "datamatrix"
FORMATS = frozenset({EAN13, UPCA, EAN8, UPCE, CODE128, QR, DATAMATRIX})
DEFAULT_FORMATS = FORMATS

Gray = NDArray[np.uint8]
BBox = tuple[int, int, int, int]  # x, y, width, height in frame pixels


@dataclass(frozen=True, slots=True)
class Decoded:
    """One barcode read from a frame: the AIM-prefixed text, the symbology name, its box in the frame."""

    text_with_aim_prefix: str
    symbology: str
    bbox: BBox


class Decoder(Protocol):
    def decode(self, frame: NDArray[np.uint8]) -> list[Decoded]: ...


def to_gray(frame: NDArray[np.uint8]) -> Gray:
    """The frame as a contiguous 8-bit grayscale image (camera frames come BGR or BGRA)."""
    if frame.ndim == 2:
        return np.ascontiguousarray(frame)
    code = cv2.COLOR_BGRA2GRAY if frame.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return np.asarray(cv2.cvtColor(frame, code), dtype=np.uint8)


def bbox_of(points: Iterable[tuple[float, float]]) -> BBox:
    xs, ys = zip(*points, strict=True)
    x0, y0 = int(min(xs)), int(min(ys))
    return x0, y0, int(max(xs)) - x0 + 1, int(max(ys)) - y0 + 1


def _wanted(formats: Iterable[str], supported: Iterable[str]) -> frozenset[str]:
    asked = frozenset(CODE128 if f == GS1_128 else f for f in formats)
    unknown = asked - FORMATS
    if unknown:
        raise ValueError(f"unknown barcode formats: {sorted(unknown)}")
    usable = asked & frozenset(supported)
    if not usable:
        raise ValueError(f"none of {sorted(asked)} is readable by this decoder")
    return usable


class ZxingDecoder:
    """zxing-cpp, restricted to ``formats``; it reports the AIM identifier itself.

    ``try_rotate`` also looks for codes turned 90°/270°, ``try_downscale`` at smaller scales (both help
    and cost time); light-on-dark codes are not looked for.
    """

    def __init__(
        self, formats: Iterable[str] = DEFAULT_FORMATS, *, try_rotate: bool = True, try_downscale: bool = True
    ) -> None:
        import zxingcpp

        self._zx: Any = zxingcpp
        fmt = zxingcpp.BarcodeFormat
        by_name = {EAN13: fmt.EAN13, UPCA: fmt.UPCA, EAN8: fmt.EAN8, UPCE: fmt.UPCE}
        by_name |= {CODE128: fmt.Code128, QR: fmt.QRCode, DATAMATRIX: fmt.DataMatrix}
        self.formats = _wanted(formats, by_name)
        self._formats = tuple(by_name[f] for f in sorted(self.formats))
        self._names = {fmt.EAN13: EAN13, fmt.UPCA: UPCA, fmt.EAN8: EAN8, fmt.UPCE: UPCE}
        self._names |= {fmt.Code128: CODE128, fmt.QRCode: QR, fmt.DataMatrix: DATAMATRIX}
        self._options = {"try_rotate": try_rotate, "try_downscale": try_downscale, "try_invert": False}

    def decode(self, frame: NDArray[np.uint8]) -> list[Decoded]:
        zx = self._zx
        found = zx.read_barcodes(to_gray(frame), formats=self._formats, text_mode=zx.TextMode.Plain, **self._options)
        return [self._decoded(barcode) for barcode in found]

    def _decoded(self, barcode: Any) -> Decoded:
        aim, text = barcode.symbology_identifier, barcode.text
        name = self._names.get(barcode.format, str(barcode.format))
        if name == CODE128 and aim == "]C1":
            name = GS1_128
        elif name == EAN13 and len(text) == 13 and text[0] == "0":
            name = UPCA  # a UPC-A is an EAN-13 whose first digit is 0; zbar names it so too
        p = barcode.position
        corners = [(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        return Decoded(aim + text, name, bbox_of(corners))


class PyzbarDecoder:
    """zbar (through pyzbar's ctypes bindings), restricted to ``formats``.

    zbar reports no AIM identifier, so it is made here from zbar's symbol type and modifier flags:
    a Code 128 or QR whose first character is FNC1 is GS1 (``]C1`` / ``]Q3``), FNC1 second is ``]C2`` /
    ``]Q5`` (zbar ≥ 0.11 sets these flags: ``zbar_symbol_get_modifiers``, which pyzbar does not
    expose); a text that starts with GS (a leading FNC1 passed through) is GS1 too. FNC1 inside the
    data comes as GS. What cannot be told: with a zbar too old for the flags a GS1-128 reads as a
    plain ``]C0`` (``resolve_scan`` then takes it for an internal code); QR models and ECI are not
    reported (``]Q1`` assumed); no DataMatrix. UPC-A comes as zbar gives it, 12 digits (with only
    ``ean13`` asked, as a 13-digit EAN-13). ``scan_density`` n scans every n-th row and column
    (faster; misses codes shorter than n lines).
    """

    READS = frozenset({EAN13, UPCA, EAN8, UPCE, CODE128, QR})
    _MOD_GS1, _MOD_AIM = 1 << 0, 1 << 1

    def __init__(self, formats: Iterable[str] = DEFAULT_FORMATS, *, scan_density: int = 1) -> None:
        from pyzbar import pyzbar, wrapper  # raises ImportError when the zbar library is missing

        self._w: Any = wrapper
        self._fourcc = pyzbar._FOURCC["L800"]  # type: ignore[attr-defined]
        try:
            self._get_modifiers: Any = wrapper.zbar_function(
                "zbar_symbol_get_modifiers", ctypes.c_uint, ctypes.POINTER(wrapper.zbar_symbol)
            )
        except AttributeError:  # zbar < 0.11
            self._get_modifiers = lambda symbol: 0
        sym = wrapper.ZBarSymbol
        by_name = {EAN13: [sym.EAN13], UPCA: [sym.EAN13, sym.UPCA], EAN8: [sym.EAN8], UPCE: [sym.UPCE]}
        by_name |= {CODE128: [sym.CODE128], QR: [sym.QRCODE]}
        self.formats = _wanted(formats, self.READS)
        self._enabled = {s for f in self.formats for s in by_name[f]}
        self._names = {sym.EAN13: EAN13, sym.UPCA: UPCA, sym.EAN8: EAN8, sym.UPCE: UPCE}
        self._names |= {sym.CODE128: CODE128, sym.QRCODE: QR}
        self._density = scan_density

    def decode(self, frame: NDArray[np.uint8]) -> list[Decoded]:
        gray = to_gray(frame)
        found = []
        for kind, data, modifiers, corners in self._scan(gray):
            name = self._names.get(kind)
            if name not in self.formats:  # an EAN-13 enabled only so that zbar reads UPC-A
                continue
            text = data.decode("utf-8", errors="replace")
            if name in (CODE128, QR) and text.startswith("\x1d"):
                text, modifiers = text[1:], modifiers | self._MOD_GS1
            aim, name = self._aim(name, modifiers)
            found.append(Decoded(aim + text, name, bbox_of(corners)))
        return found

    def _aim(self, name: str, modifiers: int) -> tuple[str, str]:
        if name in (EAN13, UPCA, UPCE):
            return "]E0", name
        if name == EAN8:
            return "]E4", name
        prefix = "]C" if name == CODE128 else "]Q"
        if modifiers & self._MOD_GS1:
            return (prefix + "1", GS1_128) if name == CODE128 else (prefix + "3", name)
        if modifiers & self._MOD_AIM:
            return prefix + ("2" if name == CODE128 else "5"), name
        return prefix + ("0" if name == CODE128 else "1"), name

    def _scan(self, gray: Gray) -> list[tuple[int, bytes, int, list[tuple[int, int]]]]:
        w = self._w
        scanner = w.zbar_image_scanner_create()
        image = w.zbar_image_create()
        try:
            w.zbar_image_scanner_set_config(scanner, 0, w.ZBarConfig.CFG_ENABLE, 0)  # 0: every symbology
            for symbol in self._enabled:
                w.zbar_image_scanner_set_config(scanner, symbol, w.ZBarConfig.CFG_ENABLE, 1)
            for density in (w.ZBarConfig.CFG_X_DENSITY, w.ZBarConfig.CFG_Y_DENSITY):
                w.zbar_image_scanner_set_config(scanner, 0, density, self._density)
            w.zbar_image_set_format(image, self._fourcc)
            w.zbar_image_set_size(image, gray.shape[1], gray.shape[0])
            w.zbar_image_set_data(image, gray.ctypes.data_as(ctypes.c_void_p), gray.size, None)
            w.zbar_scan_image(scanner, image)
            return [self._symbol(s) for s in self._symbols(image)]
        finally:
            w.zbar_image_destroy(image)
            w.zbar_image_scanner_destroy(scanner)

    def _symbols(self, image: Any) -> Iterable[Any]:
        symbol = self._w.zbar_image_first_symbol(image)
        while symbol:
            yield symbol
            symbol = self._w.zbar_symbol_next(symbol)

    def _symbol(self, symbol: Any) -> tuple[int, bytes, int, list[tuple[int, int]]]:
        w = self._w
        data = ctypes.string_at(w.zbar_symbol_get_data(symbol), w.zbar_symbol_get_data_length(symbol))
        size = w.zbar_symbol_get_loc_size(symbol)
        corners = [(w.zbar_symbol_get_loc_x(symbol, i), w.zbar_symbol_get_loc_y(symbol, i)) for i in range(size)]
        return int(symbol.contents.type), data, int(self._get_modifiers(symbol)), corners or [(0, 0)]


class OpenCvDecoder:
    """OpenCV only: ``cv2.barcode`` for EAN-13/UPC-A/EAN-8/UPC-E and, when ``qr`` is asked, its QR
    detector (slow on frames without a code). Reports ``]E0``/``]E4`` and ``]Q1``. OpenCV's detector
    objects are not shared between threads: one decoder per camera thread."""

    READS = frozenset({EAN13, UPCA, EAN8, UPCE, QR})
    _TYPES = {"EAN_13": EAN13, "UPC_A": UPCA, "EAN_8": EAN8, "UPC_E": UPCE}

    def __init__(self, formats: Iterable[str] = (EAN13, UPCA, EAN8, UPCE)) -> None:
        self.formats = _wanted(formats, self.READS)
        self._barcode = cv2.barcode.BarcodeDetector() if self.formats - {QR} else None
        self._qr = cv2.QRCodeDetector() if QR in self.formats else None

    def decode(self, frame: NDArray[np.uint8]) -> list[Decoded]:
        gray = to_gray(frame)
        found = self._linear(gray) if self._barcode is not None else []
        return found + (self._qr_codes(gray) if self._qr is not None else [])

    def _linear(self, gray: Gray) -> list[Decoded]:
        """Located on the frame, then (if nothing decodes) on a lightly smoothed copy: the detector
        misplaces codes whose edges are perfectly sharp; the bars are always read from the frame."""
        assert self._barcode is not None
        found = self._linear_located(gray, gray)
        return found or self._linear_located(gray, cv2.GaussianBlur(gray, (0, 0), 0.5))

    def _linear_located(self, gray: Gray, located_in: Gray) -> list[Decoded]:
        assert self._barcode is not None
        ok, points = self._barcode.detect(located_in)
        if not ok or points is None:
            return []
        ok, texts, types = self._barcode.decodeWithType(gray, points)
        found = []
        for text, kind, corners in zip(texts, types, _corner_sets(points, len(texts)), strict=True):
            name = self._TYPES.get(kind)
            if text and name in self.formats:
                found.append(Decoded(("]E4" if name == EAN8 else "]E0") + text, name, bbox_of(corners)))
        return found

    def _qr_codes(self, gray: Gray) -> list[Decoded]:
        assert self._qr is not None
        text, points, _ = self._qr.detectAndDecode(gray)
        if not text or points is None:
            return []
        return [Decoded("]Q1" + text, QR, bbox_of(_corner_sets(points, 1)[0]))]


def _corner_sets(points: Any, count: int) -> Sequence[list[tuple[float, float]]]:
    if points is None:
        return [[(0.0, 0.0)]] * count
    quads = np.asarray(points, dtype=np.float32).reshape(-1, 4, 2)
    return [[(float(x), float(y)) for x, y in quad] for quad in quads]
