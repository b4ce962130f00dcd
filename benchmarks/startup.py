"""Cold and warm start of one ``classic_98_2`` patient, in fresh processes (#15).

Cold: an empty ``NUMBA_CACHE_DIR``, so numba compiles every kernel. Warm: the
same directory again, so every kernel is loaded from the cache. Each child
reports its own phases (``import clonesim``, the first ``simulate``); the
parent reads the child's wall time and its CPU time (user + sys, from
``resource.getrusage(RUSAGE_CHILDREN)``), which is less sensitive to the
other jobs on a shared machine. Teaching model: these are computing speeds.

Usage::

    python -m benchmarks.startup --tree /path/to/worktree --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import time, json
t0 = time.perf_counter()
import clonesim
t1 = time.perf_counter()
cfg = clonesim.load_config('configs/classic_98_2.toml')
t2 = time.perf_counter()
clonesim.simulate(cfg, seed=1)
t3 = time.perf_counter()
clonesim.simulate(cfg, seed=2)
t4 = time.perf_counter()
print('__T__' + json.dumps({'import': t1 - t0, 'load_config': t2 - t1,
                            'first_simulate': t3 - t2, 'second_simulate': t4 - t3}))
"""


def run_child(tree: Path, cache_dir: str) -> dict:
    """One fresh interpreter: its phases, wall time and CPU time."""
    env = dict(os.environ, PYTHONPATH=str(tree), NUMBA_CACHE_DIR=cache_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next(s for s in out.stdout.splitlines() if s.startswith("__T__"))
    return {"wall": wall, "cpu": cpu, **json.loads(line[5:])}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, help="write the runs as JSON here")
    args = ap.parse_args(argv)
    runs = {"cold": [], "warm": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache:
            runs["cold"].append(run_child(args.tree, cache))
            runs["warm"].append(run_child(args.tree, cache))
    for kind, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        print(f"{kind}: " + ", ".join(f"{k} {v:.2f} s" for k, v in med.items()))
    if args.out:
        args.out.write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
