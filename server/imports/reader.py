"""Read an uploaded CSV or XLSX file into numbered rows of text cells keyed by canonical column names.

    open_table(source, max_bytes=…) -> Table      (a context manager; rows are streamed)

The format comes from the file's first bytes, not its name: a ZIP is XLSX, an OLE2 file is the old
``.xls`` (refused), anything else is CSV.

- XLSX: openpyxl read-only, first worksheet, values only. Numbers become text the way the user typed
  them: ``6901234567892.0`` → ``"6901234567892"`` (digits Excel already dropped, such as a leading
  zero, stay dropped: the barcode check refuses the result). A formula is read as its cached value;
  one saved without a value (a file written by a program and never opened in Excel) makes its row
  rejected with ``import.formula_without_value``. An XLSX that unpacks to more than ten times the
  byte limit is refused as too large (a ZIP bomb).
- CSV: encoding by BOM (UTF-8, UTF-16), then strict UTF-8, then GB18030 (a superset of GBK), then
  charset-normalizer as a last guess, trusted only for multi-byte encodings (UTF-16 without BOM,
  Big5, Shift-JIS…): a single-byte code page decodes any bytes, so garbage would pass. Text with NUL
  characters is never accepted. (Big5 bytes usually also decode as GB18030, into the wrong
  characters: GB18030 comes first, as Chinese Excel on the mainland writes it.) Delimiter ``,``
  ``;`` or Tab, whichever the header line uses most. CR, LF and CRLF line ends in any mix; quoted
  fields may hold newlines and ``""``. A leading ``'`` before ``= + - @`` Tab or CR is removed: it is
  the formula-injection escape our own CSV export adds.
- Headers: Chinese or English aliases (``HEADER_ALIASES``), also ``中文 (English)`` as our export
  writes them; BOM, zero-width characters, case, spaces and ``_`` do not matter. Unknown headers are
  kept in ``Table.unknown_headers`` and their columns ignored. Trailing blank headers are ignored.
- Row numbers are spreadsheet row numbers (the header is row 1); blank rows are skipped.

Errors, all ``ValidationError`` (nothing of the file is used): ``import.too_large``,
``import.encoding``, ``import.old_xls``, ``import.bad_format``, ``import.empty``,
``import.blank_header``, ``import.duplicate_header``. Row problems (the row is yielded with
``problem`` set and rejected by the planner): ``import.formula_without_value``, ``import.extra_cells``.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes

from shared.core.errors import DomainError, ValidationError

Source = bytes | Path

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("商品编码", "SKU编码", "商品代码", "货号", "sku", "sku_code", "code"),
    "name_zh": ("商品名称", "名称", "中文名称", "name_zh", "name"),
    "name_en": ("英文名称", "name_en", "english name"),
    "spec": ("规格", "规格型号", "spec"),
    "base_unit": ("单位", "基本单位", "base_unit", "unit"),
    "weight_g": ("重量(g)", "重量(克)", "重量", "weight_g", "weight"),
    "barcode": ("条码", "条形码", "商品条码", "barcode", "barcodes"),
    "case_barcode": ("箱码", "箱条码", "case_barcode"),
    "pack_qty": ("箱规", "每箱数量", "pack_qty"),
    "batch_tracked": ("批次管理", "batch_tracked"),
    "low_stock_threshold": ("预警库存", "库存预警", "low_stock_threshold"),
    "cost_fen": ("成本(分)", "cost_fen"),
    "warehouse": ("仓库编码", "仓库", "warehouse", "warehouse_code"),
    "bin": ("库位编码", "库位", "bin", "bin_code", "location"),
    "walk_seq": ("拣货顺序", "walk_seq"),
    "qty": ("数量", "期初数量", "qty", "quantity"),
    "batch": ("批次", "批次号", "batch", "lot"),
}

_CHUNK_BYTES = 1 << 20
_MAX_XLSX_INFLATION = 10  # an XLSX may unpack to at most this many times the byte limit
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_BILINGUAL = re.compile(r"^(.+?)\s*\(([^()]+)\)$")
_ESCAPED_FORMULA = re.compile("^'[=+\\-@\t\r]")
_DELIMITERS = (",", ";", "\t")
# What charset-normalizer may pick: encodings with structure. A single-byte code page decodes any
# bytes at all, so such a guess cannot be told from garbage (save the file as UTF-8 instead).
_FALLBACK_ENCODINGS = frozenset({"utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be", "big5", "big5hkscs", "cp950",
                                 "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949"})


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # spreadsheet row number; the header is row 1
    cells: dict[str, str]  # canonical column -> text ("" when blank)
    raw: tuple[str, ...]  # the row as read, one cell per header, for the rejected-rows file
    problem: DomainError | None = None


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]  # as written in the file
    columns: tuple[str | None, ...]  # canonical name per header; None for an unknown header
    rows: Iterator[SourceRow]
    file_format: str  # "csv" or "xlsx"
    encoding: str = ""

    @property
    def unknown_headers(self) -> tuple[str, ...]:
        return tuple(h for h, c in zip(self.headers, self.columns, strict=True) if c is None)


def column_label(column: str) -> str:
    """A canonical column as our exports and messages write it: ``商品编码 (code)``."""
    return f"{HEADER_ALIASES[column][0]} ({column})"


def _alias_key(text: str) -> str:
    return re.sub(r"[\s_]+", "", text).casefold()


_ALIAS_INDEX = {_alias_key(unicodedata.normalize("NFKC", a)): col for col, aliases in HEADER_ALIASES.items() for a in aliases}


def canonical_column(header: str) -> str | None:
    """The canonical column for a header text, or None when it is not one we know."""
    text = _clean_header(header)
    found = _ALIAS_INDEX.get(_alias_key(text))
    match = _BILINGUAL.match(text)
    if found is None and match:
        found = _ALIAS_INDEX.get(_alias_key(match.group(2))) or _ALIAS_INDEX.get(_alias_key(match.group(1)))
    return found


def _clean_header(header: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", header)).strip()


# ---- opening a file ------------------------------------------------------------------------------


@contextmanager
def open_table(source: Source, *, max_bytes: int) -> Iterator[Table]:
    """Open ``source`` (file bytes or a path) as a ``Table`` whose rows stream while it is open."""
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size > max_bytes:
        raise ValidationError("import.too_large", size=size, limit=max_bytes)
    with ExitStack() as stack:
        def reopen() -> IO[bytes]:
            return io.BytesIO(source) if isinstance(source, bytes) else stack.enter_context(open(source, "rb"))

        stream = reopen()
        head = stream.read(8)
        stream.seek(0)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ValidationError("import.old_xls")
        if head.startswith(b"PK\x03\x04"):
            raw, file_format, encoding = _xlsx_rows(stream, reopen, max_bytes, stack), "xlsx", ""
        else:
            encoding = detect_encoding(stream)
            raw, file_format = _csv_rows(stream, encoding), "csv"
        stack.callback(raw.close)  # runs before the files close
        yield _table(raw, file_format, encoding)


# ---- CSV -----------------------------------------------------------------------------------------


def detect_encoding(stream: IO[bytes]) -> str:
    """The encoding of a CSV: BOM, strict UTF-8, GB18030, then charset-normalizer's best guess."""
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        if _decodes_cleanly(stream, encoding):
            return encoding
    if len(candidates) == 2:
        guess = from_bytes(stream.read()).best()
        stream.seek(0)
        if guess is not None and guess.encoding in _FALLBACK_ENCODINGS and _decodes_cleanly(stream, guess.encoding):
            return str(guess.encoding)
    raise ValidationError("import.encoding")


