"""Pinyin keys and search folding: examples (polyphones in context, mixed Latin and digits,
full-width, astral and invisible characters) and properties over arbitrary text."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.catalogue.pinyin import PinyinKeys, pinyin_keys
from shared.catalogue.search_text import MAX_QUERY_CHARS, clean_query, fold, identifying_keys, name_keys
from shared.core.errors import ValidationError

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)  # the original unified block
ASCII_KEY = re.compile(r"^[a-z0-9]*$")


@pytest.mark.parametrize(("text", "full", "initials"), [
    ("蓝牙耳机", "lanyaerji", "lyej"),
    ("西湖龙井 250g", "xihulongjing250g", "xhlj250g"),
    ("iPhone15保护壳", "iphone15baohuke", "iphone15bhk"),
    ("重庆小面", "chongqingxiaomian", "cqxm"),  # 重 read as chong in this phrase, not zhong
    ("银行卡", "yinhangka", "yhk"),  # 行 read as hang here
    ("绿茶", "lvcha", "lc"),  # ü typed as v
    ("ＵＳＢ充电器", "usbchongdianqi", "usbcdq"),  # full-width Latin normalised
    ("𠮷野家", "yejia", "yj"),  # a character without a reading is skipped
    ("纯牛奶\u200b 1L", "chunniunai1l", "cnn1l"),  # zero-width space dropped
    ("<script>alert(1)</script>", "scriptalert1script", "scriptalert1script"),
    ("", "", ""),
    ("🍵，（）", "", ""),
])
def test_pinyin_keys_of_examples(text: str, full: str, initials: str) -> None:
    assert pinyin_keys(text) == PinyinKeys(full, initials)


@given(st.text(max_size=40))
def test_keys_are_lowercase_ascii_letters_and_digits(text: str) -> None:
    keys = pinyin_keys(text)
    assert ASCII_KEY.match(keys.full) and ASCII_KEY.match(keys.initials)


@given(st.text(max_size=40))
def test_initials_are_a_subsequence_of_the_full_key(text: str) -> None:
    keys = pinyin_keys(text)
    rest = iter(keys.full)
    assert all(ch in rest for ch in keys.initials)
    assert len(keys.initials) <= len(keys.full)


@given(st.text(max_size=40))
def test_keys_do_not_depend_on_normal_form_or_case(text: str) -> None:
    keys = pinyin_keys(text)
    assert pinyin_keys(unicodedata.normalize("NFKC", text)) == keys
    assert pinyin_keys(unicodedata.normalize("NFKD", text)) == keys
    assert pinyin_keys(fold(text)) == keys


@given(st.text(HAN, min_size=1, max_size=12))
def test_each_han_character_gives_at_most_one_syllable_and_one_initial(text: str) -> None:
    keys = pinyin_keys(text)
    assert len(keys.initials) <= len(text)  # ten old unit characters (兙 "decagram") have no reading
    assert pinyin_keys(text + " 千").initials == keys.initials + "q"


@given(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True))
def test_latin_and_digits_are_kept_whole_in_both_keys(text: str) -> None:
    assert pinyin_keys(text) == PinyinKeys(text.lower(), text.lower())


@given(st.text(HAN, min_size=1, max_size=6), st.text(HAN, min_size=1, max_size=6))
def test_words_split_by_a_space_are_read_apart(left: str, right: str) -> None:
    both, a, b = pinyin_keys(f"{left} {right}"), pinyin_keys(left), pinyin_keys(right)
    assert both == PinyinKeys(a.full + b.full, a.initials + b.initials)


@given(st.text(max_size=60))
def test_fold_is_idempotent_trimmed_and_single_spaced(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip() and "  " not in once
    assert not re.search(r"[\x00-\x1f\u200b]", once)


def test_full_width_and_invisible_characters_fold_away() -> None:
    assert fold("  ６９０１２３４５６７８９２\u200b\r\n") == "6901234567892"
    assert fold("ＴＥＡ－００１") == "tea-001"


def test_clean_query_refuses_only_what_is_too_long() -> None:
    assert clean_query("x" * MAX_QUERY_CHARS) == "x" * MAX_QUERY_CHARS
    assert clean_query(None) == "" and clean_query("   ") == ""
    with pytest.raises(ValidationError) as exc:
        clean_query("x" * (MAX_QUERY_CHARS + 1))
    assert exc.value.code == "web.search.query_too_long"


def test_name_keys_hold_the_name_its_pinyin_and_initials_once() -> None:
    assert name_keys(["蓝牙耳机", "Bluetooth earphones", ""]) == [
        "蓝牙耳机", "lanyaerji", "lyej", "bluetooth earphones", "bluetoothearphones"]
    assert identifying_keys(["TEA-001", "tea-001", " "]) == ["tea-001"]
