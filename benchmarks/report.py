"""Regenerate every benchmark figure and write benchmarks/README.md.

    python -m benchmarks.report                 # measure everything (~10-15 min), write the report
    python -m benchmarks.report --wait-quiet    # first wait until the 1-minute load is < 0.6
    python -m benchmarks.report --render-only   # rewrite README.md from results/*.json
    python -m benchmarks.report --quick         # smoke test at tiny sizes, into /tmp

Needs the ``bench`` extra (GillesPy2) for the GillesPy2 peer; without it that
peer is skipped and the report says so. Teaching model, not for clinical use.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import sys
import tempfile
import time
from pathlib import Path

from clonesim.engine import K

from . import engine, peers
from ._common import (BENCH, RESULTS, fmt_num, fmt_time, loadavg, read_json, wait_for_quiet,
                      write_json)


def _yes(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _row(rows, n, key="seconds"):
    for r in rows:
        if r.get("N") == n and key in r:
            return r
    return None


def headline(eng: dict, peer: dict) -> list[str]:
    out = ["## Headline", "", "| aim | measured | |", "| --- | --- | --- |"]
    p = eng.get("patient")
    if p:
        med = p.get("median_of_process_medians_s", p["seconds"]["median"])
        procs = (f" (median over {len(p['process_medians_s'])} fresh processes)"
                 if p.get("process_medians_s") else "")
        out.append(f"| one warm `classic_98_2` patient < 10 ms | {fmt_time(med)}{procs}; in one "
                   f"process median {fmt_time(p['seconds']['median'])}, mean "
                   f"{fmt_time(p['seconds'].get('mean', float('nan')))}; "
                   f"{p['steps']['median']:.0f} steps, {p['us_per_step']['median']:.2f} µs/step "
                   f"| {_yes(med < p['aim_seconds'])} |")
    z = eng.get("size")
    if z:
        r = z["ratio_max_min_engine_from_1e4"]
        out.append(f"| cost per simulated day flat within 2x, 1e4–1e12 cells | engine {r:.2f}x "
                   f"(1e3–1e12: {z['ratio_max_min_engine']:.2f}x); through `simulate` "
                   f"{z['ratio_max_min_simulate_from_1e4']:.2f}x; per live clone "
                   f"{z.get('ratio_max_min_engine_per_clone', float('nan')):.2f}x | "
                   f"{_yes(r <= 2.0)} per day |")
    rows = [r for r in peer.get("timing", {}).get("clonesim", []) if r["N"] >= 1e4 - 0.5]
    if len(rows) > 1:
        tumour = [r["seconds"]["median"] for r in rows]
        step = [r["seconds"]["median"] / max(r["steps"]["median"], 1) for r in rows]
        lo, hi = (round(math.log10(r["N"])) for r in (rows[0], rows[-1]))
        out.append(f"| peers model (2 types): cost flat within 2x, 1e{lo}–1e{hi} cells | per "
                   f"tumour {max(tumour) / min(tumour):.2f}x (its steps grow "
                   f"{rows[-1]['steps']['median'] / rows[0]['steps']['median']:.0f}x with the "
                   f"horizon ln(N/1000)/0.7); per step {max(step) / min(step):.2f}x | "
                   f"{_yes(max(tumour) / min(tumour) <= 2.0)} per tumour, "
                   f"{_yes(max(step) / min(step) <= 2.0)} per step |")
    c = eng.get("clonesteps")
    if c:
        worst = min(r["ratio"] for r in c["rows"])
        out.append("| engine clone-steps/s ≥ 1/3 of raw binomial+NB pairs/s | "
                   + ", ".join(f"{r['ratio']:.2f} at 1e{round(math.log10(r['clone_cells']))}"
                               for r in c["rows"]) + f" | {_yes(worst >= 1 / 3)} |")
    t = peer.get("timing", {})
    cs = _row(t.get("clonesim", []), 1e7)
    if cs:
        parts, oks = [], []
        for key, name in (("ssa_numba", "numba SSA"), ("gillespy2", "GillesPy2")):
            r = _row(t.get(key, []), 1e7)
            if r:
                x = r["seconds"]["median"] / cs["seconds"]["median"]
                parts.append(f"{x:,.0f}x vs {name}")
                oks.append(x >= 1000)
            else:
                parts.append(f"{name} not run")
                oks.append(False)
        out.append(f"| clonesim ≥ 1000x faster per tumour than both SSAs at N = 1e7 | "
                   f"{fmt_time(cs['seconds']['median'])} per tumour: {'; '.join(parts)} | "
                   f"{_yes(all(oks))} |")
    ag = peer.get("agreement")
    if ag:
        ps = [v for a in ag for tst in a["tests"] for k, v in tst.items()
              if k.endswith("_p") and v is not None]
        n = ", ".join(f"{a['n_reps']} at 1e{round(math.log10(a['N']))}" for a in ag)
        out.append(f"| agreement in distribution with the SSAs | {len(ps)} tests ({n} replicates "
                   f"per engine), smallest p = {min(ps):.3f} | "
                   f"{_yes(min(ps) > 0.05 / len(ps))} (Bonferroni) |")
    return out + [""]


def machine_section(eng: dict, peer: dict, load_before, load_after, elapsed: float | None) -> list[str]:
    m = eng.get("machine") or peer.get("machine")
    out = ["## Machine", "",
           "| | |", "| --- | --- |",
           f"| date | {m['date']} |",
           f"| CPU | {m['cpu']}, {m['cpus']} logical CPUs, {m['threads_per_core']} thread(s) per "
           f"core{', ' + m['hypervisor'] + ' guest' if m.get('hypervisor') else ''} |",
           f"| memory | {m['mem_gib']} GiB |",
           f"| OS | {m['os']} |",
           f"| Python / numpy / numba / scipy | {m['python']} / {m['numpy']} / {m['numba']} / "
           f"{m['scipy']} |",
           f"| clonesim | {m['clonesim']} at commit {m['commit']} |"]
    gi = peer.get("gillespy2_info", {}).get("as_shipped")
    if gi:
        out.append(f"| GillesPy2 | {gi['gillespy2']} with numpy {gi['numpy']}, Python "
                   f"{gi['python']} (run from `{peer.get('gillespy2_python')}`) |")
    loads = [v for part in (eng.get("load", {}), peer.get("load", {})) for pair in part.values()
             for v in pair]
    if loads:
        out.append(f"| 1-minute load during the parts | max {max(loads):.2f} (read at the start and "
                   f"end of each part; the machine has {m['cpus']} CPUs and the benchmark itself "
                   f"adds about 1) |")
    commits = {m.get("commit"), eng.get("machine", {}).get("commit_at_end"),
               peer.get("machine", {}).get("commit_at_end")} - {None}
    if len(commits) > 1:
        out.append(f"| **note** | clonesim changed during the run ({', '.join(sorted(commits))}): "
                   f"rerun for consistent figures |")
    if load_before is not None:
        out.append(f"| load average (1, 5, 15 min) | before: {', '.join(f'{x:.2f}' for x in load_before)}; "
                   f"after: {', '.join(f'{x:.2f}' for x in load_after)} |")
    if elapsed is not None:
        out.append(f"| report runtime | {elapsed / 60:.1f} min |")
    out += ["", "Each figure is a median over repeats, with the command that reproduces it. "
            "Timings come from a 2-core virtual machine shared with other jobs: the same "
            "measurement in two fresh processes, a minute apart, has differed by up to a quarter, "
            "so read differences under about 30% as noise.", ""]
    return out


def shortfalls(eng: dict, peer: dict) -> list[str]:
    out = ["## Where we fall short, and why", ""]
    z = eng.get("size")
    if z:
        rows = z["rows"]
        eng_med = {round(math.log10(r["n_cells"])): r["engine_us_per_day"]["median"] for r in rows}
        clones = {round(math.log10(r["n_cells"])): r["clones_at_end"]["median"] for r in rows}
        steps = sorted({round(r["steps"]["median"]) for r in rows})
        peak = max(eng_med, key=eng_med.get)
        ratio = z["ratio_max_min_engine_from_1e4"]
        verdict = ("within the 2x aim" if ratio <= 2 else f"{ratio:.1f}x, outside the 2x aim")
        tau = z["horizon_days"] / float(np.median([r["steps"]["median"] for r in rows]))
        n_max = max(clones.values())
        first_full = min(k for k, v in clones.items() if v >= n_max)
        tail = ""
        if 10 in eng_med and 12 in eng_med:
            tail = (f" Both are bounded (at most 8 genotypes here, at most {K.EXACT_ARRIVALS} "
                    f"timed arrivals per target and step), so the cost stops growing: 1e12 costs "
                    f"{eng_med[12] / eng_med[10]:.2f}x what 1e10 does.")
        out += [f"* **Cost vs size is bounded but not flat.** From 1e4 to 1e12 cells the engine's "
                f"cost per simulated day varies {verdict} (1e3–1e12: "
                f"{z['ratio_max_min_engine']:.1f}x); the dearest size is 1e{peak}. The number of "
                f"steps is the same at every size ({', '.join(str(s) for s in steps)} per "
                f"{z['horizon_days']:g} days): what grows is the work per step. (i) Clones: with "
                f"u = 1e-7 per drug a 1e3-cell tumour almost never makes a mutant and stays one "
                f"clone (median {clones[min(clones)]:.0f}), while by 1e{first_full} there are "
                f"{n_max:.0f} (median at the end, of the 2^3 = 8 genotypes), each costing its own "
                f"binomial + negative binomial pair and mutant draw per step. (ii) Mutant arrivals: "
                f"up to {K.EXACT_ARRIVALS} newborns per target and step are each given their own "
                f"birth time and exact transition (`EXACT_ARRIVALS` in the kernel); with "
                f"steps of τ = {tau:.2g} days a 1e9-cell clone sends b·u·N·τ = 0.25 × 1e-7 × 1e9 "
                f"× {tau:.2g} = {0.25e-7 * 1e9 * tau:.2g} per drug per step down that path, and "
                f"above about {fmt_num(float(f'{K.EXACT_ARRIVALS / (0.25e-7 * tau):.1g}'))} "
                f"cells the batch "
                f"path (one transition for the lot) takes over.{tail} Through "
                f"`clonesim.simulate` the ratio is "
                f"{z['ratio_max_min_simulate_from_1e4']:.1f}x, because fixed per-call work "
                f"dilutes it. Per live clone the engine's cost per day varies "
                f"{z.get('ratio_max_min_engine_per_clone', float('nan')):.1f}x: flat up to "
                f"1e7, then the batches of (ii) add their own transitions."]
    c = eng.get("clonesteps")
    if c and min(r["ratio"] for r in c["rows"]) < c["aim_ratio"]:
        ratios = ", ".join(f"{r['ratio']:.2f}" for r in c["rows"])
        out += [f"* **A clone-step costs several times its two draws.** The engine runs at "
                f"{ratios} of the raw binomial + negative binomial rate (aim 1/3). Besides the "
                "two draws, every step scans the clones for the burden and the step length, "
                "computes each clone's rates, records daily, and leaves the kernel for Python "
                "at every scan. Calls between compiled helpers that pass about twenty arrays "
                "cost more than a quiet clone's work, so the kernel already calls its helpers "
                "only when they have something to do and steps each clone in `advance` itself."]
    t = peer.get("timing", {})
    cs4 = _row(t.get("clonesim", []), 1e4)
    ssa4 = _row(t.get("ssa_numba", []), 1e4)
    if cs4 and ssa4 and z:
        r3 = next((r for r in z["rows"] if round(math.log10(r["n_cells"])) == 3), None)
        fixed = ""
        if r3:
            fixed_s = (r3["simulate_us_per_day"]["median"] - r3["engine_us_per_day"]["median"]) \
                * z["horizon_days"] * 1e-6
            fixed = (f" In the cost-vs-size scenario at 1e3 cells (three drugs, daily records), "
                     f"`simulate` costs {fmt_time(fixed_s)} more than the engine alone: fixed "
                     "Python work (config to arrays, a Generator from a SeedSequence, a numba "
                     "dispatch of about thirty array arguments per `run_until`, the Result and its "
                     "labels)")
        cross = float(f"{cs4['seconds']['median'] * ssa4['events_per_s']['median'] / 1.857:.1g}")
        out += [f"* **Small tumours: fixed cost per call.** At N = 1e4 clonesim takes "
                f"{fmt_time(cs4['seconds']['median'])} per tumour for "
                f"{cs4['steps']['median']:.0f} steps, only "
                f"{ssa4['seconds']['median'] / cs4['seconds']['median']:.1f}x faster than the numba "
                f"SSA.{fixed}. At the numba SSA's "
                f"{fmt_num(ssa4['events_per_s']['median'])} events/s, a tumour below about "
                f"{fmt_num(cross)} cells "
                "is cheaper to simulate event by event than to set up in clonesim. Cohorts "
                "amortise part of it (`simulate_many` builds the model once)."]
    f = eng.get("first")
    if f:
        fl = f.get("floors", {})
        if fl.get("import_clonesim_loads_matplotlib"):
            mpl = (f"importing matplotlib.figure costs "
                   f"{fmt_time(fl.get('import_matplotlib_figure_s', float('nan')))}, and "
                   "`import clonesim` loads it even for runs that never plot (a lazy import would "
                   "save that in every process, including each `simulate_many` worker); ")
        else:
            mpl = ("`import clonesim` no longer loads matplotlib (it would add "
                   f"{fmt_time(fl.get('import_matplotlib_figure_s', float('nan')))}); ")
        out += [f"* **First result in a fresh process.** With a cold numba cache the first patient "
                f"takes {fmt_time(f['cold']['wall_s']['median'])} (compiling every kernel); with a "
                f"warm one {fmt_time(f['warm']['wall_s']['median'])}. Little of the warm time is "
                f"clonesim's own: {mpl}numpy's import costs "
                f"{fmt_time(fl.get('import_numpy_s', float('nan')))}, numba's "
                f"{fmt_time(fl.get('import_numba_s', float('nan')))}, and numba's first call of "
                f"any cached function {fmt_time(fl.get('first_cached_njit_call_s', float('nan')))} "
                f"(it initialises its compiler target even when it only loads machine code)."]
    m = eng.get("memory")
    if m:
        many = m["rows"]["simulate_many_1000_workers_1"]
        per = many["per_patient_kib"]
        out += [f"* **Memory is mostly libraries, then trajectories.** `import clonesim` alone "
                f"peaks at {m['rows']['import_only']['peak_rss_mib']:.0f} MiB (numpy, numba and "
                f"its LLVM), and loading the compiled kernels takes one patient to "
                f"{m['rows']['one_patient']['peak_rss_mib']:.0f} MiB. `simulate_many` keeps every "
                f"patient's daily "
                f"trajectory: about {per:.0f} KiB per `classic_98_2` patient, so 100,000 patients "
                f"would need about {per * 1e5 / 2**20:.0f} GiB; a coarser "
                f"`record_interval_days` or cohorts in chunks keep that down."]
    gi = peer.get("gillespy2_info", {})
    g7 = _row(t.get("gillespy2", []), 1e7)
    g7o = _row(t.get("gillespy2_O2", []), 1e7)
    cs7 = _row(t.get("clonesim", []), 1e7)
    if g7 and g7o and cs7:
        out += [f"* **The GillesPy2 comparison is of the tool as shipped.** GillesPy2 "
                f"{gi['as_shipped']['gillespy2']} compiles its C++ solver without any "
                f"optimisation flag (its SConstruct sets only `-std=c++14`, so g++ uses -O0). "
                f"Rebuilt with -O2 it is {g7['seconds']['median'] / g7o['seconds']['median']:.1f}x "
                f"faster at 1e7, and clonesim is then "
                f"{g7o['seconds']['median'] / cs7['seconds']['median']:,.0f}x faster rather than "
                f"{g7['seconds']['median'] / cs7['seconds']['median']:,.0f}x. GillesPy2 also starts "
                f"a process and parses its text output per call; we batched trajectories so that "
                f"this is shared (one trajectory per call costs "
                f"{fmt_time(gi['as_shipped']['one_trajectory_call_s_at_1e4']['median'])} at 1e4). "
                f"Its build ({fmt_time(gi['as_shipped']['build_s'])}) is not counted."]
    cs_rows = [r for r in t.get("clonesim", []) if "steps" in r]
    steps_txt = ""
    if cs_rows:
        steps_txt = (f" ({cs_rows[0]['steps']['median']:.0f} steps at "
                     f"1e{round(math.log10(cs_rows[0]['N']))}, {cs_rows[-1]['steps']['median']:.0f} "
                     f"at 1e{round(math.log10(cs_rows[-1]['N']))})")
    out += ["* **Speed-up is a property of the method, and grows with N.** The SSAs pay per cell "
            "event (about 1.86 N per tumour); clonesim pays per step and clone, and the number of "
            f"steps grows only with the horizon T = ln(N/1000)/0.7{steps_txt}. The ratios at 1e7 "
            "say little about 1e5, and nothing about a model where clonesim has hundreds of "
            "clones."]
    ag = peer.get("agreement")
    if ag:
        lines = []
        for a in ag:
            s = a["summary"].get("ssa_numba") or next(iter(a["summary"].values()))
            p0, n = s["p_r0"], a["n_reps"]
            mde = 2.8 * math.sqrt(2 * p0 * (1 - p0) / n)
            lines.append(f"at 1e{round(math.log10(a['N']))}, {n} replicates resolve a difference "
                         f"in P(R = 0) of about {mde:.3f} (80% power, 5% level) and only about "
                         f"{n * (1 - p0):.0f} replicates per engine have any R")
        out += ["* **Agreement is tested, not proven.** clonesim's one approximation (when, "
                "within a step, mutant newborns are born; second order in the step length) is "
                "below what these samples can see: " + "; ".join(lines) + ". KS tests on counts "
                "with many ties are conservative. The package's verification suite "
                "(`tests/verification/`) tests the approximation at larger scale."]
    return out + [""]


def gillespy2_notes(peer: dict) -> list[str]:
    out = ["## Installing GillesPy2 (the `bench` extra)", "",
           "`pip install gillespy2` works with numpy 2.x: GillesPy2 1.8.3 installed and ran its "
           "C++ SSA with numpy 2.4.6 on Python 3.11 here. Its C++ solvers need `g++` on PATH and "
           "SCons (a pip dependency). One trap: in a virtual environment that is not activated, "
           "GillesPy2 runs SCons with `Path(sys.executable).resolve()` — the base interpreter, "
           "which has no SCons — and the build fails with `No module named SCons` "
           "(`gillespy2/solvers/cpp/build/make.py`). Activating the venv, or putting its `bin/` "
           "first on PATH, fixes it; `benchmarks/gillespy2_peer.py` does the latter.", "",
           "The benchmark runs GillesPy2 in its own process, with the first Python that can "
           "import it among: this interpreter, `$GILLESPY2_PYTHON`, `/tmp/gvenv/bin/python`."]
    if peer.get("gillespy2_missing"):
        out += ["", f"**In this run GillesPy2 was not found** ({peer['gillespy2_missing']}); "
                "its columns are empty."]
    return out + [""]


def render(eng: dict, peer: dict, load_before=None, load_after=None, elapsed=None,
           png_rel: str = "cost_vs_size.png") -> str:
    quick = eng.get("quick") or peer.get("quick")
    out = ["# clonesim benchmarks", "",
           "Speed and memory of clonesim's engine, and clonesim against exact stochastic "
           "simulators on a model both can run. Generated by `python -m benchmarks.report`; "
           "do not edit by hand.", "",
           "> clonesim is a teaching tool, not for clinical use; these figures are about "
           "computing speed, not about any real tumour.", ""]
    if quick:
        out += ["**QUICK SMOKE-TEST RUN: tiny sizes, numbers not meaningful.**", ""]
    out += ["## Reproduce", "", "```bash",
            'python -m pip install -e ".[bench]"      # GillesPy2 for the peers comparison',
            "python -m benchmarks.report --wait-quiet  # everything below (~10-15 min)",
            "python -m benchmarks.engine --only size   # or one part; see --help",
            "```", "",
            "Results: `benchmarks/results/engine.json`, `benchmarks/results/peers.json`.", ""]
    out += machine_section(eng, peer, load_before, load_after, elapsed)
    out += headline(eng, peer)
    out += [engine.markdown(eng), ""]
    out += [peers.markdown(peer, png_rel), ""]
    out += shortfalls(eng, peer)
    out += gillespy2_notes(peer)
    others = sorted(p.name for p in BENCH.glob("*.md") if p.name != "README.md")
    if others:
        out += ["## Other notes in this folder", "",
                "Written by other parts of the project, not regenerated by this command: "
                + ", ".join(f"[{n}]({n})" for n in others) + ".", ""]
    out += ["clonesim is a teaching model. It is not for clinical use.", ""]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, written to /tmp")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite README.md from the existing JSON files")
    ap.add_argument("--wait-quiet", action="store_true",
                    help="wait for the 1-minute load average to drop below 0.6 first")
    ap.add_argument("--max-wait-min", type=float, default=40.0,
                    help="with --wait-quiet: give up waiting after this long and measure anyway "
                         "(the load is recorded in the report)")
    args = ap.parse_args(argv)
    if args.quick:
        res_dir = Path(tempfile.gettempdir()) / "clonesim-bench"
        readme, png = res_dir / "README.md", res_dir / "cost_vs_size.png"
    else:
        res_dir, readme, png = RESULTS, BENCH / "README.md", BENCH / "cost_vs_size.png"
    meta_path = res_dir / "report_meta.json"
    if args.render_only:
        eng, peer = read_json(res_dir / "engine.json"), read_json(res_dir / "peers.json")
        meta = read_json(meta_path) if meta_path.exists() else {}
    else:
        if args.wait_quiet:
            wait_for_quiet(max_wait_s=60.0 * args.max_wait_min)
        t0 = time.perf_counter()
        meta = {"load_before": loadavg()}
        eng = engine.run(args.quick)
        write_json(res_dir / "engine.json", eng)
        peer = peers.run(args.quick, png=png)
        write_json(res_dir / "peers.json", peer)
        meta["load_after"] = loadavg()
        meta["elapsed_s"] = time.perf_counter() - t0
        write_json(meta_path, meta)
    text = render(eng, peer, meta.get("load_before"), meta.get("load_after"),
                  meta.get("elapsed_s"), png_rel=png.name)
    readme.write_text(text, encoding="utf-8")
    print(text)
    print(f"\nwrote {readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
