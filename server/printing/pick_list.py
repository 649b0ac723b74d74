"""A pick task's list as an A4 PDF: a heading (task, warehouse, totals, when printed), then one row
per line in walking order: sequence, bin, SKU, name, batch, slot (sort-while-picking tasks), quantity
and an empty box to tick. The table continues over pages with its header repeated; each page is
numbered. Texts come translated (``t``); names are cut to their column (never parsed as markup).

    pick_list(sheet, t) -> bytes
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from server.printing.model import PickSheet, printable
from server.printing.pdf_labels import BOLD, cjk_font, fit_text

Translate = Callable[..., str]
MARGIN = 15 * mm
FONT_SIZE = 10
_WIDTHS = {"seq": 10 * mm, "bin": 30 * mm, "sku": 30 * mm, "batch": 20 * mm, "slot": 12 * mm, "qty": 16 * mm,
           "done": 14 * mm}


class TickBox(Flowable):  # type: ignore[misc]
    """An empty square to tick by hand."""

    def __init__(self, side: float = 5 * mm) -> None:
        super().__init__()
        self.side = side

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.side, self.side

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.side, self.side)


def pick_list(sheet: PickSheet, t: Translate) -> bytes:
    font = cjk_font()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN, title=t("print.pick.title"), invariant=True)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20)
    body = ParagraphStyle("body", fontName=font, fontSize=FONT_SIZE, leading=14)
    story: list[Any] = [
        Paragraph(escape(f"{t('print.pick.title')} · {t('print.pick.task', task=sheet.task_id)}"), title),
        Paragraph(escape(t("print.pick.warehouse", warehouse=printable(sheet.warehouse))), body),
        Paragraph(escape(t("print.pick.totals", lines=len(sheet.lines), units=sheet.units)), body),
        Paragraph(escape(t("print.pick.printed", at=sheet.printed_at.strftime("%Y-%m-%d %H:%M"))), body),
        Spacer(1, 4 * mm),
        _table(sheet, t, font, doc.width),
    ]

    def number_page(canvas: Canvas, _doc: Any) -> None:
        canvas.setFont(font, 8)
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, t("print.pick.page", page=canvas.getPageNumber()))

    doc.build(story, onFirstPage=number_page, onLaterPages=number_page)
    return out.getvalue()


def _table(sheet: PickSheet, t: Translate, font: str, width: float) -> Table:
    keys = ["seq", "bin", "sku", "name", "batch", *(["slot"] if sheet.slots else []), "qty", "done"]
    fixed = sum(_WIDTHS[k] for k in keys if k != "name")
    widths = {**_WIDTHS, "name": width - fixed}
    rows: list[list[Any]] = [[t(f"print.col.{k}") for k in keys]]
    for line in sheet.lines:
        cells = {"seq": str(line.seq), "bin": printable(line.bin_code), "sku": printable(line.sku_code),
                 "name": fit_text(printable(line.name), font, FONT_SIZE, widths["name"] - 4 * mm),
                 "batch": printable(line.batch), "slot": str(line.slot or ""), "qty": str(line.qty), "done": TickBox()}
        rows.append([cells[k] for k in keys])
    table = Table(rows, colWidths=[widths[k] for k in keys], repeatRows=1)
    qty_col = keys.index("qty")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, FONT_SIZE),
        ("FONT", (1, 1), (2, -1), BOLD, FONT_SIZE),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (qty_col, 0), (qty_col, -1), "RIGHT"),
        ("ALIGN", (-1, 0), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 1), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
    ]))
    return table
