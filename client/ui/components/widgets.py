"""Handheld widgets. Large touch targets (≥ 56 px), high contrast, one-handed: the action buttons sit
at the bottom, the scan field is always focused so a keyboard-wedge scanner needs zero taps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from client.services.feedback import Feedback

TONE_COLOURS = {"ok": ("#0f7b0f", "#ffffff"), "done": ("#0b5394", "#ffffff"), "warn": ("#b45f06", "#ffffff"),
                "error": ("#b00020", "#ffffff"), "idle": ("#eeeeee", "#202020")}


def tagged(control: ft.Control, identifier: str) -> ft.Control:
    """Wrap ``control`` so tests and screen readers can address it as [flt-semantics-identifier=...]."""
    return ft.Semantics(content=control, identifier=identifier)


class ScanField:
    """The capture field: takes scanner bursts ending in Enter, hands each to ``on_scan`` and takes
    focus back at once (Flutter drops focus after Enter), so scanning continues with no taps."""

    def __init__(self, label: str, on_scan: Callable[[str], Awaitable[None]], *, keyboard_numeric: bool = False,
                 active: Callable[[], bool] = lambda: True) -> None:
        self._active = active
        self.field = ft.TextField(label=label, autofocus=True, text_size=22, height=64,
                                  keyboard_type=ft.KeyboardType.NUMBER if keyboard_numeric else ft.KeyboardType.TEXT)
        self._on_scan = on_scan
        self.field.on_submit = self._submitted
        self.control = tagged(self.field, "scan-field")

    async def _submitted(self, _event: Any) -> None:
        raw = self.field.value or ""
        self.field.value = ""
        self.field.update()
        try:
            await self._on_scan(raw)
        finally:
            if self._active():  # a scan that navigated away must not focus a field no longer on the page
                await self.field.focus()


class FeedbackBanner:
    """Green for a taken scan, red with a one-line reason for a refused one (blue when a unit of work
    closes, amber for a warning)."""

    def __init__(self, idle_text: str) -> None:
        self.text = ft.Text(idle_text, size=20, weight=ft.FontWeight.BOLD, color=TONE_COLOURS["idle"][1])
        self.box = ft.Container(content=self.text, bgcolor=TONE_COLOURS["idle"][0], padding=16, border_radius=8)
        self.control = tagged(self.box, "feedback")

    def show(self, feedback: Feedback, lang: str) -> None:
        bg, fg = TONE_COLOURS.get(feedback.tone, TONE_COLOURS["idle"])
        self.box.bgcolor, self.text.color, self.text.value = bg, fg, feedback.message(lang)

    def show_text(self, text: str, tone: str = "idle") -> None:
        bg, fg = TONE_COLOURS.get(tone, TONE_COLOURS["idle"])
        self.box.bgcolor, self.text.color, self.text.value = bg, fg, text


def big_button(text: str, on_click: Callable[[Any], Any], *, identifier: str, filled: bool = True, width: int = 440) -> ft.Control:
    """A large touch target (60 px high, a thumb's reach wide)."""
    style = ft.ButtonStyle(padding=16, shape=ft.RoundedRectangleBorder(radius=8))
    button = (ft.FilledButton if filled else ft.OutlinedButton)(content=ft.Text(text, size=20), on_click=on_click,
                                                                 style=style, height=60, width=width)
    return tagged(button, identifier)


def line_text(text: str, *, size: int = 18, bold: bool = False, colour: str | None = None) -> ft.Text:
    return ft.Text(text, size=size, weight=ft.FontWeight.BOLD if bold else ft.FontWeight.NORMAL, color=colour, selectable=False)
