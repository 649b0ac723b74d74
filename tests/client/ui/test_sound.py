from __future__ import annotations

import wave
from pathlib import Path

from client.ui.components.sound import TONES, write_tones


def test_every_feedback_tone_is_a_short_valid_wav(tmp_path: Path) -> None:
    write_tones(tmp_path)
    for name in ("ok", "error", "done", "warn"):
        with wave.open(str(tmp_path / f"{name}.wav")) as w:
            seconds = w.getnframes() / w.getframerate()
            assert w.getnchannels() == 1 and 0.05 < seconds < 0.6, name
    assert set(TONES) == {"ok", "error", "done", "warn"}


def test_refusal_sounds_different_from_a_taken_scan(tmp_path: Path) -> None:
    write_tones(tmp_path)
    assert (tmp_path / "ok.wav").read_bytes() != (tmp_path / "error.wav").read_bytes()
    assert min(f for f, _ in TONES["error"] if f) < min(f for f, _ in TONES["ok"])  # low buzz vs high beep
