"""The benchmarks run in CI-sized form: each finishes and prints its figures and the physical limit
beside them. These assert that they run and report, never how fast (benchmarks are not timed tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, timeout_s: int = 300) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_ledger_bench_reports_rate_limit_and_ratio() -> None:
    out = _run("bench/ledger.py", "--movements", "3000", "--batch", "500")
    assert "store API (ledger.post)" in out and "raw sqlite3 executemany" in out and "ratio store/raw" in out


def test_sync_bench_reports_merge_bootstrap_and_delta() -> None:
    out = _run("bench/sync.py", "--quick")
    for figure in ("server merge", "raw sqlite3, same effect", "ratio server/raw", "ready replica", "pull and apply"):
        assert figure in out, figure


def test_scan_bench_reports_camera_and_commit() -> None:
    out = _run("bench/scan.py", "--quick")
    for figure in ("product", "pyzbar", "zxing-cpp", "p99", "raw sqlite3"):
        assert figure in out, figure
