"""File downloads from the back office: one ``Content-Disposition`` builder (an ASCII fallback name and
the UTF-8 name in RFC 5987 form, so ``库存.xlsx`` arrives as such and no name can inject a header)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response

_UNSAFE_ASCII = set('"\\;%')


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…`` (or ``inline``) for ``filename``."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in _UNSAFE_ASCII else "_" for c in filename)
    encoded = quote(filename, safe="")
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def bytes_download(content: bytes, filename: str, media_type: str, *, inline: bool = False) -> Response:
    return Response(content, media_type=media_type,
                    headers={"content-disposition": content_disposition(filename, inline=inline)})


def file_download(path: Path, filename: str, media_type: str, *, delete_after: bool = False) -> Response:
    """Stream ``path``; with ``delete_after`` the file is removed once sent (a temporary export)."""
    task = BackgroundTask(path.unlink, missing_ok=True) if delete_after else None
    return FileResponse(path, media_type=media_type, headers={"content-disposition": content_disposition(filename)},
                        background=task)
