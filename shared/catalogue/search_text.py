"""Search text for the back office's Ctrl+K search: how keys and queries are folded, and which keys a
named thing gets.

An entity (a SKU, a bin, an order) is found through its *keys*, all folded the same way as a query:
NFKC (full-width → ASCII), invisible characters dropped, lower-cased, runs of whitespace made one
space, trimmed. There are two tiers:

- identifying keys (codes, barcodes, platform order ids): an exact match ranks first;
- name keys (a name as written, its full pinyin and its initials, see ``pinyin``): found by prefix
  or substring like any key, ranked after exact identifying matches.

A query is folded the same way; an empty one finds nothing, a longer one than ``MAX_QUERY_CHARS``
is refused with ``web.search.query_too_long`` (nobody types that; a scanner gone wrong might).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from shared.catalogue.pinyin import pinyin_keys
from shared.core.errors import ValidationError

MAX_QUERY_CHARS = 100  # the search inputs in base.html and search/page.html have maxlength="100"
MAX_KEY_CHARS = 200  # keys are cut to this (prefix search still works on the first 200 characters)

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The form every key and query is compared in."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


def clean_query(raw: object) -> str:
    """The folded query; ``""`` for nothing to search. Raises ``ValidationError`` when too long."""
    if not isinstance(raw, str):
        return ""
    query = fold(raw)
    if len(query) > MAX_QUERY_CHARS:
        raise ValidationError("web.search.query_too_long", limit=MAX_QUERY_CHARS)
    return query


def identifying_keys(values: Iterable[str]) -> list[str]:
    """Folded, non-empty, unique identifying keys, in first-seen order."""
    return _unique(fold(v)[:MAX_KEY_CHARS] for v in values)


def name_keys(names: Iterable[str]) -> list[str]:
    """For each name: the folded name, its full pinyin and its initials (unique, non-empty)."""
    out: list[str] = []
    for name in names:
        folded = fold(name)
        if not folded:
            continue
        keys = pinyin_keys(folded)
        out.extend((folded[:MAX_KEY_CHARS], keys.full[:MAX_KEY_CHARS], keys.initials[:MAX_KEY_CHARS]))
    return _unique(out)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v not in seen:
            seen[v] = None
    return list(seen)
