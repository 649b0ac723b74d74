"""Masking receiver details (脱敏). The canonical order never holds plaintext receiver PII.

The Chinese platforms send the receiver masked (and, separately, as ciphertext for later decryption
through the platform); a masked value contains ``*``. Shopify, and older apps on Taobao/JD, send
plaintext: the adapter masks it here and marks the order, because its ``raw`` payload then holds
plaintext PII and must be stored encrypted.

    name      张三丰 → 张**         John Smith → J**
    phone     13812345678 → 138****5678      +1 415 555 0100 → ****0100
    address   软件园二期观日路 12 号 → 软件园****   (digits in the kept part are masked too)

Masks work on graphemes, so they never split a surrogate, an emoji ZWJ sequence or a base letter
from its combining marks.
"""

from __future__ import annotations

from shared.orders.platform_text import graphemes

MASK = "*"


def is_masked(value: str) -> bool:
    """Platform masks always contain ``*`` (张**, 138****5678, 软件园****)."""
    return MASK in value


def mask_name(name: str) -> str:
    clusters = graphemes(name.strip())
    return f"{clusters[0]}**" if clusters else ""


def mask_phone(phone: str) -> str:
    text = phone.strip()
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    if text.startswith(("+86", "0086")):
        digits = digits[2:] if text.startswith("+") else digits[4:]
    elif text.startswith("+"):
        digits = "x" + digits  # a foreign number: never the 3+4 Chinese mobile shape
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"****{digits[-4:]}"
    return "****" if digits else ""


def mask_address(detail: str, *, keep: int = 3) -> str:
    clusters = graphemes(detail.strip())
    if not clusters:
        return ""
    kept = "".join(MASK if c.isascii() and c.isdigit() else c for c in clusters[:keep])
    return f"{kept}****"


def ensure_masked(value: str, kind: str) -> tuple[str, bool]:
    """``(masked value, was_plaintext)``: platform-masked values pass through unchanged."""
    if not value or is_masked(value):
        return value, False
    masker = {"name": mask_name, "phone": mask_phone, "address": mask_address}[kind]
    return masker(value), True
