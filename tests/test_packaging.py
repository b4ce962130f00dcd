"""The wheel and sdist a course builds for students (#13): they build from a
clean tree, pass ``twine check`` (their README renders on an index), carry
the scenarios and the kernels compiled ahead of time (so the wheel is
platform-specific), and name the one version pyproject.toml sets.
Teaching model, not for clinical use."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import clonesim

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_and_sdist_build_and_pass_twine_check(tmp_path):
    # --no-isolation: build with the setuptools installed here rather than
    # downloading one into a fresh environment at every test run
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation",
                    "--outdir", str(tmp_path), str(ROOT)], check=True, capture_output=True,
                   timeout=600)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    wheel, = tmp_path.glob("clonesim-*.whl")
    sdist, = tmp_path.glob("clonesim-*.tar.gz")
    assert f"-{version}-" in wheel.name and sdist.name == f"clonesim-{version}.tar.gz"
    names = zipfile.ZipFile(wheel).namelist()
    assert "clonesim/scenarios/classic_98_2.toml" in names
    assert "clonesim/scenarios/sweeps/" in "".join(names)
    # the kernels compiled ahead of time (setup.py): a student's first run does not wait
    assert any(n.startswith("clonesim/engine/_kernels_aot.") and n.endswith(".so")
               for n in names), names
    check = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                            str(wheel), str(sdist)], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_version_is_pyprojects():
    """One place: the package reads its version from the installed metadata."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert clonesim.__version__ == version
