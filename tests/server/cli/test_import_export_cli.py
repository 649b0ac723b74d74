"""``erp import`` / ``erp export`` driven through the typer app against a SQLite file (ERP_DATABASE_URL)."""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from server.cli.main import app
from server.store import catalogue
from server.store.db import Store, make_engine
from server.store.schema import barcodes, movements, skus
from shared.catalogue.model import new_warehouse
from tests.strategies import EAN_13, EXCEL_SCIENTIFIC, UPC_A

GOOD = f"商品编码,商品名称,条码\nTEA-1,龙井,{EAN_13}\nCUP-2,茶杯,{UPC_A}\n"
ONE_BAD = GOOD + f"BAD-3,坏条码,{EXCEL_SCIENTIFIC}\n"


@pytest.fixture
def db_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, db_url: str, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), env={"ERP_DATABASE_URL": db_url}, input=input)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def count(db_url: str, table: object) -> int:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_import_dry_run_reports_and_commits_nothing(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", GOOD)), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 accepted, 0 rejected" in result.output and "可导入 2 行" in result.output
    assert count(db_url, skus) == 0


def test_import_file_with_a_rejected_row_commits_nothing_without_accept_partial(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    file = write(tmp_path, "skus.csv", ONE_BAD)
    result = run(runner, db_url, "import", "skus", str(file), "--yes")
    assert result.exit_code == 1, result.output
    assert "barcode.scientific_notation" in result.output and "--accept-partial" in result.output
    assert result.output.index("科学计数法") < result.output.index("scientific notation")  # zh-CN first
    assert count(db_url, skus) == 0
    rejected = tmp_path / "skus.rejected.csv"
    assert rejected.read_bytes().startswith(codecs.BOM_UTF8) and "BAD-3" in rejected.read_text("utf-8-sig")


def test_import_answer_no_at_the_prompt_commits_nothing(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", GOOD)), input="n\n")
    assert result.exit_code == 1, result.output
    assert "Import 2 rows?" in result.output and "nothing imported" in result.output
    assert count(db_url, skus) == 0


def test_import_empty_answer_at_the_prompt_commits_nothing(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", GOOD)), input="\n")
    assert result.exit_code == 1
    assert count(db_url, skus) == 0


def test_import_answer_yes_at_the_prompt_commits(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", GOOD, "gbk")), input="y\n")
    assert result.exit_code == 0, result.output
    assert "Imported 2 rows" in result.output
    assert count(db_url, skus) == 2 and count(db_url, barcodes) == 2


def test_import_accept_partial_commits_only_the_accepted_rows(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out" / "bad.csv"
    out.parent.mkdir()
    result = run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", ONE_BAD)),
                 "--accept-partial", "--yes", "--rejected-out", str(out))
    assert result.exit_code == 0, result.output
    assert count(db_url, skus) == 2
    assert "BAD-3" in out.read_text("utf-8-sig")


def test_import_dry_run_with_rejected_rows_exits_1_and_writes_the_rejected_file(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", ONE_BAD)), "--dry-run", "--accept-partial", "--yes")
    assert result.exit_code == 1
    assert (tmp_path / "skus.rejected.csv").exists() and count(db_url, skus) == 0


def test_import_skus_bins_then_utf16_opening_stock(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", GOOD)), "--yes")
    engine = make_engine(db_url)
    with Store(engine).transaction() as conn:
        catalogue.insert_warehouse(conn, new_warehouse("WH-SH", "上海仓"))
    engine.dispose()
    assert run(runner, db_url, "import", "bins", str(write(tmp_path, "bins.csv", "仓库编码,库位编码\nWH-SH,A-01\n")), "--yes").exit_code == 0
    stock = write(tmp_path, "stock.csv", "仓库\t库位\t商品编码\t数量\r\nWH-SH\tA-01\tTEA-1\t12\r\n", "utf-16")
    result = run(runner, db_url, "import", "stock", str(stock), "--yes")
    assert result.exit_code == 0, result.output
    assert count(db_url, movements) == 1


@pytest.mark.parametrize("args,code", [
    (["import", "orders", "{dir}/x.csv"], "import.unknown_kind"),
    (["export", "skus", "{dir}/out.txt"], "export.unknown_format"),
    (["export", "orders", "{dir}/out.csv"], "export.unknown_kind"),
])
def test_unknown_kind_or_format_exits_2_with_the_typed_error(runner: CliRunner, db_url: str, tmp_path: Path,
                                                             args: list[str], code: str) -> None:
    write(tmp_path, "x.csv", GOOD)
    result = run(runner, db_url, *(a.format(dir=tmp_path) for a in args))
    assert result.exit_code == 2
    assert code in result.output


def test_import_undecodable_file_exits_2_with_import_encoding(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(128, 256)) * 20)
    result = run(runner, db_url, "import", "skus", str(path), "--yes")
    assert result.exit_code == 2
    assert "import.encoding" in result.output and "无法识别文件编码" in result.output
    assert count(db_url, skus) == 0


def test_export_writes_xlsx_and_csv(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    run(runner, db_url, "import", "skus", str(write(tmp_path, "skus.csv", GOOD)), "--yes")
    for name in ("skus.xlsx", "skus.csv"):
        result = run(runner, db_url, "export", "skus", str(tmp_path / "out" / name))
        assert result.exit_code == 0, result.output
        assert "Exported 2 rows" in result.output
    book = load_workbook(tmp_path / "out" / "skus.xlsx", read_only=True)
    values = [tuple(c.value for c in row) for row in book.worksheets[0].iter_rows(max_col=1)]
    book.close()
    assert values == [("商品编码 (code)",), ("CUP-2",), ("TEA-1",)]
    assert (tmp_path / "out" / "skus.csv").read_bytes().startswith(codecs.BOM_UTF8)


def test_import_never_overwrites_the_imported_file_with_rejected_rows(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    file = write(tmp_path, "skus.csv", ONE_BAD)
    result = run(runner, db_url, "import", "skus", str(file), "--dry-run", "--rejected-out", str(file))
    assert result.exit_code == 2
    assert file.read_text() == ONE_BAD
