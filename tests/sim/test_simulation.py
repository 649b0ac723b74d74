"""Seeds of the deterministic sync simulation. CI runs ERP_SIM_SEEDS seeds (default 200); a longer
run: ``.venv/bin/python -m tests.sim --seeds 2000``. A failing seed replays exactly:
``.venv/bin/python -m tests.sim --seed N``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sim.engine import Simulation
from tests.sim.invariants import check_all

SEEDS = int(os.environ.get("ERP_SIM_SEEDS", "200"))


def run_seed(seed: int, folder: Path) -> str:
    sim = Simulation(seed, folder)
    try:
        trace = sim.run()
        check_all(sim)
        return trace
    finally:
        sim.close()


@pytest.mark.parametrize("seed", range(SEEDS))
def test_seed_keeps_every_promise(seed: int, tmp_path: Path) -> None:
    run_seed(seed, tmp_path)


@pytest.mark.parametrize("seed", [3, 17])
def test_same_seed_gives_the_same_trace(seed: int, tmp_path: Path) -> None:
    assert run_seed(seed, tmp_path / "a") == run_seed(seed, tmp_path / "b")
