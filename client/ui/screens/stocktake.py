"""Stocktake: choose a session (or a recount task), scan a bin in its scope, scan each unit or type a
quantity, confirm the bin. Blind counts show no expected quantity."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.services.stocktake import CountState, StocktakeFlow
from client.ui.components.widgets import line_text
from client.ui.screens.base import FlowScreen


class StocktakeScreen(FlowScreen):
    title_code = "ui.home.stocktake"
    identifier = "screen-stocktake"

    def __init__(self, app: Any) -> None:
        self.flow = StocktakeFlow(app.session.context())
        super().__init__(app)

    def prompt_code(self) -> str:
        return self.flow.prompt_code

    def handle_scan(self, code: str) -> Feedback:
        if self.flow.state is CountState.CHOOSE:
            return self.flow.open(code)
        return self.flow.scan(code)

    def handle_qty(self, text: str) -> Feedback:
        return self.flow.type_qty(text)

    def body(self) -> list[ft.Control]:
        if self.flow.state is CountState.CHOOSE:
            sessions = [(s.id, s.number) for s in self.flow.stocktakes()]
            recounts = [(r.task_id, f"{self.t('ui.home.recount')} {self.sku_text(r.sku_id)}") for r in self.flow.recounts()]
            return self.chooser(sessions, self.flow.open) + self.chooser(recounts, self.flow.start_recount)
        rows = [line_text(f"{self.sku_text(ln.sku_id)}  {self.t('ui.col.counted')} {ln.counted}"
                          + (f" / {ln.expected}" if ln.expected is not None else "")) for ln in self.flow.lines()]
        return [ft.Column(rows, spacing=2)]

    def actions(self) -> list[ft.Control]:
        if self.flow.state is CountState.COUNTING:
            return [self.button("ui.action.confirm", self.flow.confirm_bin, "confirm-bin"),
                    self.button("ui.action.cancel", self.flow.cancel_bin, "cancel", filled=False)]
        return []
