"""Engine parts 6-8: how a whole ``classic_98_2`` patient's cost grows with
tumour size at detection and with the number of drugs (hence genotypes and
live clones), and ``simulate_many`` on one and two cores.

Run through ``python -m benchmarks.engine --only detection,drugs,many``.
Teaching model, not for clinical use.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

import clonesim

from ._common import fmt_time, summarize, time_simulate

CLASSIC = Path(__file__).resolve().parents[1] / "configs/classic_98_2.toml"
DRUG_NAMES = "ABCDEFGH"


def _patients(cfg: clonesim.Config, seeds) -> dict:
    """Time ``simulate`` per patient, after one warm-up, and note its steps and
    live clones (mean over the recorded days of the types with any cell)."""
    times, results = time_simulate(cfg, seeds)
    steps = [r.steps for r in results]
    live = [float((r.counts > 0).sum(axis=1).mean()) for r in results]
    types = [r.counts.shape[1] for r in results]
    per_step = np.array(times) / np.maximum(steps, 1)
    return {"seconds": summarize(times), "steps": summarize(steps),
            "us_per_step": summarize(per_step * 1e6), "live_clones": summarize(live),
            "types_seen": summarize(types)}


# ----------------------------------------------------------------------------
# 8. classic_98_2 against tumour size at detection
# ----------------------------------------------------------------------------


def bench_detection(exponents, n_seeds: int) -> dict:
    rows = []
    for e in exponents:
        n = 10.0 ** e
        cfg = clonesim.load_config(CLASSIC, {"clinic.detection_cells": n,
                                             "clinic.lethal_cells": n * 1e3})
        rows.append({"detection_cells": n, **_patients(cfg, range(n_seeds))})
    ms = [r["seconds"]["median"] for r in rows]
    return {
        "command": "python -m benchmarks.engine --only detection",
        "what": f"classic_98_2 with detection_cells = N and lethal_cells = 1000 N, seeds "
                f"0..{n_seeds - 1} per N after one warm-up; wall time of clonesim.simulate",
        "rows": rows, "ratio_max_min": max(ms) / min(ms),
    }


# ----------------------------------------------------------------------------
# 9. classic_98_2 against the number of drugs
# ----------------------------------------------------------------------------


def drugs_config(n_drugs: int) -> clonesim.Config:
    """classic_98_2 with ``n_drugs`` drugs like its three, given in sequence."""
    cfg = clonesim.load_config(CLASSIC)
    d = cfg.to_dict()
    template = d["drugs"]["A"]
    names = DRUG_NAMES[:n_drugs]
    d["drugs"] = {name: dict(template) for name in names}
    d["therapy"]["lines"] = list(names)
    return clonesim.Config.from_dict(d)


def bench_drugs(counts, n_seeds: int) -> dict:
    rows = [{"drugs": k, "genotypes": 2 ** k, **_patients(drugs_config(k), range(n_seeds))}
            for k in counts]
    return {
        "command": "python -m benchmarks.engine --only drugs",
        "what": f"classic_98_2 with 1 to {max(counts)} drugs like its A, B and C (kill 98% every "
                f"21 days, u = 1e-7 each), one line each in order; seeds 0..{n_seeds - 1}; "
                "live clones = types with any cell, averaged over the recorded days",
        "rows": rows,
    }


# ----------------------------------------------------------------------------
# 10. simulate_many on 1 and 2 cores
# ----------------------------------------------------------------------------


def bench_many(n_patients: int, reps: int) -> dict:
    cfg = clonesim.load_config(CLASSIC)
    clonesim.simulate_many(cfg, 4, seed=1, workers=2)  # warm the pool's cache loading
    rows = {}
    for workers in (1, 2):
        walls = []
        for _ in range(reps):
            t0 = time.perf_counter()
            clonesim.simulate_many(cfg, n_patients, seed=1, workers=workers)
            walls.append(time.perf_counter() - t0)
        rows[str(workers)] = {"wall_s": summarize(walls),
                              "patients_per_s": n_patients / float(np.median(walls))}
    return {
        "command": "python -m benchmarks.engine --only many",
        "what": f"clonesim.simulate_many(classic_98_2, {n_patients}, seed=1, workers=w), "
                f"median of {reps} runs each (a new process pool per call)",
        "n_patients": n_patients, "rows": rows,
        "speedup": rows["2"]["patients_per_s"] / rows["1"]["patients_per_s"],
    }


# ----------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------


def _patient_section(title: str, part: dict, first: str, label, note: str) -> list[str]:
    """A heading, the command, one row per scenario variant, and a note."""
    out = [f"### {title}", "", f"`{part['command']}` — {part['what']}.", "",
           f"| {first} | ms per patient (median) | IQR | steps | µs per step | live clones "
           "(mean) | types seen |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in part["rows"]:
        s = r["seconds"]
        out.append(f"| {label(r)} | **{s['median'] * 1e3:.1f}** | {s['q1'] * 1e3:.1f} – "
                   f"{s['q3'] * 1e3:.1f} | {r['steps']['median']:.0f} | "
                   f"{r['us_per_step']['median']:.2f} | {r['live_clones']['median']:.1f} | "
                   f"{r['types_seen']['median']:.0f} |")
    return out + ["", note, ""]


def markdown(res: dict) -> list[str]:
    out = []
    d = res.get("detection")
    if d:
        out += _patient_section(
            "6. `classic_98_2` against tumour size at detection", d, "detected at",
            lambda r: f"1e{round(math.log10(r['detection_cells']))}",
            f"Max/min of the medians: {d['ratio_max_min']:.2f}x. The engine pays per step and "
            "live clone, not per cell: a bigger tumour at detection adds steps (it takes longer "
            "to grow and to regrow) and clones (more resistant mutants exist), nothing per cell.")
    g = res.get("drugs")
    if g:
        out += _patient_section(
            "7. `classic_98_2` against the number of drugs", g, "drugs (genotypes)",
            lambda r: f"{r['drugs']} ({r['genotypes']})",
            "More drugs mean more lines (a longer life to simulate, so more steps) and more "
            "genotypes; the µs per step column tracks the live clones, which stay far below "
            "2^drugs because a genotype needs a mutant to exist.")
    m = res.get("many")
    if m:
        r1, r2 = m["rows"]["1"], m["rows"]["2"]
        out += ["### 8. `simulate_many` on 1 and 2 cores", "",
                f"`{m['command']}` — {m['what']}.", "",
                "| workers | wall (median) | patients/s |", "| --- | --- | --- |",
                f"| 1 | {fmt_time(r1['wall_s']['median'])} | {r1['patients_per_s']:.0f} |",
                f"| 2 | {fmt_time(r2['wall_s']['median'])} | {r2['patients_per_s']:.0f} |", "",
                f"Speed-up on 2 workers: **{m['speedup']:.2f}x** (the machine has 2 logical "
                "CPUs; the pool's start, loading the compiled kernels in each worker and "
                "sending the results back are not parallel).", ""]
    return out
