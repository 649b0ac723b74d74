"""Start the handheld app. On a handheld (Flet's Android build) the same Python runs on the device;
for development, tests and demos it runs in Flet's web mode on 127.0.0.1 and a browser is its screen.

    .venv/bin/erp-handheld            (settings: ERP_SERVER_URL, ERP_CLIENT_DATA_DIR, ERP_CLIENT_PORT, …)
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import flet as ft
import httpx

from client.services.session import DeviceSession
from client.settings import ClientSettings
from client.ui.app import main_for
from client.ui.components.sound import write_tones
from sync.transport import HttpxTransport


def prepare_assets(settings: ClientSettings) -> Path:
    """The web build fetches fonts from the app's assets; serve a CJK font so Chinese renders offline."""
    assets = settings.data_dir / "assets"
    (assets / "fonts").mkdir(parents=True, exist_ok=True)
    font = Path(settings.font_path)
    target = assets / "fonts" / "cjk.ttf"
    if font.exists() and not target.exists():
        shutil.copyfile(font, target)
    write_tones(assets / "sounds")
    return assets.resolve()


def open_session(settings: ClientSettings) -> DeviceSession:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    transport = HttpxTransport(httpx.Client(timeout=15), settings.server_url, allow_insecure_http=settings.allow_insecure_http)
    session = DeviceSession(settings.replica_path, transport, now_ms=lambda: time.time_ns() // 1_000_000,
                            device_name="PDA", app_version="0.1.0")
    transport.status = session.device_status  # every sync request tells the server who, outbox, scan latency
    return session


def run(settings: ClientSettings | None = None) -> None:
    settings = settings or ClientSettings.from_env()
    assets = prepare_assets(settings)
    session = open_session(settings)
    print(f"handheld (web mode): http://{settings.host}:{settings.port}/  (server {settings.server_url})", flush=True)
    ft.run(main_for(settings, session), view=ft.AppView.WEB_BROWSER, host=settings.host, port=settings.port, no_cdn=True,
           assets_dir=str(assets))


if __name__ == "__main__":
    run()
