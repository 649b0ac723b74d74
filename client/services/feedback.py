"""What a scan (or any operator action) answers: a frozen ``Feedback`` built from catalogue codes.

    Feedback(ok, tone, code, message_zh, message_en, detail)
        .message(lang)                 the one-line text in "zh-CN" (default) or "en"

    accepted(code, **detail)  ok=True,  tone "ok"    the scan was taken (and written, when it writes)
    warned(code, **detail)    ok=True,  tone "warn"  taken, but look: over expected, more than shown…
    finished(code, **detail)  ok=True,  tone "done"  a unit of work is closed (task, bin, move)
    refused(code, **detail)   ok=False, tone "error" refused locally; nothing was written
    from_error(exc)           refused, from a ``DomainError`` (its code and details)
    from_unknown(scan)        refused, from an ``UnknownScan`` (its reason, already in both languages)
    label(code, lang, **values)  a UI text from the catalogue (``ui.*`` codes)

Feedback is a result, not an error: a refused scan is a normal outcome a screen shows in red. Texts
come from ``shared.core.messages`` (zh-CN first); ``detail`` holds the values the screen may show
beside the text (SKU code, quantities, slot…) and always fills the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from shared.core.errors import DomainError
from shared.core.messages import MESSAGES
from shared.scan.resolve import UnknownScan

Tone = Literal["ok", "error", "warn", "done"]
LANGUAGES = ("zh-CN", "en")


@dataclass(frozen=True, slots=True)
class Feedback:
    """One answer to the operator. ``ok`` is False only for a refusal (tone "error")."""

    ok: bool
    tone: Tone
    code: str
    message_zh: str
    message_en: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh-CN") -> str:
        return self.message_en if is_english(lang) else self.message_zh


def is_english(lang: str) -> bool:
    return lang.lower().startswith("en")


def label(code: str, lang: str = "zh-CN", /, **values: Any) -> str:
    """The catalogue text of ``code`` in ``lang``, filled with ``values`` (a missing value leaves the
    template as it is). Raises ``KeyError`` for a code that is not in the catalogue."""
    zh, en = MESSAGES[code]
    return _fill(en if is_english(lang) else zh, values)


def _build(ok: bool, tone: Tone, code: str, detail: Mapping[str, Any]) -> Feedback:
    zh, en = MESSAGES[code]
    return Feedback(ok, tone, code, _fill(zh, detail), _fill(en, detail), dict(detail))


def _fill(template: str, values: Mapping[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def accepted(code: str, /, **detail: Any) -> Feedback:
    return _build(True, "ok", code, detail)


def warned(code: str, /, **detail: Any) -> Feedback:
    return _build(True, "warn", code, detail)


def finished(code: str, /, **detail: Any) -> Feedback:
    return _build(True, "done", code, detail)


def refused(code: str, /, **detail: Any) -> Feedback:
    return _build(False, "error", code, detail)


def from_error(exc: DomainError) -> Feedback:
    """A refusal carrying a domain error's code, texts and details."""
    return Feedback(False, "error", exc.code, exc.message("zh-CN"), exc.message("en"), dict(exc.details))


def from_unknown(scan: UnknownScan) -> Feedback:
    """A refusal for a scan nothing matched (unknown code, bad check digit, archived SKU…)."""
    return Feedback(False, "error", scan.reason_code, scan.reason_zh, scan.reason_en, {"raw": scan.raw})
