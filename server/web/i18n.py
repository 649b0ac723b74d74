"""The back office's language: zh-CN unless the ``lang`` cookie says ``en``. Every text comes from the
one catalogue (``shared.core.messages``) through ``translator(lang)``, the ``t()`` templates get."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import HTTPConnection

from shared.core.messages import MESSAGES

DEFAULT_LANG = "zh-CN"
LANGS = ("zh-CN", "en")
LANG_COOKIE = "lang"

Translate = Callable[..., str]


def language(request: HTTPConnection) -> str:
    chosen = request.cookies.get(LANG_COOKIE, "")
    return chosen if chosen in LANGS else DEFAULT_LANG


def other_language(lang: str) -> str:
    return "zh-CN" if lang == "en" else "en"


def translator(lang: str) -> Translate:
    """``t(key, **values)``: the catalogue text for ``key`` in ``lang``, filled with ``values``. An
    unknown key raises ``KeyError`` (a test renders every page in both languages)."""
    index = 1 if lang == "en" else 0

    def t(key: str, /, **values: object) -> str:
        template = MESSAGES[key][index]
        return template.format(**values) if values else template

    return t
