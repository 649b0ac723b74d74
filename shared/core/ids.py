"""Ids are made where the data is born: time-ordered UUIDv7 strings (RFC 9562)."""

from __future__ import annotations

import re
import uuid

import uuid6

from shared.core.errors import ValidationError


def new_id() -> str:
    """A new time-ordered id, as the canonical 36-character lower-case string."""
    return str(uuid6.uuid7())


_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_id(value: object, field: str = "id") -> str:
    """Return ``value`` as a canonical UUID string, or raise ``invalid.code``."""
    if not isinstance(value, str):
        raise ValidationError("invalid.code", field=field, reason="not a string")
    if _CANONICAL.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValidationError("invalid.code", field=field, reason="not a UUID") from None
