"""``erp labels``: print labels to a file, as the back office's Printing page does.

    erp labels bins --warehouse WH-SH [--prefix A-01-] [--a4] [--copies N] --out FILE.pdf|FILE.zpl
    erp labels skus CODE… [--a4] [--copies N] --out FILE.pdf|FILE.zpl

The format comes from the suffix: ``.pdf`` (50×30 mm pages, or A4 sheets of 36 with ``--a4``) or
``.zpl`` (thermal printers). Exit code 2 with the typed error (zh-CN, then English) when nothing can
be printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from server.printing import pdf_labels, sources, zpl
from server.printing.model import MAX_COPIES
from server.settings import Settings
from server.store.db import open_store
from shared.core.errors import DomainError

labels_app = typer.Typer(no_args_is_help=True, help="Bin and SKU labels as PDF or ZPL.")
EXIT_ERROR = 2


@labels_app.command("bins")
def bins(
    warehouse: str = typer.Option(..., "--warehouse", help="Warehouse code, e.g. WH-SH."),
    prefix: str = typer.Option("", "--prefix", help="Only bins whose code starts with this."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="A .pdf or .zpl file to write."),
    a4: bool = typer.Option(False, "--a4", help="A4 sheets of 36 labels instead of 50×30 mm pages."),
    copies: int = typer.Option(1, "--copies", min=1, max=MAX_COPIES),
) -> None:
    """Labels for the storage bins of a warehouse (bin code large, Code 128 barcode)."""
    suffix = _suffix(out)
    with _typed_errors():
        store = open_store(Settings.from_env().resolved_database_url)
        try:
            with store.read() as conn:
                labels = sources.bin_labels(conn, warehouse, prefix)
        finally:
            store.dispose()
    content = zpl.bin_labels(labels, copies=copies).encode() if suffix == ".zpl" else \
        pdf_labels.bin_labels(labels, sheet=a4, copies=copies)
    out.write_bytes(content)
    typer.echo(f"已写入 {len(labels)} 张标签到 {out} / Wrote {len(labels)} labels to {out}")


@labels_app.command("skus")
def skus(
    codes: list[str] = typer.Argument(..., help="SKU codes."),
    out: Path = typer.Option(..., "--out", dir_okay=False, help="A .pdf or .zpl file to write."),
    a4: bool = typer.Option(False, "--a4", help="A4 sheets of 36 labels instead of 50×30 mm pages."),
    copies: int = typer.Option(1, "--copies", min=1, max=MAX_COPIES),
) -> None:
    """Labels for SKUs (code, Chinese name, price, EAN-13 or Code 128 barcode)."""
    suffix = _suffix(out)
    with _typed_errors():
        store = open_store(Settings.from_env().resolved_database_url)
        try:
            with store.read() as conn:
                labels = sources.sku_labels(conn, sources.split_codes(" ".join(codes)))
        finally:
            store.dispose()
    content = zpl.sku_labels(labels, copies=copies).encode() if suffix == ".zpl" else \
        pdf_labels.sku_labels(labels, sheet=a4, copies=copies)
    out.write_bytes(content)
    typer.echo(f"已写入 {len(labels)} 张标签到 {out} / Wrote {len(labels)} labels to {out}")


def _suffix(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".zpl"):
        raise typer.BadParameter("must end in .pdf or .zpl", param_hint="--out")
    return suffix


@contextmanager
def _typed_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        typer.echo(f"错误 [{exc.code}]：{exc.message('zh-CN')}", err=True)
        typer.echo(f"Error [{exc.code}]: {exc.message('en')}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
