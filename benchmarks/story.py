"""Speed of the clinical-story parts (issue: phenotypes, sites, policies, cohorts).

    python -m benchmarks.story            # writes benchmarks/story.md and results/story.json

Measures (medians, this machine, warm numba cache):
1. a 1,000-patient ``refractory_cohort`` through ``simulate_cohort`` on 1 and 2 workers;
2. the per-patient cost of every shipped scenario (all parts switched on in some);
3. the plain ``classic_98_2`` patient on this engine vs the engine before the
   phenotype/site/policy parts were added (commit 9cc2254), at equal step
   lengths: that engine paced steps by b + d, this one by max(b, d), so this
   one runs at step_tolerance 0.1 * 0.25 / 0.45 to take the same steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import clonesim
from clonesim.config import arm_config

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "9cc2254"
CLASSIC_SNIPPET = """
import sys, time, numpy as np, clonesim
print(clonesim.__file__, file=sys.stderr)
cfg = clonesim.load_config(sys.argv[1], {{"simulation.step_tolerance": {tol}}})
clonesim.simulate(cfg, seed=0)
ts, steps = [], []
for s in range(60):
    t0 = time.perf_counter(); r = clonesim.simulate(cfg, seed=s)
    ts.append(time.perf_counter() - t0); steps.append(r.steps)
print(np.median(ts), np.median(steps))
"""


def _median_ms(cfg, n=30) -> tuple[float, float]:
    clonesim.simulate(cfg, seed=0)
    ts, steps = [], []
    for s in range(n):
        t0 = time.perf_counter()
        r = clonesim.simulate(cfg, seed=s)
        ts.append(time.perf_counter() - t0)
        steps.append(r.steps)
    return float(np.median(ts) * 1e3), float(np.median(steps))


def cohort_timing() -> dict:
    cfg = clonesim.load_config(ROOT / "configs/refractory_cohort.toml")
    out = {}
    clonesim.simulate_cohort(cfg, 20, seed=1, workers=1)
    for workers in (1, 2):
        t0 = time.perf_counter()
        c = clonesim.simulate_cohort(cfg, 1000, seed=1, workers=workers)
        out[workers] = time.perf_counter() - t0
    out["refractory_fraction"] = c.refractory_fraction
    return out


def scenarios() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "configs").glob("*.toml")):
        cfg = clonesim.load_config(path)
        arms = list(cfg.cohort.arms) or [None]
        for arm in arms:
            c = arm_config(cfg, arm) if arm else cfg
            ms, steps = _median_ms(c)
            rows.append({"scenario": path.stem + (f" [{arm}]" if arm else ""),
                         "states": len(c.states), "sites": len(c.sites), "drugs": len(c.drugs),
                         "policy": c.therapy.policy, "local": len(c.therapy.local),
                         "ms": ms, "steps": steps})
    return rows


def classic_old_vs_new() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", tmp,
                        OLD_COMMIT], check=True)
        try:
            cfg = str(ROOT / "configs/classic_98_2.toml")
            # cwd matters: `python -c` puts it first on sys.path, before PYTHONPATH
            old = subprocess.run([sys.executable, "-c", CLASSIC_SNIPPET.format(tol=0.1), cfg],
                                 env=dict(os.environ, PYTHONPATH=tmp), capture_output=True,
                                 text=True, check=True, cwd=tmp).stdout.split()
            new = subprocess.run([sys.executable, "-c",
                                  CLASSIC_SNIPPET.format(tol=0.1 * 0.25 / 0.45), cfg],
                                 env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                                 text=True, check=True, cwd=ROOT).stdout.split()
            default = subprocess.run([sys.executable, "-c", CLASSIC_SNIPPET.format(tol=0.1), cfg],
                                     env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                     capture_output=True, text=True, check=True,
                                     cwd=ROOT).stdout.split()
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", tmp],
                           check=True)
    old_ms, new_ms, def_ms = float(old[0]) * 1e3, float(new[0]) * 1e3, float(default[0]) * 1e3
    return {"old_ms": old_ms, "old_steps": float(old[1]), "same_steps_ms": new_ms,
            "same_steps": float(new[1]), "ratio": new_ms / old_ms, "default_ms": def_ms,
            "default_steps": float(default[1])}


def main() -> int:
    res = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "loadavg_before": os.getloadavg(), "cohort": cohort_timing(),
           "scenarios": scenarios(), "classic": classic_old_vs_new(),
           "loadavg_after": os.getloadavg()}
    (ROOT / "benchmarks/results").mkdir(exist_ok=True)
    (ROOT / "benchmarks/results/story.json").write_text(json.dumps(res, indent=1) + "\n")
    c, k = res["cohort"], res["classic"]
    lines = ["# Clinical-story parts: speed", "",
             "Generated by `python -m benchmarks.story` (machine: see benchmarks/README.md; "
             f"{res['date']}, load {res['loadavg_before'][0]:.2f} before, "
             f"{res['loadavg_after'][0]:.2f} after). Teaching model, not for clinical use.", "",
             "## A 1,000-patient `refractory_cohort`", "",
             "| workers | wall time | patients/s |", "| --- | --- | --- |",
             f"| 1 | {c[1]:.1f} s | {1000 / c[1]:.0f} |",
             f"| 2 | {c[2]:.1f} s | {1000 / c[2]:.0f} |", "",
             f"Speed-up on 2 workers: {c[1] / c[2]:.2f}x; refractory fraction "
             f"{c['refractory_fraction']:.1%}.", "",
             "## Per patient, every shipped scenario (median of 30, warm)", "",
             "| scenario | states | sites | drugs | policy | local therapies | ms | steps |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in res["scenarios"]:
        lines.append(f"| {r['scenario']} | {r['states']} | {r['sites']} | {r['drugs']} | "
                     f"{r['policy']} | {r['local']} | {r['ms']:.1f} | {r['steps']:.0f} |")
    lines += ["", "## Plain `classic_98_2`: cost of the new parts when switched off", "",
              f"Engine before the story parts (commit {OLD_COMMIT}): {k['old_ms']:.2f} ms "
              f"({k['old_steps']:.0f} steps). This engine at the same step length: "
              f"{k['same_steps_ms']:.2f} ms ({k['same_steps']:.0f} steps): "
              f"**{k['ratio']:.2f}x** (aim: at most 1.20x). At its default step "
              f"(paced by max(b, d)): {k['default_ms']:.2f} ms ({k['default_steps']:.0f} steps).",
              ""]
    (ROOT / "benchmarks/story.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
