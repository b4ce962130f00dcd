"""Sweep speed: against simulate_many, on 1 and 2 workers, through Dask, and by size.

    python -m benchmarks.sweep_throughput --wait-quiet   # the full run (~25 min on 2 cores)
    python -m benchmarks.sweep_throughput --quick        # tiny sizes, to check the script (~1 min)

The full run writes benchmarks/sweeps.md and benchmarks/results/sweeps.json;
--quick writes into a temporary folder and prints the report. Every sweep is
on classic_98_2 over the same four points (drugs.A.kill_fraction 0.95, 0.98
x mutation_rate 1e-7, 1e-6), so the per-patient work is the same mix at every
size. Needs the dist extra for the Dask part (skipped, and said, without it).
Teaching model, not for clinical use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import (BENCH, REPO, RESULTS, fmt_time, loadavg, machine,
                                python_subprocess, summarize, wait_for_quiet, write_json)

# Dask's worker processes are spawned, not forked: they find this tree's
# clonesim through the environment, as the test suite's do.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])

import clonesim  # noqa: E402

CONFIG = "configs/classic_98_2.toml"
KF, MU = (0.95, 0.98), (1e-7, 1e-6)
AXES = [f"drugs.A.kill_fraction={list(KF)}", f"mutation_rate={list(MU)}"]
POINTS = len(KF) * len(MU)

FULL = {"replicates": 100, "repeats": 3, "sizes": [100, 1_000, 10_000, 100_000]}
QUICK = {"replicates": 5, "repeats": 1, "sizes": [20, 100]}


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _part(name: str, fn, *args) -> dict:
    """Run one part, recording the load average before and after it."""
    print(f"[{name}] ...", flush=True)
    before = loadavg()
    out = fn(*args)
    out["load"] = {"before": before, "after": loadavg()}
    return out


def engine_vs_sweep(cfg, replicates: int, repeats: int, tmp: Path) -> dict:
    """(d) Per-patient cost of a 1-worker sweep against simulate_many on the
    same four scenarios, in one process."""
    points = [cfg.update({"drugs.A.kill_fraction": kf, "mutation_rate": mu})
              for kf in KF for mu in MU]
    many, memory, folder = [], [], []
    for r in range(repeats):  # interleaved: the machine's load falls on all three alike
        many.append(_timed(lambda: [clonesim.simulate_many(c, replicates, seed=1)
                                    for c in points]))
        memory.append(_timed(lambda: clonesim.sweep(cfg, AXES, replicates, seed=1,
                                                    progress=False)))
        folder.append(_timed(lambda: clonesim.sweep(cfg, AXES, replicates, seed=1,
                                                    progress=False, out=tmp / f"e{r}")))
    n = POINTS * replicates
    s = {k: summarize(v) for k, v in (("simulate_many", many), ("sweep_memory", memory),
                                      ("sweep_folder", folder))}
    return {"patients": n, "seconds": s,
            "ratio_memory": s["sweep_memory"]["median"] / s["simulate_many"]["median"],
            "ratio_folder": s["sweep_folder"]["median"] / s["simulate_many"]["median"]}


def workers_speedup(cfg, replicates: int, repeats: int, tmp: Path) -> dict:
    """(c) The same sweep to a folder on 1 and 2 local worker processes."""
    times = {1: [], 2: []}
    for r in range(repeats):
        for w in times:
            times[w].append(_timed(lambda: clonesim.sweep(
                cfg, AXES, replicates, seed=1, workers=w, progress=False, out=tmp / f"w{w}-{r}")))
    s = {w: summarize(v) for w, v in times.items()}
    return {"patients": POINTS * replicates, "seconds": {str(w): v for w, v in s.items()},
            "speedup": s[1]["median"] / s[2]["median"]}


def dask_vs_local(cfg, replicates: int, repeats: int, tmp: Path) -> dict:
    """(a) The same sweep on a 2-process local pool and on a 2-worker local Dask
    cluster (started once, outside the timings; its start, the workers' first
    sweep and a --dask run that starts and stops its own cluster are timed apart)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        return {"skipped": 'Dask is not installed (pip install "clonesim[dist]")'}
    out: dict = {"patients": POINTS * replicates}
    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        out["cluster_start_s"] = time.perf_counter() - t
        out["first_sweep_s"] = _timed(lambda: clonesim.sweep(  # workers load the kernels
            cfg, AXES, 2, seed=1, scheduler=client, progress=False))
        local, dask = [], []
        for r in range(repeats):
            local.append(_timed(lambda: clonesim.sweep(
                cfg, AXES, replicates, seed=1, workers=2, progress=False, out=tmp / f"l{r}")))
            dask.append(_timed(lambda: clonesim.sweep(
                cfg, AXES, replicates, seed=1, scheduler=client, progress=False,
                out=tmp / f"d{r}")))
    out["own_cluster_s"] = _timed(lambda: clonesim.sweep(
        cfg, AXES, replicates, seed=1, dask=True, workers=2, progress=False, out=tmp / "own"))
    out["seconds"] = {"local": summarize(local), "dask": summarize(dask)}
    out["ratio"] = out["seconds"]["dask"]["median"] / out["seconds"]["local"]["median"]
    files = {(tmp / name / "results.csv").read_bytes() for name in ("l0", "d0", "own")}
    out["identical"] = len(files) == 1
    return out


