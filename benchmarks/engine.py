"""The engine's own figures: one patient, cost vs tumour size, clone-steps per
second against the raw draw rate, time to first result, peak memory.

    python -m benchmarks.engine            # full run, writes benchmarks/results/engine.json
    python -m benchmarks.engine --quick    # smoke test at tiny sizes (writes to /tmp)

Every figure in the JSON carries the command that reproduces it. Teaching
model, not for clinical use.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from numba import njit

import clonesim
from clonesim.engine import EngineState
from clonesim.engine.birth_death import lineage_law
from clonesim.model import build_model

from . import scaling
from ._common import (RESULTS, fmt_num, fmt_time, git_commit, loadavg, machine,
                      python_subprocess, summarize, time_simulate, write_json)

CLASSIC = "configs/classic_98_2.toml"
OUT_OF_THE_WAY = {"detection_cells": 1e14, "lethal_cells": 1e15}  # never reached


# ----------------------------------------------------------------------------
# Scenarios
# ----------------------------------------------------------------------------


def size_config(n_cells: float, horizon: float = 200.0) -> clonesim.Config:
    """A tumour held near ``n_cells``: b = d = 0.25/day, three drugs never
    given, u = 1e-7 per drug so that big tumours make many mutants."""
    return clonesim.Config.from_dict({
        "mutation_rate": 1e-7,
        "tumour": {"initial_cells": int(n_cells), "birth_rate": 0.25, "death_rate": 0.25,
                   "condition_on_detection": False},
        "drugs": {"A": {}, "B": {}, "C": {}},
        "therapy": {"lines": ["A", "B", "C"]},
        "clinic": dict(OUT_OF_THE_WAY),
        "simulation": {"horizon_days": horizon, "record_interval_days": 1.0},
    })


def two_clone_config(m_cells: float, horizon: float) -> clonesim.Config:
    """Exactly two clones of ``m_cells`` each (sensitive and A-resistant), no
    mutation, b = d = 0.25/day: clone-steps = 2 * steps."""
    return clonesim.Config.from_dict({
        "mutation_rate": 0.0,
        "tumour": {"initial_cells": int(m_cells), "initial_resistant": {"A": int(m_cells)},
                   "birth_rate": 0.25, "death_rate": 0.25, "condition_on_detection": False},
        "drugs": {"A": {}},
        "therapy": {"lines": ["A"]},
        "clinic": dict(OUT_OF_THE_WAY),
        "simulation": {"horizon_days": horizon, "record_interval_days": horizon},
    })


def run_engine(cfg: clonesim.Config, seed: int) -> tuple[float, EngineState]:
    """Time ``EngineState.run_until(horizon)`` alone (no Result, no config work)."""
    model = build_model(cfg)
    state = EngineState(model)
    rng = np.random.Generator(np.random.PCG64(seed))
    t0 = time.perf_counter()
    state.run_until(cfg.simulation.horizon_days, rng, watch_detection=True)
    return time.perf_counter() - t0, state


# ----------------------------------------------------------------------------
# 1. One warm classic_98_2 patient
# ----------------------------------------------------------------------------


def bench_patient(n_seeds: int, n_processes: int = 3) -> dict:
    cfg = clonesim.load_config(Path(__file__).resolve().parents[1] / CLASSIC)
    # three warm-up patients: compile or load the cache, touch every code path
    times, results = time_simulate(cfg, range(n_seeds), warm=3)
    steps = [r.steps for r in results]
    per_step = [dt / max(n, 1) for dt, n in zip(times, steps)]
    # The same in fresh processes: on a shared VM a process's median can be off by a
    # quarter, so the headline is the median over processes.
    code = ("import time, statistics, clonesim; "
            f"cfg = clonesim.load_config('{CLASSIC}'); "
            "[clonesim.simulate(cfg, seed=10_000 + s) for s in range(3)]; ts = []\n"
            f"for s in range({n_seeds}):\n"
            "    t0 = time.perf_counter(); clonesim.simulate(cfg, seed=s); "
            "ts.append(time.perf_counter() - t0)\n"
            "print(statistics.median(ts))")
    per_process = [float(python_subprocess(code)[2].split()[-1]) for _ in range(n_processes)]
    return {
        "command": "python -m benchmarks.engine --only patient",
        "what": f"clonesim.simulate(load_config('{CLASSIC}'), seed=s), s = 0..{n_seeds - 1}, "
                "after 3 warm-up patients",
        "process_medians_s": per_process,
        "median_of_process_medians_s": float(np.median(per_process)),
        "seconds": summarize(times),
        "steps": summarize(steps),
        "us_per_step": summarize(np.array(per_step) * 1e6),
        "aim_seconds": 0.010,
    }


# ----------------------------------------------------------------------------
# 2. Cost vs tumour size
# ----------------------------------------------------------------------------


def bench_size(exponents, reps: int, horizon: float) -> dict:
    rows = []
    run_engine(size_config(1e6, 5.0), 0)  # warm
    clonesim.simulate(size_config(1e6, 5.0), seed=0)
    for e in exponents:
        n = 10.0 ** e
        cfg = size_config(n, horizon)
        eng, sim, steps, clones, per_clone = [], [], [], [], []
        for s in range(reps):
            dt, state = run_engine(cfg, s)
            eng.append(dt)
            steps.append(state.steps)
            clones.append(int(np.count_nonzero(state.counts[: state.n_slots])))
            live = float((state.trajectory()[2] > 0).sum(axis=1).mean())  # over the days
            per_clone.append(dt / horizon / live)
            t0 = time.perf_counter()
            clonesim.simulate(cfg, seed=s)
            sim.append(time.perf_counter() - t0)
        rows.append({
            "n_cells": n,
            "engine_us_per_day": summarize(np.array(eng) / horizon * 1e6),
            "simulate_us_per_day": summarize(np.array(sim) / horizon * 1e6),
            "steps": summarize(steps),
            "clones_at_end": summarize(clones),
            "engine_us_per_clone_day": summarize(np.array(per_clone) * 1e6),
        })

    def ratio(key, lo_exp):
        med = [r[key]["median"] for r in rows if r["n_cells"] >= 10.0 ** lo_exp - 0.5]
        return max(med) / min(med)

    lo = min(exponents)
    return {
        "command": "python -m benchmarks.engine --only size",
        "what": (f"tumour held near N cells (initial_cells=N, b=d=0.25/day, 3 drugs never given, "
                 f"u=1e-7 each, detection/lethal at 1e14/1e15, records daily), horizon "
                 f"{horizon:g} days, {reps} seeds per N; engine = EngineState.run_until alone, "
                 "simulate = clonesim.simulate (config -> model -> Result)"),
        "horizon_days": horizon,
        "rows": rows,
        "ratio_max_min_engine": ratio("engine_us_per_day", lo),
        "ratio_max_min_simulate": ratio("simulate_us_per_day", lo),
        "ratio_max_min_engine_from_1e4": ratio("engine_us_per_day", max(lo, 4)),
        "ratio_max_min_simulate_from_1e4": ratio("simulate_us_per_day", max(lo, 4)),
        "ratio_max_min_engine_per_clone": ratio("engine_us_per_clone_day", lo),
        "aim_ratio": 2.0,
    }


# ----------------------------------------------------------------------------
# 3. Clone-steps per second vs the raw draw rate
# ----------------------------------------------------------------------------


@njit
def raw_pairs(n, p_survive, beta, reps, rng):
    """The physical limit of an exact birth-death step: one binomial and one
    negative binomial draw, nothing else."""
    acc = 0
    for _ in range(reps):
        s = rng.binomial(n, p_survive)
        acc += s + rng.negative_binomial(s, 1.0 - beta)
    return acc


def bench_clone_steps(sizes, reps: int, raw_pairs_n: int) -> dict:
    rows = []
    rng = np.random.Generator(np.random.PCG64(1))
    raw_pairs(1000, 0.9, 0.1, 10, rng)  # compile
    run_engine(two_clone_config(1e3, 10.0), 0)
    for m in sizes:
        horizon = 400.0 if m < 1e5 else 2000.0  # a 1e3-cell critical clone must not die out
        cfg = two_clone_config(m, horizon)
        eng_rate, steps = [], []
        for s in range(reps):
            dt, state = run_engine(cfg, s)
            steps.append(state.steps)
            eng_rate.append(2 * state.steps / dt)
        tau = horizon / float(np.median(steps))  # the engine's own step length
        p_surv, _alpha, beta = lineage_law(0.25, 0.25, tau)
        raw_rate = []
        for s in range(reps):
            t0 = time.perf_counter()
            raw_pairs(int(m), p_surv, beta, raw_pairs_n, rng)
            raw_rate.append(raw_pairs_n / (time.perf_counter() - t0))
        e, r = summarize(eng_rate), summarize(raw_rate)
        rows.append({"clone_cells": m, "horizon_days": horizon, "steps": summarize(steps),
                     "engine_clone_steps_per_s": e, "raw_pairs_per_s": r,
                     "ratio": e["median"] / r["median"],
                     "tau_days": tau, "p_survive": p_surv, "beta": beta})
    return {
        "command": "python -m benchmarks.engine --only clonesteps",
        "what": ("engine: two clones of M cells (sensitive + A-resistant, u=0, b=d=0.25/day, "
                 "one record at the end), clone-steps = 2 * EngineState.steps, timed over "
                 "run_until alone; raw: an @njit loop of rng.binomial(M, p) + "
                 "rng.negative_binomial(survivors, 1-beta) with the same step's p and beta"),
        "rows": rows,
        "aim_ratio": 1 / 3,
    }


# ----------------------------------------------------------------------------
# 4. Time to first result in a fresh process
# ----------------------------------------------------------------------------

FIRST_RESULT = ("import time; t0 = time.perf_counter(); import clonesim; t1 = time.perf_counter(); "
                f"r = clonesim.simulate(clonesim.load_config('{CLASSIC}'), seed=1); "
                "t2 = time.perf_counter(); print(t1 - t0, t2 - t1)")
FIRST_RESULT_SHOWN = (f"python -c \"import clonesim; clonesim.simulate(clonesim.load_config("
                      f"'{CLASSIC}'), seed=1)\"")


def _count_cache_files(d: str) -> int:
    return sum(1 for p in Path(d).rglob("*") if p.suffix in (".nbi", ".nbc"))


FLOORS = ("import time, sys; c = time.perf_counter; t0 = c(); import numpy; t1 = c(); "
          "import matplotlib.figure; t2 = c(); import numba; t3 = c(); import tiny; "
          "t4 = c(); tiny.f(1); t5 = c(); print(t1 - t0, t2 - t1, t3 - t2, t5 - t4)")
TINY = "from numba import njit\n\n@njit(cache=True)\ndef f(x):\n    return x + 1\n"


def _floors(reps: int = 3) -> dict:
    """What a fresh process pays before clonesim does anything: numpy,
    matplotlib.figure (clonesim.plots imports it at import time), numba, and
    numba's first call of a one-line cache=True function whose cache is warm."""
    with tempfile.TemporaryDirectory(prefix="clonesim-floor-") as d:
        Path(d, "tiny.py").write_text(TINY)
        env = {"NUMBA_CACHE_DIR": d, "PYTHONPATH": d}
        python_subprocess(FLOORS, env)  # fills tiny's cache
        rows = []
        for _ in range(reps):
            _w, _rss, text = python_subprocess(FLOORS, env)
            rows.append([float(x) for x in text.split()[-4:]])
    a = np.median(np.array(rows), axis=0)
    _w, _rss, text = python_subprocess("import sys, clonesim; print('matplotlib' in sys.modules)")
    return {"import_numpy_s": float(a[0]), "import_matplotlib_figure_s": float(a[1]),
            "import_numba_s": float(a[2]), "first_cached_njit_call_s": float(a[3]),
            "import_clonesim_loads_matplotlib": text.strip().splitlines()[-1] == "True"}


