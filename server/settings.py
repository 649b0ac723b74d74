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
        )
