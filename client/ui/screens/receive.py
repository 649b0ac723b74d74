"""Receiving: choose (or scan) an expected receipt or receive without one; scan items (repeats, a case
barcode or a typed quantity); then put away by scanning the bin and the items."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.services.receive import ReceiveFlow, ReceiveState
from client.ui.components.widgets import line_text
from client.ui.screens.base import FlowScreen


class ReceiveScreen(FlowScreen):
    title_code = "ui.home.receive"
    identifier = "screen-receive"

    def __init__(self, app: Any) -> None:
        self.flow = ReceiveFlow(app.session.context())
        super().__init__(app)

    def prompt_code(self) -> str:
        return self.flow.prompt_code

    def handle_scan(self, code: str) -> Feedback:
        if self.flow.state is ReceiveState.CHOOSE:
            return self.flow.open_receipt(code)
        return self.flow.scan(code)

    def handle_qty(self, text: str) -> Feedback:
        return self.flow.type_qty(text)

    def body(self) -> list[ft.Control]:
        if self.flow.state is ReceiveState.CHOOSE:
            docs = [(r.id, f"{r.number} {r.supplier_name}") for r in self.flow.receipts()]
            return self.chooser(docs, self.flow.open_receipt)
        head = f"{self.t('ui.col.expected')} / {self.t('ui.col.received')}"
        rows: list[ft.Control] = [line_text(head, bold=True)]
        rows += [line_text(f"{self.sku_text(ln.sku_id)}  {ln.expected_qty} / {ln.received_qty}") for ln in self.flow.lines()]
        return [ft.Column(rows, spacing=2)]

    def actions(self) -> list[ft.Control]:
        state = self.flow.state
        if state is ReceiveState.CHOOSE:
            return [self.button("ui.action.unplanned", self.flow.start_unplanned, "unplanned", filled=False)]
        if state is ReceiveState.SCAN_ITEMS:
            return [self.button("ui.action.putaway", self.flow.start_putaway, "putaway")]
        if state in (ReceiveState.PUTAWAY_BIN, ReceiveState.PUTAWAY_ITEMS):
            return [self.button("ui.action.put_all", self.flow.put_all, "put-all"),
                    self.button("ui.action.finish", self.flow.finish, "finish", filled=False)]
        return []
