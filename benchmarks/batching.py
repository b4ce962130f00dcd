"""Per-tumour cost on the peers model (#15): ``simulate`` one at a time
against ``simulate_many`` (one model built once, one process), at 1e5 and
1e7 cells. Warm numba cache; wall time and process CPU time
(``time.process_time``) per tumour, medians over repeats. Teaching model:
these are computing speeds.

Usage::

    python -m benchmarks.batching --reps 200 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import clonesim

from .peers import clonesim_config


def per_tumour(fn, reps: int) -> tuple[float, float]:
    """Wall and CPU seconds per tumour of one call of ``fn`` making ``reps`` tumours."""
    w, c = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - w) / reps, (time.process_time() - c) / reps


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    clonesim.simulate(clonesim_config(1e5), seed=0)  # warm the kernels
    print("| cells | single: wall / CPU per tumour | batched: wall / CPU per tumour |")
    print("| --- | --- | --- |")
    for n in (1e5, 1e7):
        cfg = clonesim_config(n)
        single, batched = [], []
        for r in range(args.repeats):
            single.append(per_tumour(
                lambda: [clonesim.simulate(cfg, seed=(r, k)) for k in range(args.reps)],
                args.reps))
            batched.append(per_tumour(
                lambda: clonesim.simulate_many(cfg, args.reps, seed=r, workers=1), args.reps))
        s = [statistics.median(x[i] for x in single) * 1e3 for i in (0, 1)]
        b = [statistics.median(x[i] for x in batched) * 1e3 for i in (0, 1)]
        print(f"| {n:.0e} | {s[0]:.2f} / {s[1]:.2f} ms | {b[0]:.2f} / {b[1]:.2f} ms |")


if __name__ == "__main__":
    main()
