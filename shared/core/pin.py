"""Device sign-in PINs (shared handhelds): PBKDF2-HMAC-SHA256 from the standard library, so the same
check runs on the server and in an Android build without native extensions. Format:
``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``. A PIN is 4 to 8 digits."""

from __future__ import annotations

import hashlib
import hmac
import os

from shared.core.errors import ValidationError

ITERATIONS = 120_000


def check_pin_format(pin: object) -> str:
    if not isinstance(pin, str) or not pin.isascii() or not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ValidationError("invalid.code", field="pin", reason="a PIN is 4 to 8 digits")
    return pin


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    check_pin_format(pin)
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches ``stored``; a malformed stored value never matches."""
    try:
        scheme, iterations, salt_hex, hash_hex = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)
