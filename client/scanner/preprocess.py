"""OpenCV pre-processing for a second look at a frame no decoder could read at first.

Each step takes a ``View`` (an 8-bit grayscale image and the affine map from its pixels back to the
camera frame's) and returns a new one, so a box found in a rotated, cropped or scaled view is reported
where it is in the frame (``frame_bbox``). All steps are pure functions of their input.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from client.scanner.decoders import BBox, Gray, bbox_of

Affine = NDArray[np.float64]  # 2×3: view pixel (x, y, 1) -> frame pixel (x, y)


@dataclass(frozen=True, slots=True)
class View:
    image: Gray
    to_frame: Affine


def whole(gray: Gray) -> View:
    return View(gray, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))


def centre(view: View, width_frac: float, height_frac: float) -> View:
    """The centre region (where the operator aims): ``width_frac`` × ``height_frac`` of the view."""
    h, w = view.image.shape
    crop_w, crop_h = int(w * width_frac), int(h * height_frac)
    x0, y0 = (w - crop_w) // 2, (h - crop_h) // 2
    moved = np.array([[1.0, 0.0, x0], [0.0, 1.0, y0]])
    return View(view.image[y0 : y0 + crop_h, x0 : x0 + crop_w], _compose(view.to_frame, moved))


def rotated(view: View, degrees: float) -> View:
    """Turned ``degrees`` counter-clockwise about its centre, same size (the corners are dropped)."""
    h, w = view.image.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    image = cv2.warpAffine(view.image, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return View(np.asarray(image, np.uint8), _compose(view.to_frame, cv2.invertAffineTransform(turn)))


def scaled(view: View, factor: float) -> View:
    """Resized by ``factor`` (cubic up, area average down)."""
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    image = cv2.resize(view.image, None, fx=factor, fy=factor, interpolation=interpolation)
    back = np.array([[1.0 / factor, 0.0, 0.0], [0.0, 1.0 / factor, 0.0]])
    return View(np.asarray(image, np.uint8), _compose(view.to_frame, back))


def sharpened(view: View, sigma_px: float = 2.0, amount: float = 2.0) -> View:
    """Unsharp mask: the image plus ``amount`` times its difference from a Gaussian blur (defocus)."""
    blurred = cv2.GaussianBlur(view.image, (0, 0), sigma_px)
    return _same_place(view, cv2.addWeighted(view.image, 1.0 + amount, blurred, -amount, 0))


def denoised(view: View, kernel_px: int = 3) -> View:
    """Median filter: removes sensor noise (and low-light grain) and keeps bar edges."""
    return _same_place(view, cv2.medianBlur(view.image, kernel_px))


def thresholded(view: View, block_px: int = 31, offset: int = 5) -> View:
    """Adaptive mean threshold: black and white against the local mean (uneven light, low contrast)."""
    binary = cv2.adaptiveThreshold(
        view.image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block_px, offset
    )
    return _same_place(view, binary)


def frame_bbox(view: View, bbox: BBox) -> BBox:
    """A box found in ``view`` as a box in frame pixels (the bounds of its mapped corners)."""
    x, y, w, h = bbox
    corners = np.array([[x, y, 1.0], [x + w, y, 1.0], [x + w, y + h, 1.0], [x, y + h, 1.0]])
    mapped = corners @ view.to_frame.T
    return bbox_of((float(px), float(py)) for px, py in mapped)


def _same_place(view: View, image: NDArray[np.uint8]) -> View:
    return View(np.asarray(image, np.uint8), view.to_frame)


def _compose(outer: Affine, inner: Affine) -> Affine:
    """The map ``outer ∘ inner`` of two 2×3 affine maps."""
    full = np.vstack([outer, [0.0, 0.0, 1.0]]) @ np.vstack([inner, [0.0, 0.0, 1.0]])
    return np.asarray(full[:2], np.float64)