def _decodes_cleanly(stream: IO[bytes], encoding: str) -> bool:
    """Whether the whole stream decodes strictly, without NUL characters (a sign of a wrong guess)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(_CHUNK_BYTES):
            if "\x00" in decoder.decode(chunk):
                return False
        return "\x00" not in decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)


def _csv_rows(stream: IO[bytes], encoding: str) -> Generator[tuple[list[str], DomainError | None], None, None]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        first = text.readline()
        reader = csv.reader(itertools.chain([first], text), delimiter=sniff_delimiter(first), strict=False)
        for cells in _guard_csv(reader):
            yield [_unescape(c) for c in cells], None
    finally:
        text.detach()  # the caller owns the binary stream


def _guard_csv(reader: Iterable[list[str]]) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise ValidationError("import.bad_format", reason=f"CSV: {exc}") from None
    except UnicodeDecodeError:
        raise ValidationError("import.encoding") from None


def sniff_delimiter(header_line: str) -> str:
    """``,`` ``;`` or Tab: the one the header line uses most outside quotes (``,`` on a tie)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _unescape(cell: str) -> str:
    return cell[1:] if _ESCAPED_FORMULA.match(cell) else cell


# ---- XLSX ----------------------------------------------------------------------------------------


def _xlsx_rows(stream: IO[bytes], reopen: Callable[[], IO[bytes]], max_bytes: int,
               stack: ExitStack) -> Generator[tuple[list[str], DomainError | None], None, None]:
    _check_inflation(stream, max_bytes)
    values = _sheet(stream, data_only=True, stack=stack)
    formulas = _sheet(reopen(), data_only=False, stack=stack)
    for number, (row, source) in enumerate(_guard_xlsx(zip(values, formulas, strict=True)), start=1):
        problem = None
        for col, (value, text) in enumerate(zip(row, source, strict=False)):
            if value is None and isinstance(text, str) and text.startswith("="):
                problem = ValidationError("import.formula_without_value", cell=f"{_column_letter(col)}{number}")
        yield [cell_text(v) for v in row], problem


