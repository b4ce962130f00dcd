"""The cold-start notice (#15): one line, once per process, only when numba
must compile the kernels; nothing when its cache is warm. Both run on the JIT
(``CLONESIM_KERNELS=jit``): with the kernels built at install there is
nothing to compile and nothing to say (tests/test_aot.py).

Each check runs in a fresh Python process, since the notice is per process
and numba reads ``NUMBA_CACHE_DIR`` once, at import. The cold process builds
an :class:`~clonesim.engine.EngineState` (which compiles only the small slot
kernel, a few seconds) rather than a whole patient (about 25 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "classic_98_2.toml"
NOTICE = "clonesim: compiling the simulation kernels once"


def _run(code: str, cache_dir: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLONESIM_KERNELS": "jit"}
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)


def test_cold_cache_prints_the_notice_once(tmp_path):
    code = f"""
import clonesim
from clonesim.engine import EngineState, kernels_cached
from clonesim.model import build_model
print("cached before:", kernels_cached())
model = build_model(clonesim.load_config({str(CONFIG)!r}))
EngineState(model)
EngineState(model)
"""
    out = _run(code, str(tmp_path))
    assert "cached before: False" in out.stdout
    assert out.stderr.count(NOTICE) == 1, out.stderr
    line = next(s for s in out.stderr.splitlines() if NOTICE in s)
    assert "cached afterwards" in line and "(CLONESIM_KERNELS=jit)" in line


def test_warm_cache_prints_nothing():
    _run(f"import clonesim; clonesim.simulate(clonesim.load_config({str(CONFIG)!r}), seed=1)",
         None)  # warms the JIT's cache
    code = f"""
import clonesim
from clonesim.engine import kernels_cached
print("cached before:", kernels_cached())
cfg = clonesim.load_config({str(CONFIG)!r})
clonesim.simulate(cfg, seed=1)
clonesim.simulate(cfg, seed=2)
"""
    out = _run(code, None)
    assert "cached before: True" in out.stdout
    assert NOTICE not in out.stderr, out.stderr
