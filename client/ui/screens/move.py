"""Bin-to-bin move: scan the from-bin, the items, then the to-bin (which writes the move)."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.services.move import MoveFlow
from client.ui.components.widgets import line_text
from client.ui.screens.base import FlowScreen


class MoveScreen(FlowScreen):
    title_code = "ui.home.move"
    identifier = "screen-move"

    def __init__(self, app: Any) -> None:
        self.flow = MoveFlow(app.session.context())
        super().__init__(app)

    def prompt_code(self) -> str:
        return self.flow.prompt_code

    def handle_scan(self, code: str) -> Feedback:
        return self.flow.scan(code)

    def handle_qty(self, text: str) -> Feedback:
        return self.flow.type_qty(text)

    def body(self) -> list[ft.Control]:
        rows = [line_text(f"{self.sku_text(item.sku_id)}  × {item.qty}") for item in self.flow.items()]
        return [ft.Column(rows, spacing=2)]

    def actions(self) -> list[ft.Control]:
        return [self.button("ui.action.cancel", self.flow.cancel, "cancel", filled=False)] if self.flow.items() else []
