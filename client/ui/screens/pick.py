"""Picking: choose a task, then bin → item in walking order; repeated scans count up; short with a
reason; sort-while-picking asks for the slot after each item."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.services.pick import PickFlow, PickState
from client.ui.components.widgets import line_text, tagged
from client.ui.screens.base import FlowScreen

SHORT_REASONS = ("not_found", "damaged", "insufficient", "other")


class PickScreen(FlowScreen):
    title_code = "ui.home.pick"
    identifier = "screen-pick"

    def __init__(self, app: Any) -> None:
        self.flow = PickFlow(app.session.context())
        super().__init__(app)

    def prompt_code(self) -> str:
        return self.flow.prompt_code

    def handle_scan(self, code: str) -> Feedback:
        if self.flow.state is PickState.SCAN_SLOT:
            return self.flow.confirm_slot(code)
        return self.flow.scan(code)

    def handle_qty(self, text: str) -> Feedback:
        return self.flow.type_qty(text)

    def body(self) -> list[ft.Control]:
        if self.flow.state is PickState.CHOOSE_TASK:
            tasks = [(t.id, self.t("ui.pick.task_label", n=i + 1, lines=t.lines, units=t.units)
                      + (self.t("ui.pick.task_slots", slots=t.slots) if t.slots else ""))
                     for i, t in enumerate(self.flow.tasks())]
            return self.chooser(tasks, self.flow.start)
        current = self.flow.current_line()
        rows: list[ft.Control] = []
        if current is not None:
            slot = f"  → {current.slot}" if current.slot else ""
            rows.append(tagged(line_text(f"{current.bin_code}  {self.sku_text(current.sku_id)}  "
                                         f"{current.picked}/{current.qty}{slot}", size=22, bold=True), "current-line"))
        for line in self.flow.lines():
            mark = "√" if line.done else ("×" if line.short else "·")
            rows.append(line_text(f"{mark} {line.bin_code}  {self.sku_text(line.sku_id)}  {line.picked}/{line.qty}", size=16))
        return [ft.Column(rows, spacing=2)]

    def actions(self) -> list[ft.Control]:
        if self.flow.state in (PickState.CHOOSE_TASK, PickState.DONE):
            return []
        out = [self.button("ui.action.complete", self.flow.complete, "complete")]
        out += [self.button(f"ui.short.{reason}", lambda reason=reason: self.flow.short(reason), f"short-{reason}", filled=False)
                for reason in SHORT_REASONS]
        return out
