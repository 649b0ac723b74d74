"""Uploaded import files kept on the server between the dry run and the confirmation.

    Staging(root, ttl_s).put(owner, content, meta, now_s) -> token      a new folder under ``root``
    Staging.get(token, owner, now_s) -> Staged                          or ``web.files.upload_expired``
    Staging.write(staged, name, data) / Staging.path(staged, name)      files beside the upload
    Staging.discard(token) / Staging.sweep(now_s)                       removal; expired folders go

A folder is named by a random token (``secrets.token_urlsafe``) and holds the upload, the plan's
summary (``meta.json``) and the rejected-rows files. The token travels in page links; a request is
served only when the token has the right shape, its folder exists, it belongs to the asking session
(``owner``) and it is younger than ``ttl_s``. Paths are made here from the token and fixed names
only: nothing a client sends is used as a path.

Errors: ``NotFoundError`` ``web.files.upload_expired`` (unknown, malformed, foreign or expired token).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.core.errors import NotFoundError

TTL_S = 3600
UPLOAD = "upload.bin"
META = "meta.json"
NAMES = frozenset({UPLOAD, META, "rejected.csv", "rejected.xlsx"})
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def default_root() -> Path:
    return Path(tempfile.gettempdir()) / "erp-import-staging"


@dataclass(frozen=True, slots=True)
class Staged:
    token: str
    folder: Path
    meta: dict[str, Any]


class Staging:
    def __init__(self, root: Path, *, ttl_s: int = TTL_S) -> None:
        self.root = root
        self.ttl_s = ttl_s

    def put(self, owner: str, content: bytes, meta: dict[str, Any], *, now_s: float) -> Staged:
        self.sweep(now_s)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = secrets.token_urlsafe(24)
        folder = self.root / token
        folder.mkdir(mode=0o700)
        (folder / UPLOAD).write_bytes(content)
        staged = Staged(token, folder, {**meta, "owner": owner, "created_s": now_s})
        self.save(staged)
        return staged

    def get(self, token: str, owner: str, *, now_s: float) -> Staged:
        if not _TOKEN.match(token):
            raise NotFoundError("web.files.upload_expired")
        folder = self.root / token
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise NotFoundError("web.files.upload_expired") from None
        if meta.get("owner") != owner or now_s - float(meta.get("created_s", 0)) > self.ttl_s:
            raise NotFoundError("web.files.upload_expired")
        return Staged(token, folder, meta)

    def save(self, staged: Staged) -> None:
        self.write(staged, META, json.dumps(staged.meta, ensure_ascii=False).encode("utf-8"))

    def path(self, staged: Staged, name: str) -> Path:
        if name not in NAMES:
            raise ValueError(f"not a staging file name: {name!r}")
        return staged.folder / name

    def write(self, staged: Staged, name: str, data: bytes) -> Path:
        target = self.path(staged, name)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
        return target

    def discard(self, token: str) -> None:
        if _TOKEN.match(token):
            shutil.rmtree(self.root / token, ignore_errors=True)

    def sweep(self, now_s: float) -> int:
        """Remove folders older than the time limit (or without a readable summary); return how many."""
        if not self.root.is_dir():
            return 0
        removed = 0
        for folder in self.root.iterdir():
            if not (folder.is_dir() and _TOKEN.match(folder.name)):
                continue
            try:
                created = float(json.loads((folder / META).read_text(encoding="utf-8")).get("created_s", 0))
            except (OSError, ValueError):
                created = folder.stat().st_mtime
            if now_s - created > self.ttl_s:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed
