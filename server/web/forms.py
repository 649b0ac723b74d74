"""Reading a browser form with limits: ``application/x-www-form-urlencoded`` (stdlib) and
``multipart/form-data`` (python-multipart, through Starlette's parser). Other content types give an
empty form (JSON clients send the CSRF token in the ``X-CSRF-Token`` header and read their body
themselves).

Both kinds go through the same gate (``routing``): the text fields come back as the form (so the
CSRF token travels as the ``csrf_token`` field either way), and a multipart request's files are kept
on the request (``uploaded(request, name)``). Files are refused everywhere except on routes wrapped
with ``accept_uploads``, which also lifts the ``/app`` mount's body limit for that route alone:

    route                     body limit                                    files
    any                       MAX_FORM_BYTES (counted as streamed)          none
    accept_uploads(route)     max_bytes + MAX_FORM_BYTES (Content-Length    one, up to max_bytes
                              checked first, then the streamed bytes)

    DomainError
    ├── ValidationError   web.bad_form           malformed form, too many fields, a file where none is taken   422
    └── PayloadTooLarge   web.files.too_large    the body is over the route's limit                             413
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.core.errors import DomainError, ValidationError

MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 200
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
UPLOAD_LIMIT_KEY = "erp.max_upload_bytes"  # set in the scope by ``accept_uploads``
_BACKSTOP_FACTOR = 64  # Starlette's own limit on an upload route, far above ours: ours answers with a page
_FILENAME_DROP = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]")
MAX_FILENAME_CHARS = 120


class PayloadTooLarge(DomainError):
    http_status = 413


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file, read into memory (at most the route's limit). ``filename`` is the base name
    the browser sent, cleaned for display only: never use it as a path."""

    field: str
    filename: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


async def read_form(request: Request) -> dict[str, str]:
    """The form's text fields (the last value of a repeated name wins), or a typed error."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == FORM_TYPE:
        return await _read_urlencoded(request)
    if content_type == MULTIPART_TYPE:
        return await _read_multipart(request)
    return {}


def uploaded(request: Request, name: str) -> Upload | None:
    """The file sent in field ``name`` of this request's multipart form, if any."""
    uploads: dict[str, Upload] = getattr(request.state, "uploads", {})
    return uploads.get(name)


def accept_uploads(route: Route, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Route:
    """``route`` taking one file of at most ``max_bytes`` in a multipart form."""
    route.app = _UploadLimit(route.app, max_bytes)
    return route


class _UploadLimit:
    """Marks the scope with the file limit and lifts Starlette's body limit for this route (an inner
    limit replaces the mount's): ``read_form`` enforces the real one and answers with a page."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.app = RequestBodyLimitMiddleware(app, max_body_size=(max_bytes + MAX_FORM_BYTES) * _BACKSTOP_FACTOR)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[UPLOAD_LIMIT_KEY] = self.max_bytes
        await self.app(scope, receive, send)


async def _read_urlencoded(request: Request) -> dict[str, str]:
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


async def _read_multipart(request: Request) -> dict[str, str]:
    file_limit: int | None = request.scope.get(UPLOAD_LIMIT_KEY)
    body_limit = MAX_FORM_BYTES + (file_limit or 0)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_limit:
        raise _too_large(file_limit)
    parser = MultiPartParser(request.headers, _limited(request.stream(), body_limit, file_limit),
                             max_files=1 if file_limit else 0, max_fields=MAX_FIELDS, max_part_size=MAX_FORM_BYTES)
    try:
        data = await parser.parse()
    except MultiPartException as exc:
        raise ValidationError("web.bad_form", reason=exc.message) from None
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    for name, value in data.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            await value.close()
            if file_limit is not None and len(content) > file_limit:
                raise _too_large(file_limit)
            uploads[name] = Upload(name, clean_filename(value.filename or ""), content)
        else:
            fields[name] = value
    request.state.uploads = uploads
    return fields


async def _limited(stream: AsyncIterator[bytes], limit: int, file_limit: int | None) -> AsyncGenerator[bytes, None]:
    """The body, refused as soon as more than ``limit`` bytes have streamed (whatever the header said)."""
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            raise _too_large(file_limit)
        yield chunk


def _too_large(file_limit: int | None) -> DomainError:
    if file_limit is None:
        return ValidationError("web.bad_form", reason=f"larger than {MAX_FORM_BYTES} bytes")
    return PayloadTooLarge("web.files.too_large", limit_mib=file_limit // (1024 * 1024))


def clean_filename(name: str) -> str:
    """The last path segment of a browser-sent file name, without control, bidi or invisible
    characters, at most ``MAX_FILENAME_CHARS``: for display and download names only."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = _FILENAME_DROP.sub("", base).strip().lstrip(".")
    return base[-MAX_FILENAME_CHARS:]
