"""Camera decoders on generated frames: AIM prefixes and texts, the product's pipeline (rotation
rescue, time budget, boxes in frame pixels) and its output resolved by ``resolve_scan``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import cv2
import numpy as np
import pytest
from pyzbar import pyzbar

from client.scanner import Decoder, OpenCvDecoder, ProductDecoder, PyzbarDecoder, ZxingDecoder
from client.scanner import frames
from client.scanner.decoders import Decoded
from shared.scan.resolve import BarcodeHit, BinHit, SkuScan, UniqueCodeHit, resolve_scan

EAN_13 = "4006381333931"
UPC_A = "036000291452"
CODE_128 = "BIN-A01-03"
GS1_128 = "0109506000134352" + "17261231" + "10ABC12345"  # GTIN, expiry, batch (last: no GS)
GS1_128_GS = "0109506000134352" + "10LOT7" + frames.FNC1 + "17261231"  # batch in the middle: GS ends it
QR = "https://id.example.com/01/09506000134352"
PAYLOADS = {"ean13": EAN_13, "upca": UPC_A, "code128": CODE_128, "gs1_128": GS1_128, "qr": QR}


def clean_frame(symbology: str, payload: str = "") -> np.ndarray:
    sample = frames.make_sample(symbology, "clean", np.random.default_rng(7), payload or PAYLOADS[symbology])
    return sample.frame


def texts(found: list[Decoded]) -> list[tuple[str, str]]:
    return [(d.text_with_aim_prefix, d.symbology) for d in found]


@pytest.mark.parametrize(
    ("symbology", "expected"),
    [
        ("ean13", ("]E0" + EAN_13, "ean13")),
        ("upca", ("]E00" + UPC_A, "upca")),  # zxing-cpp: 13 digits under ]E0, as AIM specifies
        ("code128", ("]C0" + CODE_128, "code128")),
        ("gs1_128", ("]C1" + GS1_128, "gs1_128")),
        ("qr", ("]Q1" + QR, "qr")),
    ],
)
def test_zxing_clean_frame_reads_text_with_aim_prefix(symbology: str, expected: tuple[str, str]) -> None:
    assert texts(ZxingDecoder().decode(clean_frame(symbology))) == [expected]


@pytest.mark.parametrize(
    ("symbology", "expected"),
    [
        ("ean13", ("]E0" + EAN_13, "ean13")),
        ("upca", ("]E0" + UPC_A, "upca")),  # zbar reports UPC-A as its 12 digits
        ("code128", ("]C0" + CODE_128, "code128")),
        ("gs1_128", ("]C1" + GS1_128, "gs1_128")),  # from zbar's GS1 modifier flag
        ("qr", ("]Q1" + QR, "qr")),
    ],
)
def test_pyzbar_clean_frame_reads_text_with_aim_prefix(symbology: str, expected: tuple[str, str]) -> None:
    assert texts(PyzbarDecoder().decode(clean_frame(symbology))) == [expected]


@pytest.mark.parametrize(
    ("symbology", "expected"),
    [
        ("ean13", ("]E0" + EAN_13, "ean13")),
        ("upca", ("]E0" + UPC_A, "upca")),
        ("qr", ("]Q1" + QR, "qr")),
    ],
)
def test_opencv_clean_frame_reads_text_with_aim_prefix(symbology: str, expected: tuple[str, str]) -> None:
    decoder = OpenCvDecoder(formats=("ean13", "upca", "qr"))
    assert texts(decoder.decode(clean_frame(symbology))) == [expected]


@pytest.mark.parametrize("decoder", [ZxingDecoder(), PyzbarDecoder()], ids=["zxing", "pyzbar"])
def test_gs1_128_with_fnc1_inside_reads_gs_separator(decoder: Decoder) -> None:
    found = decoder.decode(clean_frame("gs1_128", GS1_128_GS))
    assert texts(found) == [("]C1" + GS1_128_GS, "gs1_128")]


@pytest.mark.parametrize("symbology", ["ean13", "upca", "code128", "gs1_128", "qr"])
def test_product_clean_frame_reads_payload_on_first_look(symbology: str) -> None:
    read = ProductDecoder().read(clean_frame(symbology))
    assert read.attempt == "frame"
    [decoded] = read.found
    assert decoded.text_with_aim_prefix[3:].lstrip("0") == PAYLOADS[symbology].lstrip("0")


def test_decoder_restricted_formats_ignores_others() -> None:
    assert ZxingDecoder(formats={"qr"}).decode(clean_frame("ean13")) == []
    assert PyzbarDecoder(formats={"qr"}).decode(clean_frame("ean13")) == []


def test_decoder_unknown_or_unreadable_format_raises() -> None:
    with pytest.raises(ValueError, match="unknown"):
        ZxingDecoder(formats={"aztec"})
    with pytest.raises(ValueError, match="readable"):
        PyzbarDecoder(formats={"datamatrix"})


def test_product_rotated_gs1_128_plain_pyzbar_misses_product_reads_by_rotating_back() -> None:
    sample = frames.make_sample("gs1_128", "rotate15", np.random.default_rng(1), GS1_128)
    assert pyzbar.decode(cv2.cvtColor(sample.frame, cv2.COLOR_BGR2GRAY)) == []
    read = ProductDecoder().read(sample.frame)
    assert read.attempt in ("rotated_ccw", "rotated_cw")
    [decoded] = read.found
    assert decoded.text_with_aim_prefix == "]C1" + GS1_128
    x, y, w, h = decoded.bbox  # in frame pixels, around the slanted code near the frame's centre
    assert 800 <= w <= 900 and 250 <= h <= 420
    assert abs(x + w / 2 - frames.FRAME_W / 2) < 200 and abs(y + h / 2 - frames.FRAME_H / 2) < 120


def test_product_no_barcode_returns_empty_within_budget() -> None:
    decoder = ProductDecoder(budget_s=0.03)
    frame = frames.blank_frame(seed=3)
    decoder.decode(frame)  # warm up
    start = time.perf_counter()
    found = decoder.decode(frame)
    elapsed_s = time.perf_counter() - start
    assert found == []
    assert elapsed_s < 0.03 + 0.1  # the attempt under way at the deadline finishes (≲ 12 ms; slack for load)


def test_product_stops_attempts_at_deadline() -> None:
    ticks = iter([0.0, 0.0, 1.0, 2.0, 3.0])  # start, then the clock is past the deadline
    decoder = ProductDecoder(budget_s=0.5, clock=lambda: next(ticks))
    read = decoder.read(frames.blank_frame(seed=3))
    assert read.found == [] and read.tried == ["frame", "roi_denoised"]


@dataclass
class MemoryIndex:
    barcodes: dict[str, BarcodeHit] = field(default_factory=dict)

    def sku_for_barcode(self, key: str) -> BarcodeHit | None:
        return self.barcodes.get(key)

    def bin_for_code(self, code: str) -> BinHit | None:
        return None

    def unique_code(self, code: str) -> UniqueCodeHit | None:
        return None


INDEX = MemoryIndex(
    {
        "09506000134352": BarcodeHit(sku_id="id-TEA", sku_code="TEA-1", pack_qty_base=1),
        "04006381333931": BarcodeHit(sku_id="id-PEN", sku_code="PEN-1", pack_qty_base=1),
        "00036000291452": BarcodeHit(sku_id="id-COLA", sku_code="COLA-1", pack_qty_base=1),
    }
)


@pytest.mark.parametrize("payload", [GS1_128, GS1_128_GS])
def test_product_gs1_128_resolves_to_sku_with_batch_and_expiry(payload: str) -> None:
    [decoded] = ProductDecoder().decode(clean_frame("gs1_128", payload))
    scan = resolve_scan(decoded.text_with_aim_prefix, INDEX)
    assert isinstance(scan, SkuScan)
    assert (scan.sku_code, scan.gtin, scan.expiry) == ("TEA-1", "09506000134352", date(2026, 12, 31))
    assert scan.batch == ("ABC12345" if payload == GS1_128 else "LOT7")


@pytest.mark.parametrize(
    ("symbology", "sku_code"), [("ean13", "PEN-1"), ("upca", "COLA-1")]
)
def test_product_ean_upc_resolves_to_sku_from_any_decoder(symbology: str, sku_code: str) -> None:
    frame = clean_frame(symbology)
    for decoder in (ProductDecoder(), PyzbarDecoder(), OpenCvDecoder()):
        [decoded] = decoder.decode(frame)
        scan = resolve_scan(decoded.text_with_aim_prefix, INDEX)
        assert isinstance(scan, SkuScan) and scan.sku_code == sku_code


def test_frames_same_seed_same_frames() -> None:
    first = [s.frame for s in frames.generate_samples(seed=5, per_pair=1)][:3]
    again = [s.frame for s in frames.generate_samples(seed=5, per_pair=1)][:3]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_frames_bars_are_whole_pixels_per_module() -> None:
    label = frames.render_linear(frames.ean13_modules(EAN_13), module_px=3, height_px=10, quiet_modules=0)
    row = label[label.shape[0] // 2] < 128
    runs = np.diff(np.flatnonzero(np.diff(row.astype(np.int8)) != 0))
    assert label.shape[1] == 95 * 3 and set(runs % 3) == {0}