def by_size(sizes: list[int], tmp: Path) -> dict:
    """(b) Sweeps of points x replicates = each size, 2 workers, to a folder,
    each in a fresh process (for its peak memory)."""
    rows = []
    for n in sizes:
        reps = max(1, n // POINTS)
        folder = tmp / f"size-{n}"
        code = (
            "import json, time, clonesim\n"
            f"cfg = clonesim.load_config({CONFIG!r})\n"
            "clonesim.simulate(cfg, seed=0)\n"
            "t = time.perf_counter()\n"
            f"clonesim.sweep(cfg, {AXES!r}, {reps}, seed=1, workers=2, progress=False, "
            f"out={str(folder)!r})\n"
            "print(json.dumps({'seconds': time.perf_counter() - t}))\n")
        print(f"  {POINTS * reps} patients ...", flush=True)
        load = loadavg()
        _, rss, text = python_subprocess(code, timeout=6 * 3600)
        seconds = json.loads(text.strip().splitlines()[-1])["seconds"]
        rows.append({"patients": POINTS * reps, "seconds": seconds,
                     "patients_per_s": POINTS * reps / seconds,
                     "parent_peak_mib": rss.get("self_mib"),
                     "worker_peak_mib": rss.get("children_mib"),
                     "results_mib": (folder / "results.csv").stat().st_size / 2**20,
                     "load_before": load})
    return {"rows": rows}


def render(data: dict, command: str) -> str:
    m = data["machine"]
    e, w, d, z = data["engine"], data["workers"], data["dask"], data["size"]
    lines = [
        "# Sweep throughput", "",
        "Generated by `benchmarks/sweep_throughput.py`; do not edit by hand. Teaching model, "
        "not for clinical use: these figures are about computing speed.", "",
        f"Reproduce: `{command}`", "",
        f"Machine: {m['cpu']}, {m['cpus']} logical CPUs, {m['mem_gib']} GiB; Python "
        f"{m['python']}, numpy {m['numpy']}, numba {m['numba']}; clonesim {m['clonesim']} at "
        f"commit {m['commit']}; {m['date']}. Load average (1, 5, 15 min) at the start: "
        + ", ".join(f"{x:.2f}" for x in m["loadavg"]) + ". Kernels compiled beforehand; "
        f"times are medians of {data['repeats']} repeats unless said; every sweep is "
        f"classic_98_2 over {POINTS} points (`{AXES[0]}`, `{AXES[1]}`).", "",
        "## Headline", "", "| aim | measured | |", "| --- | --- | --- |",
        f"| per-patient cost of a sweep within 1.5x of `simulate_many` | "
        f"{e['ratio_memory']:.2f}x in memory, {e['ratio_folder']:.2f}x to a folder | "
        f"{'met' if max(e['ratio_memory'], e['ratio_folder']) <= 1.5 else '**missed**'} |",
        f"| speed-up close to 2 on 2 workers | {w['speedup']:.2f}x | "
        f"{'met' if w['speedup'] >= 1.7 else '**missed**'} (>= 1.7) |",
    ]
    if "ratio" in d:
        lines.append(f"| Dask path against the local pool, same sweep | Dask takes "
                     f"{d['ratio']:.2f}x the time; tables identical: {d['identical']} | |")
    rows = z["rows"]
    if len(rows) > 1:
        lines.append(f"| cost per patient flat with size | {rows[0]['patients']:,} to "
                     f"{rows[-1]['patients']:,} patients: "
                     + " -> ".join(f"{r['patients_per_s']:.0f}" for r in rows)
                     + " patients/s | |")
    n = e["patients"]
    s = e["seconds"]
    lines += [
        "", "## Sweep against simulate_many (1 process)", "",
        f"{n} patients: `simulate_many` on each point's scenario, then `clonesim.sweep` "
        "with 1 worker, in memory and to a folder.", "",
        "| what | median | patients/s | per patient vs simulate_many |",
        "| --- | --- | --- | --- |"]
    for key, label in (("simulate_many", "`simulate_many` x 4 scenarios"),
                       ("sweep_memory", "`sweep`, in memory"),
                       ("sweep_folder", "`sweep`, to a folder")):
        t = s[key]["median"]
        lines.append(f"| {label} | {fmt_time(t)} | {n / t:.1f} | "
                     f"{t / s['simulate_many']['median']:.2f}x |")
    lines += [
        "", "## 1 and 2 workers", "",
        f"{w['patients']} patients, to a folder; the 2-worker time includes starting the pool.",
        "", "| workers | median | IQR | patients/s |", "| --- | --- | --- | --- |"]
    for k, v in w["seconds"].items():
        lines.append(f"| {k} | {fmt_time(v['median'])} | {fmt_time(v['iqr'])} | "
                     f"{w['patients'] / v['median']:.1f} |")
    lines += ["", f"Speed-up: **{w['speedup']:.2f}x**.", "", "## Dask against the local pool", ""]
    if "skipped" in d:
        lines.append(f"Not measured: {d['skipped']}.")
    else:
        lines += [
            f"{d['patients']} patients, to a folder, on 2 local worker processes and on a "
            "`LocalCluster(n_workers=2, threads_per_worker=1, processes=True)` started once "
            "(`scheduler=client`).", "",
            "| path | median | IQR | patients/s |", "| --- | --- | --- | --- |"]
        for k, label in (("local", "local process pool (`workers=2`)"),
                         ("dask", "Dask cluster (`scheduler=client`)")):
            v = d["seconds"][k]
            lines.append(f"| {label} | {fmt_time(v['median'])} | {fmt_time(v['iqr'])} | "
                         f"{d['patients'] / v['median']:.1f} |")
        lines += [
            "", f"Dask takes **{d['ratio']:.2f}x** the local time. Apart from that: starting "
            f"the cluster {fmt_time(d['cluster_start_s'])}; its first (2-patient-per-point) "
            f"sweep, while the workers load the kernels, {fmt_time(d['first_sweep_s'])}; the "
            f"same sweep with `dask=True` (`--dask`), which starts and stops its own cluster, "
            f"{fmt_time(d['own_cluster_s'])} in all. Same `results.csv`, byte for byte, on "
            f"every path: {d['identical']}."]
    lines += [
        "", "## Cost against size", "",
        "points x replicates patients, 2 workers, to a folder, each size once in a fresh "
        "process; peak memory is the resident high-water mark of the process running the "
        "sweep and of its largest worker.", "",
        "| patients | total time | patients/s | peak memory, sweep process | largest worker | "
        "results.csv | load before |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['patients']:,} | {fmt_time(r['seconds'])} | "
                     f"{r['patients_per_s']:.1f} | {r['parent_peak_mib']:.0f} MiB | "
                     f"{r['worker_peak_mib']:.0f} MiB | {r['results_mib']:.2f} MiB | "
                     f"{r['load_before'][0]:.2f} |")
    lines += ["", "Load average (1 min) before and after each part: " + "; ".join(
        f"{name} {data[key]['load']['before'][0]:.2f} -> {data[key]['load']['after'][0]:.2f}"
        for key, name in (("engine", "vs simulate_many"), ("workers", "workers"),
                          ("dask", "Dask"), ("size", "size"))) + ".", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes and one repeat, report printed (checks the script)")
    p.add_argument("--wait-quiet", action="store_true",
                   help="first wait until the 1-minute load average is below 0.6")
    args = p.parse_args(argv)
    size = QUICK if args.quick else FULL
    if args.wait_quiet:
        wait_for_quiet()
    cfg = clonesim.load_config(REPO / CONFIG)
    clonesim.simulate(cfg, seed=0)  # compile / load the kernels
    data = {"machine": machine(), "repeats": size["repeats"], "quick": args.quick}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        data["engine"] = _part("sweep vs simulate_many", engine_vs_sweep, cfg,
                               size["replicates"], size["repeats"], tmp / "e")
        data["workers"] = _part("1 and 2 workers", workers_speedup, cfg, size["replicates"],
                                size["repeats"], tmp / "w")
        data["dask"] = _part("Dask vs local", dask_vs_local, cfg, size["replicates"],
                             size["repeats"], tmp / "d")
        data["size"] = _part("cost vs size", by_size, size["sizes"], tmp / "s")
        command = "python -m benchmarks.sweep_throughput --wait-quiet"
        text = render(data, command)
        if args.quick:
            print(text)
            return 0
    write_json(RESULTS / "sweeps.json", data)
    (BENCH / "sweeps.md").write_text(text, encoding="utf-8")
    print(f"wrote {BENCH / 'sweeps.md'} and {RESULTS / 'sweeps.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
