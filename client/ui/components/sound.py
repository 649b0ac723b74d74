"""Feedback tones: short and high for a taken scan, a low double buzz for a refusal, a rising pair
when a unit of work closes, a mid beep for a warning. The WAV files are generated at start with the
standard library (no binary assets in the repo) and played with flet-audio, which works in Flet's web
mode and in device builds."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import flet as ft
import flet_audio as fa

RATE = 22050
TONES: dict[str, list[tuple[int, int]]] = {  # tone -> [(frequency Hz, duration ms)], 0 Hz = silence
    "ok": [(1320, 90)],
    "error": [(220, 160), (0, 60), (220, 220)],
    "done": [(880, 90), (1320, 140)],
    "warn": [(660, 160)],
}


def write_tones(folder: Path) -> None:
    """Write ``<tone>.wav`` for every tone into ``folder`` (skipping files already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, parts in TONES.items():
        path = folder / f"{name}.wav"
        if path.exists():
            continue
        frames = bytearray()
        for freq, ms in parts:
            n = RATE * ms // 1000
            for i in range(n):
                fade = min(1.0, i / 200, (n - i) / 200)  # no clicks at the edges
                sample = 0.45 * fade * math.sin(2 * math.pi * freq * i / RATE) if freq else 0.0
                frames += struct.pack("<h", int(sample * 32767))
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(bytes(frames))


class Sounds:
    """One audio player per tone, registered with the page once."""

    def __init__(self, page: ft.Page) -> None:
        self.players = {name: fa.Audio(src=f"sounds/{name}.wav", autoplay=False) for name in TONES}
        for player in self.players.values():
            page.services.append(player)
        self.last = ""

    async def play(self, tone: str) -> None:
        player = self.players.get(tone)
        if player is None:
            return
        self.last = tone
        try:
            await player.seek(0)
            await player.play()
        except Exception:  # noqa: BLE001 - a missing sound must never break a scan
            return
