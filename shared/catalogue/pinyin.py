"""Pinyin search keys for Chinese names: the full pinyin (蓝牙耳机 → ``lanyaerji``) and the initials
(→ ``lyej``), so the back office's search finds a product by what people type on a Latin keyboard.

Rules (pure; ``pypinyin`` is a dictionary lookup, no I/O):

- The text is NFKC-normalised first (full-width ``ＡＢ１２`` → ``ab12``, compatibility ideographs →
  unified ones) and lower-cased; invisible characters (zero-width space, BOM) are dropped.
- Each run of Han characters is read with pypinyin, heteronyms off: one reading per character, the
  commonest, with pypinyin's phrase table picking readings in context (重庆 → ``chongqing``).
  ü is written ``v`` (绿 → ``lv``), as pinyin keyboards take it. A Han character without a reading
  (rare extension-B characters such as 𠮷) is skipped.
- Each run of Latin letters and digits is kept whole in both keys (``iPhone15保护壳`` → full
  ``iphone15baohuke``, initials ``iphone15bhk``), so model numbers still match.
- Everything else (spaces, punctuation, emoji, symbols) separates runs and is dropped.

Both keys are ASCII ``[a-z0-9]*``; the initials are a subsequence of the full key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Han ideographs: CJK unified (with extension A), compatibility, extensions B and later, and 〇.
_HAN = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUNS = re.compile(rf"([{_HAN}]+)|([a-z0-9]+)")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")
_ASCII_LETTERS = re.compile(r"[^a-z]")


@dataclass(frozen=True, slots=True)
class PinyinKeys:
    full: str
    initials: str


def pinyin_keys(text: str) -> PinyinKeys:
    """The full pinyin and the initials of ``text`` (see the module docstring for the rules)."""
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower()
    full: list[str] = []
    initials: list[str] = []
    for match in _RUNS.finditer(folded):
        han, latin = match.groups()
        if latin:
            full.append(latin)
            initials.append(latin)
            continue
        for syllable in _syllables(han):
            full.append(syllable)
            initials.append(syllable[0])
    return PinyinKeys("".join(full), "".join(initials))


@lru_cache(maxsize=65536)
def _syllables(han: str) -> tuple[str, ...]:
    """The readings of one run of Han characters (cached: product names repeat words and brands).
    pypinyin is imported on first use: loading its dictionaries takes most of a second."""
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(han, style=Style.NORMAL, errors=lambda _chars: [], strict=True)
    out = []
    for reading in readings:
        letters = _ASCII_LETTERS.sub("", reading.lower())
        if letters:
            out.append(letters)
    return tuple(out)
