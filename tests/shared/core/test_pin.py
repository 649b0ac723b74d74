from __future__ import annotations

import pytest

from shared.core.errors import ValidationError
from shared.core.pin import hash_pin, verify_pin


def test_pin_verifies_and_a_wrong_pin_does_not() -> None:
    stored = hash_pin("1234", iterations=1000)
    assert verify_pin("1234", stored) and not verify_pin("1235", stored)


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$00$00", "pbkdf2_sha256$x$zz$00"])
def test_malformed_stored_pin_never_matches(stored: str) -> None:
    assert not verify_pin("1234", stored)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", 1234])
def test_pin_must_be_4_to_8_ascii_digits(pin: object) -> None:
    with pytest.raises(ValidationError):
        hash_pin(pin)  # type: ignore[arg-type]
