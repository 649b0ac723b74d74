"""Platform text is made safe, never refused; receivers are always masked, by graphemes."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.orders.mask import ensure_masked, is_masked, mask_address, mask_name, mask_phone
from shared.orders.platform_text import graphemes, sanitize, truncate


def test_cjk_astral_and_emoji_are_kept_unchanged() -> None:
    for text in ("张三丰", "𠮷野家", "请尽快发货 🙏", "👨‍👩‍👧 family", "🇨🇳🇺🇸"):
        assert sanitize(text, max_chars=100) == (text, False)


def test_nfd_becomes_nfc_without_counting_as_a_change() -> None:
    nfd = unicodedata.normalize("NFD", "Café")
    assert nfd != "Café"
    assert sanitize(nfd, max_chars=100) == ("Café", False)


@pytest.mark.parametrize(("text", "clean", "reported"), [
    ("invoice\u202egpj.exe", "invoicegpj.exe", True),  # RTL override: removed, not refused
    ("a\u2066b\u2069c", "abc", True),
    ("name\x00\x07", "name", True),
    ("line1\r\nline2\rline3", "line1\nline2\nline3", False),  # newline style is normalised silently
])
def test_control_and_bidi_characters_are_removed_and_reported(text: str, clean: str, reported: bool) -> None:
    assert sanitize(text, max_chars=100) == (clean, reported)


def test_truncation_never_splits_a_grapheme() -> None:
    family = "👨‍👩‍👧"  # 5 code points, one grapheme
    assert truncate("ab" + family, 4) == "ab"
    assert truncate("e\u0301e\u0301", 3) == "e\u0301"
    assert sanitize("x" * 10, max_chars=4) == ("xxxx", True)


def test_graphemes() -> None:
    assert graphemes("a🇨🇳🇺🇸👍🏽e\u0301") == ["a", "🇨🇳", "🇺🇸", "👍🏽", "e\u0301"]


def test_masks() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("👨‍👩‍👧 Smith") == "👨‍👩‍👧**"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_phone("+1 415 555 0100") == "****0100"
    assert mask_address("软件园二期观日路 12 号") == "软件园****"
    assert mask_address("12 Main St") == "** ****"


def test_platform_masks_pass_through_and_plaintext_is_masked() -> None:
    assert ensure_masked("张**", "name") == ("张**", False)
    assert ensure_masked("138****5678", "phone") == ("138****5678", False)
    assert ensure_masked("张三", "name") == ("张**", True)
    assert ensure_masked("", "phone") == ("", False)


@given(st.text(max_size=40))
def test_ensure_masked_returns_a_mask_or_nothing(text: str) -> None:
    for kind in ("name", "phone", "address"):
        masked, _ = ensure_masked(text, kind)
        assert masked == "" or is_masked(masked) or text == ""


@given(st.text(max_size=60), st.integers(min_value=0, max_value=40))
def test_sanitize_is_bounded_and_clean(text: str, limit: int) -> None:
    cleaned, _ = sanitize(text, max_chars=limit)
    assert len(cleaned) <= limit
    assert not any(c in cleaned for c in "\u202e\u202d\x00\r\t")
