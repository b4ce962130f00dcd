"""Helpers shared by the benchmark scripts: timing summaries, the machine,
fresh subprocesses with peak-memory readings, JSON in and out."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
RESULTS = BENCH / "results"

# Printed at the end of every measuring subprocess: its own peak resident set
# size. VmHWM from /proc/self/status, not getrusage's ru_maxrss: on Linux a
# child's ru_maxrss starts at its parent's peak (the kernel carries the
# pre-exec high-water mark over), so a big benchmark process would inflate it.
RSS_TAIL = (
    "\nimport resource as _r, json as _j\n"
    "def _hwm():\n"
    "    try:\n"
    "        for _l in open('/proc/self/status'):\n"
    "            if _l.startswith('VmHWM:'):\n"
    "                return int(_l.split()[1])\n"
    "    except OSError:\n"
    "        pass\n"
    "    return _r.getrusage(_r.RUSAGE_SELF).ru_maxrss\n"
    "print('__RSS__' + _j.dumps({'self_kib': _hwm(), "
    "'children_kib': _r.getrusage(_r.RUSAGE_CHILDREN).ru_maxrss}))\n"
)


def time_simulate(cfg, seeds, warm: int = 1) -> tuple[list[float], list]:
    """Wall time of ``clonesim.simulate(cfg, seed=s)`` for each seed, after
    ``warm`` warm-up patients (seeds 10000, 10001, ...), and the results."""
    import clonesim

    for s in range(warm):
        clonesim.simulate(cfg, seed=10_000 + s)
    times, results = [], []
    for s in seeds:
        t0 = time.perf_counter()
        results.append(clonesim.simulate(cfg, seed=s))
        times.append(time.perf_counter() - t0)
    return times, results


def summarize(values) -> dict:
    """Median, quartiles, IQR, min, max and n of a sample (seconds or anything)."""
    a = np.asarray(list(values), dtype=float)
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return {"median": float(med), "mean": float(a.mean()), "q1": float(q1), "q3": float(q3),
            "iqr": float(q3 - q1),
            "min": float(a.min()), "max": float(a.max()), "n": int(a.size)}


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:  # pragma: no cover - not Linux
        return [float("nan")] * 3


def wait_for_quiet(threshold: float = 0.6, max_wait_s: float = 2400.0, poll_s: float = 60.0,
                   log=print) -> list[float]:
    """Sleep until the 1-minute load average has been below ``threshold`` at two
    readings ``poll_s / 2`` apart (or give up after ``max_wait_s``)."""
    start = time.monotonic()
    while True:
        load = loadavg()
        if load[0] < threshold:
            time.sleep(poll_s / 2)
            load = loadavg()
            if load[0] < threshold:
                return load
        if time.monotonic() - start > max_wait_s:
            log(f"load still {load[0]:.2f} after {max_wait_s:.0f} s; measuring anyway")
            return load
        log(f"load {load[0]:.2f} >= {threshold}; waiting {poll_s:.0f} s")
        time.sleep(poll_s)


def git_commit() -> str:
    """Short HEAD commit, marked when clonesim/ has uncommitted changes."""
    commit = _run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]).strip()
    dirty = bool(_run(["git", "-C", str(REPO), "status", "--porcelain", "--", "clonesim"]).strip())
    return commit + (" (clonesim/ modified)" if dirty else "")


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    """What the figures were measured on."""
    import numba
    import scipy

    lscpu = {}
    for line in _run(["lscpu"]).splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            lscpu[k.strip()] = v.strip()
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:  # pragma: no cover
        pass
    try:
        import clonesim
        cs_version = clonesim.__version__
    except Exception:  # pragma: no cover
        cs_version = "?"
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": lscpu.get("Model name", platform.processor()),
        "cpus": os.cpu_count(),
        "threads_per_core": lscpu.get("Thread(s) per core", "?"),
        "hypervisor": lscpu.get("Hypervisor vendor", ""),
        "l2": lscpu.get("L2 cache", ""),
        "mem_gib": round(mem_kib / 2**20, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "scipy": scipy.__version__,
        "clonesim": cs_version,
        "commit": git_commit(),
        "loadavg": loadavg(),
    }


def python_subprocess(code: str, env: dict | None = None, timeout: float = 3600.0,
                      python: str | None = None) -> tuple[float, dict, str]:
    """Run ``python -c code`` in a fresh process from the repository root.

    Returns the wall time seen from outside (seconds), the peak RSS of the
    child and of its own children (MiB), and the child's stdout without the
    RSS line.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    t0 = time.perf_counter()
    proc = subprocess.run([python or sys.executable, "-c", code + RSS_TAIL], cwd=REPO,
                          env=full_env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"subprocess failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    rss = {}
    out = []
    for line in proc.stdout.splitlines():
        if line.startswith("__RSS__"):
            raw = json.loads(line[len("__RSS__"):])
            rss = {"self_mib": raw["self_kib"] / 1024, "children_mib": raw["children_kib"] / 1024}
        else:
            out.append(line)
    return wall, rss, "\n".join(out)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def fmt_time(seconds: float) -> str:
    """1.23 s, 45.6 ms, 789 µs, 12.3 ns."""
    s = float(seconds)
    if s >= 1.0:
        return f"{s:.3g} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    if s >= 1e-6:
        return f"{s * 1e6:.3g} µs"
    return f"{s * 1e9:.3g} ns"


def fmt_num(x: float) -> str:
    """A count or rate in engineering-ish form: 1.2e+07 -> 1.2e7."""
    x = float(x)
    if x == 0:
        return "0"
    if 100 <= abs(x) < 1e5:
        return f"{x:,.0f}"
    if 1e-3 <= abs(x) < 100:
        return f"{x:.3g}"
    m, e = f"{x:.2e}".split("e")
    return f"{float(m):.3g}e{int(e)}"
