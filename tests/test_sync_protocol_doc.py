"""docs/sync-protocol.md matches the code: every sync endpoint and every error code a sync path can
produce is documented."""

from __future__ import annotations

import re
from pathlib import Path

from server.api.sync_routes import routes
from shared.core.messages import MESSAGES

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
CODE = re.compile(r"""["']((?:sync|device|task|master)\.[a-z_]+)["']""")


def test_every_sync_endpoint_is_documented() -> None:
    for route in routes:
        for method in sorted(route.methods - {"HEAD"}):  # type: ignore[attr-defined]
            assert f"`{method} /sync/v1{route.path}" in DOC, f"{method} {route.path}"


def test_every_sync_error_code_is_documented() -> None:
    sources = [ROOT / "sync", ROOT / "server" / "api", ROOT / "server" / "store" / "devices.py", ROOT / "server" / "store" / "tasks.py",
               ROOT / "server" / "store" / "masterdata.py", ROOT / "server" / "sync_port.py"]
    codes: set[str] = set()
    for src in sources:
        for path in ([src] if src.is_file() else sorted(src.rglob("*.py"))):
            codes |= set(CODE.findall(path.read_text(encoding="utf-8")))
    codes &= MESSAGES.keys()  # error codes have messages; event kinds such as task.created do not
    assert "sync.replayed_different_payload" in codes
    assert sorted(c for c in codes if f"`{c}`" not in DOC) == []
