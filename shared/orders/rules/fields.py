"""Strict readers for rule definitions (the JSON the back office stores), and the normalisers the
rules compare with.

Every reader raises ``ValidationError("rule.invalid", rule=<id>, field=<path>, reason=...)``: the
path names the field (``definition.zones[1].first_fen``), so the editor can point at it. Unknown
keys are refused too (a typo such as ``max_paid_fem`` must not silently disable a check).

Numbers are JSON integers only: booleans, floats (even ``2.0``), strings and anything beyond
``MAX_FEN`` are refused, as BAD_INPUTS.md asks for money, weights and quantities.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

from shared.core.errors import ValidationError
from shared.orders.money import MAX_FEN

MAX_LIST = 500  # longest list a definition may hold (keywords, provinces, shops ...)
MAX_TEXT_CHARS = 100  # longest single text item (a keyword, a province, a code)
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_CODE_CHARS = re.compile(r"^[0-9A-Za-z._/#:+\-]+$")
# Longest first: "广西壮族自治区" must lose its whole suffix, not only "区".
_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


class Reader:
    """Reads one JSON object of a rule definition; ``finish()`` refuses keys nobody read."""

    def __init__(self, data: object, *, rule_id: str, path: str) -> None:
        self.rule_id = rule_id
        self.path = path
        if not isinstance(data, Mapping):
            self.fail("", f"must be an object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self._seen: set[str] = set()

    def fail(self, name: str, reason: str) -> NoReturn:
        field = f"{self.path}.{name}" if name else self.path
        raise ValidationError("rule.invalid", rule=self.rule_id, field=field, reason=f"{field}: {reason}")

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str) -> Any:
        self._seen.add(name)
        return self.data.get(name)

    def child(self, name: str, value: object) -> Reader:
        return Reader(value, rule_id=self.rule_id, path=f"{self.path}.{name}")

    def finish(self) -> None:
        unknown = sorted(str(key) for key in self.data if key not in self._seen)
        if unknown:
            self.fail(unknown[0], "unknown field")

    def integer(self, name: str, *, default: int | None = None, minimum: int = 0, maximum: int = MAX_FEN) -> int:
        value = self.raw(name)
        if value is None:
            if default is None:
                self.fail(name, "is required")
            return default  # type: ignore[return-value]
        return self.check_int(name, value, minimum=minimum, maximum=maximum)

    def optional_integer(self, name: str, *, minimum: int = 0, maximum: int = MAX_FEN) -> int | None:
        value = self.raw(name)
        return None if value is None else self.check_int(name, value, minimum=minimum, maximum=maximum)

    def check_int(self, name: str, value: object, *, minimum: int, maximum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"must be a whole number, got {value!r:.40}")
        if not minimum <= value <= maximum:  # type: ignore[operator]
            self.fail(name, f"must be between {minimum} and {maximum}, got {value}")
        return value  # type: ignore[return-value]

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, got {value!r:.40}")
        return value  # type: ignore[return-value]

    def text(self, name: str, *, default: str | None = None) -> str:
        value = self.raw(name)
        if value is None and default is not None:
            return default
        return self.check_text(name, value)

    def check_text(self, name: str, value: object) -> str:
        if not isinstance(value, str):
            self.fail(name, f"must be text, got {value!r:.40}")
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", value)).strip()  # type: ignore[arg-type]
        if not text:
            self.fail(name, "must not be empty")
        if len(text) > MAX_TEXT_CHARS or any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
            self.fail(name, f"must be at most {MAX_TEXT_CHARS} printable characters")
        return text

    def currency(self, name: str = "currency") -> str:
        """An ISO 4217 code (default CNY): the currency the rule's ``*_fen`` amounts are in."""
        currency = self.text(name, default="CNY").upper()
        if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
            self.fail(name, f"must be an ISO 4217 code such as CNY, got {currency!r:.20}")
        return currency

    def code(self, name: str) -> str:
        value = self.raw(name)
        code = sku_key(self.check_text(name, value))
        if not _CODE_CHARS.match(code):
            self.fail(name, f"only letters, digits and . _ / # : + - are allowed: {code[:40]!r}")
        return code

    def items(self, name: str) -> list[Any]:
        value = self.raw(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(name, "must be a list")
        if len(value) > MAX_LIST:  # type: ignore[arg-type]
            self.fail(name, f"at most {MAX_LIST} entries")
        return value  # type: ignore[return-value]

    def texts(self, name: str) -> tuple[str, ...]:
        """A list of distinct non-empty texts, order kept (duplicates dropped)."""
        out: dict[str, None] = {}
        for index, item in enumerate(self.items(name)):
            out[self.check_text(f"{name}[{index}]", item)] = None
        return tuple(out)

    def int_map(self, name: str, *, key_check: Any = None, minimum: int = 0, maximum: int = 10**6) -> dict[str, int]:
        value = self.raw(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or len(value) > MAX_LIST:
            self.fail(name, f"must be an object of at most {MAX_LIST} entries")
        out: dict[str, int] = {}
        for key, number in value.items():  # type: ignore[union-attr]
            clean = self.check_text(f"{name}.{key}", key)
            if key_check is not None:
                clean = key_check(self, f"{name}.{key}", clean)
            out[clean] = self.check_int(f"{name}.{key}", number, minimum=minimum, maximum=maximum)
        return out

    def time(self, name: str) -> datetime | None:
        """An ISO 8601 time with an explicit offset (naive times are refused), returned in UTC."""
        value = self.raw(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > 40:
            self.fail(name, "must be an ISO 8601 time with offset, e.g. 2024-11-11T00:00:00+08:00")
        try:
            moment = datetime.fromisoformat(value)  # type: ignore[arg-type]
        except ValueError:
            self.fail(name, f"not an ISO 8601 time: {value!r:.40}")
        if moment.utcoffset() is None:
            self.fail(name, "has no UTC offset (a naive time is ambiguous)")
        return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def sku_key(code: str) -> str:
    """A seller SKU code as rules compare it: NFKC (full-width → ASCII), invisible characters
    removed, trimmed, upper-cased."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", code)).strip().upper()


def match_text(text: str) -> str:
    """Text as keyword matching sees it: NFKC (full-width letters, digits and punctuation become
    ASCII), invisible characters removed, case-folded, runs of white space made one space."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).casefold().strip()


def province_key(name: str) -> str:
    """A province as carrier zones compare it: "广西壮族自治区", "广西" and "广西 " are equal,
    as are "北京市" and "北京"; Latin names compare case-insensitively."""
    key = match_text(name)
    for suffix in _PROVINCE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def aware_utc(moment: datetime, *, name: str) -> datetime:
    if moment.utcoffset() is None:
        raise ValidationError("invalid.timestamp", reason=f"{name} has no UTC offset")
    return moment.astimezone(UTC)
