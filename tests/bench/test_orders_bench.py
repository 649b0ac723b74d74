"""The orders benchmark runs in CI-sized form and prints its figures beside the raw sqlite3 floor
(it asserts that it runs and reports, never how fast)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_orders_bench_reports_rate_floor_and_ratio() -> None:
    done = subprocess.run([sys.executable, "bench/orders.py", "--orders", "3000", "--batch", "500", "--processes", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    for figure in ("orders: 3,000 stored", "store API", "raw sqlite3 executemany", "ratio store/raw"):
        assert figure in done.stdout, figure
