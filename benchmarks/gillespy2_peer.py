"""GillesPy2's C++ SSA (``gillespy2.SSACSolver``) on the two-type peers model.

Run by :mod:`benchmarks.peers` in a separate process, with a Python that has
GillesPy2 installed (it need not have clonesim)::

    python benchmarks/gillespy2_peer.py '{"tasks": [{"N": 1e4, "calls": 3, "traj": 10, "seed": 1}]}'

It builds the model once (GillesPy2 writes C++ and compiles it with g++ via
SCons: the build time is reported apart), then for each task makes ``calls``
calls of ``solver.run(t=T, increment=T, number_of_trajectories=traj)`` with
T = ln(N / 1000) / (b - d), timing each call. The last stdout line is
``__RESULT__`` followed by JSON.

``"optimize": true`` puts a ``g++`` wrapper first on PATH that adds ``-O2``:
GillesPy2 1.8.3 compiles its solver without any optimisation flag (its
SConstruct sets only ``-std=c++14``), and this shows what that costs. It is
not GillesPy2 as shipped.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

EXE_MAXRSS_KIB: list[int] = []


class _RssPopen(subprocess.Popen):
    """Popen that watches its child's peak RSS (VmHWM) while it runs.

    wait4's ru_maxrss would also count the pages the child had before exec
    (a copy of this Python), so /proc/PID/status is read instead, every 5 ms.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._hwm = 0
        self._watch = threading.Thread(target=self._poll_hwm, daemon=True)
        self._watch.start()

    def _poll_hwm(self):
        path = f"/proc/{self.pid}/status"
        while self.returncode is None:
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self._hwm = max(self._hwm, int(line.split()[1]))
            except (OSError, ValueError):
                break
            time.sleep(0.005)

    def wait(self, timeout=None):
        code = super().wait(timeout)
        if self._hwm:
            EXE_MAXRSS_KIB.append(self._hwm)
        return code


def _self_hwm_kib() -> int:
    """This process's peak RSS (VmHWM; ru_maxrss would include the parent's peak)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _optimizing_gxx(tmp: str) -> str:
    real = shutil.which("g++")
    if real is None:
        raise SystemExit("g++ not found")
    wrapper = Path(tmp) / "g++"
    wrapper.write_text(f'#!/bin/sh\nexec "{real}" -O2 "$@"\n')
    wrapper.chmod(0o755)
    return tmp


def main() -> None:
    spec = json.loads(sys.argv[1])
    b, d, u, s0 = (float(spec.get("b", 1.0)), float(spec.get("d", 0.3)),
                   float(spec.get("u", 1e-6)), int(spec.get("s0", 1000)))
    # GillesPy2 runs SCons with the *resolved* sys.executable (the base
    # interpreter, not the venv's) unless a `scons` executable is on PATH: put
    # this interpreter's bin directory first so that an un-activated venv works.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    tmp = tempfile.mkdtemp(prefix="gpy-wrap-")
    if spec.get("optimize"):
        os.environ["PATH"] = _optimizing_gxx(tmp) + os.pathsep + os.environ["PATH"]

    import numpy as np
    import gillespy2
    from gillespy2.solvers.cpp import c_solver

    c_solver.subprocess.Popen = _RssPopen  # only the solver's module sees it

    t0 = time.perf_counter()
    m = gillespy2.Model(name="two_type")
    m.add_parameter([gillespy2.Parameter(name="b", expression=repr(b)),
                     gillespy2.Parameter(name="d", expression=repr(d)),
                     gillespy2.Parameter(name="u", expression=repr(u))])
    S = gillespy2.Species(name="S", initial_value=s0, mode="discrete")
    R = gillespy2.Species(name="R", initial_value=0, mode="discrete")
    m.add_species([S, R])
    m.add_reaction([
        gillespy2.Reaction(name="s_div", reactants={S: 1}, products={S: 2},
                           propensity_function="b*(1-u)*S"),
        gillespy2.Reaction(name="s_mut", reactants={S: 1}, products={S: 1, R: 1},
                           propensity_function="b*u*S"),
        gillespy2.Reaction(name="s_die", reactants={S: 1}, products={},
                           propensity_function="d*S"),
        gillespy2.Reaction(name="r_div", reactants={R: 1}, products={R: 2},
                           propensity_function="b*R"),
        gillespy2.Reaction(name="r_die", reactants={R: 1}, products={},
                           propensity_function="d*R"),
    ])
    # no model timespan: each run passes t and increment (one output row at t = T)
    model_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    solver = gillespy2.SSACSolver(model=m)
    build_s = time.perf_counter() - t0
    build_children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    out = {"gillespy2": gillespy2.__version__, "numpy": np.__version__,
           "python": sys.version.split()[0], "optimize": bool(spec.get("optimize")),
           "model_s": model_s, "build_s": build_s,
           "build_children_maxrss_mib": build_children_kib / 1024, "tasks": []}
    for task in spec["tasks"]:
        n = float(task["N"])
        t_end = math.log(n / s0) / (b - d)
        calls, traj, seed = int(task["calls"]), int(task["traj"]), int(task.get("seed", 1))
        keep = bool(task.get("keep", False))
        times, s_fin, r_fin = [], [], []
        EXE_MAXRSS_KIB.clear()
        for c in range(calls):
            solver.model.tspan = None  # a run leaves its timespan on the model; t/increment rule
            t0 = time.perf_counter()
            res = solver.run(t=t_end, increment=t_end, number_of_trajectories=traj,
                             seed=seed + c)
            times.append(time.perf_counter() - t0)
            if keep or c == 0:
                trajs = [res] if traj == 1 and not isinstance(res, (list, tuple)) else res
                for tr in trajs:
                    s_fin.append(int(tr["S"][-1]))
                    r_fin.append(int(tr["R"][-1]))
        out["tasks"].append({
            "N": n, "t_end": t_end, "calls": calls, "traj": traj, "call_s": times,
            "S": s_fin, "R": r_fin, "exe_maxrss_mib": max(EXE_MAXRSS_KIB or [0]) / 1024,
        })
    out["self_maxrss_mib"] = _self_hwm_kib() / 1024
    shutil.rmtree(tmp, ignore_errors=True)
    print("__RESULT__" + json.dumps(out))


if __name__ == "__main__":
    main()
