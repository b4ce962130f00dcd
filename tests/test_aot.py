"""The kernels compiled ahead of time at install (#15): used, current, and
bit-identical to numba's JIT.

The install (``setup.py``) builds ``clonesim.engine._kernels_aot``; a fresh
process then imports it instead of compiling for 15-25 s. These tests hold
that the install built it, that every shipped scenario runs on it, that it
gives the very bytes the JIT gives (the golden fingerprints, computed again in
a process with ``CLONESIM_KERNELS=jit``), and that every way out of it (a
stale build, arrays of another layout, a bad ``CLONESIM_KERNELS``) is
either a silent fall back to the JIT or a clear error.
Teaching model, not for clinical use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import clonesim
from clonesim import engine, load_config
from clonesim.engine import EngineState, aot
from clonesim.engine import layout as K
from clonesim.model import build_model

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))
GOLDEN = ROOT / "tests" / "golden" / "fingerprints.json"
AOT = "clonesim.engine._kernels_aot"


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_the_install_built_current_kernels():
    module, why = engine._load_aot()
    assert module is not None, why
    assert module.source_digest() == aot.source_digest()
    assert engine.kernels().__name__ == AOT


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_every_shipped_scenario_runs_on_the_built_kernels(path):
    state = EngineState(build_model(load_config(path)))
    assert state.kernels.__name__ == AOT


def test_the_jit_gives_the_golden_bytes_too():
    """The golden fingerprints (tests/test_golden.py) hold for whichever
    kernels the suite runs on, the built ones; here a process on numba's JIT
    recomputes every one of them: same numbers, to the last bit."""
    code = ("import json; from clonesim import engine; "
            "from tests.test_golden import all_fingerprints; "
            "print(engine.kernels().__name__); print(json.dumps(all_fingerprints()))")
    out = _python(code, CLONESIM_KERNELS="jit")
    assert out.returncode == 0, out.stderr
    name, fingerprints = out.stdout.strip().splitlines()[-2:]
    assert name == "clonesim.engine.kernel"
    assert json.loads(fingerprints) == json.loads(GOLDEN.read_text())


def test_a_fresh_process_starts_without_numba():
    """Import and a whole classic_98_2 patient, and numba is never imported:
    nothing to compile, nothing of the compiler's to load."""
    config = ROOT / "configs" / "classic_98_2.toml"
    out = _python(f"import sys, clonesim; "
                  f"clonesim.simulate(clonesim.load_config({str(config)!r}), seed=1); "
                  f"print('numba' in sys.modules)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    assert "compiling" not in out.stderr


def test_a_stale_build_falls_back_to_the_jit(monkeypatch):
    """Kernel sources edited since the install: the built module would run old
    code, so it is refused with the reason (and the fix)."""
    monkeypatch.setattr(aot, "source_digest", lambda: -1)
    module, why = engine._load_aot()
    assert module is None
    assert "other kernel sources" in why and "pip install -e ." in why


def test_a_stale_build_is_an_error_when_aot_is_required():
    code = ("import clonesim.engine as e, clonesim.engine.aot as a; "
            "a.source_digest = lambda: -1; e.kernels()")
    out = _python(code, CLONESIM_KERNELS="aot")
    assert out.returncode != 0
    assert "CLONESIM_KERNELS = 'aot'" in out.stderr and "reinstall clonesim" in out.stderr


def test_a_bad_kernel_choice_is_a_clear_error():
    out = _python("from clonesim import engine; engine.kernels()", CLONESIM_KERNELS="fast")
    assert "ConfigError" in out.stderr
    assert "CLONESIM_KERNELS = 'fast'" in out.stderr and "auto, aot, jit" in out.stderr


def test_the_cli_reports_a_bad_kernel_choice_without_a_traceback(tmp_path):
    out = subprocess.run([sys.executable, "-m", "clonesim.cli", "run",
                          str(ROOT / "configs" / "classic_98_2.toml"), "--out", str(tmp_path)],
                         env={**os.environ, "CLONESIM_KERNELS": "fast"}, cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "CLONESIM_KERNELS = 'fast'" in out.stderr and "auto, aot, jit" in out.stderr


def test_arrays_of_another_layout_go_to_the_jit():
    """The built kernels read raw memory as float64/int64 C arrays: a float32
    table or a transposed view must never reach them."""
    model = K.example(K.Model)
    assert K.fits_compiled(model)
    wide = np.zeros((3, 4))
    assert not K.fits_compiled(model._replace(cls_rates=wide.T))
    assert not K.fits_compiled(model._replace(cls_rates=wide.astype(np.float32)))
    assert not K.fits_compiled(model._replace(dims=np.zeros(3, np.int32)))
    drugs = K.example(K.Drugs)
    assert engine._kernels_for(model, drugs).__name__ == AOT
    jit = engine._kernels_for(model._replace(cls_rates=wide.T), drugs)
    assert jit.__name__ == "clonesim.engine.kernel"


def test_import_clonesim_does_not_import_numba():
    out = _python("import sys, clonesim; print('numba' in sys.modules)")
    assert out.stdout.strip() == "False", out.stderr
    assert clonesim.engine.K is K
