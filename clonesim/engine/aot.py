"""The kernels compiled ahead of time, at install, so that a fresh process starts in a second.

numba's just-in-time compile of :mod:`~clonesim.engine.kernel` takes 15-25 s
of CPU on the test machine (``benchmarks/startup.md``), paid by every fresh
Colab, Binder or worktree, and it is typing and lowering rather than LLVM's
optimiser, so no compile option brings it near a second. ``numba.pycc``
compiles the same functions, for the one argument signature every scenario
uses (:data:`clonesim.engine.layout.GROUP_ARRAYS`), into an extension module
``clonesim.engine._kernels_aot`` that runs without importing numba.
``setup.py`` builds it as an optional extension; :mod:`clonesim.engine`
uses it when present and built from these very sources (:func:`source_digest`)
and otherwise compiles just in time as before, with the same results.

The module targets a generic CPU of the platform, so a wheel runs on any
machine of its kind.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: The extension's name, inside this package.
MODULE = "_kernels_aot"

#: What the compiled code is made of: a change to any of them makes a built
# module stale, and the engine then falls back to the JIT.
SOURCES = ("kernel.py", "birth_death.py", "layout.py", "aot.py")


def source_digest() -> int:
    """A 63-bit digest of the kernel sources, baked into the built module."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in SOURCES:
        h.update((here / name).read_bytes())
    return int.from_bytes(h.digest()[:8], "little") >> 1


def compiler():
    """A ``numba.pycc.CC`` exporting the four kernels Python calls, plus the digest."""
    import numpy as np
    from numba import typeof, types
    from numba.pycc import CC

    from . import kernel
    from .layout import Clones, Counters, Drugs, Model, Records, example

    clones, counters, records, model, drugs = (typeof(example(g)) for g in
                                               (Clones, Counters, Records, Model, Drugs))
    rng = typeof(np.random.default_rng(0))
    i8, f8 = types.int64, types.float64
    cc = CC(MODULE, source_module=__name__)
    cc.export("advance", i8(clones, counters, records, model, drugs, f8, types.boolean, i8,
                            rng))(kernel.advance)
    cc.export("thin_site", types.none(i8, f8, clones, counters, model, rng))(
        kernel.thin_site)
    cc.export("record_row", types.none(f8, clones, counters, records))(kernel.record_row)
    cc.export("slot_for", i8(i8, clones, counters, model, drugs))(kernel.slot_for)
    digest = source_digest()
    cc.export("source_digest", i8())(lambda: digest)
    return cc
