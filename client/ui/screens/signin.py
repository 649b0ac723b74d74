"""Sign-in on a shared device: pick your name, type your PIN."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.feedback import Feedback
from client.ui.components.widgets import FeedbackBanner, big_button, line_text, tagged


class SignInScreen:
    def __init__(self, app: Any) -> None:
        self.app, self.t = app, app.t
        self.chosen: str | None = None
        self.banner = FeedbackBanner(self.t("ui.signin.choose_user"))
        self.pin = ft.TextField(label=self.t("ui.signin.pin"), password=True, keyboard_type=ft.KeyboardType.NUMBER,
                                on_submit=self._pin_submitted, text_size=22, autofocus=True)

    def build(self) -> list[ft.Control]:
        users = []
        for user in self.app.session.users():
            async def choose(_event: Any, username: str = user.username) -> None:
                self.chosen = username
                self.banner.show_text(f"{self.t('ui.signin.pin')}: {username}")
                self.app.render()
                await self.pin.focus()

            users.append(big_button(user.display_name, choose, identifier=f"user-{user.username}", filled=self.chosen == user.username,
                                    width=210))
        return [tagged(line_text(self.t("ui.signin.title"), size=24, bold=True), "screen-signin"), self.banner.control,
                ft.Row(users, wrap=True), tagged(self.pin, "pin-field")]

    async def _pin_submitted(self, _event: Any) -> None:
        if self.chosen is None:
            return
        feedback: Feedback = self.app.session.sign_in(self.chosen, self.pin.value or "")
        self.pin.value = ""
        if feedback.ok:
            await self.app.go("/")
            return
        self.banner.show(feedback, self.app.lang)
        self.app.render()
