"""The search benchmark runs in CI-sized form and reports its figures beside the plain-LIKE floor
(never asserts how fast: benchmarks are not timed tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_search_bench_reports_build_latency_floor_and_ratio() -> None:
    done = subprocess.run([sys.executable, "bench/search.py", "--skus", "2000", "--queries", "80"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for figure in ("full index build", "catch-up when nothing changed", "search index", "plain LIKE (floor)",
                   "ratio index/LIKE", "initials", "chinese"):
        assert figure in done.stdout, figure
