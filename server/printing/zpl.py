"""Labels in ZPL II for thermal printers (203 dpi: 50×30 mm is 400×240 dots), one ``^XA … ^XZ`` per
label, ``^PQ`` copies, ``^CI28`` so field data is UTF-8.

Every text field goes through ``^FH\\`` with ``\\``, ``^`` and ``~`` written as hex (``\\5C``, ``\\5E``,
``\\7E``) and control characters removed, so no name, code or price can start a command (``^XZ``
ending the label early, ``~JA`` cancelling the queue…). Chinese text uses the printer's CJK font
``CJK_FONT`` (Zebra's ``ANMDJ.TTF``; change it to the font installed on your printers).
"""

from __future__ import annotations

from collections.abc import Iterable

from server.printing.model import BinLabel, SkuLabel, price, printable, symbology

DOTS_W, DOTS_H = 400, 240
CJK_FONT = "E:ANMDJ.TTF"


def escape(text: str) -> str:
    """Field data safe inside ``^FH\\^FD … ^FS``."""
    return printable(text).replace("\\", "\\5C").replace("^", "\\5E").replace("~", "\\7E")


def _code128(data: str) -> str:
    return escape(data).replace(">", "><")  # ">" starts a Code 128 invocation in ^BC data


def _field(x: int, y: int, font: str, text: str) -> str:
    return f"^FO{x},{y}{font}^FH\\^FD{text}^FS"


def _label(body: list[str], copies: int) -> str:
    return "\n".join(["^XA", "^CI28", f"^PW{DOTS_W}", f"^LL{DOTS_H}", "^LH0,0", *body, f"^PQ{copies}", "^XZ"])


def bin_labels(labels: Iterable[BinLabel], *, copies: int = 1) -> str:
    out = []
    for label in labels:
        out.append(_label([
            _field(20, 12, "^A0N,48,40", escape(label.code)),
            _field(300, 20, "^A0N,20,20", escape(label.warehouse)),
            f"^FO20,72^BY2,3,120^BCN,120,N,N,N^FH\\^FD{_code128(label.code)}^FS",
        ], copies))
    return "\n".join(out) + "\n"


def sku_labels(labels: Iterable[SkuLabel], *, copies: int = 1) -> str:
    out = []
    for label in labels:
        kind, data = symbology(label)
        barcode = (f"^FO40,120^BY2,3,70^BEN,70,Y,N^FD{data}^FS" if kind == "EAN13"
                   else f"^FO20,120^BY2,3,70^BCN,70,Y,N,N^FH\\^FD{_code128(data)}^FS")
        out.append(_label([
            _field(16, 10, "^A0N,30,26", escape(label.code)),
            _field(16, 46, f"^A@N,26,26,{CJK_FONT}", escape(printable(label.name, max_chars=24))),
            _field(16, 80, f"^A@N,30,30,{CJK_FONT}", escape(price(label.price_fen))),
            barcode,
        ], copies))
    return "\n".join(out) + "\n"
