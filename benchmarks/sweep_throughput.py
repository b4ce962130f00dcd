"""Throughput of a classic_98_2 sweep on 1 and 2 workers, against simulate_many.

    PYTHONPATH=. python benchmarks/sweep_throughput.py [replicates]

Prints patients per second for: simulate_many on each point's scenario (the
engine alone), sweep(workers=1) and sweep(workers=2), in memory (out=None) and
to a folder. Teaching model, not for clinical use.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import clonesim

ROOT = Path(__file__).resolve().parents[1]
AXES = ["drugs.A.kill_fraction=[0.95, 0.98]", "mutation_rate=[1e-7, 1e-6]"]


def main(replicates: int = 100) -> None:
    cfg = clonesim.load_config(ROOT / "configs" / "classic_98_2.toml")
    clonesim.simulate(cfg, seed=0)  # compile / load the kernels
    n = 4 * replicates
    t = time.perf_counter()
    for kf in (0.95, 0.98):
        for mu in (1e-7, 1e-6):
            clonesim.simulate_many(cfg.update({"drugs.A.kill_fraction": kf, "mutation_rate": mu}),
                                   replicates, seed=1)
    base = n / (time.perf_counter() - t)
    print(f"simulate_many, 1 process:      {base:7.1f} patients/s")
    for workers in (1, 2):
        t = time.perf_counter()
        clonesim.sweep(cfg, AXES, replicates, seed=1, workers=workers, progress=False)
        rate = n / (time.perf_counter() - t)
        print(f"sweep, {workers} worker(s), in memory: {rate:7.1f} patients/s "
              f"({base / rate:.2f}x the per-patient cost of simulate_many)" if workers == 1 else
              f"sweep, {workers} worker(s), in memory: {rate:7.1f} patients/s")
        with tempfile.TemporaryDirectory() as d:
            t = time.perf_counter()
            clonesim.sweep(cfg, AXES, replicates, seed=1, workers=workers, progress=False,
                           out=Path(d) / "s")
            print(f"sweep, {workers} worker(s), to a folder: "
                  f"{n / (time.perf_counter() - t):7.1f} patients/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
