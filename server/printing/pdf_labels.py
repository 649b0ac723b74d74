"""Bin and SKU labels as PDF: one 50×30 mm label per page (label printers), or A4 sheets of 4×9
labels of the same size. ``copies`` prints each label that many times, one after the other.

    bin_labels(labels, sheet=False, copies=1) -> bytes    bin code large, Code 128 below
    sku_labels(labels, sheet=False, copies=1) -> bytes    code, Chinese name, price, EAN-13 or Code 128
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import TypeVar

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from server.printing.model import BinLabel, SkuLabel, price, printable, symbology

LABEL_W, LABEL_H = 50 * mm, 30 * mm
SHEET_COLS, SHEET_ROWS = 4, 9
PAD = 2 * mm
CJK = "STSong-Light"
BOLD = "Helvetica-Bold"
T = TypeVar("T")
Draw = Callable[[Canvas, T, float, float], None]


@cache
def cjk_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


def bin_labels(labels: Sequence[BinLabel], *, sheet: bool = False, copies: int = 1) -> bytes:
    return _document(labels, _draw_bin, sheet=sheet, copies=copies, title="Bin labels")


def sku_labels(labels: Sequence[SkuLabel], *, sheet: bool = False, copies: int = 1) -> bytes:
    return _document(labels, _draw_sku, sheet=sheet, copies=copies, title="SKU labels")


def _document(labels: Sequence[T], draw: Draw[T], *, sheet: bool, copies: int, title: str) -> bytes:
    cjk_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4 if sheet else (LABEL_W, LABEL_H), invariant=True)
    canvas.setTitle(title)
    repeated = [label for label in labels for _ in range(copies)]
    for (x, y), label in zip(_slots(canvas, len(repeated), sheet), repeated, strict=True):
        draw(canvas, label, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _slots(canvas: Canvas, count: int, sheet: bool) -> Iterator[tuple[float, float]]:
    """The lower-left corner of each label, starting new pages as they fill."""
    per_page = SHEET_COLS * SHEET_ROWS if sheet else 1
    left = (A4[0] - SHEET_COLS * LABEL_W) / 2
    top = A4[1] - (A4[1] - SHEET_ROWS * LABEL_H) / 2
    for index in range(count):
        if index and index % per_page == 0:
            canvas.showPage()
        if not sheet:
            yield 0.0, 0.0
            continue
        slot = index % per_page
        yield left + (slot % SHEET_COLS) * LABEL_W, top - (slot // SHEET_COLS + 1) * LABEL_H


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` at ``size``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _font_size(text: str, font: str, largest: float, width: float) -> float:
    size = largest
    while size > 6 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _barcode(canvas: Canvas, kind: str, value: str, x: float, y: float, width: float, height: float,
             human_readable: bool) -> None:
    """A barcode centred in the box, its bars scaled to fit the width."""
    probe = createBarcodeDrawing(kind, value=value, barHeight=height, barWidth=1, humanReadable=human_readable)
    bar_width = min(1.2, width / probe.width) if probe.width else 1
    if kind == "EAN13":
        drawing = createBarcodeDrawing(kind, value=value, barHeight=height, barWidth=bar_width, humanReadable=human_readable)
    else:
        drawing = createBarcodeDrawing(kind, value=value, barHeight=height, barWidth=bar_width, humanReadable=human_readable,
                                       quiet=False)
    renderPDF.draw(drawing, canvas, x + max(0.0, (width - drawing.width) / 2), y)


def _draw_bin(canvas: Canvas, label: BinLabel, x: float, y: float) -> None:
    inner = LABEL_W - 2 * PAD
    code = printable(label.code, max_chars=40)
    size = _font_size(code, BOLD, 22, inner)
    canvas.setFont(BOLD, size)
    canvas.drawString(x + PAD, y + LABEL_H - PAD - size * 0.8, code)
    canvas.setFont(cjk_font(), 6)
    canvas.drawRightString(x + LABEL_W - PAD, y + PAD, printable(label.warehouse, max_chars=20))
    _barcode(canvas, "Code128", code, x + PAD, y + PAD + 2 * mm, inner, 11 * mm, False)


def _draw_sku(canvas: Canvas, label: SkuLabel, x: float, y: float) -> None:
    inner = LABEL_W - 2 * PAD
    top = y + LABEL_H - PAD
    code = printable(label.code, max_chars=40)
    canvas.setFont(BOLD, _font_size(code, BOLD, 9, inner * 0.6))
    canvas.drawString(x + PAD, top - 8, code)
    canvas.setFont(cjk_font(), 9)
    canvas.drawRightString(x + LABEL_W - PAD, top - 8, price(label.price_fen))
    canvas.setFont(cjk_font(), 8)
    canvas.drawString(x + PAD, top - 18, fit_text(printable(label.name), cjk_font(), 8, inner))
    kind, value = symbology(label)
    _barcode(canvas, kind, value, x + PAD, y + PAD, inner, 9 * mm, True)
