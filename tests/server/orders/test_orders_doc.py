"""Docs as tests: every orders/shops/push catalogue code and every pipeline state is in docs/orders.md."""

from __future__ import annotations

from pathlib import Path

from shared.core.messages_orders import MESSAGES
from shared.orders.pipeline import State

DOC = (Path(__file__).resolve().parents[3] / "docs" / "orders.md").read_text(encoding="utf-8")


def test_every_catalogue_code_is_documented() -> None:
    assert [code for code in sorted(MESSAGES) if f"`{code}`" not in DOC] == []


def test_every_state_is_documented() -> None:
    assert [state.value for state in State if f"`{state.value}`" not in DOC] == []


def test_every_code_has_chinese_first_and_english_second() -> None:
    for zh, en in MESSAGES.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()