def _guard_xlsx(rows: Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    try:
        yield from rows
    except Exception as exc:  # openpyxl raises many kinds for a broken sheet
        raise ValidationError("import.bad_format", reason=f"XLSX: {type(exc).__name__}") from None


def _check_inflation(stream: IO[bytes], max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ValidationError("import.bad_format", reason=f"XLSX: {exc}") from None
    finally:
        stream.seek(0)
    if size > max_bytes * _MAX_XLSX_INFLATION:
        raise ValidationError("import.too_large", size=size, limit=max_bytes * _MAX_XLSX_INFLATION)


def _sheet(stream: IO[bytes], *, data_only: bool, stack: ExitStack) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = load_workbook(stream, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationError("import.bad_format", reason=f"XLSX: {type(exc).__name__}") from None
    stack.callback(book.close)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # trust the cells, not the recorded dimension
    rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
    return rows


def cell_text(value: object) -> str:
    """An XLSX cell value as the text the user sees: whole numbers without ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


# ---- header and rows -----------------------------------------------------------------------------


def _table(raw: Iterator[tuple[list[str], DomainError | None]], file_format: str, encoding: str = "") -> Table:
    numbered = ((n, cells, problem) for n, (cells, problem) in enumerate(raw, start=1))
    for _number, cells, _problem in numbered:
        if not _is_blank(cells):
            headers, columns = _header(cells)
            return Table(headers, columns, _rows(numbered, headers, columns), file_format, encoding)
    raise ValidationError("import.empty")


def _header(cells: list[str]) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    headers = [_clean_header(c) for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    seen: set[str] = set()
    columns: list[str | None] = []
    for index, header in enumerate(headers):
        if not header:
            raise ValidationError("import.blank_header", column=_column_letter(index))
        column = canonical_column(header)
        key = column or _alias_key(header)
        if key in seen:
            raise ValidationError("import.duplicate_header", column=header)
        seen.add(key)
        columns.append(column)
    return tuple(headers), tuple(columns)


def _rows(numbered: Iterator[tuple[int, list[str], DomainError | None]], headers: tuple[str, ...],
          columns: tuple[str | None, ...]) -> Iterator[SourceRow]:
    width = len(headers)
    for number, cells, problem in numbered:
        if _is_blank(cells):
            continue
        extra = next((i for i in range(width, len(cells)) if cells[i].strip()), None)
        if problem is None and extra is not None:
            problem = ValidationError("import.extra_cells", column=_column_letter(extra))
        raw = tuple(cells[:width]) + ("",) * (width - len(cells))
        named = {column: raw[i] for i, column in enumerate(columns) if column is not None}
        yield SourceRow(number, named, raw, problem)


def _is_blank(cells: list[str]) -> bool:
    return all(not c.strip() for c in cells)
