"""The handheld app: one page, one route table, a top bar with the sync status that is always
visible, and a background sync every ``SYNC_EVERY_S``. Every handler is async, so the services (and
their SQLite connections) are only ever used from the event loop's thread."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import flet as ft

from client.services.feedback import label
from client.services.session import DeviceSession
from client.settings import ClientSettings
from client.ui import routes
from client.ui.components.sound import Sounds
from client.ui.components.widgets import tagged

SYNC_EVERY_S = 20


class HandheldApp:
    def __init__(self, page: ft.Page, session: DeviceSession, camera_index: int = 0) -> None:
        self.page, self.session, self.camera_index = page, session, camera_index
        self.route = "/"
        self.screen: Any = None
        self.status = ft.Text("", size=14)
        self.offline_box = ft.Container(content=ft.Text(label("ui.sync.offline", session.language), color="#ffffff", size=14),
                                        bgcolor="#b45f06", padding=6)
        self.offline = tagged(self.offline_box, "offline-banner")  # visibility on the wrapper: Semantics needs visible content
        self.body = ft.Column(expand=True, scroll=ft.ScrollMode.AUTO, spacing=10)
        self.sounds: Sounds | None = None
        self.sync_label = ft.Text("")
        self.lang_label = ft.Text("")

    @property
    def lang(self) -> str:
        return self.session.language

    def t(self, code: str, **values: Any) -> str:
        return label(code, self.lang, **values)

    async def go(self, route: str) -> None:
        self.route = routes.resolve(route, self.session)
        self.screen = routes.SCREENS[self.route](self)
        self.render()

    def render(self) -> None:
        self.body.controls = list(self.screen.build())
        self.refresh_status()
        self.page.update()

    def refresh_status(self) -> None:
        self.sync_label.value, self.lang_label.value = self.t("ui.sync.now"), self.t("ui.lang.switch")
        if not self.session.enrolled:
            return
        sync = self.session.sync_status()
        last = time.strftime("%H:%M", time.localtime(sync.last_ok_ms / 1000)) if sync.last_ok_ms else None
        parts = [self.t("ui.sync.pending", count=sync.pending_ops),
                 self.t("ui.sync.last_ok", time=last) if last else self.t("ui.sync.never")]
        if sync.rejected:
            parts.append(self.t("ui.sync.rejected", count=len(sync.rejected)))
        self.status.value = " · ".join(parts)
        self.offline.visible = sync.offline
        self.offline_box.content.value = self.t("ui.sync.offline")  # type: ignore[union-attr]

    async def sync_now(self, _event: Any = None) -> None:
        outcome = self.session.sync_now()
        if self.screen is not None and hasattr(self.screen, "after_sync"):
            self.screen.after_sync(outcome)
        self.render()

    async def switch_language(self, _event: Any = None) -> None:
        self.session.set_language("en" if self.lang == "zh-CN" else "zh-CN")
        self.page.title = self.t("ui.home.title")
        self.screen = routes.SCREENS[self.route](self)
        self.render()

    def top_bar(self) -> ft.Control:
        return ft.Column([
            ft.Row([tagged(self.status, "sync-status"),
                    tagged(ft.TextButton(content=self.sync_label, on_click=self.sync_now), "sync-now"),
                    tagged(ft.TextButton(content=self.lang_label, on_click=self.switch_language), "lang-switch")],
                   alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True),
            self.offline,
        ], spacing=4)

    async def background_sync(self) -> None:
        while True:
            await asyncio.sleep(SYNC_EVERY_S)
            if self.session.enrolled and self.session.user is not None:
                await self.sync_now()


def main_for(settings: ClientSettings, session: DeviceSession) -> Any:
    async def main(page: ft.Page) -> None:
        page.fonts = {"cjk": "fonts/cjk.ttf"}
        page.theme = ft.Theme(font_family="cjk")
        page.padding = 12
        app = HandheldApp(page, session, settings.camera_index)
        app.sounds = Sounds(page)
        page.title = app.t("ui.home.title")
        page.add(ft.SafeArea(content=ft.Column([app.top_bar(), app.body], expand=True), expand=True))
        await app.go("/")
        page.run_task(app.background_sync)

    return main
