"""Enrolment: scan the one-time QR code the back office shows (a scanner reads it as text) or type it."""

from __future__ import annotations

from typing import Any

from client.services.feedback import Feedback
from client.ui.screens.base import FlowScreen


class EnrolScreen(FlowScreen):
    title_code = "ui.enrol.title"
    identifier = "screen-enrol"
    with_qty = False

    def prompt_code(self) -> str:
        return "ui.enrol.code"

    def handle_scan(self, code: str) -> Feedback:
        feedback: Feedback = self.app.session.enrol(code)
        if feedback.ok:
            self.next_route = "/signin"
        return feedback

    async def _back(self, _event: Any) -> None:
        return None
