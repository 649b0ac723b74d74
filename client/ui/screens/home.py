"""Home: open work per flow (counts), sign-out. Store mode shows the store's flows."""

from __future__ import annotations

from typing import Any

import flet as ft

from client.services.pack import open_pack_count
from client.ui.components.widgets import big_button, line_text, tagged


class HomeScreen:
    def __init__(self, app: Any) -> None:
        self.app, self.t = app, app.t

    def build(self) -> list[ft.Control]:
        home = self.app.session.home()
        w = home.work
        entries = [("ui.home.lookup", "/lookup", None)] if home.store_mode else []
        packs = open_pack_count(self.app.session.replica, self.app.session.replicator.device_id)
        entries += [("ui.home.pick", "/pick", w.pick_tasks), ("ui.home.pack", "/pack", packs),
                    ("ui.home.receive", "/receive", w.receipts_open),
                    ("ui.home.move", "/move", None), ("ui.home.transfer_ship", "/transfer/ship", w.transfers_to_ship),
                    ("ui.home.transfer_receive", "/transfer/receive", w.transfers_to_receive),
                    ("ui.home.stocktake", "/stocktake", w.stocktakes_open + w.recount_tasks)]
        if not home.store_mode:
            entries.append(("ui.home.lookup", "/lookup", None))
        buttons = []
        for code, route, count in entries:
            async def open_flow(_event: Any, route: str = route) -> None:
                await self.app.go(route)

            text = self.t(code) + (f"  ({count})" if count is not None else "")
            buttons.append(big_button(text, open_flow, identifier="go" + route.replace("/", "-")))
        title = self.t("ui.home.store_title" if home.store_mode else "ui.home.title")
        where = home.warehouse.code if home.warehouse else ""

        async def sign_out(_event: Any) -> None:
            self.app.session.sign_out()
            await self.app.go("/signin")

        rows = [tagged(line_text(f"{title} · {where} · {home.user_display_name}", size=22, bold=True), "screen-home")]
        if w.exception_tasks:
            rows.append(line_text(f"{self.t('ui.home.exception')}: {w.exception_tasks}", colour="#b00020"))
        rows += [ft.Column(buttons, spacing=8),
                 tagged(ft.TextButton(content=ft.Text(self.t("ui.signin.sign_out")), on_click=sign_out), "sign-out")]
        return rows