def bench_first_result(warm_reps: int, cold_reps: int) -> dict:
    out = {"command": "python -m benchmarks.engine --only first",
           "shown_command": FIRST_RESULT_SHOWN}
    with tempfile.TemporaryDirectory(prefix="clonesim-warm-") as warm_dir:
        env = {"NUMBA_CACHE_DIR": warm_dir}
        python_subprocess(FIRST_RESULT, env)  # fills the cache
        walls, imports, sims = [], [], []
        for _ in range(warm_reps):
            wall, _rss, text = python_subprocess(FIRST_RESULT, env)
            a, b = (float(x) for x in text.split()[-2:])
            walls.append(wall)
            imports.append(a)
            sims.append(b)
        out["warm"] = {"wall_s": summarize(walls), "import_s": summarize(imports),
                       "first_simulate_s": summarize(sims),
                       "cache_files": _count_cache_files(warm_dir)}
    walls, imports, sims, files = [], [], [], []
    for _ in range(cold_reps):
        with tempfile.TemporaryDirectory(prefix="clonesim-cold-") as cold_dir:
            wall, _rss, text = python_subprocess(FIRST_RESULT, {"NUMBA_CACHE_DIR": cold_dir})
            a, b = (float(x) for x in text.split()[-2:])
            walls.append(wall)
            imports.append(a)
            sims.append(b)
            files.append(_count_cache_files(cold_dir))
    out["cold"] = {"wall_s": summarize(walls), "import_s": summarize(imports),
                   "first_simulate_s": summarize(sims),
                   "cache_files_written": summarize(files)}
    bare, _rss, _ = python_subprocess("pass")
    out["bare_python_s"] = bare
    out["floors"] = _floors()
    out["ratio_cold_warm"] = out["cold"]["wall_s"]["median"] / out["warm"]["wall_s"]["median"]
    out["what"] = ("wall time of a fresh `python -c` (interpreter start, import, load the "
                   "config, one patient) seen from outside; warm = NUMBA_CACHE_DIR already "
                   "filled by an earlier run, cold = NUMBA_CACHE_DIR a new empty directory "
                   "(numba writes its cache there for cache=True functions, so the run compiles "
                   "every kernel; cache_files_written counts the .nbi/.nbc files it left)")
    return out


