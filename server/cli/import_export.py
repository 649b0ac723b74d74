"""``erp import`` and ``erp export``: catalogue files in and out.

    erp import skus|bins|stock FILE [--dry-run] [--yes] [--accept-partial] [--rejected-out PATH]
    erp export skus|bins|stock OUT.xlsx|OUT.csv

``import`` reads and checks the whole file (CSV or XLSX) before anything else and prints the report:
how many rows are accepted and rejected, and the first rejected rows with their reasons, zh-CN then
English. The rejected rows go to a CSV (``--rejected-out``, by default ``FILE.rejected.csv`` beside
the file) to fix and import again. Then, unless ``--dry-run``:

- if any row was rejected, nothing is committed unless ``--accept-partial`` is given;
- it asks before committing unless ``--yes``; any answer but yes commits nothing;
- the accepted rows are committed in one transaction (all or nothing).

Exit codes: 0 committed, or a dry run without rejected rows; 1 nothing committed (rejected rows,
declined, or a dry run with rejected rows); 2 the file or the command could not be used (the typed
error is printed, zh-CN then English).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from server.exports import catalogue_export
from server.imports import catalogue_import
from server.imports.catalogue_import import ImportPlan
from server.imports.reader import open_table
from server.settings import Settings
from server.store.db import Store, open_store
from shared.core.errors import DomainError

SHOWN_REJECTED = 20
_TICK_EVERY = 200
EXIT_NOT_COMMITTED = 1
EXIT_ERROR = 2


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)
    app.command("export")(export_file)


def import_file(
    kind: str = typer.Argument(..., help="skus, bins or stock."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="A .csv or .xlsx file."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report only; never commit."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Commit without asking."),
    accept_partial: bool = typer.Option(False, "--accept-partial", help="Commit the accepted rows even if some were rejected."),
    rejected_out: Path | None = typer.Option(None, "--rejected-out", dir_okay=False, help="Where to write the rejected rows (CSV)."),
) -> None:
    """Import SKUs (with barcodes), bins or opening stock from a CSV or XLSX file, after a dry-run report."""
    with _typed_errors():
        settings = Settings.from_env()
        catalogue_import.check_kind(kind)
        store = open_store(settings.resolved_database_url)
        try:
            plan = _plan(kind, file, store, settings)
            _report(file, plan)
            if plan.rejected:
                path = catalogue_import.write_rejected_csv(plan, _rejected_path(file, rejected_out))
                typer.echo(f"被拒绝的行已写入 / Rejected rows written to: {path}")
            _commit(plan, store, dry_run=dry_run, yes=yes, accept_partial=accept_partial)
        finally:
            store.dispose()


def export_file(
    kind: str = typer.Argument(..., help="skus, bins or stock."),
    out: Path = typer.Argument(..., dir_okay=False, help="The file to write: .xlsx or .csv."),
) -> None:
    """Export SKUs, bins or stock to XLSX (codes kept as text) or CSV (UTF-8 with BOM)."""
    with _typed_errors():
        catalogue_export.check_target(kind, out)
        store = open_store(Settings.from_env().resolved_database_url)
        try:
            with store.read() as conn:
                total = catalogue_export.count_rows(kind, conn)
                with _progress("导出 / Exporting", total) as tick:
                    count = catalogue_export.export(kind, conn, out, progress=tick)
        finally:
            store.dispose()
    typer.echo(f"已导出 {count} 行到 {out} / Exported {count} rows to {out}")


# ---- import steps --------------------------------------------------------------------------------


def _plan(kind: str, file: Path, store: Store, settings: Settings) -> ImportPlan:
    with (open_table(file, max_bytes=settings.import_max_bytes) as table, store.read() as conn,
          _progress("检查 / Checking", None) as tick):
        return catalogue_import.plan(kind, table, conn, progress=tick)


def _report(file: Path, plan: ImportPlan) -> None:
    typer.echo(f"文件 / File: {file}")
    typer.echo(f"共 {plan.total} 行：可导入 {len(plan.accepted)} 行，拒绝 {len(plan.rejected)} 行"
               f" / {plan.total} rows: {len(plan.accepted)} accepted, {len(plan.rejected)} rejected")
    if plan.ignored_columns:
        typer.echo(f"忽略的列 / Ignored columns: {', '.join(plan.ignored_columns)}")
    if plan.rejected:
        typer.echo(f"被拒绝的行（前 {SHOWN_REJECTED} 行）/ Rejected rows (first {SHOWN_REJECTED}):")
    for r in plan.rejected[:SHOWN_REJECTED]:
        label = f" [{r.label}]" if r.label else ""
        typer.echo(f"  第 {r.row} 行 / row {r.row}{label} {r.error.code}: {r.error.message('zh-CN')} / {r.error.message('en')}")


def _commit(plan: ImportPlan, store: Store, *, dry_run: bool, yes: bool, accept_partial: bool) -> None:
    if dry_run:
        typer.echo("试运行：没有导入任何行 / Dry run: nothing imported")
        raise typer.Exit(EXIT_NOT_COMMITTED if plan.rejected else 0)
    if not plan.accepted:
        typer.echo("没有可导入的行 / No rows to import")
        raise typer.Exit(EXIT_NOT_COMMITTED if plan.rejected else 0)
    if plan.rejected and not accept_partial:
        typer.echo("有被拒绝的行，没有导入任何行；确认只导入可导入的行请加 --accept-partial"
                   " / Some rows were rejected and nothing was imported; add --accept-partial to import the accepted rows only")
        raise typer.Exit(EXIT_NOT_COMMITTED)
    question = f"导入 {len(plan.accepted)} 行？/ Import {len(plan.accepted)} rows?"
    if not yes and not typer.confirm(question, default=False):
        typer.echo("已取消，没有导入任何行 / Cancelled: nothing imported")
        raise typer.Exit(EXIT_NOT_COMMITTED)
    with _progress("导入 / Importing", len(plan.accepted)) as tick:
        count = catalogue_import.apply(plan, store, accept_partial=accept_partial, progress=tick)
    typer.echo(f"已导入 {count} 行 / Imported {count} rows")


def _rejected_path(file: Path, chosen: Path | None) -> Path:
    path = chosen or file.with_name(f"{file.stem}.rejected.csv")
    if path.resolve() == file.resolve():
        raise typer.BadParameter("must not be the file being imported", param_hint="--rejected-out")
    return path


# ---- shared --------------------------------------------------------------------------------------


@contextmanager
def _typed_errors() -> Iterator[None]:
    """A typed error (or a file that cannot be read or written) ends the command with exit code 2."""
    try:
        yield
    except DomainError as exc:
        typer.echo(f"错误 [{exc.code}]：{exc.message('zh-CN')}", err=True)
        typer.echo(f"Error [{exc.code}]: {exc.message('en')}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except OSError as exc:
        typer.echo(f"无法读写文件 / Cannot read or write the file: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (when it is a terminal); yields ``tick(n)``, drawn every few hundred rows."""
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = Console(stderr=True)
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        pending = 0

        def tick(n: int) -> None:
            nonlocal pending
            pending += n
            if pending >= _TICK_EVERY:
                bar.advance(task, pending)
                pending = 0

        yield tick
        bar.advance(task, pending)
