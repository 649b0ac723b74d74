"""Typed domain errors with stable codes and zh-CN/English messages.

Every failure in the domain raises a subclass of ``DomainError``; nothing returns ``False``.
The ``code`` is stable (clients and the API switch on it); messages come from the one catalogue in
``shared.core.messages``.

    DomainError                    code prefix
    ├── ValidationError            invalid.*, barcode.*      bad input, rejected before any write
    ├── NotFoundError              *.not_found               a referenced thing does not exist
    ├── ConflictError              *.duplicate*, *.taken     would break uniqueness or replay differently
    └── RuleViolation              everything else           a business rule forbids it in this state
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.core.messages import MESSAGES


class DomainError(Exception):
    """A failure with a stable ``code`` and human messages in zh-CN and English."""

    http_status = 422

    def __init__(self, code: str, /, **details: Any) -> None:
        if code not in MESSAGES:
            raise KeyError(f"error code {code!r} has no message in shared.core.messages")
        self.code = code
        self.details: Mapping[str, Any] = details
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh-CN") -> str:
        zh, en = MESSAGES[self.code]
        template = en if lang.lower().startswith("en") else zh
        try:
            return template.format(**self.details)
        except (KeyError, IndexError):
            return template

    def to_dict(self) -> dict[str, Any]:
        """The one error shape used by the API and the CLI."""
        return {
            "code": self.code,
            "message": self.message("zh-CN"),
            "message_en": self.message("en"),
            "details": {k: _jsonable(v) for k, v in self.details.items()},
        }


class ValidationError(DomainError):
    """The input is malformed; nothing was written."""


class NotFoundError(DomainError):
    http_status = 404


class ConflictError(DomainError):
    http_status = 409


class RuleViolation(DomainError):
    """The input is well-formed but a business rule forbids it now."""

    http_status = 409


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
