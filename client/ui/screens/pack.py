"""Pack verify (验货): scan or choose a package, scan every unit (type a quantity first for many),
then confirm the package."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.errors import DocumentNotFound
from client.services.feedback import Feedback
from client.services.pack import PackFlow, PackFlowState
from client.ui.components.widgets import line_text, tagged
from client.ui.screens.base import FlowScreen


class PackScreen(FlowScreen):
    title_code = "ui.home.pack"
    identifier = "screen-pack"

    def __init__(self, app: Any) -> None:
        self.flow = PackFlow(app.session.context())
        super().__init__(app)

    def prompt_code(self) -> str:
        return self.flow.prompt_code

    def handle_scan(self, code: str) -> Feedback:
        return self.flow.scan(code)

    def handle_qty(self, text: str) -> Feedback | None:
        return self.flow.type_qty(text) if self.flow.state is PackFlowState.VERIFY else None

    def body(self) -> list[ft.Control]:
        if self.flow.state in (PackFlowState.CHOOSE, PackFlowState.DONE):
            items = [(p.id, self.t("ui.pack.task_label", n=i + 1, order=p.order_ref, lines=p.lines, units=p.units))
                     for i, p in enumerate(self.flow.packages())]
            return self.chooser(items, self.flow.start)
        rows: list[ft.Control] = [tagged(line_text(self.flow.order_ref, size=22, bold=True), "pack-order")]
        if self.flow.waybill_code:
            rows.append(line_text(self.t("ui.pack.waybill", waybill=self.flow.waybill_code), size=16))
        for line in self.flow.lines():
            mark = "√" if line.done else "·"
            rows.append(line_text(f"{mark} {self._sku(line.sku_id, line.sku_code, line.name)}  {line.scanned}/{line.qty}", size=18))
        return [ft.Column(rows, spacing=2)]

    def _sku(self, sku_id: str, code: str, name: str) -> str:
        try:
            return self.sku_text(sku_id)
        except DocumentNotFound:  # a SKU the replica does not hold yet: the task's own text
            return f"{code} {name}"

    def actions(self) -> list[ft.Control]:
        if self.flow.state not in (PackFlowState.VERIFY, PackFlowState.READY):
            return []
        return [self.button("ui.pack.confirm", self.flow.confirm, "confirm"),
                self.button("ui.pack.restart", self.flow.restart, "restart", filled=False)]
