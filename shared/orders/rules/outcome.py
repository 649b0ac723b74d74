"""What reviewing an order produces: holds (审单拦截原因) with stable codes, and the facts review
needs from outside the order (blacklists, the time).

    ReviewFacts     blacklisted buyers / address keys, ``now`` (passed in, never read from a clock)
    Hold            code ``hold.*`` + details (JSON-friendly) + the id of the rule that held it
    ReviewOutcome   passed (no holds) or not, and the holds in rule order

A hold is not an error: the order is valid, a person has to look at it. Its ``code`` is a catalogue
key; its details fill the template with a plain ``str.format`` (they carry yuan text beside fen and
words beside part codes), and ``Hold.message(lang)`` does exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.core.errors import ValidationError
from shared.core.messages import MESSAGES


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    blacklisted_buyers: frozenset[str] = frozenset()  # buyer open ids
    now: datetime | None = None  # aware; needed to release presale orders
    blacklisted_address_keys: frozenset[str] = frozenset()  # receiver address keys (merge keys)

    def __post_init__(self) -> None:
        if self.now is not None and self.now.utcoffset() is None:
            raise ValidationError("invalid.timestamp", reason="ReviewFacts.now has no UTC offset")


@dataclass(frozen=True, slots=True)
class Hold:
    code: str  # a catalogue key, "hold.*"
    details: dict[str, Any]
    rule_id: str

    def message(self, lang: str = "zh-CN") -> str:
        return render(self.code, lang, self.details)

    def to_data(self) -> dict[str, Any]:
        """The JSON form a review service stores: ``{"code", "details", "rule_id"}``."""
        return {"code": self.code, "details": dict(self.details), "rule_id": self.rule_id}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Hold:
        return cls(str(data["code"]), dict(data.get("details") or {}), str(data.get("rule_id", "")))


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    passed: bool
    holds: list[Hold] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.passed == bool(self.holds):
            raise ValueError("an outcome passes exactly when it has no holds")

    @classmethod
    def of(cls, holds: list[Hold]) -> ReviewOutcome:
        return cls(passed=not holds, holds=holds)

    def to_data(self) -> dict[str, Any]:
        return {"passed": self.passed, "holds": [hold.to_data() for hold in self.holds]}

    @property
    def codes(self) -> list[str]:
        return [hold.code for hold in self.holds]


def yuan(fen: int) -> str:
    """``123456`` → ``"1234.56"`` (exact; no float)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def kilograms(grams: int) -> str:
    """``1500`` → ``"1.5"``, ``2000`` → ``"2"`` (exact; no float)."""
    whole, rest = divmod(grams, 1000)
    return f"{whole}.{rest:03d}".rstrip("0").rstrip(".") if rest else str(whole)


def money(**amounts_fen: int) -> dict[str, Any]:
    """``paid_fen=123`` → ``{"paid_fen": 123, "paid_yuan": "1.23"}``."""
    out: dict[str, Any] = {}
    for name, fen in amounts_fen.items():
        out[name] = fen
        out[name.removesuffix("_fen") + "_yuan"] = yuan(fen)
    return out


def in_words(name: str, parts: list[str]) -> dict[str, str]:
    """``in_words("missing", ["city"])`` → ``{"missing_zh": "市", "missing_en": "city"}``: the
    parts in each language's words, so a stored hold renders with a plain ``str.format``."""
    return {f"{name}_zh": "、".join(_part(p, "zh-CN") for p in parts),
            f"{name}_en": ", ".join(_part(p, "en") for p in parts)}


def word(key: str, lang: str) -> str:
    zh, en = MESSAGES[key]
    return en if lang.lower().startswith("en") else zh


def render(code: str, lang: str, details: Mapping[str, Any]) -> str:
    """Fill the template of ``code``; ``x_fen`` also offers ``x_yuan`` and ``x_g`` also ``x_kg``."""
    values: dict[str, Any] = dict(details)
    for name, value in details.items():
        if name.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
            values.setdefault(name[:-4] + "_yuan", yuan(value))
        if name.endswith("_g") and isinstance(value, int) and not isinstance(value, bool):
            values.setdefault(name[:-2] + "_kg", kilograms(value))
    template = word(code, lang)
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template


def _part(name: str, lang: str) -> str:
    key = f"rule.part.{name.strip()}"
    return word(key, lang) if key in MESSAGES else name