# ----------------------------------------------------------------------------
# 5. Peak memory
# ----------------------------------------------------------------------------

MEMORY_CASES = {
    "import_only": "import clonesim",
    "one_patient": (f"import clonesim; clonesim.simulate(clonesim.load_config('{CLASSIC}'), "
                    "seed=1)"),
    "simulate_many_1000_workers_1": (
        "import time, clonesim; cfg = clonesim.load_config('" + CLASSIC + "'); "
        "t0 = time.perf_counter(); rs = clonesim.simulate_many(cfg, 1000, seed=1, workers=1); "
        "print(time.perf_counter() - t0, sum(r.counts.nbytes + r.times.nbytes for r in rs))"),
}


def bench_memory(many_n: int) -> dict:
    rows = {}
    with tempfile.TemporaryDirectory(prefix="clonesim-warm-") as warm_dir:
        env = {"NUMBA_CACHE_DIR": warm_dir}
        python_subprocess(MEMORY_CASES["one_patient"], env)  # fill the cache
        for name, code in MEMORY_CASES.items():
            code = code.replace("1000", str(many_n))
            wall, rss, text = python_subprocess(code, env)
            row = {"code": code, "peak_rss_mib": rss["self_mib"], "wall_s": wall}
            if name.startswith("simulate_many"):
                secs, nbytes = text.split()[-2:]
                row["n_patients"] = many_n
                row["simulate_many_s"] = float(secs)
                row["trajectory_mib"] = int(nbytes) / 2**20
            rows[name] = row
    many = rows["simulate_many_1000_workers_1"]
    many["per_patient_kib"] = ((many["peak_rss_mib"] - rows["one_patient"]["peak_rss_mib"])
                               * 1024 / max(many_n - 1, 1))
    return {"command": "python -m benchmarks.engine --only memory",
            "what": "peak RSS (VmHWM of /proc/self/status at exit) of a fresh process, warm numba cache",
            "rows": rows}


# ----------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------


def markdown(res: dict) -> str:
    out = ["## Engine", ""]
    p = res.get("patient")
    if p:
        s = p["seconds"]
        ok = "meets" if s["median"] < p["aim_seconds"] else "misses"
        out += [
            "### 1. One warm `classic_98_2` patient", "",
            f"`{p['command']}` — {p['what']}.", "",
            "| median | IQR | mean | steps per patient (median) | µs per step (median) |",
            "| --- | --- | --- | --- | --- |",
            f"| **{fmt_time(s['median'])}** | {fmt_time(s['q1'])} – {fmt_time(s['q3'])} | "
            f"{fmt_time(s.get('mean', float('nan')))} | "
            f"{p['steps']['median']:.0f} | {p['us_per_step']['median']:.2f} |", ""]
        if p.get("process_medians_s"):
            pm = p["process_medians_s"]
            s = {"median": p["median_of_process_medians_s"]}
            ok = "meets" if s["median"] < p["aim_seconds"] else "misses"
            out += [f"The same {p['seconds']['n']} patients in {len(pm)} fresh processes: "
                    f"medians {', '.join(fmt_time(x) for x in pm)}; median of these "
                    f"**{fmt_time(s['median'])}** (the headline figure: on this shared virtual "
                    "machine one process's median can be off by a quarter).", ""]
        out += [f"Aim < {fmt_time(p['aim_seconds'])}: {ok} it.", ""]
    z = res.get("size")
    if z:
        out += ["### 2. Cost vs tumour size", "", f"`{z['command']}` — {z['what']}.", "",
                "| N cells | engine µs / simulated day | simulate µs / day | steps | clones at end "
                "| engine µs / day / live clone |",
                "| --- | --- | --- | --- | --- | --- |"]
        for r in z["rows"]:
            per_clone = r.get("engine_us_per_clone_day", {}).get("median", float("nan"))
            out.append(f"| 1e{round(math.log10(r['n_cells']))} | "
                       f"{r['engine_us_per_day']['median']:.2f} | "
                       f"{r['simulate_us_per_day']['median']:.2f} | {r['steps']['median']:.0f} | "
                       f"{r['clones_at_end']['median']:.0f} | {per_clone:.2f} |")
        lo = round(math.log10(min(r["n_cells"] for r in z["rows"])))
        hi = round(math.log10(max(r["n_cells"] for r in z["rows"])))
        out += ["", f"Ratio max/min of the medians, 1e{lo}–1e{hi}: engine "
                f"**{z['ratio_max_min_engine']:.2f}x**, simulate {z['ratio_max_min_simulate']:.2f}x; "
                f"1e4–1e{hi}: engine {z['ratio_max_min_engine_from_1e4']:.2f}x, simulate "
                f"{z['ratio_max_min_simulate_from_1e4']:.2f}x (aim: within "
                f"{z['aim_ratio']:g}x). Per live clone (the engine's unit of work; clones "
                f"averaged over the simulated days): "
                f"{z.get('ratio_max_min_engine_per_clone', float('nan')):.2f}x.", ""]
    c = res.get("clonesteps")
    if c:
        out += ["### 3. Clone-steps per second vs the raw draw rate", "",
                f"`{c['command']}` — {c['what']}.", "",
                "| clone size M | engine clone-steps/s | raw binomial+NB pairs/s | ratio |",
                "| --- | --- | --- | --- |"]
        for r in c["rows"]:
            out.append(f"| 1e{round(math.log10(r['clone_cells']))} | "
                       f"{fmt_num(r['engine_clone_steps_per_s']['median'])} | "
                       f"{fmt_num(r['raw_pairs_per_s']['median'])} | **{r['ratio']:.2f}** |")
        out += ["", f"Aim: ratio at least {c['aim_ratio']:.2f}.", ""]
    f = res.get("first")
    if f:
        w, k = f["warm"], f["cold"]
        out += ["### 4. Time to first result in a fresh process", "",
                f"`{f['command']}` — `{f['shown_command']}`: {f['what']}.", "",
                "| numba cache | wall (median) | of which import | of which first simulate | runs |",
                "| --- | --- | --- | --- | --- |",
                f"| warm | **{fmt_time(w['wall_s']['median'])}** | "
                f"{fmt_time(w['import_s']['median'])} | {fmt_time(w['first_simulate_s']['median'])} "
                f"| {w['wall_s']['n']} |",
                f"| cold | **{fmt_time(k['wall_s']['median'])}** | "
                f"{fmt_time(k['import_s']['median'])} | {fmt_time(k['first_simulate_s']['median'])} "
                f"| {k['wall_s']['n']} |", "",
                f"Cold/warm: {f['ratio_cold_warm']:.1f}x. A bare `python -c pass` takes "
                f"{fmt_time(f['bare_python_s'])}. Each cold run left "
                f"{k['cache_files_written']['median']:.0f} cache files in its fresh "
                "NUMBA_CACHE_DIR, so numba did honour the variable and recompiled.", ""]
        fl = f.get("floors")
        if fl:
            out += [f"Floors in a fresh process (median of 3): `import numpy` "
                    f"{fmt_time(fl['import_numpy_s'])}, then `import matplotlib.figure` "
                    f"{fmt_time(fl['import_matplotlib_figure_s'])} ("
                    + ("`import clonesim` loads it" if fl.get("import_clonesim_loads_matplotlib")
                       else "`import clonesim` does not load it; plotting does")
                    + f"), `import numba` {fmt_time(fl['import_numba_s'])}, "
                    f"and the first call of a one-line `@njit(cache=True)` function with a warm "
                    f"cache {fmt_time(fl['first_cached_njit_call_s'])} (numba initialising its "
                    "compiler target, once per process).", ""]
    m = res.get("memory")
    if m:
        rows = m["rows"]
        many = rows["simulate_many_1000_workers_1"]
        out += ["### 5. Peak memory", "", f"`{m['command']}` — {m['what']}.", "",
                "| run | peak RSS |", "| --- | --- |",
                f"| `import clonesim` only | {rows['import_only']['peak_rss_mib']:.0f} MiB |",
                f"| one `classic_98_2` patient | {rows['one_patient']['peak_rss_mib']:.0f} MiB |",
                f"| `simulate_many(cfg, {many['n_patients']}, workers=1)` | "
                f"**{many['peak_rss_mib']:.0f} MiB** |", "",
                f"The {many['n_patients']} patients took {fmt_time(many['simulate_many_s'])} on "
                f"one core ({many['n_patients'] / many['simulate_many_s']:.0f} patients/s); "
                f"their trajectories hold {many['trajectory_mib']:.0f} MiB, about "
                f"{many['per_patient_kib']:.0f} KiB of peak memory per patient kept.", ""]
    out += scaling.markdown(res)
    return "\n".join(out)


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------

