"""Run many simulation seeds: ``python -m tests.sim --seeds 2000 [--start 0]`` or replay one:
``python -m tests.sim --seed 123``. Prints fault statistics and, for a failing seed, the command that
replays it exactly."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from tests.sim.engine import Simulation
from tests.sim.invariants import check_all

FAULT_WORDS = ("drop-request", "drop-response", "duplicate", "redeliver", "crashed", "server-restart", "partition", "skew",
               "transport-error", "stocktake-approve", "task.claim", "stocktake.count", "rejected")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--seed", type=int, default=None, help="replay one seed and print its trace")
    ap.add_argument("--steps", type=int, default=50)
    args = ap.parse_args()
    seeds = [args.seed] if args.seed is not None else list(range(args.start, args.start + args.seeds))
    stats: Counter[str] = Counter()
    failed: list[int] = []
    started = time.perf_counter()
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            sim = Simulation(seed, Path(tmp), steps=args.steps)
            try:
                sim.run()
                check_all(sim)
                rejected = sum(e.state == "rejected" for d in sim.devices for e in d.replica.outbox_entries())
                stats["rejected"] += rejected
                stats["ops"] += sum(len(d.created) for d in sim.devices)
            except Exception:  # noqa: BLE001 - report every failing seed
                failed.append(seed)
                traceback.print_exc()
                print(f"seed {seed} FAILED; replay: .venv/bin/python -m tests.sim --seed {seed}", file=sys.stderr)
            finally:
                for line in sim.trace:
                    stats.update(w for w in FAULT_WORDS if w in line)
                if args.seed is not None:
                    print("\n".join(sim.trace))
                sim.close()
    took = time.perf_counter() - started
    print(f"{len(seeds)} seeds in {took:.1f} s, {len(failed)} failed{': ' + str(failed) if failed else ''}")
    print("events: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
