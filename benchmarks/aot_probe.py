"""Can numba's ahead-of-time compiler (``numba.pycc``) build our kind of kernel? (#15)

Compiles a small function shaped like the engine's kernels (a namedtuple of
int64 arrays, a ``numpy.random.Generator``, the four samplers the engine uses)
into an extension module, then imports it in a fresh interpreter and checks
that it ran without importing numba and gave what the ``@njit`` version gives
on the same seed. Teaching model: this is about computing, not medicine.

Usage::

    python -m benchmarks.aot_probe
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import namedtuple

import numpy as np
from numba import njit, typeof, types

Pair = namedtuple("Pair", "a b")


@njit
def draws(pair, rng, n):
    """Fill ``pair`` with the engine's four kinds of draw; return their sum."""
    total = 0
    for i in range(pair.a.size):
        pair.a[i] = rng.binomial(n, 0.3) + rng.negative_binomial(n, 0.4)
        total += pair.a[i]
    pair.b[0] = rng.poisson(3.0) + rng.geometric(0.2)
    return total


CHILD = """
import sys
from collections import namedtuple
import numpy as np
Pair = namedtuple("Pair", "a b")
import aot_probe_module as m
pair = Pair(np.zeros(3, np.int64), np.zeros(1, np.int64))
total = m.draws(pair, np.random.default_rng(1), 100)
print("numba" in sys.modules, total, *pair.a, *pair.b)
"""


def main() -> None:
    from numba.pycc import CC

    pair = Pair(np.zeros(3, np.int64), np.zeros(1, np.int64))
    rng = np.random.default_rng(1)
    out = tempfile.mkdtemp(prefix="clonesim-aot-")
    cc = CC("aot_probe_module")
    cc.output_dir = out
    cc.export("draws", types.int64(typeof(pair), typeof(rng), types.int64))(draws)
    t = time.perf_counter()
    cc.compile()
    build = time.perf_counter() - t
    child = subprocess.run([sys.executable, "-c", CHILD], cwd=out, capture_output=True,
                           text=True, check=True).stdout.split()
    jit = draws(pair, np.random.default_rng(1), 100)
    expected = [str(v) for v in (jit, *pair.a, *pair.b)]
    print(f"built in {build:.1f} s; numba imported by the module: {child[0]}; "
          f"same draws as @njit: {child[1:] == expected} ({' '.join(child[1:])})")


if __name__ == "__main__":
    main()
