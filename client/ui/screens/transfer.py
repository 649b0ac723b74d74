"""Warehouse transfers: ship one from this warehouse, or receive one in transit to it (also the
store's "receive from the warehouse")."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.services.transfer import TransferReceiveFlow, TransferShipFlow, TransferState
from client.ui.components.widgets import line_text
from client.ui.screens.base import FlowScreen


class _TransferScreen(FlowScreen):
    flow: Any

    def prompt_code(self) -> str:
        return str(self.flow.prompt_code)

    def handle_scan(self, code: str) -> Feedback:
        if self.flow.state is TransferState.CHOOSE:
            return self.flow.open(code)  # type: ignore[no-any-return]
        return self.flow.scan(code)  # type: ignore[no-any-return]

    def handle_qty(self, text: str) -> Feedback:
        return self.flow.type_qty(text)  # type: ignore[no-any-return]

    def body(self) -> list[ft.Control]:
        if self.flow.state is TransferState.CHOOSE:
            return self.chooser([(d.id, d.number) for d in self.flow.transfers()], self.flow.open)
        return [ft.Column([line_text(text) for text in self.lines_text()], spacing=2)]

    def lines_text(self) -> list[str]:
        return []


class ShipScreen(_TransferScreen):
    title_code = "ui.home.transfer_ship"
    identifier = "screen-transfer-ship"

    def __init__(self, app: Any) -> None:
        self.flow = TransferShipFlow(app.session.context())
        super().__init__(app)

    def lines_text(self) -> list[str]:
        return [f"{self.sku_text(d.sku_id)}  × {d.qty}" for d in self.flow.draft()]

    def actions(self) -> list[ft.Control]:
        if self.flow.state is TransferState.SCAN_ITEMS:
            return [self.button("ui.action.confirm", self.flow.confirm, "confirm"),
                    self.button("ui.action.cancel", self.flow.cancel, "cancel", filled=False)]
        return []


class ReceiveTransferScreen(_TransferScreen):
    title_code = "ui.home.transfer_receive"
    identifier = "screen-transfer-receive"

    def __init__(self, app: Any) -> None:
        self.flow = TransferReceiveFlow(app.session.context())
        super().__init__(app)

    def lines_text(self) -> list[str]:
        return [f"{self.sku_text(ln.sku_id)}  {ln.received_qty}/{ln.shipped_qty}" for ln in self.flow.lines()]

    def actions(self) -> list[ft.Control]:
        if self.flow.state is not TransferState.CHOOSE:
            return [self.button("ui.action.finish", self.flow.finish, "finish", filled=False)]
        return []
