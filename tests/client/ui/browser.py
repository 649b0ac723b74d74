"""Drive the handheld's web UI in Debian's Chromium with Playwright (never a downloaded browser).
Flet draws on a canvas: the accessibility tree is switched on first, then controls are found by
their semantics (labels, roles, and ``flt-semantics-identifier`` from ``tagged``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--autoplay-policy=no-user-gesture-required"]


@contextmanager
def browser_page(url: str, outside_requests: list[str]) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 480, "height": 900})
        page.on("request", lambda r: outside_requests.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
        page.goto(url)
        page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60000)
        page.locator("flt-semantics-placeholder").dispatch_event("click")
        try:
            yield page
        finally:
            browser.close()


class Handheld:
    def __init__(self, page: Page, shots: Path) -> None:
        self.page, self.shots = page, shots
        shots.mkdir(parents=True, exist_ok=True)

    def wait_for(self, identifier: str, timeout_ms: int = 20000) -> None:
        self.page.locator(f"[flt-semantics-identifier='{identifier}']").first.wait_for(state="attached", timeout=timeout_ms)

    def tap(self, identifier: str) -> None:
        """A real pointer click at the control (Flutter listens on its glass pane, not on the semantics
        nodes, so a synthetic DOM event would not reach it)."""
        self.wait_for(identifier)
        node = self.page.locator(f"[flt-semantics-identifier='{identifier}']").first
        box = node.bounding_box()
        assert box is not None, f"{identifier} has no box on screen"
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        time.sleep(0.5)

    def scan(self, code: str) -> None:
        """A keyboard-wedge scanner: the burst goes into the focused capture field, then Enter."""
        field = self.page.locator("[flt-semantics-identifier='scan-field'] input, input[data-semantics-role='text-field']").first
        field.wait_for(state="attached", timeout=20000)
        field.focus()
        self.page.keyboard.type(code)
        self.page.keyboard.press("Enter")
        time.sleep(0.5)

    def type_into(self, identifier: str, text: str) -> None:
        field = self.page.locator(f"[flt-semantics-identifier='{identifier}'] input").first
        field.wait_for(state="attached", timeout=20000)
        field.focus()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        time.sleep(0.6)

    def text_of(self, identifier: str) -> str:
        self.wait_for(identifier)
        return str(self.page.locator(f"[flt-semantics-identifier='{identifier}']").first.evaluate(
            "e => e.getAttribute('aria-label') || e.innerText || e.textContent"))

    def shot(self, name: str) -> Path:
        """A screenshot once two consecutive ones are identical (the canvas lags the DOM)."""
        path = self.shots / f"{name}.png"
        previous = b""
        for _ in range(10):
            time.sleep(0.3)
            current = self.page.screenshot()
            if current == previous:
                break
            previous = current
        path.write_bytes(previous)
        return path
