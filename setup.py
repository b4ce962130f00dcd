"""Build the simulation kernels ahead of time, once, at install.

Everything about the package is in ``pyproject.toml``; this file only adds
the optional extension ``clonesim.engine._kernels_aot``: the numba kernels
compiled by ``numba.pycc`` (``clonesim/engine/aot.py`` says what and why), so
that a fresh process does not spend 15-25 s in numba's JIT. It takes some
20-40 s of the install. If it fails (no C compiler, a numba without pycc),
the install goes on without it and clonesim compiles the same kernels just in
time at first use, with the same results.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
KERNELS = "clonesim.engine._kernels_aot"


def _say(message: str) -> None:
    print(f"clonesim setup: {message}", file=sys.stderr, flush=True)


def _aot_extension():
    """numba.pycc's extension for the kernels, imported from the source tree.

    ``clonesim/__init__.py`` is bypassed (it imports the whole package and its
    dependencies, which a build environment need not have): the two packages
    are stubbed so that only ``clonesim.engine.aot`` and the kernels it
    compiles are imported.
    """
    for name, path in (("clonesim", HERE / "clonesim"),
                       ("clonesim.engine", HERE / "clonesim" / "engine")):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            sys.modules[name] = package
    aot = importlib.import_module("clonesim.engine.aot")
    return aot.compiler().distutils_extension()


class BuildKernels(build_ext):
    """``build_ext`` that compiles the kernels with numba.pycc first, and
    warns rather than fails when it cannot (the JIT then takes over)."""

    def build_extension(self, ext):
        if ext.name != KERNELS:
            return super().build_extension(ext)
        _say("compiling the simulation kernels ahead of time (about 30 s, once)...")
        try:
            compiled = _aot_extension()
            compiled._prepare_object_files(self)  # numba -> object files in build_temp
            # rebuilt when any source baked into it changes (the digest's list)
            compiled.depends += [str(HERE / "clonesim" / "engine" / name)
                                 for name in sys.modules["clonesim.engine.aot"].SOURCES]
            for attr in ("sources", "depends", "define_macros", "include_dirs", "libraries",
                         "library_dirs", "extra_compile_args", "extra_link_args",
                         "extra_objects"):
                setattr(ext, attr, getattr(compiled, attr))
            super().build_extension(ext)
        except Exception as exc:  # any failure: an install without the extension
            _say(f"the ahead-of-time kernels were not built ({type(exc).__name__}: {exc}); "
                 f"clonesim will compile them with numba at first use instead "
                 f"(about 17 s, then cached), with the same results")


# sources are filled in by BuildKernels (numba's C helpers), so that only a
# build of extensions imports numba, not egg_info or sdist
setup(ext_modules=[Extension(KERNELS, sources=[], optional=True)],
      cmdclass={"build_ext": BuildKernels})
