"""``erp labels bins`` / ``erp labels skus``: label files written from the store (SQLite file)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from server.cli.main import app
from server.store import catalogue
from server.store.db import open_store
from shared.catalogue.model import new_bin, new_sku, new_warehouse


@pytest.fixture
def db_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    store = open_store(url)
    try:
        with store.transaction() as conn:
            wh = catalogue.insert_warehouse(conn, new_warehouse("WH-SH", "上海仓", "Shanghai DC"))
            catalogue.insert_bins(conn, [new_bin(wh.id, "A-01", walk_seq=1), new_bin(wh.id, "A-02", walk_seq=2),
                                         new_bin(wh.id, "B-01", walk_seq=3)])
            catalogue.insert_sku(conn, new_sku("TEA-001", "西湖龙井"))
    finally:
        store.dispose()
    yield url


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"ERP_DATABASE_URL": db_url})


def test_bin_labels_pdf_for_a_prefix(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bins.pdf"
    result = run(db_url, "labels", "bins", "--warehouse", "wh-sh", "--prefix", "A-", "--out", str(out))
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert [p.extract_text().split("\n")[0] for p in reader.pages] == ["A-01", "A-02"]


def test_sku_labels_zpl_and_unknown_codes(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "skus.zpl"
    assert run(db_url, "labels", "skus", "TEA-001", "--copies", "2", "--out", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("^XA") == 1 and "^PQ2" in text and "西湖龙井" in text
    missing = run(db_url, "labels", "skus", "NOPE", "--out", str(tmp_path / "x.zpl"))
    assert missing.exit_code == 2 and "print.unknown_skus" in missing.output
    assert run(db_url, "labels", "skus", "TEA-001", "--out", str(tmp_path / "x.png")).exit_code == 2
