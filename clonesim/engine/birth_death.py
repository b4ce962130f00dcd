"""Exact transition of a linear birth-death process over an interval.

A clone of ``n`` cells in which every cell divides at rate ``birth`` and dies
at rate ``death`` is ``n`` independent lineages. Kendall (1948) gave the
distribution of one lineage's size after time ``t``::

    P(N = 0)            = alpha
    P(N = k), k >= 1    = (1 - alpha) (1 - beta) beta**(k - 1)

with ``h = expm1((birth - death) t) / (birth - death)`` (``h = t`` when the
rates are equal), ``alpha = death h / (1 + birth h)`` and
``beta = birth h / (1 + birth h)``. So the number of surviving lineages is
Binomial(n, 1 - alpha), and the cells they hold are that number plus a
negative binomial count of failures: two draws, whatever ``n`` is. This is the
"BNB" step of Mather et al. (2012), used by OncoSimulR; it is exact for any
interval, so a 3-cell clone dies out with exactly the right probability and a
1e12-cell clone costs the same two draws. One cell (a newborn mutant) takes
the same law as a Bernoulli survival and a geometric size, which is cheaper.
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["lineage_law", "sample_birth_death"]


@njit(cache=True)
def lineage_law(birth: float, death: float, dt: float) -> tuple[float, float, float]:
    """Return ``(p_survive, alpha, beta)`` for one lineage over ``dt``.

    Parameters
    ----------
    birth, death
        Per-cell rates (per day), non-negative.
    dt
        Interval length (days), non-negative.

    Returns
    -------
    p_survive : float
        ``1 - alpha``, computed without cancellation (it can be 1e-30 under a
        strong kill).
    alpha : float
        Probability that the lineage is extinct at ``dt``.
    beta : float
        Ratio of the geometric law of a surviving lineage's size.
    """
    r = birth - death
    x = r * dt
    if abs(x) < 1e-10:
        h = dt * (1.0 + 0.5 * x)  # expm1(x) / r to second order, also when r == 0
    else:
        h = math.expm1(x) / r
    denom = 1.0 + birth * h
    p_survive = math.exp(x) / denom
    return p_survive, death * h / denom, birth * h / denom


@njit(cache=True)
def sample_birth_death(n: int, birth: float, death: float, dt: float, rng) -> int:
    """Draw the size after ``dt`` of a clone of ``n`` cells (exact).

    Parameters
    ----------
    n
        Cells now (int64, any size up to 1e15).
    birth, death
        Per-cell rates (per day).
    dt
        Interval (days).
    rng
        A ``numpy.random.Generator``.

    Returns
    -------
    int
        Cells after ``dt``: Binomial(n, 1 - alpha) surviving lineages plus a
        NegativeBinomial(survivors, 1 - beta) count of extra cells.
    """
    if n <= 0:
        return 0
    if dt <= 0.0 or (birth == 0.0 and death == 0.0):
        return n
    p_survive, alpha, beta = lineage_law(birth, death, dt)
    if n == 1:
        # One cell (a newborn mutant, timed one by one): the same law as a
        # Bernoulli survival then a geometric size, and several times cheaper
        # than a binomial and a negative binomial draw.
        if rng.random() >= p_survive:
            return 0
        return rng.geometric(1.0 - beta)
    if p_survive >= 1.0:
        survivors = n
    else:
        survivors = rng.binomial(n, p_survive)
    if survivors == 0 or beta <= 0.0:
        return survivors
    return survivors + rng.negative_binomial(survivors, 1.0 - beta)