PARTS = ("patient", "size", "clonesteps", "first", "memory", "detection", "drugs", "many")


def run(quick: bool = False, only=PARTS, log=print) -> dict:
    res = {"machine": machine(), "quick": quick, "load": {}}
    jobs = {
        "patient": ("one warm classic_98_2 patient", lambda: bench_patient(8 if quick else 50)),
        "size": ("cost vs tumour size", lambda: bench_size(
            [3, 6, 9, 12] if quick else list(range(3, 13)), 2 if quick else 7,
            20.0 if quick else 200.0)),
        "clonesteps": ("clone-steps per second vs raw draws", lambda: bench_clone_steps(
            [1e3, 1e6, 1e9], 2 if quick else 7, 20_000 if quick else 400_000)),
        "first": ("time to first result (fresh processes; cold runs compile)",
                  lambda: bench_first_result(2 if quick else 5, 1 if quick else 3)),
        "memory": ("peak memory", lambda: bench_memory(50 if quick else 1000)),
        "detection": ("classic_98_2 vs size at detection", lambda: scaling.bench_detection(
            [6, 9, 12] if quick else list(range(6, 13)), 3 if quick else 20)),
        "drugs": ("classic_98_2 vs number of drugs", lambda: scaling.bench_drugs(
            [1, 3, 8] if quick else list(range(1, 9)), 2 if quick else 10)),
        "many": ("simulate_many on 1 and 2 cores", lambda: scaling.bench_many(
            40 if quick else 600, 1 if quick else 3)),
    }
    for i, part in enumerate(PARTS):
        if part not in only:
            continue
        what, job = jobs[part]
        log(f"engine {i + 1}/{len(PARTS)}: {what}")
        before = loadavg()[0]
        res[part] = job()
        res["load"][part] = [before, loadavg()[0]]
    res["machine"]["commit_at_end"] = git_commit()
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.engine", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    ap.add_argument("--only", default=",".join(PARTS),
                    help="comma-separated parts: " + ",".join(PARTS))
    ap.add_argument("--out", type=Path, default=None,
                    help="JSON file (default results/engine.json, or /tmp with --quick)")
    args = ap.parse_args(argv)
    only = tuple(x.strip() for x in args.only.split(",") if x.strip())
    bad = set(only) - set(PARTS)
    if bad:
        ap.error(f"unknown part(s): {', '.join(sorted(bad))}")
    out = args.out or (Path(tempfile.gettempdir()) / "clonesim-bench" / "engine.json"
                       if args.quick else RESULTS / "engine.json")
    res = run(args.quick, only)
    if out.exists() and set(only) != set(PARTS):  # a partial rerun updates the file
        from ._common import read_json
        old = read_json(out)
        old.update(res)
        res = old
    write_json(out, res)
    print(markdown(res))
    print(f"\nwrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
