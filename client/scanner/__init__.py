"""Scanner input from the camera: frame decoders, the product's decoding pipeline, and test frames.

    from client.scanner import ProductDecoder
    ProductDecoder().decode(frame)  # -> [Decoded("]E04006381333931", "ean13", (x, y, w, h))]

``decoders`` (the ``Decoder`` interface and its zxing-cpp, zbar and OpenCV implementations),
``preprocess`` (OpenCV steps for a second look), ``product`` (``ProductDecoder``) and ``frames``
(generated camera-like frames for the self-test and ``bench/scan.py``).
"""

from client.scanner.decoders import (
    DEFAULT_FORMATS,
    FORMATS,
    Decoded,
    Decoder,
    OpenCvDecoder,
    PyzbarDecoder,
    ZxingDecoder,
)
from client.scanner.product import Decoders, ProductDecoder, Read, default_decoders

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "Decoded",
    "Decoder",
    "Decoders",
    "OpenCvDecoder",
    "ProductDecoder",
    "PyzbarDecoder",
    "Read",
    "ZxingDecoder",
    "default_decoders",
]
