"""The compiled kernels and the same code run as plain Python agree bit for bit.

numba ports numpy's Generator algorithms, so with one seed the interpreted
kernels (``NUMBA_DISABLE_JIT=1``) must draw the same variates in the same
order as the compiled ones. This also executes every kernel line under
coverage, which compiled code hides (stumpy does the same in its test.sh).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

import clonesim

SCRIPT = """
import json, sys, numpy as np, clonesim
cfg = clonesim.Config.from_dict(json.loads(sys.argv[1]))
r = clonesim.simulate(cfg, seed=11)
print(json.dumps({"times": r.times.tolist(), "counts": r.counts.tolist(),
                  "types": r.type_ids.tolist(), "steps": r.steps,
                  "events": [[e.time, e.kind, e.burden] for e in r.events]}))
"""


def _scenario() -> dict:
    """Small but complete: mutation to two drugs (and double hits), pulsed and
    continuous kill, a cost of resistance, logistic growth, several lines."""
    return {
        "mutation_rate": 2e-3,
        "tumour": {"initial_cells": 200, "birth_rate": 0.5, "death_rate": 0.2,
                   "carrying_capacity": 5e5, "initial_resistant": {"A": 3}},
        "drugs": {"A": {"kill_fraction": 0.9, "dose_interval_days": 7},
                  "B": {"kill": "continuous", "kill_rate": 0.8, "resistance_cost": 0.2}},
        "therapy": {"lines": ["A", "B", "A+B"]},
        "clinic": {"detection_cells": 2e4, "lethal_cells": 4e5, "scan_interval_days": 14},
        "simulation": {"horizon_days": 400},
    }


def test_interpreted_kernels_equal_compiled_kernels():
    raw = _scenario()
    cfg = clonesim.Config.from_dict(raw)
    compiled = clonesim.simulate(cfg, seed=11)
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(raw)], env=env,
                         capture_output=True, text=True, check=True, timeout=600)
    plain = json.loads(out.stdout)
    assert compiled.steps > 100  # the scenario really exercises the stepping loop
    assert len(compiled.lines) >= 2
    assert plain["steps"] == compiled.steps
    assert plain["types"] == compiled.type_ids.tolist()
    np.testing.assert_array_equal(np.array(plain["times"]), compiled.times)
    np.testing.assert_array_equal(np.array(plain["counts"]), compiled.counts)
    assert plain["events"] == [[e.time, e.kind, e.burden] for e in compiled.events]
