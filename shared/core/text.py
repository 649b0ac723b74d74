"""Text fields: NFC-normalised, trimmed, bounded in characters, free of control and bidi-override
characters. Markup such as ``<script>`` is kept as typed: output escapes it, input does not mangle it."""

from __future__ import annotations

import re
import unicodedata

from shared.core.errors import ValidationError

# C0/C1 controls, and the bidi overrides/isolates that can disguise text (U+202A-202E, U+2066-2069).
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_CODE_CHARS = re.compile(r"^[0-9A-Za-z._/#:+\-]+$")


def clean_text(value: object, field: str, *, max_chars: int = 200, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError("invalid.text", field=field, reason="not text")
    text = unicodedata.normalize("NFC", value).strip()
    if _FORBIDDEN.search(text):
        raise ValidationError("invalid.text", field=field, reason="contains control or direction-override characters")
    if required and not text:
        raise ValidationError("invalid.text", field=field, reason="must not be empty")
    if len(text) > max_chars:
        raise ValidationError("invalid.text", field=field, reason=f"longer than {max_chars} characters")
    return text


def clean_code(value: object, field: str, *, max_chars: int = 64) -> str:
    """A code typed or scanned by people: NFKC (full-width → ASCII), invisible characters removed,
    upper-cased, limited to letters, digits and ``. _ / # : + -``."""
    if not isinstance(value, str):
        raise ValidationError("invalid.code", field=field, reason="not text")
    code = _INVISIBLE.sub("", unicodedata.normalize("NFKC", value)).strip().upper()
    if not code:
        raise ValidationError("invalid.code", field=field, reason="must not be empty")
    if len(code) > max_chars:
        raise ValidationError("invalid.code", field=field, reason=f"longer than {max_chars} characters")
    if not _CODE_CHARS.match(code):
        raise ValidationError("invalid.code", field=field, reason=f"only letters, digits and . _ / # : + - are allowed: {code[:40]!r}")
    return code
