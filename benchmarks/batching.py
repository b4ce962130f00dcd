"""Per-tumour cost on the peers model (#15): ``simulate`` one at a time
against ``simulate_many`` (one model built once, one process), at 1e5 and
1e7 cells. Warm numba cache; wall time and process CPU time
(``time.process_time``) per tumour, medians over repeats. Teaching model:
these are computing speeds.

``--dispatch`` instead compares, in one process, a patient whose kernel call
goes through numba's dispatcher with one that calls the compiled kernel
directly (``clonesim.engine._PerModel``), 15 alternating rounds of 100.

``--parts`` splits one batched patient at 1e7 cells into its pieces (CPU us
per patient, medians of 7 rounds of 2000): numpy's seeding chain, the engine
state, the kernel run, the trajectory table, and the whole patient.

Usage::

    python -m benchmarks.batching --reps 200 --repeats 3
    python -m benchmarks.batching --dispatch
    python -m benchmarks.batching --parts
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


def parts(rounds: int = 7, reps: int = 2000) -> None:
    """CPU us per patient of each piece of a batched patient, medians over rounds."""
    import numpy as np

    from clonesim import runners
    from clonesim.engine import EngineState
    from clonesim.model import build_model

    cfg = clonesim_config(1e7)
    model = build_model(cfg)
    horizon = cfg.simulation.horizon_days
    runners._run_chunk((cfg, 1, 0, 2, False))

    def generator(k):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(k,))))

    done = EngineState(model)
    done.run_until(horizon, generator(0), watch_detection=True)

    def seeds():
        for k in range(reps):
            generator(k)

    def states():
        for _ in range(reps):
            EngineState(model)

    def runs():
        for k in range(reps):
            EngineState(model).run_until(horizon, generator(k), watch_detection=True)

    def tables():
        for _ in range(reps):
            done.trajectory()

    pieces = {
        "seeding, numpy's SeedSequence -> PCG64 -> Generator": seeds,
        "engine state (EngineState)": states,
        "state + seeding + kernel run": runs,
        "trajectory table (EngineState.trajectory)": tables,
        "whole patient (runners._run_chunk)": lambda: runners._run_chunk((cfg, 1, 0, reps, False)),
    }
    for name, fn in pieces.items():
        times = []
        for _ in range(rounds):
            t = time.process_time()
            fn()
            times.append((time.process_time() - t) / reps * 1e6)
        print(f"{name:54s} {statistics.median(times):6.1f} us")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dispatch", action="store_true",
                    help="dispatcher vs direct kernel call, in one process")
    ap.add_argument("--parts", action="store_true",
                    help="CPU per patient of each piece of a batched patient at 1e7")
    args = ap.parse_args(argv)
    if args.parts:
        parts()
        return
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
