"""Lookup: scan anything → what it is; for a SKU its stock per bin here (and the price in a store);
for a bin what it holds."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.services.lookup import LookupFlow, LookupResult
from client.ui.components.widgets import line_text, tagged
from client.ui.screens.base import FlowScreen


class LookupScreen(FlowScreen):
    title_code = "ui.home.lookup"
    identifier = "screen-lookup"
    with_qty = False

    def __init__(self, app: Any) -> None:
        self.flow = LookupFlow(app.session.context())
        self.result: LookupResult | None = None
        super().__init__(app)

    def handle_scan(self, code: str) -> Feedback:
        self.result = self.flow.scan(code)
        return self.result.feedback

    def body(self) -> list[ft.Control]:
        r = self.result
        if r is None:
            return []
        rows: list[ft.Control] = []
        if r.sku is not None:
            name = r.sku.name_en if self.app.lang == "en" and r.sku.name_en else r.sku.name_zh
            rows.append(line_text(f"{r.sku.code} {name} {r.sku.spec}", size=20, bold=True))
            if r.sku.price_text:
                rows.append(line_text(f"{self.t('ui.col.price')} {r.sku.price_text}", size=20))
            rows += [line_text(f"{s.bin_code} {s.batch}  {self.t('ui.col.on_hand')} {s.on_hand}") for s in r.sku.stock]
        if r.bin is not None:
            rows.append(line_text(f"{self.t('ui.col.bin')} {r.bin.code}", size=20, bold=True))
            rows += [line_text(f"{ln.sku_code} {ln.name_zh if self.app.lang != 'en' else ln.name_en}  {ln.on_hand}") for ln in r.bin.lines]
        if r.document is not None:
            rows.append(line_text(f"{r.document.number} {r.document.state}", size=20, bold=True))
        return [tagged(ft.Column(rows, spacing=2), "lookup-result")]
