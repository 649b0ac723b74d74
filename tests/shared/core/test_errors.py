from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.core.errors import DomainError, ValidationError
from shared.core.messages import MESSAGES

ROOT = Path(__file__).resolve().parents[3]
RAISED = re.compile(r"""(?:Error|Violation)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_raised_code_has_a_message_in_both_languages() -> None:
    codes: set[str] = set()
    for folder in ("shared", "sync", "server", "client"):
        for path in (ROOT / folder).rglob("*.py"):
            codes |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    assert codes, "the scan found no raised codes at all"
    assert sorted(codes - MESSAGES.keys()) == []
    for code, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, code


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        ValidationError("no.such.code")


def test_message_falls_back_to_the_template_when_details_are_missing() -> None:
    err = DomainError("sku.not_found")
    assert err.message("en") == "Unknown SKU: {sku}"
    assert err.to_dict()["code"] == "sku.not_found"
