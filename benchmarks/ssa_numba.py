"""A plain exact SSA of the two-type peers model, compiled with numba.

The model (per cell, rates per day)::

    S -> 2S      b (1 - u) S     a sensitive division, daughter sensitive
    S -> S + R   b u S           a sensitive division, daughter resistant (parent unchanged)
    S -> 0       d S
    R -> 2R      b R
    R -> 0       d R

with b = 1.0, d = 0.3, u = 1e-6, 1000 S cells and no R at day 0, run to
T = ln(N / 1000) / (b - d) so that the expected final size is N.

This is Gillespie's direct method written the obvious way -- the best a user
could write in an afternoon: all five propensities every event, one uniform
for the waiting time and one for the reaction, a linear search. It is exact;
its cost is one loop turn per cell event, about 1.9 N events per tumour.

    >>> from benchmarks import ssa_numba
    >>> r = ssa_numba.run(1000, 1e4, seed=1)     # R counts of 1000 tumours at N = 1e4
    >>> s, r, events = ssa_numba.run_detail(10, 1e5, seed=2)

Teaching model, not for clinical use.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["BIRTH", "DEATH", "MUTATION", "INITIAL", "horizon", "run", "run_detail",
           "expected_events"]

BIRTH = 1.0
DEATH = 0.3
MUTATION = 1e-6
INITIAL = 1000


def horizon(n_expected: float, initial: int = INITIAL, birth: float = BIRTH,
            death: float = DEATH) -> float:
    """Days until the expected size is ``n_expected``: ln(N / N0) / (b - d)."""
    return math.log(float(n_expected) / initial) / (birth - death)


def expected_events(n_expected: float, initial: int = INITIAL, birth: float = BIRTH,
                    death: float = DEATH) -> float:
    """Expected births + deaths up to :func:`horizon`: (b + d) * integral of E[N(t)] dt."""
    return (birth + death) * (float(n_expected) - initial) / (birth - death)


@njit(cache=True)
def _ssa(n_reps, s0, t_end, b, d, u, rng, s_out, r_out, ev_out):
    for i in range(n_reps):
        t = 0.0
        s = s0
        r = 0
        events = 0
        while True:
            a1 = b * (1.0 - u) * s
            a2 = b * u * s
            a3 = d * s
            a4 = b * r
            a5 = d * r
            a0 = a1 + a2 + a3 + a4 + a5
            if a0 <= 0.0:
                break
            t += -math.log(1.0 - rng.random()) / a0
            if t > t_end:
                break
            x = rng.random() * a0
            if x < a1:
                s += 1
            elif x < a1 + a2:
                r += 1
            elif x < a1 + a2 + a3:
                s -= 1
            elif x < a1 + a2 + a3 + a4:
                r += 1
            else:
                r -= 1
            events += 1
        s_out[i] = s
        r_out[i] = r
        ev_out[i] = events


def run_detail(n_reps: int, n_expected: float, seed=None, *, initial: int = INITIAL,
               birth: float = BIRTH, death: float = DEATH, mutation: float = MUTATION):
    """Simulate ``n_reps`` tumours to :func:`horizon` ``(n_expected)``.

    Returns
    -------
    s, r, events : ndarray of int64, shape (n_reps,)
        Final sensitive and resistant counts, and the number of events fired.
    """
    rng = np.random.default_rng(seed)
    s = np.zeros(int(n_reps), dtype=np.int64)
    r = np.zeros(int(n_reps), dtype=np.int64)
    ev = np.zeros(int(n_reps), dtype=np.int64)
    t_end = math.log(float(n_expected) / initial) / (birth - death)
    _ssa(int(n_reps), int(initial), t_end, float(birth), float(death), float(mutation), rng,
         s, r, ev)
    return s, r, ev


def run(n_reps: int, n_expected: float, seed=None) -> np.ndarray:
    """R counts (int64 array) of ``n_reps`` independent tumours of expected size ``n_expected``."""
    return run_detail(n_reps, n_expected, seed)[1]
