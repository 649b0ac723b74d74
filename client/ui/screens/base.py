"""What every flow screen shares: a title with Back, the feedback banner, the prompt, the always-focused
scan field (wedge bursts, debounced), an optional typed-quantity field, and a body and actions the
screen supplies."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
import threading
import time
from collections.abc import Callable
from typing import Any

import flet as ft

from client.services.camera import CameraScanner, OpenCvCamera
from client.services.feedback import Feedback, from_error
from client.services.scan_input import WedgeInput
from client.ui.components.widgets import FeedbackBanner, ScanField, big_button, line_text, tagged
from shared.core.errors import DomainError


class FlowScreen(ABC):
    title_code = "ui.home.title"
    identifier = "screen"
    with_qty = True

    def __init__(self, app: Any) -> None:
        self.app = app
        self.t = app.t
        self.banner = FeedbackBanner(self.t(self.prompt_code()))
        self.next_route: str | None = None
        self._camera_stop: threading.Event | None = None
        self.scan = ScanField(self.t("ui.prompt.scan_anything"), self._scanned, active=lambda: app.screen is self)
        self.wedge = WedgeInput(now_ms=lambda: time.monotonic_ns() // 1_000_000)
        self.qty = ft.TextField(label=self.t("ui.action.type_qty"), keyboard_type=ft.KeyboardType.NUMBER, width=160,
                                on_submit=self._qty_submitted, text_size=20)

    # ---- what a screen supplies -------------------------------------------------------------------

    def prompt_code(self) -> str:
        return "ui.prompt.scan_anything"

    @abstractmethod
    def handle_scan(self, code: str) -> Feedback:
        """What this screen does with one scanned code."""

    def handle_qty(self, text: str) -> Feedback | None:
        return None

    def body(self) -> list[ft.Control]:
        return []

    def actions(self) -> list[ft.Control]:
        return []

    # ---- shared behaviour ----------------------------------------------------------------------------

    # ---- camera: decoding on a worker thread, each new code handed to the event loop -----------------

    async def _camera_toggle(self, _event: Any) -> None:
        if self._camera_stop is not None:
            self._camera_stop.set()
            self._camera_stop = None
            self.app.render()
            return
        try:
            scanner = CameraScanner(OpenCvCamera(self.app.camera_index), now_ms=lambda: time.monotonic_ns() // 1_000_000)
        except DomainError as exc:
            self.show(from_error(exc))
            return
        stop = threading.Event()
        self._camera_stop = stop
        loop = asyncio.get_running_loop()

        def found(text: str) -> None:
            if self.app.screen is not self:
                stop.set()
                return
            asyncio.run_coroutine_threadsafe(self._scanned_code(text), loop)

        threading.Thread(target=self._camera_loop, args=(scanner, found, stop), daemon=True).start()
        self.app.render()

    @staticmethod
    def _camera_loop(scanner: CameraScanner, found: Callable[[str], None], stop: threading.Event) -> None:
        try:
            scanner.run(found, stop)
        finally:
            scanner.close()

    def _timed_scan(self, code: str) -> Feedback:
        """The flow's answer to a scan (its local commit included), timed for the device status."""
        started = time.perf_counter()
        feedback = self.handle_scan(code)
        self.app.session.scan_timer.record((time.perf_counter() - started) * 1000.0)
        return feedback

    async def _scanned_code(self, code: str) -> None:
        self.show(self._timed_scan(code))
        if self.next_route is not None:
            await self.app.go(self.next_route)

    def build(self) -> list[ft.Control]:
        back = tagged(ft.TextButton(content=ft.Text(self.t("ui.action.back"), size=18), on_click=self._back), "back")
        camera_code = "ui.action.camera_off" if self._camera_stop is not None else "ui.action.camera"
        camera = tagged(ft.TextButton(content=ft.Text(self.t(camera_code), size=16), on_click=self._camera_toggle), "camera")
        header = ft.Row([back, line_text(self.t(self.title_code), size=24, bold=True), camera])
        prompt = tagged(line_text(self.t(self.prompt_code()), size=18), "prompt")
        inputs = ft.Row([ft.Container(self.scan.control, expand=True), tagged(self.qty, "qty-field")] if self.with_qty
                        else [ft.Container(self.scan.control, expand=True)])
        actions = self.actions()
        controls: list[ft.Control] = [tagged(ft.Column([header], spacing=0), self.identifier), self.banner.control, prompt, inputs,
                                      *self.body()]
        if actions:
            controls.append(ft.Row(actions, wrap=True))
        return controls

    def show(self, feedback: Feedback | None) -> None:
        """Show (and sound) the feedback; it comes after the scan's local commit, never before."""
        if feedback is not None:
            self.banner.show(feedback, self.app.lang)
            if self.app.sounds is not None:
                self.app.page.run_task(self.app.sounds.play, feedback.tone)
        self.app.render()

    async def _scanned(self, raw: str) -> None:
        code = self.wedge.submit(raw)
        if code is None:
            return
        self.show(self._timed_scan(code))
        if self.next_route is not None:
            await self.app.go(self.next_route)

    async def _qty_submitted(self, _event: Any) -> None:
        text = self.qty.value or ""
        self.qty.value = ""
        self.show(self.handle_qty(text))
        await self.scan.field.focus()

    async def _back(self, _event: Any) -> None:
        if self._camera_stop is not None:
            self._camera_stop.set()
        await self.app.go("/")

    def button(self, code: str, handler: Callable[[], Feedback | None], identifier: str, *, filled: bool = True) -> ft.Control:
        async def clicked(_event: Any) -> None:
            self.show(handler())
            await self.scan.field.focus()

        return big_button(self.t(code), clicked, identifier=identifier, filled=filled)

    def chooser(self, items: list[tuple[str, str]], pick: Callable[[str], Feedback]) -> list[ft.Control]:
        """Buttons for documents/tasks to choose from: (id, text)."""
        out: list[ft.Control] = []
        for item_id, text in items:
            async def chosen(_event: Any, item_id: str = item_id) -> None:
                self.show(pick(item_id))
                await self.scan.field.focus()

            out.append(big_button(text, chosen, identifier=f"choose-{item_id[:8]}", filled=False))
        return out

    def sku_text(self, sku_id: str) -> str:
        info = self.app.session.context().sku(sku_id)
        name = info.name_en if self.app.lang == "en" and info.name_en else info.name_zh
        return f"{info.code} {name}"
