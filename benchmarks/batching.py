"""Per-tumour cost on the peers model (#15): ``simulate`` one at a time
against ``simulate_many`` (one model built once, one process), at 1e5 and
1e7 cells. Warm numba cache; wall time and process CPU time
(``time.process_time``) per tumour, medians over repeats. Teaching model:
these are computing speeds.

``--dispatch`` instead compares, in one process, a patient whose kernel call
goes through numba's dispatcher with one that calls the compiled kernel
directly (``clonesim.engine._PerModel``), 15 alternating rounds of 100.

Usage::

    python -m benchmarks.batching --reps 200 --repeats 3
    python -m benchmarks.batching --dispatch
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


def dispatch_ab(rounds: int = 15, reps: int = 100) -> None:
    """CPU ms per patient, dispatcher vs direct kernel call, medians over rounds."""
    from clonesim import engine, runners
    from clonesim.model import build_model

    real = engine._compiled
    via_dispatcher = lambda dispatcher, args: dispatcher  # noqa: E731
    for n in (1e5, 1e7):
        cfg = clonesim_config(n)
        res = {"dispatcher": [], "direct": []}
        for _ in range(rounds):
            for name, comp in (("dispatcher", via_dispatcher), ("direct", real)):
                engine._compiled = comp
                engine._PER_MODEL.clear()
                engine._ADVANCE.clear()
                model = build_model(cfg)
                runners._patient(cfg, model, 1, 0)
                t = time.process_time()
                for k in range(reps):
                    runners._patient(cfg, model, 1, k)
                res[name].append((time.process_time() - t) / reps * 1e3)
        engine._compiled = real
        print(f"{n:.0e}: " + ", ".join(f"{k} {statistics.median(v):.3f} ms"
                                       for k, v in res.items()))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dispatch", action="store_true",
                    help="dispatcher vs direct kernel call, in one process")
    args = ap.parse_args(argv)
    if args.dispatch:
        clonesim.simulate(clonesim_config(1e5), seed=0)
        dispatch_ab()
        return
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
