"""``Reader``: typed, path-aware access to a platform payload.

Every adapter reads its payload only through a ``Reader``, so anything malformed -- a missing key,
a list where an object belongs, a float where Douyin promises fen -- becomes an ``order.*`` error
that names the exact path (``trade.orders.order[1].price``), and never a ``KeyError``,
``TypeError`` or ``AttributeError``. Text passes through ``platform_text.sanitize``; when it changed
anything, ``Reader.sanitized`` says so (shared by all readers of one payload).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from shared.orders import money, times
from shared.orders.errors import OrderPayloadError
from shared.orders.platform_text import sanitize
from shared.orders.status import lookup

V = TypeVar("V")
_OPAQUE = re.compile(r"[\x21-\x7e]+")  # ids, open ids, ciphertexts: printable ASCII, no spaces


class _Shared:
    __slots__ = ("sanitized",)

    def __init__(self) -> None:
        self.sanitized = False


class Reader:
    """A JSON object at ``path`` in a platform payload."""

    __slots__ = ("data", "path", "_shared")

    def __init__(self, data: object, path: str, shared: _Shared | None = None) -> None:
        if not isinstance(data, Mapping):
            raise OrderPayloadError("order.bad_field", path=path, reason=f"expected an object, got {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.path = path
        self._shared = shared or _Shared()

    @property
    def sanitized(self) -> bool:
        return self._shared.sanitized

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def get(self, key: str) -> object:
        return self.data.get(key)

    def has(self, key: str) -> bool:
        return self.data.get(key) not in (None, "")

    def required(self, key: str) -> object:
        value = self.data.get(key)
        if value is None:
            raise OrderPayloadError("order.missing_field", path=self.at(key))
        return value

    # -- nested values -------------------------------------------------------------------------
    def obj(self, key: str) -> Reader:
        return Reader(self.required(key), self.at(key), self._shared)

    def opt_obj(self, key: str) -> Reader | None:
        value = self.data.get(key)
        return None if value is None else Reader(value, self.at(key), self._shared)

    def objects(self, key: str, *, required: bool = True) -> list[Reader]:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise OrderPayloadError("order.bad_field", path=self.at(key), reason=f"expected a list, got {type(value).__name__}")
        return [Reader(item, f"{self.at(key)}[{i}]", self._shared) for i, item in enumerate(value)]

    # -- scalars --------------------------------------------------------------------------------
    def text(self, key: str, *, required: bool = False, max_chars: int = 200) -> str:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise OrderPayloadError("order.bad_field", path=self.at(key), reason=f"expected text, got {type(value).__name__}")
        text, changed = sanitize(value, max_chars=max_chars)
        if changed:
            self._shared.sanitized = True
        if required and not text:
            raise OrderPayloadError("order.missing_field", path=self.at(key))
        return text

    def ident(self, key: str, *, required: bool = True, max_chars: int = 128) -> str:
        """An id sent as a string or a JSON integer (read exactly, even beyond 2**53)."""
        value = self.required(key) if required else self.data.get(key)
        if value is None or value == "":
            if required:
                raise OrderPayloadError("order.missing_field", path=self.at(key))
            return ""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str) or len(value) > max_chars or not _OPAQUE.fullmatch(value):
            raise OrderPayloadError("order.bad_field", path=self.at(key), reason=f"not an id: {value!r:.60}")
        return value

    def opaque(self, key: str, *, max_chars: int = 4096) -> str:
        """An open id or a ciphertext; "" when absent (PDD empties ciphertext after shipping)."""
        return self.ident(key, required=False, max_chars=max_chars)

    def integer(self, key: str, *, required: bool = True, default: int = 0,
                minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            return default
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise OrderPayloadError("order.bad_field", path=self.at(key), reason=f"expected a whole number, got {value!r:.40}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise OrderPayloadError("order.bad_field", path=self.at(key), reason=f"{value} is out of range")
        return value

    def flag(self, key: str) -> bool:
        """A boolean sent as ``true``/``false`` or ``1``/``0``; absent is false."""
        value = self.data.get(key)
        if value is None or value is False or value == 0:
            return False
        if value is True or value == 1:
            return True
        raise OrderPayloadError("order.bad_field", path=self.at(key), reason=f"expected a boolean or 0/1, got {value!r:.40}")

    def status(self, key: str, table: Mapping[Any, V], *, platform: str) -> V:
        return lookup(table, self.required(key), platform=platform, path=self.at(key))

    # -- money ----------------------------------------------------------------------------------
    def yuan(self, key: str, *, required: bool = True, allow_negative: bool = False, allow_float: bool = False) -> int:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            return 0
        return money.yuan_to_fen(value, path=self.at(key), allow_negative=allow_negative, allow_float=allow_float)

    def fen(self, key: str, *, required: bool = True, allow_negative: bool = False) -> int:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            return 0
        return money.fen_amount(value, path=self.at(key), allow_negative=allow_negative)

    def minor(self, key: str, currency: str, *, required: bool = True) -> int:
        value = self.required(key) if required else self.data.get(key)
        if value is None:
            return 0
        return money.to_minor_units(value, currency, path=self.at(key))

    # -- times ----------------------------------------------------------------------------------
    def china_time(self, key: str) -> datetime:
        return times.china_time(self.required(key), path=self.at(key))

    def opt_china_time(self, key: str) -> datetime | None:
        return self.china_time(key) if self.has(key) else None

    def unix_time(self, key: str) -> datetime:
        return times.unix_seconds(self.required(key), path=self.at(key))

    def opt_unix_time(self, key: str) -> datetime | None:
        """Douyin and PDD write 0 for "not yet"."""
        return None if self.data.get(key) in (None, "", 0, "0") else self.unix_time(key)

    def unix_or_china_time(self, key: str) -> datetime:
        return times.unix_or_china_time(self.required(key), path=self.at(key))

    def opt_unix_or_china_time(self, key: str) -> datetime | None:
        return None if self.data.get(key) in (None, "", 0, "0") else self.unix_or_china_time(key)

    def iso_time(self, key: str) -> datetime:
        return times.iso_time(self.required(key), path=self.at(key))

    def opt_iso_time(self, key: str) -> datetime | None:
        return self.iso_time(key) if self.has(key) else None
