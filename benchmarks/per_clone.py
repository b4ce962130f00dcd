"""Cost per live clone against tumour size, and why it grows (#15 item 3).

The tumour of ``benchmarks.engine --only size`` (held near N cells, b = d =
0.25/day, three drugs never given, u = 1e-7 each, 200 days of 0.4-day steps),
timed on ``EngineState.run_until`` alone, CPU time (``time.process_time``),
median over seeds. Beside it, the same tumour without mutation (u = 0: one
clone), and the expected mutant newborns per step from the big clone,
``b * u * N * tau`` per drug, of which up to ``EXACT_ARRIVALS`` per drug are
timed one by one. Teaching model: these are computing speeds.

Usage::

    python -m benchmarks.per_clone --seeds 5
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from clonesim.engine import EngineState, K
from clonesim.model import build_model

from .engine import size_config

HORIZON = 200.0
TAU = 0.1 / 0.25  # step_tolerance / max(b, d)


def engine_cpu(cfg, seed: int) -> tuple[float, float]:
    """CPU seconds of ``run_until`` for one seed, and the live clones averaged over the days."""
    state = EngineState(build_model(cfg))
    rng = np.random.Generator(np.random.PCG64(seed))
    t0 = time.process_time()
    state.run_until(cfg.simulation.horizon_days, rng, watch_detection=True)
    dt = time.process_time() - t0
    return dt, float((state.trajectory()[2] > 0).sum(axis=1).mean())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args(argv)
    engine_cpu(size_config(1e6, 5.0), 0)  # warm
    print("| N cells | µs / day | live clones | µs / day / live clone | u = 0: µs / day "
          "| mutants per step per drug (b u N tau) |")
    print("| --- | --- | --- | --- | --- | --- |")
    per_clone = []
    for e in range(3, 13):
        n = 10.0 ** e
        cfg = size_config(n, HORIZON)
        runs = [engine_cpu(cfg, s) for s in range(args.seeds)]
        us = statistics.median(r[0] for r in runs) / HORIZON * 1e6
        live = statistics.median(r[1] for r in runs)
        pc = statistics.median(r[0] / HORIZON / r[1] for r in runs) * 1e6
        per_clone.append(pc)
        quiet = cfg.update({"mutation_rate": 0.0})
        us0 = statistics.median(engine_cpu(quiet, s)[0] for s in range(args.seeds)) / HORIZON * 1e6
        arrivals = 0.25 * 1e-7 * n * TAU
        print(f"| 1e{e} | {us:.2f} | {live:.1f} | {pc:.2f} | {us0:.2f} | {arrivals:.3g} |")
    print(f"\nper live clone, max/min of the medians 1e3-1e12: {max(per_clone) / min(per_clone):.2f}x"
          f" (EXACT_ARRIVALS = {K.EXACT_ARRIVALS})")


if __name__ == "__main__":
    main()
