"""Staged uploads: random tokens, bound to their owner, expiring, and never a path from outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.imports.staging import Staging
from shared.core.errors import NotFoundError


def test_put_then_get_by_owner_only_until_expiry(tmp_path: Path) -> None:
    area = Staging(tmp_path / "s", ttl_s=3600)
    staged = area.put("session-1", b"a,b\n", {"kind": "skus"}, now_s=1000.0)
    assert len(staged.token) == 32 and (staged.folder / "upload.bin").read_bytes() == b"a,b\n"
    assert area.get(staged.token, "session-1", now_s=4600.0).meta["kind"] == "skus"
    for token, owner, now in ((staged.token, "session-2", 1001.0), (staged.token, "session-1", 4601.0),
                              ("../../etc/passwd", "session-1", 1001.0), ("x" * 32, "session-1", 1001.0)):
        with pytest.raises(NotFoundError) as caught:
            area.get(token, owner, now_s=now)
        assert caught.value.code == "web.files.upload_expired"


def test_sweep_removes_expired_folders_and_leaves_others(tmp_path: Path) -> None:
    area = Staging(tmp_path / "s", ttl_s=60)
    old = area.put("a", b"1", {}, now_s=0.0)
    new = area.put("a", b"2", {}, now_s=100.0)  # this put sweeps the old one
    assert not old.folder.exists() and new.folder.exists()
    (area.root / "not-a-token").mkdir()
    assert area.sweep(1000.0) == 1 and (area.root / "not-a-token").exists()


def test_only_known_file_names(tmp_path: Path) -> None:
    area = Staging(tmp_path / "s")
    staged = area.put("a", b"1", {}, now_s=0.0)
    with pytest.raises(ValueError):
        area.path(staged, "../x")
    area.discard("../../")  # not a token: nothing happens
    area.discard(staged.token)
    assert not staged.folder.exists()
