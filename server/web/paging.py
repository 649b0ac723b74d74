"""Keyset pagination for back-office lists: a page is "the next ``size`` rows after this key", so the
hundredth page costs what the first does, even at a million rows (no ``OFFSET``).

The key is the last row's sort values, carried in the URL as an opaque ``after`` token (URL-safe
base64 of JSON). A bad token is a ``ValidationError`` (``invalid.page_cursor``), never a 500. Store
modules take the decoded key and return ``size + 1`` rows; ``Page.of`` cuts the extra row off and
makes the next token from the last row kept.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.core.errors import ValidationError

T = TypeVar("T")

DEFAULT_SIZE = 50
MAX_SIZE = 200
MAX_TOKEN = 512


def encode_key(values: Sequence[str | int | None]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_key(token: str | None, *, arity: int) -> tuple[str | int | None, ...] | None:
    """The key in ``token`` (``None`` for the first page); ``arity`` values of str/int/None, else
    ``invalid.page_cursor``."""
    if not token:
        return None
    if len(token) > MAX_TOKEN:
        raise ValidationError("invalid.page_cursor")
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationError("invalid.page_cursor") from None
    if not isinstance(values, list) or len(values) != arity \
            or not all(v is None or isinstance(v, (str, int)) and not isinstance(v, bool) for v in values):
        raise ValidationError("invalid.page_cursor")
    return tuple(values)


def page_size(value: object) -> int:
    """``size`` from the query string: 1..MAX_SIZE, default DEFAULT_SIZE."""
    if value in (None, ""):
        return DEFAULT_SIZE
    if not isinstance(value, str) or not value.isdigit() or not 1 <= int(value) <= MAX_SIZE:
        raise ValidationError("invalid.page_size", limit=MAX_SIZE)
    return int(value)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    next_after: str  # "" on the last page

    @classmethod
    def of(cls, fetched: Sequence[T], size: int, key: Callable[[T], Sequence[str | int | None]]) -> Page[T]:
        """``fetched`` holds up to ``size + 1`` rows in key order."""
        rows = list(fetched[:size])
        more = len(fetched) > size
        return cls(rows, encode_key(key(rows[-1])) if more and rows else "")
