"""Buyer-typed text in orders (BAD_INPUTS.md "Unicode"): kept when harmless, cleaned and flagged
when not, never a reason to refuse a paid order. The raw payload keeps the original."""

from __future__ import annotations

import unicodedata

from tests.server.orders.payloads import convert, order


def test_cjk_astral_and_emoji_are_kept() -> None:
    raw = order("taobao", 0) | {"buyer_message": "𠮷野家 🇨🇳 👨‍👩‍👧 请用顺丰"}
    raw["orders"]["order"][0]["title"] = "纯棉T恤（男款），限量🔥"
    result = convert("taobao", raw)
    assert result.buyer_remark == "𠮷野家 🇨🇳 👨‍👩‍👧 请用顺丰" and result.lines[0].title == "纯棉T恤（男款），限量🔥"
    assert not result.flags.text_sanitized


def test_rtl_override_is_removed_and_flagged_and_raw_keeps_it() -> None:
    raw = order("douyin", 0) | {"buyer_words": "refund to \u202egpj.exe"}
    result = convert("douyin", raw)
    assert result.buyer_remark == "refund to gpj.exe" and result.flags.text_sanitized
    assert result.raw["buyer_words"] == "refund to \u202egpj.exe"


def test_nfd_title_becomes_nfc() -> None:
    raw = order("shopify", 0)
    raw["line_items"][0]["title"] = unicodedata.normalize("NFD", "Café mug")
    result = convert("shopify", raw)
    assert result.lines[0].title == "Café mug" and not result.flags.text_sanitized


def test_an_overlong_remark_is_cut_on_a_grapheme_boundary() -> None:
    raw = order("pinduoduo", 0) | {"buyer_memo": "好" * 499 + "👨‍👩‍👧" + "尾" * 100}
    result = convert("pinduoduo", raw)
    assert result.buyer_remark == "好" * 499 and result.flags.text_sanitized


def test_masked_emoji_name_is_not_split() -> None:
    raw = order("shopify", 0)
    raw["shipping_address"]["name"] = "👩🏽‍💻 Dev"
    assert convert("shopify", raw).receiver.name_masked == "👩🏽‍💻**"
