"""clonesim against exact stochastic simulators on one model both can run.

The model: sensitive (S) and resistant (R) cells, b = 1.0/day, d = 0.3/day;
each S division gives an R daughter with probability u = 1e-6 (the parent is
unchanged); R has the same rates; 1000 S cells at day 0; stop at
T = ln(N / 1000) / 0.7, when the expected size is N.

Engines:

* clonesim, through its public API (``Config.from_dict`` with one drug "A"
  that is never given, ``clonesim.simulate``);
* a plain exact SSA compiled with numba (:mod:`benchmarks.ssa_numba`);
* GillesPy2's C++ SSA (``gillespy2.SSACSolver``), in a separate process
  (:mod:`benchmarks.gillespy2_peer`), as shipped; and, for reference only,
  the same C++ rebuilt with ``-O2``.

    python -m benchmarks.peers            # full run: results/peers.json + cost_vs_size.png
    python -m benchmarks.peers --quick    # smoke test (writes to /tmp)

GillesPy2 is looked for in this interpreter, then in ``$GILLESPY2_PYTHON``,
then in ``/tmp/gvenv/bin/python``; without it that peer is skipped, and said so.

Teaching model, not for clinical use.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import clonesim

from . import ssa_numba
from ._common import (BENCH, RESULTS, fmt_num, fmt_time, git_commit, loadavg, machine,
                      python_subprocess, read_json, summarize, time_simulate, write_json)

BIRTH, DEATH, MUTATION, INITIAL = ssa_numba.BIRTH, ssa_numba.DEATH, ssa_numba.MUTATION, 1000
PEER_SIZES = (1e4, 1e5, 1e6, 1e7)
CLONESIM_SIZES = (1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12)
MAX_RUN_S = 60.0  # a peer whose next size would take longer than this per run is skipped

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
COLOURS = {"clonesim": "#0072B2", "ssa_numba": "#D55E00", "gillespy2": "#009E73",
           "gillespy2_O2": "#009E73"}
LABELS = {"clonesim": "clonesim (clone-level BNB steps)",
          "ssa_numba": "direct-method SSA, numba (benchmarks/ssa_numba.py)",
          "gillespy2": "GillesPy2 1.8 SSACSolver (C++, as shipped: no -O)",
          "gillespy2_O2": "GillesPy2 SSACSolver rebuilt with -O2 (not as shipped)"}


# ----------------------------------------------------------------------------
# clonesim on the peers model
# ----------------------------------------------------------------------------


def clonesim_config(n_expected: float) -> clonesim.Config:
    """The peers model as a clonesim scenario: one drug "A" that is never given
    (detection and death are out of reach), so "resistant to A" is R."""
    t_end = ssa_numba.horizon(n_expected)
    return clonesim.Config.from_dict({
        "mutation_rate": MUTATION,
        "tumour": {"initial_cells": INITIAL, "birth_rate": BIRTH, "death_rate": DEATH,
                   "condition_on_detection": False},
        "drugs": {"A": {}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": 1e14, "lethal_cells": 1e15},
        "simulation": {"horizon_days": t_end, "record_interval_days": t_end},
    })


def final_s_r(result) -> tuple[int, int]:
    """Final sensitive and resistant counts of one clonesim Result."""
    last = result.counts[-1]
    s = int(last[result.type_ids == 0].sum())
    r = int(last[result.type_ids == 1].sum())
    return s, r


def clonesim_sample(n_expected: float, n_reps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rs = clonesim.simulate_many(clonesim_config(n_expected), n_reps, seed=seed, workers=1)
    sr = np.array([final_s_r(r) for r in rs], dtype=np.int64).reshape(-1, 2)
    return sr[:, 0], sr[:, 1]


# ----------------------------------------------------------------------------
# GillesPy2 in its own process
# ----------------------------------------------------------------------------


def find_gillespy2_python() -> str | None:
    """A Python that can import gillespy2, or None."""
    candidates = [sys.executable, os.environ.get("GILLESPY2_PYTHON", ""), "/tmp/gvenv/bin/python"]
    for py in candidates:
        if not py or not Path(py).exists():
            continue
        ok = subprocess.run([py, "-c", "import gillespy2"], capture_output=True).returncode == 0
        if ok:
            return py
    return None


def gillespy2_run(python: str, tasks: list[dict], optimize: bool = False,
                  timeout: float = 3600.0) -> dict:
    spec = json.dumps({"b": BIRTH, "d": DEATH, "u": MUTATION, "s0": INITIAL,
                       "optimize": optimize, "tasks": tasks})
    proc = subprocess.run([python, str(BENCH / "gillespy2_peer.py"), spec], capture_output=True,
                          text=True, timeout=timeout)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("__RESULT__"):
            return json.loads(line[len("__RESULT__"):])
    raise RuntimeError(f"GillesPy2 peer failed ({proc.returncode}):\n{proc.stderr[-3000:]}")


# ----------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------


def time_clonesim(sizes, reps: int) -> list[dict]:
    rows = []
    clonesim.simulate(clonesim_config(1e5), seed=0)  # warm
    for n in sizes:
        times, results = time_simulate(clonesim_config(n), range(reps))
        rows.append({"N": n, "seconds": summarize(times),
                     "steps": summarize([r.steps for r in results])})
    return rows


def time_ssa_numba(sizes, budget_s: float, log=print) -> list[dict]:
    rows = []
    ssa_numba.run(1, 2e3, seed=0)  # compile or load
    last = None
    for n in sizes:
        if last is not None and last * 10 > MAX_RUN_S:
            rows.append({"N": n, "skipped": f"one run would take about {last * 10:.0f} s "
                                             f"(> {MAX_RUN_S:.0f} s)"})
            continue
        times, events = [], []
        t_start = time.perf_counter()
        s = 0
        while len(times) < 3 or (time.perf_counter() - t_start < budget_s and len(times) < 30):
            t0 = time.perf_counter()
            _s, _r, ev = ssa_numba.run_detail(1, n, seed=s)
            times.append(time.perf_counter() - t0)
            events.append(int(ev[0]))
            s += 1
        sec = summarize(times)
        ev_rate = np.array(events) / np.array(times)
        rows.append({"N": n, "seconds": sec, "events": summarize(events),
                     "events_per_s": summarize(ev_rate)})
        last = sec["median"]
        log(f"  ssa_numba N={n:.0e}: {fmt_time(sec['median'])} per tumour")
    return rows


def time_gillespy2(python: str, sizes, optimize: bool, calls: int, log=print) -> dict:
    """Per-tumour wall time: each call runs ``traj`` trajectories (enough for
    the call to take about a second, so that starting the C++ process and
    parsing its output are spread over them); median over calls."""
    rows = []
    # A short probe first, to size the batches and apply the 60 s rule.
    probe = gillespy2_run(python, [{"N": 1e5, "calls": 1, "traj": 5, "seed": 99}], optimize)
    per_event = probe["tasks"][0]["call_s"][0] / (5 * ssa_numba.expected_events(1e5))
    build = {"build_s": probe["build_s"], "gillespy2": probe["gillespy2"],
             "numpy": probe["numpy"], "python": probe["python"],
             "build_children_maxrss_mib": probe["build_children_maxrss_mib"]}
    tasks, skipped = [], []
    for n in sizes:
        est = per_event * ssa_numba.expected_events(n)
        if est > MAX_RUN_S:
            skipped.append({"N": n, "skipped": f"one run would take about {est:.0f} s "
                                               f"(> {MAX_RUN_S:.0f} s)"})
            continue
        traj = int(max(1, min(500, round(1.0 / max(est, 1e-9)))))
        tasks.append({"N": n, "calls": calls, "traj": traj, "seed": 1})
    res = gillespy2_run(python, tasks, optimize) if tasks else {"tasks": []}
    for t in res["tasks"]:
        per = np.array(t["call_s"]) / t["traj"]
        ev = ssa_numba.expected_events(t["N"])
        rows.append({"N": t["N"], "seconds": summarize(per), "traj_per_call": t["traj"],
                     "call_s": summarize(t["call_s"]),
                     "events_per_s": summarize(ev / per), "exe_maxrss_mib": t["exe_maxrss_mib"]})
        log(f"  gillespy2{' -O2' if optimize else ''} N={t['N']:.0e}: "
            f"{fmt_time(float(np.median(per)))} per tumour ({t['traj']} per call)")
    rows += skipped
    rows.sort(key=lambda r: r["N"])
    # Launch overhead: one trajectory per call at the smallest size.
    small = gillespy2_run(python, [{"N": 1e4, "calls": calls, "traj": 1, "seed": 7}], optimize)
    build["one_trajectory_call_s_at_1e4"] = summarize(small["tasks"][0]["call_s"])
    build["python_maxrss_mib"] = res.get("self_maxrss_mib", probe["self_maxrss_mib"])
    return {"info": build, "rows": rows}


# ----------------------------------------------------------------------------
# Memory
# ----------------------------------------------------------------------------


def memory(n: float, gpy_python: str | None) -> dict:
    out = {"N": n}
    code_cs = ("import clonesim; from benchmarks.peers import clonesim_config; "
               f"clonesim.simulate(clonesim_config({n!r}), seed=1)")
    code_ssa = f"from benchmarks import ssa_numba; ssa_numba.run(1, {n!r}, seed=1)"
    python_subprocess(code_cs)  # compile or load the caches first: measure a warm process
    python_subprocess(code_ssa)
    _w, rss, _ = python_subprocess(code_cs)
    out["clonesim"] = {"code": code_cs, "peak_rss_mib": rss["self_mib"]}
    _w, rss, _ = python_subprocess(code_ssa)
    out["ssa_numba"] = {"code": code_ssa, "peak_rss_mib": rss["self_mib"]}
    if gpy_python:
        res = gillespy2_run(gpy_python, [{"N": n, "calls": 1, "traj": 1, "seed": 3}])
        out["gillespy2"] = {"python_peak_rss_mib": res["self_maxrss_mib"],
                            "cpp_peak_rss_mib": res["tasks"][0]["exe_maxrss_mib"],
                            "build_peak_rss_mib": res["build_children_maxrss_mib"]}
    return out


# ----------------------------------------------------------------------------
# Agreement
# ----------------------------------------------------------------------------


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    from scipy.stats import norm

    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / se
    return float(2 * norm.sf(abs(z)))


def agreement(sizes, n_reps: int, gpy_python: str | None, log=print) -> list[dict]:
    from scipy.stats import ks_2samp

    out = []
    for n in sizes:
        samples = {}
        t0 = time.perf_counter()
        samples["clonesim"] = clonesim_sample(n, n_reps, seed=2024)
        s, r, _ev = ssa_numba.run_detail(n_reps, n, seed=2025)
        samples["ssa_numba"] = (s, r)
        if gpy_python:
            res = gillespy2_run(gpy_python, [{"N": n, "calls": 1, "traj": n_reps, "seed": 2026,
                                              "keep": True}])
            t = res["tasks"][0]
            samples["gillespy2"] = (np.array(t["S"]), np.array(t["R"]))
        log(f"  agreement N={n:.0e}: {n_reps} replicates per engine in "
            f"{time.perf_counter() - t0:.0f} s")
        summary = {}
        for name, (s, r) in samples.items():
            tot = s + r
            summary[name] = {"n": int(r.size), "p_r0": float(np.mean(r == 0)),
                             "mean_r": float(r.mean()), "max_r": int(r.max()),
                             "mean_total": float(tot.mean()), "sd_total": float(tot.std(ddof=1))}
        tests = []
        names = list(samples)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                a, b = names[i], names[j]
                (sa, ra), (sb, rb) = samples[a], samples[b]
                tests.append({
                    "pair": f"{a} vs {b}",
                    "ks_r_p": float(ks_2samp(ra, rb).pvalue),
                    "ks_total_p": float(ks_2samp(sa + ra, sb + rb).pvalue),
                    # the jackpot shape: R given at least one resistant cell
                    "ks_r_pos_p": (float(ks_2samp(ra[ra > 0], rb[rb > 0]).pvalue)
                                   if (ra > 0).sum() >= 5 and (rb > 0).sum() >= 5 else None),
                    "p_r0_p": two_proportion_p(int((ra == 0).sum()), ra.size,
                                               int((rb == 0).sum()), rb.size),
                })
        out.append({"N": n, "n_reps": n_reps, "summary": summary, "tests": tests})
    return out


# ----------------------------------------------------------------------------
# Plot
# ----------------------------------------------------------------------------


def plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 5.4), dpi=130)
    styles = {"clonesim": ("o", "-"), "ssa_numba": ("s", "-"), "gillespy2": ("^", "-"),
              "gillespy2_O2": ("v", "--")}
    for key in ("clonesim", "ssa_numba", "gillespy2", "gillespy2_O2"):
        rows = [r for r in res.get("timing", {}).get(key, []) if "seconds" in r]
        if not rows:
            continue
        x = np.array([r["N"] for r in rows])
        y = np.array([r["seconds"]["median"] for r in rows])
        lo = y - np.array([r["seconds"]["q1"] for r in rows])
        hi = np.array([r["seconds"]["q3"] for r in rows]) - y
        marker, ls = styles[key]
        ax.errorbar(x, y, yerr=[lo, hi], color=COLOURS[key], marker=marker, ls=ls,
                    mfc="white" if key == "gillespy2_O2" else COLOURS[key], capsize=2,
                    lw=1.6, ms=6, label=LABELS[key])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("expected final tumour size N (cells)")
    ax.set_ylabel("wall time per simulated tumour (s)")
    ax.set_title("Cost of one tumour grown from 1000 cells to size N\n"
                 "(b = 1/day, d = 0.3/day, u = 1e-6; median, bars = IQR)", fontsize=10)
    ax.grid(True, which="major", color="0.85", lw=0.6)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
              frameon=False)
    m = res.get("machine", {})
    fig.text(0.99, 0.01, f"clonesim benchmark · {m.get('cpu', '')}, {m.get('cpus', '')} cores · "
             f"{m.get('date', '')}", ha="right", va="bottom", fontsize=6.5, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


# ----------------------------------------------------------------------------
# Markdown
# ----------------------------------------------------------------------------


def _med(rows, n):
    for r in rows:
        if r["N"] == n and "seconds" in r:
            return r["seconds"]["median"]
    return None


def markdown(res: dict, png_rel: str = "cost_vs_size.png") -> str:
    t = res["timing"]
    out = ["## clonesim vs peers", "",
           "The model: S and R cells, b = 1.0/day, d = 0.3/day; each S division gives an R "
           "daughter with probability u = 1e-6 (the parent is unchanged); R has the same rates; "
           "1000 S at day 0; stop at T = ln(N/1000)/0.7 (expected size N). "
           f"Command: `{res['command']}`.", "",
           f"![cost vs size]({png_rel})", "",
           "### Wall time per simulated tumour (median)", "",
           "| N | clonesim | numba SSA | GillesPy2 SSACSolver | GillesPy2 -O2 (not as shipped) "
           "| clonesim speed-up vs numba SSA | vs GillesPy2 | vs GillesPy2 -O2 |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n in CLONESIM_SIZES:
        c = _med(t["clonesim"], n)
        if c is None:
            continue
        cells = [f"1e{round(math.log10(n))}", f"**{fmt_time(c)}**"]
        peers = []
        for key in ("ssa_numba", "gillespy2", "gillespy2_O2"):
            rows = t.get(key, [])
            v = _med(rows, n)
            skip = next((r["skipped"] for r in rows if r["N"] == n and "skipped" in r), None)
            cells.append(fmt_time(v) if v else ("skipped" if skip else "—"))
            peers.append(v)
        for v in peers:
            cells.append(f"**{v / c:,.0f}x**" if v else "—")
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    skips = [(k, r) for k in ("ssa_numba", "gillespy2", "gillespy2_O2")
             for r in t.get(k, []) if "skipped" in r]
    for k, r in skips:
        out.append(f"* {LABELS[k]} at N = {r['N']:.0e}: skipped, {r['skipped']}.")
    if skips:
        out.append("")
    out += ["### Events per second of the SSAs (median)", "",
            "| N | numba SSA events/s | GillesPy2 events/s | GillesPy2 -O2 events/s |",
            "| --- | --- | --- | --- |"]
    for n in PEER_SIZES:
        cells = [f"1e{round(math.log10(n))}"]
        for key in ("ssa_numba", "gillespy2", "gillespy2_O2"):
            row = next((r for r in t.get(key, []) if r["N"] == n and "events_per_s" in r), None)
            cells.append(fmt_num(row["events_per_s"]["median"]) if row else "—")
        out.append("| " + " | ".join(cells) + " |")
    g = res.get("gillespy2_info")
    out += ["", "The numba SSA counts its events; GillesPy2 does not report them, so its rate "
            "uses the expected count (b + d)(N − 1000)/(b − d) ≈ 1.86 N, which the numba SSA's "
            "counts match to within a few per cent."]
    if g:
        gi = g.get("as_shipped", {})
        go = g.get("O2", {})
        out += ["", f"GillesPy2 {gi.get('gillespy2', '?')} (numpy {gi.get('numpy', '?')}, "
                f"Python {gi.get('python', '?')}): building the model's C++ solver took "
                f"{fmt_time(gi.get('build_s', float('nan')))} (with -O2: "
                f"{fmt_time(go.get('build_s', float('nan')))}), not counted above. Each timed call "
                "ran a batch of trajectories (see `traj_per_call` in the JSON) so that starting the "
                "solver's process and parsing its output are shared; one trajectory per call at "
                f"N = 1e4 takes {fmt_time(gi.get('one_trajectory_call_s_at_1e4', {}).get('median', float('nan')))}."]
    mem = res.get("memory")
    if mem:
        out += ["", f"### Peak memory (one tumour, N = {mem['N']:.0e}, fresh process)", "",
                "| engine | peak RSS |", "| --- | --- |",
                f"| clonesim | {mem['clonesim']['peak_rss_mib']:.0f} MiB |",
                f"| numba SSA | {mem['ssa_numba']['peak_rss_mib']:.0f} MiB |"]
        if "gillespy2" in mem:
            gm = mem["gillespy2"]
            out.append(f"| GillesPy2 | {gm['python_peak_rss_mib']:.0f} MiB (Python) + "
                       f"{gm['cpp_peak_rss_mib']:.1f} MiB (its C++ solver process, VmHWM polled "
                       "every 5 ms) |")
        out += ["", "All three are dominated by the interpreter and its libraries (numba's "
                "LLVM for the first two); the simulations themselves hold a few numbers."]
    ag = res.get("agreement")
    if ag:
        out += ["", "### Agreement in distribution", "",
                "Independent replicates per engine at each size; two-sample Kolmogorov–Smirnov "
                "tests on the final R count, on R among the replicates with R > 0 (the "
                "Luria–Delbrück jackpot shape) and on the final total, and a pooled two-proportion "
                "z-test on P(R = 0). Large p-values mean no detectable difference (KS on counts "
                "with many ties is conservative).", "",
                "| N | replicates | engine | P(R=0) | mean R | max R | mean total | sd total |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for a in ag:
            for name, s in a["summary"].items():
                out.append(f"| 1e{round(math.log10(a['N']))} | {s['n']} | {name} | "
                           f"{s['p_r0']:.4f} | {s['mean_r']:.3g} | {s['max_r']} | "
                           f"{s['mean_total']:.5g} | {s['sd_total']:.4g} |")
        out += ["", "| N | pair | KS p (R) | KS p (R given R > 0) | KS p (total) | "
                "two-proportion p (R = 0) |", "| --- | --- | --- | --- | --- | --- |"]
        for a in ag:
            for tst in a["tests"]:
                pos = tst.get("ks_r_pos_p")
                out.append(f"| 1e{round(math.log10(a['N']))} | {tst['pair']} | "
                           f"{tst['ks_r_p']:.3f} | {'—' if pos is None else f'{pos:.3f}'} | "
                           f"{tst['ks_total_p']:.3f} | {tst['p_r0_p']:.3f} |")
        ps = [v for a in ag for tst in a["tests"] for k, v in tst.items()
              if k.endswith("_p") and v is not None]
        out += ["", f"Smallest of the {len(ps)} p-values: {min(ps):.3f} (with this many tests, one "
                f"below 0.05 would be expected by chance about {0.05 * len(ps):.1f} times)."]
    return "\n".join(out)


# ----------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------


def run(quick: bool = False, png: Path | None = None, log=print) -> dict:
    gpy = find_gillespy2_python()
    res = {"machine": machine(), "quick": quick,
           "command": "python -m benchmarks.peers",
           "model": {"birth": BIRTH, "death": DEATH, "mutation": MUTATION, "initial": INITIAL},
           "gillespy2_python": gpy, "timing": {}, "load": {}}
    peer_sizes = PEER_SIZES[:2] if quick else PEER_SIZES
    cs_sizes = (1e4, 1e5, 1e9, 1e12) if quick else CLONESIM_SIZES
    log("peers: timing clonesim")
    res["load"]["timing"] = [loadavg()[0]]
    res["timing"]["clonesim"] = time_clonesim(cs_sizes, 5 if quick else 30)
    log("peers: timing the numba SSA")
    res["timing"]["ssa_numba"] = time_ssa_numba(peer_sizes, 1.0 if quick else 8.0, log)
    res["load"]["timing"].append(loadavg()[0])
    if gpy:
        log(f"peers: timing GillesPy2 ({gpy})")
        g = time_gillespy2(gpy, peer_sizes, False, 2 if quick else 3, log)
        res["timing"]["gillespy2"] = g["rows"]
        res["gillespy2_info"] = {"as_shipped": g["info"]}
        log("peers: timing GillesPy2 rebuilt with -O2")
        g2 = time_gillespy2(gpy, peer_sizes, True, 2 if quick else 3, log)
        res["timing"]["gillespy2_O2"] = g2["rows"]
        res["gillespy2_info"]["O2"] = g2["info"]
        res["load"]["timing"].append(loadavg()[0])
    else:
        log("peers: GillesPy2 not found; skipped (set GILLESPY2_PYTHON)")
        res["gillespy2_missing"] = ("no Python with gillespy2 found (this interpreter, "
                                    "$GILLESPY2_PYTHON, /tmp/gvenv/bin/python)")
    log("peers: peak memory")
    res["memory"] = memory(1e5 if quick else 1e7, gpy)
    log("peers: agreement")
    res["agreement"] = agreement((1e4, 1e5), 200 if quick else 3000, gpy, log)
    res["machine"]["commit_at_end"] = git_commit()
    out_png = png or (Path(tempfile.gettempdir()) / "clonesim-bench" / "cost_vs_size.png"
                      if quick else BENCH / "cost_vs_size.png")
    plot(res, out_png)
    res["plot"] = str(out_png)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test")
    ap.add_argument("--out", type=Path, default=None,
                    help="JSON file (default results/peers.json, or /tmp with --quick)")
    ap.add_argument("--replot", action="store_true",
                    help="only redraw the figure and print the Markdown from the JSON")
    args = ap.parse_args(argv)
    out = args.out or (Path(tempfile.gettempdir()) / "clonesim-bench" / "peers.json"
                       if args.quick else RESULTS / "peers.json")
    if args.replot:
        res = read_json(out)
        plot(res, Path(res["plot"]))
    else:
        res = run(args.quick)
        write_json(out, res)
    print(markdown(res))
    print(f"\nwrote {out} and {res['plot']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
