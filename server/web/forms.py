"""Reading a browser form (``application/x-www-form-urlencoded``) with limits, without extra
dependencies. Other content types give an empty form (JSON clients send the CSRF token in the
``X-CSRF-Token`` header and read their body themselves)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from shared.core.errors import ValidationError

MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 200
FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (the last value of a repeated name wins), or ``web.bad_form``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        return {}
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise ValidationError("web.bad_form", reason=f"larger than {MAX_FORM_BYTES} bytes")
        chunks.append(chunk)
    try:
        pairs = parse_qsl(b"".join(chunks).decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError("web.bad_form", reason=type(exc).__name__) from None
    return dict(pairs)
