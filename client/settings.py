"""Handheld settings, read from the environment in one place (``from_env``) and passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClientSettings:
    data_dir: Path = Path("data/handheld")
    server_url: str = "http://127.0.0.1:8000"
    allow_insecure_http: bool = False  # plain http:// to a non-loopback server; loopback is always allowed
    host: str = "127.0.0.1"
    port: int = 8550
    font_path: str = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
    camera_index: int = 0  # OpenCV capture device for camera scanning

    @property
    def replica_path(self) -> Path:
        return self.data_dir / "replica.sqlite3"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientSettings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("ERP_CLIENT_DATA_DIR", "data/handheld")),
            server_url=env.get("ERP_SERVER_URL", "http://127.0.0.1:8000"),
            allow_insecure_http=env.get("ERP_CLIENT_ALLOW_INSECURE_HTTP", "") == "1",
            host=env.get("ERP_CLIENT_HOST", "127.0.0.1"),
            port=int(env.get("ERP_CLIENT_PORT", "8550")),
            font_path=env.get("ERP_CLIENT_FONT", cls.font_path),
            camera_index=int(env.get("ERP_CLIENT_CAMERA", "0")),
        )
