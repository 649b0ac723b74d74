"""Server settings. The environment is read here and nowhere else; everything else is handed a
``Settings`` object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    import_max_bytes: int = 50 * 1024 * 1024
    secret_key: str = ""  # signs device tokens; when empty, kept in <data_dir>/secret.key
    simulators: bool = False  # serve the platform and carrier simulators under /sim (demo; never in production)
    order_worker_seconds: int = 0  # pull orders, push stock, ship packed packages every N seconds (0 = off)
    carrier_url: str = ""  # the e-waybill API (cainiao-shaped); "" with simulators on = this server's /sim/carrier
    carrier_cp_code: str = "YTO"
    sender_name: str = "ERP 上海中心仓"
    sender_mobile: str = "13800000000"
    sender_address: str = "上海/上海市/浦东新区/张江路 100 号"  # province/city/district/street

    @property
    def resolved_database_url(self) -> str:
        """``ERP_DATABASE_URL`` if given, else the embedded SQLite file under the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'erp.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("ERP_DATA_DIR", "data")),
            database_url=env.get("ERP_DATABASE_URL", ""),
            host=env.get("ERP_HOST", "127.0.0.1"),
            port=int(env.get("ERP_PORT", "8000")),
            secret_key=env.get("ERP_SECRET_KEY", ""),
            simulators=env.get("ERP_SIMULATORS", "") in ("1", "true", "yes"),
            order_worker_seconds=int(env.get("ERP_ORDER_WORKER_SECONDS", "0")),
            carrier_url=env.get("ERP_CARRIER_URL", ""),
            carrier_cp_code=env.get("ERP_CARRIER_CP_CODE", "YTO"),
            sender_name=env.get("ERP_SENDER_NAME", cls.sender_name),
            sender_mobile=env.get("ERP_SENDER_MOBILE", cls.sender_mobile),
            sender_address=env.get("ERP_SENDER_ADDRESS", cls.sender_address),
        )

    @property
    def base_url(self) -> str:
        """This server as its own processes reach it (loopback when bound to every address)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def resolved_carrier_url(self) -> str:
        if self.carrier_url:
            return self.carrier_url.rstrip("/")
        return f"{self.base_url}/sim/carrier" if self.simulators else ""


def load_or_create_secret(settings: Settings) -> str:
    """``ERP_SECRET_KEY`` if set; otherwise a random key kept in ``<data_dir>/secret.key`` (mode 600)."""
    if settings.secret_key:
        return settings.secret_key
    import secrets

    path = settings.data_dir / "secret.key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key, encoding="ascii")
    return key
