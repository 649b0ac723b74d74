"""An import spread over several requests (the back office): upload → dry run → report → confirm.

    check_upload(filename, content)            a CSV or XLSX at all? (``web.files.not_a_table``)
    plan_file(kind, path, store, max_bytes)    ``catalogue_import.plan`` over a staged file
    summary(plan) / fingerprint(plan)          what the report shows; what must not change before commit
    write_rejected_xlsx(plan, path)            the rejected rows with reasons, as text cells
    commit(plan_now, fingerprint, store, …)    apply only if the plan made now is the one shown

The confirmation plans the staged file again and compares it with the dry run's fingerprint (every
accepted row's content and every rejected row's reason, but not the ids minted for new rows): if the
store changed so that the plan differs, ``import.stale_plan`` and nothing is written. Otherwise the
plan is applied in one transaction, whose own conflict check (``catalogue_import.apply``) covers the
moments between the two.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from server.imports import catalogue_import
from server.imports.catalogue_import import REJECTED_EXTRA_HEADERS, Accepted, ImportPlan, OpeningStock
from server.imports.reader import open_table
from server.store.db import Store
from shared.catalogue.model import Bin, Sku
from shared.core.errors import ConflictError, ValidationError

SHOWN_REJECTED = 200
SUFFIXES = (".csv", ".xlsx", ".txt", ".tsv")
# First bytes of files people pick by mistake: refused before any decoding guess.
_NOT_TABLES = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"\x7fELF", b"MZ",
               b"BM", b"RIFF", b"II*\x00", b"MM\x00*")


def check_upload(filename: str, content: bytes) -> None:
    """Refuse what is plainly not a CSV or XLSX file (by name and first bytes); the reader does the rest."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES or content.startswith(_NOT_TABLES):
        raise ValidationError("web.files.not_a_table", filename=filename or "?")
    if not content:
        raise ValidationError("import.empty")


def plan_file(kind: str, path: Path, store: Store, *, max_bytes: int) -> tuple[ImportPlan, str]:
    """The plan of the file at ``path`` and the file's format (``csv``/``xlsx``), reading the store."""
    with open_table(path, max_bytes=max_bytes) as table, store.read() as conn:
        return catalogue_import.plan(kind, table, conn), table.file_format


def summary(plan: ImportPlan) -> dict[str, Any]:
    """Counts and the first rejected rows (with both messages) for the report page."""
    creates: dict[str, int] = {"rows": len(plan.accepted)}
    if plan.kind == "skus":
        creates["barcodes"] = sum(len(a.barcodes) for a in plan.accepted)
    elif plan.kind == "stock":
        creates["units"] = sum(a.item.qty for a in plan.accepted if isinstance(a.item, OpeningStock))
    return {
        "total": plan.total, "accepted": len(plan.accepted), "rejected": len(plan.rejected), "creates": creates,
        "ignored_columns": list(plan.ignored_columns),
        "rejected_rows": [{"row": r.row, "label": r.label, "code": r.error.code, "zh": r.error.message("zh-CN"),
                           "en": r.error.message("en")} for r in plan.rejected[:SHOWN_REJECTED]],
    }


def fingerprint(plan: ImportPlan) -> str:
    """A digest of everything the plan would do and refuse, without the ids minted for new rows."""
    digest = hashlib.sha256(plan.kind.encode())
    for a in plan.accepted:
        digest.update(_canonical(_accepted_facts(a)))
    for r in plan.rejected:
        digest.update(_canonical({"row": r.row, "code": r.error.code, "details": dict(r.error.details)}))
    return digest.hexdigest()


def _accepted_facts(a: Accepted) -> dict[str, Any]:
    item = dataclasses.asdict(a.item)
    if isinstance(a.item, Sku | Bin):
        item.pop("id", None)
    return {"row": a.row, "item": item, "barcodes": [dataclasses.asdict(b) for b in a.barcodes]}


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode() + b"\n"


def commit(plan_now: ImportPlan, shown_fingerprint: str, store: Store, *, accept_partial: bool) -> int:
    """Apply ``plan_now`` if it is the plan the user saw, else ``import.stale_plan`` (nothing written)."""
    if fingerprint(plan_now) != shown_fingerprint:
        raise ConflictError("import.stale_plan")
    return catalogue_import.apply(plan_now, store, accept_partial=accept_partial)


def write_rejected_xlsx(plan: ImportPlan, path: Path) -> Path:
    """The rejected rows as they were in the file, then row, code and reasons; every cell text (codes
    keep their leading zeros; a ``=`` stays text)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("被拒绝的行 Rejected")
    sheet.append(_text_row(sheet, (*plan.headers, *REJECTED_EXTRA_HEADERS)))
    for r in plan.rejected:
        sheet.append(_text_row(sheet, (*r.raw, str(r.row), r.error.code, r.error.message("zh-CN"), r.error.message("en"))))
    book.save(path)
    return path


def _text_row(sheet: Any, values: Iterable[str]) -> list[WriteOnlyCell]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # a leading "=" stays text, never a formula
        cell.number_format = "@"
        cells.append(cell)
    return cells
