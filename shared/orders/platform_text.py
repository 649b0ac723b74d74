"""Text that arrives inside platform orders: titles, specs, remarks, region names.

The decision (BAD_INPUTS.md "Unicode"): an order is never refused for what a buyer typed -- refusing
it would lose a paid order. Instead the text is made safe and the order says so:

* NFC-normalised (an NFD "é" and an NFC "é" compare equal afterwards);
* ``\\r\\n`` and ``\\r`` become ``\\n``, a tab becomes a space; other C0/C1 controls are removed;
* bidi overrides, embeddings, isolates and marks (U+202A-202E, U+2066-2069, U+200E/200F, U+061C)
  are removed, so a U+202E cannot make "gpj.exe" read as "exe.jpg" in the back office;
* text longer than the field allows is cut at a grapheme boundary (never inside an emoji ZWJ
  sequence, a flag, or a base letter and its combining marks).

CJK, astral-plane characters (𠮷), emoji and ZWJ sequences are kept as they are. Whenever something
was removed or cut, ``sanitize`` reports it and the order carries ``flags.text_sanitized``; the
original stays in the order's ``raw`` payload for audit.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_ZWJ = "\u200d"


def sanitize(value: str, *, max_chars: int) -> tuple[str, bool]:
    """Make platform text safe to store and show; returns ``(text, changed)``."""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    cleaned = _CONTROLS.sub("", text).strip()
    changed = cleaned != text.strip()
    if len(cleaned) > max_chars:
        cleaned = truncate(cleaned, max_chars)
        changed = True
    return cleaned, changed


def truncate(text: str, max_chars: int) -> str:
    """The longest prefix of whole graphemes that fits in ``max_chars`` code points."""
    kept: list[str] = []
    used = 0
    for cluster in graphemes(text):
        if used + len(cluster) > max_chars:
            break
        kept.append(cluster)
        used += len(cluster)
    return "".join(kept)


def graphemes(text: str) -> list[str]:
    """Split ``text`` into user-perceived characters (a pragmatic subset of UAX #29: combining
    marks, variation selectors, emoji modifiers, ZWJ sequences, tag sequences, flag pairs)."""
    clusters: list[str] = []
    for char in text:
        if clusters and _extends(clusters[-1], char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _extends(cluster: str, char: str) -> bool:
    code = ord(char)
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
        return True  # variation selectors, skin tones, emoji tag sequences
    if char == _ZWJ or cluster.endswith(_ZWJ):
        return True
    if _is_regional(char) and _is_regional(cluster[-1]):
        return sum(1 for c in cluster if _is_regional(c)) % 2 == 1  # pair flags two by two
    return False


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
