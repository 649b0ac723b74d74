"""Camera-like test frames of barcodes, deterministic from a seed (numpy and OpenCV only).

The handheld's self-test and ``bench/scan.py`` use these. A frame is a 1280×720 BGR image, as a camera
gives, of a paper label on a cluttered grey scene, the label near the centre (where an operator aims).
Bars are drawn from the module pattern at an exact integer number of pixels per module (an image
writer that rounds each bar on its own leaves uneven widths that hurt decoders): 1D codes at 3 px per
module and 90-150 px high, QR at 5-7 px per module.

    symbology  payload: what a decoder returns after its AIM prefix         AIM prefix
    ean13      13 digits                                                    ]E0
    upca       12 digits                                                    ]E0
    code128    an internal code, e.g. BIN-K7QX2-04                          ]C0
    gs1_128    GS1 element string (01)(17)(10): GS ends a field that is     ]C1
               not last, no leading FNC1
    qr         an order number, a URL or a SKU code                         ]Q1

Distortions (``DISTORTIONS``): clean; Gaussian blur of σ 1, 2 and 3 px (a third of a module, two
thirds, one: ``blur_heavy`` is the heaviest, ``HEAVIEST_BLUR``, where a 1D code's narrow bars keep
under 1 % of their contrast); ±15° rotation; perspective (the label seen from one side); sensor noise
(σ 18 grey levels); down-scale (the code shrunk to about 1.5 px per module, as from farther away);
low light (a fifth of the brightness, with noise).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

FRAME_W, FRAME_H = 1280, 720
SYMBOLOGIES = ("ean13", "upca", "code128", "gs1_128", "qr")
DISTORTIONS = (
    "clean", "blur_light", "blur_medium", "blur_heavy", "rotate15", "perspective", "noise", "downscale", "low_light",
)  # fmt: skip
HEAVIEST_BLUR = "blur_heavy"
LINEAR_MODULE_PX = 3  # bars at the nominal scanning distance; "downscale" covers smaller ones
FNC1 = "\x1d"  # in a Code 128 payload: FNC1, which a decoder returns as GS

Image = NDArray[np.uint8]
_BLUR_SIGMA_PX = {"blur_light": 1.0, "blur_medium": 2.0, "blur_heavy": 3.0}
_INK, _PAPER = 30, 230

# EAN/UPC digit patterns (L set; R is L inverted, G is R reversed) and the first digit's L/G parity.
_EAN_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_EAN_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")
# Code 128 symbol values 0..106 as bar/space widths (106 is the stop with its final bar).
_C128 = (
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 "
    "113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 "
    "212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 "
    "113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 "
    "314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 "
    "241211 221114 413111 241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 "
    "214121 412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412 211214 "
    "211232 2331112"
).split()
_C128_CODE_B, _C128_CODE_C, _C128_FNC1, _C128_START_B, _C128_START_C = 100, 99, 102, 104, 105


@dataclass(frozen=True, slots=True)
class Sample:
    """One generated frame and what a decoder must read from it."""

    frame: Image
    symbology: str
    payload: str
    distortion: str


def gtin_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of a GTIN body (the digits before the check digit)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str(-total % 10)


def ean13_modules(digits: str) -> str:
    """The 95 modules ('1' bar, '0' space) of an EAN-13 (13 digits, check digit included)."""
    left = "".join(_ean_digit(d, p) for d, p in zip(digits[1:7], _EAN_PARITY[int(digits[0])], strict=True))
    right = "".join(_ean_digit(d, "R") for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def upca_modules(digits: str) -> str:
    """The 95 modules of a UPC-A (12 digits): an EAN-13 whose first digit is 0."""
    return ean13_modules("0" + digits)


def code128_modules(data: str, *, gs1: bool = False) -> str:
    """The modules of a Code 128 (sets B and C); ``gs1`` puts FNC1 first; ``FNC1`` in ``data`` is FNC1."""
    values = _code128_values(data, gs1=gs1)
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    widths = "".join(_C128[v] for v in [*values, check, 106])
    return "".join(("1" if i % 2 == 0 else "0") * int(w) for i, w in enumerate(widths))


def qr_modules(text: str) -> NDArray[np.bool_]:
    """The QR code of ``text`` as a boolean matrix (True is dark), without quiet zone."""
    image = cv2.QRCodeEncoder.create().encode(text)
    dark = image < 128
    rows, cols = np.nonzero(dark)
    return dark[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def render_linear(modules: str, module_px: int, height_px: int, quiet_modules: int = 12) -> Image:
    """A label with the bars at exactly ``module_px`` pixels per module."""
    row = np.array([c == "1" for c in "0" * quiet_modules + modules + "0" * quiet_modules])
    bars = np.repeat(row, module_px)
    label = np.full((height_px + 2 * quiet_modules * module_px // 3, bars.size), _PAPER, np.uint8)
    top = quiet_modules * module_px // 3
    label[top : top + height_px, bars] = _INK
    return label


def render_matrix(matrix: NDArray[np.bool_], module_px: int, quiet_modules: int = 4) -> Image:
    padded = np.pad(matrix, quiet_modules, constant_values=False)
    cells = np.where(padded, _INK, _PAPER).astype(np.uint8)
    return np.kron(cells, np.ones((module_px, module_px), np.uint8))


def make_sample(symbology: str, distortion: str, rng: np.random.Generator, payload: str = "") -> Sample:
    """One frame of ``payload`` (a random one of ``symbology`` if empty) under ``distortion``."""
    payload = payload or _random_payload(symbology, rng)
    label = _render_label(symbology, payload, rng, shrink=distortion == "downscale")
    frame, centre = _place_on_scene(label, rng)
    frame = _distort(frame, centre, distortion, rng)
    return Sample(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), symbology, payload, distortion)


def generate_samples(seed: int = 0, per_pair: int = 7) -> Iterator[Sample]:
    """``per_pair`` frames for each symbology × distortion (7 gives 315 frames), the same for a seed."""
    rng = np.random.default_rng(seed)
    for _ in range(per_pair):
        for symbology in SYMBOLOGIES:
            for distortion in DISTORTIONS:
                yield make_sample(symbology, distortion, rng)


def blank_frame(seed: int = 0) -> Image:
    """A scene with no barcode (for 'nothing found' checks)."""
    rng = np.random.default_rng(seed)
    return cv2.cvtColor(_scene(rng), cv2.COLOR_GRAY2BGR)


def _ean_digit(digit: str, parity: str) -> str:
    pattern = _EAN_L[int(digit)]
    if parity == "L":
        return pattern
    inverted = pattern.translate(str.maketrans("01", "10"))
    return inverted if parity == "R" else inverted[::-1]


def _code128_values(data: str, *, gs1: bool) -> list[int]:
    use_c = _digit_run(data, 0) >= (2 if gs1 else 4)
    values = [_C128_START_C if use_c else _C128_START_B] + ([_C128_FNC1] if gs1 else [])
    i = 0
    while i < len(data):
        run = _digit_run(data, i)
        if data[i] == FNC1:
            values.append(_C128_FNC1)
            i += 1
        elif use_c and run >= 2:
            values.append(int(data[i : i + 2]))
            i += 2
        elif use_c:
            values.append(_C128_CODE_B)
            use_c = False
        elif run >= 4 and run % 2 == 0:
            values.append(_C128_CODE_C)
            use_c = True
        else:
            values.append(ord(data[i]) - 32)
            i += 1
    return values


def _digit_run(data: str, start: int) -> int:
    end = start
    while end < len(data) and data[end].isdigit():
        end += 1
    return end - start


def _random_payload(symbology: str, rng: np.random.Generator) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, 13))
    if symbology == "ean13":
        body = str(rng.integers(1, 10)) + digits[:11]
        return body + gtin_check_digit(body)
    if symbology == "upca":
        body = str(rng.integers(0, 10)) + digits[:10]
        return body + gtin_check_digit(body)
    batch = "".join(rng.choice(list("ABCDEFGHJKLMNPRSTUVWXYZ0123456789"), int(rng.integers(4, 9))))
    if symbology == "code128":
        prefix = ("BIN-", "SKU-", "LOC-")[int(rng.integers(0, 3))]
        return prefix + batch + "-" + digits[:2]
    gtin = "0" + digits[:12] + gtin_check_digit("0" + digits[:12])
    expiry = f"{rng.integers(25, 31)}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"
    if symbology == "gs1_128":
        fixed = "01" + gtin + "17" + expiry
        return fixed + "10" + batch if rng.random() < 0.5 else "01" + gtin + "10" + batch + FNC1 + "17" + expiry
    texts = (f"SO-2024{digits[:4]}-{digits[4:8]}", f"https://id.example.com/01/{gtin}/10/{batch}", f"SKU-{batch}")
    return texts[int(rng.integers(0, 3))]


def _render_label(symbology: str, payload: str, rng: np.random.Generator, *, shrink: bool) -> Image:
    if symbology == "qr":
        module_px = int(rng.integers(5, 8))
        label = render_matrix(qr_modules(payload), module_px)
        target_px = 2.5
    else:
        modules = {
            "ean13": lambda: ean13_modules(payload),
            "upca": lambda: upca_modules(payload),
            "code128": lambda: code128_modules(payload),
            "gs1_128": lambda: code128_modules(payload, gs1=True),
        }[symbology]()
        module_px = LINEAR_MODULE_PX
        label = render_linear(modules, module_px, height_px=int(rng.integers(90, 150)))
        target_px = 1.5
    if not shrink:
        return label
    scale = target_px / module_px
    return cv2.resize(label, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _scene(rng: np.random.Generator) -> Image:
    """A grey scene: a lighting gradient, a few boxes (clutter) and faint sensor noise."""
    angle = rng.uniform(0, 2 * np.pi)
    across = np.linspace(0, 50 * np.cos(angle), FRAME_W, dtype=np.float32)
    down = np.linspace(0, 50 * np.sin(angle), FRAME_H, dtype=np.float32)
    scene = np.float32(rng.uniform(110, 150)) + down[:, None] + across[None, :]
    for _ in range(int(rng.integers(3, 7))):
        x, y = int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H))
        w, h = int(rng.integers(40, 300)), int(rng.integers(40, 200))
        cv2.rectangle(scene, (x, y), (x + w, y + h), float(rng.uniform(60, 200)), -1)
    return _to_uint8(scene + _noise(rng, 2.0))


def _place_on_scene(label: Image, rng: np.random.Generator) -> tuple[Image, tuple[float, float]]:
    frame = _scene(rng)
    h, w = label.shape
    cx = FRAME_W / 2 + rng.uniform(-0.08, 0.08) * FRAME_W
    cy = FRAME_H / 2 + rng.uniform(-0.08, 0.08) * FRAME_H
    x0 = int(np.clip(cx - w / 2, 0, FRAME_W - w))
    y0 = int(np.clip(cy - h / 2, 0, FRAME_H - h))
    frame[y0 : y0 + h, x0 : x0 + w] = label
    return frame, (x0 + w / 2, y0 + h / 2)


def _distort(frame: Image, centre: tuple[float, float], distortion: str, rng: np.random.Generator) -> Image:
    if distortion in _BLUR_SIGMA_PX:
        return cv2.GaussianBlur(frame, (0, 0), _BLUR_SIGMA_PX[distortion])
    if distortion == "rotate15":
        turn = cv2.getRotationMatrix2D(centre, 15.0 * rng.choice([-1.0, 1.0]), 1.0)
        return cv2.warpAffine(frame, turn, (FRAME_W, FRAME_H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    if distortion == "perspective":
        return _perspective(frame, centre, rng)
    if distortion == "noise":
        return _to_uint8(frame + _noise(rng, 18.0))
    if distortion == "low_light":
        dim = cv2.GaussianBlur(frame, (0, 0), 0.7).astype(np.float32) * 0.2
        return _to_uint8(dim + _noise(rng, 3.0))
    return frame  # clean, and downscale (applied to the label when rendered)


def _perspective(frame: Image, centre: tuple[float, float], rng: np.random.Generator) -> Image:
    """The label seen from one side: that side's edge nearer, the other farther and shorter."""
    cx, cy = centre
    src = np.float32([[cx - 300, cy - 150], [cx + 300, cy - 150], [cx + 300, cy + 150], [cx - 300, cy + 150]])
    shrink_y, shrink_x = rng.uniform(0.12, 0.2) * 150, rng.uniform(0.05, 0.1) * 300
    dst = src.copy()
    far = (1, 2) if rng.random() < 0.5 else (0, 3)
    for i in far:
        dst[i, 1] += shrink_y if dst[i, 1] < cy else -shrink_y
        dst[i, 0] += -shrink_x if dst[i, 0] > cx else shrink_x
    warp = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(frame, warp, (FRAME_W, FRAME_H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)


def _noise(rng: np.random.Generator, sigma: float) -> NDArray[np.float32]:
    return rng.standard_normal((FRAME_H, FRAME_W), dtype=np.float32) * np.float32(sigma)


def _to_uint8(values: NDArray[np.floating] | Image) -> Image:
    return np.clip(values, 0, 255).astype(np.uint8)
