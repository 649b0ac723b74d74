"""Blank import templates: one header row, Chinese headers (the reader's first alias of each column),
required columns first.

    template(kind, fmt) -> (bytes, media type)     fmt "xlsx" or "csv"

- XLSX: the header row bold, and every column formatted as text (``@``) for 2,000 rows, so a barcode
  typed or pasted into it keeps its leading zeros and never turns into ``6.9E+12``. A second sheet
  lists each column, whether it is required, and its English name.
- CSV: UTF-8 with BOM, CRLF (Excel opens it with the Chinese headers intact).

Errors: ``ValidationError`` ``import.unknown_kind``, ``export.unknown_format``.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from server.imports.catalogue_import import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, check_kind
from server.imports.reader import HEADER_ALIASES
from shared.core.errors import ValidationError

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
TEXT_ROWS = 2000


def columns(kind: str) -> list[tuple[str, str, bool]]:
    """(canonical name, Chinese header, required) of each column of ``kind``, required first."""
    check_kind(kind)
    return [(c, HEADER_ALIASES[c][0], True) for c in REQUIRED_COLUMNS[kind]] + \
        [(c, HEADER_ALIASES[c][0], False) for c in OPTIONAL_COLUMNS[kind]]


def template(kind: str, fmt: str) -> tuple[bytes, str]:
    cols = columns(kind)
    if fmt == "csv":
        return ("\ufeff" + ",".join(zh for _, zh, _ in cols) + "\r\n").encode("utf-8"), MEDIA_TYPES["csv"]
    if fmt != "xlsx":
        raise ValidationError("export.unknown_format", path=f"{kind}.{fmt}")
    return _xlsx(cols), MEDIA_TYPES["xlsx"]


def _xlsx(cols: list[tuple[str, str, bool]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "导入 Import"
    bold = Font(bold=True)
    for index, (_name, zh, _required) in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 18
        header = sheet.cell(row=1, column=index, value=zh)
        header.font = bold
        header.number_format = "@"
        for row in range(2, TEXT_ROWS + 2):
            sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet("说明 Notes")
    notes.append(["列 Column", "必填 Required", "English"])
    for name, zh, required in cols:
        notes.append([zh, "是 yes" if required else "否 no", name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
