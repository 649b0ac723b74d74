"""The list-page benchmark runs in CI-sized form and reports first and deep keyset pages beside the
plain ``SELECT … LIMIT 51`` floor (never asserts how fast: benchmarks are not timed tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pages_bench_reports_first_and_deep_pages_against_the_floor() -> None:
    done = subprocess.run([sys.executable, "bench/pages.py", "--rows", "3000", "--skus", "100", "--bins", "100", "--repeat", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for figure in ("physical floor", "first page", "deep page", "x floor"):
        assert figure in done.stdout, figure
