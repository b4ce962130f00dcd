"""A slow, exact reference simulator, kept only to check the engine.

This module is deliberately naive: one event at a time (Gillespie's direct
method), plain Python and numpy, no numba, no clever bookkeeping. It simulates
the same cell-level model as :mod:`clonesim.engine` for a single site and a
single phenotype state, so the verification suite can compare the two in
distribution (``tests/verification/test_engine_vs_reference.py``). It is far
too slow for teaching scenarios (its cost grows with the number of cells) and
is not used by any other part of the package.
"""

from __future__ import annotations

import itertools
from typing import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["reference_run", "type_rates"]


def type_rates(birth: float, death: float, cost: Sequence[float],
               continuous: Iterable[tuple[int, float]] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Per-type birth and death rates (before any density dependence).

    Parameters
    ----------
    birth, death
        Base per-cell rates (per day) of a cell that carries no resistance.
    cost
        ``cost[j]``: fitness cost of resistance to drug ``j``; the birth rate
        of a type is ``birth * prod(1 - cost[j])`` over the drugs it resists.
    continuous
        ``(drug, kill_rate)`` pairs of continuous drugs given throughout; a
        type that does not resist ``drug`` dies ``kill_rate`` faster.

    Returns
    -------
    b, d : ndarray, shape (2**D,)
        Birth and death rate of each type; type id bit ``j`` = resistant to
        drug ``j``.
    """
    n_drugs = len(cost)
    n_types = 1 << n_drugs
    continuous = list(continuous)
    b = np.empty(n_types)
    d = np.empty(n_types)
    for g in range(n_types):
        rate_b = birth
        rate_d = death
        for j in range(n_drugs):
            if (g >> j) & 1:
                rate_b *= 1.0 - cost[j]
        for j, kill_rate in continuous:
            if not (g >> j) & 1:
                rate_d += kill_rate
        b[g] = rate_b
        d[g] = rate_d
    return b, d


def reference_run(initial: Mapping[int, int], birth: float, death: float,
                  cost: Sequence[float], mut: Sequence[float], t_obs: Sequence[float],
                  doses: Iterable[tuple[float, int, float]] = (),
                  continuous: Iterable[tuple[int, float]] = (),
                  capacity: float = 0.0,
                  rng: np.random.Generator | None = None) -> np.ndarray:
    """Simulate the clone model exactly, one cell event at a time.

    This function exists to check the engine: it is the model written as
    plainly as possible (Gillespie 1977, "direct method"), so that a
    disagreement in distribution with :class:`clonesim.engine.EngineState`
    points at the engine. Use it only for a few hundred cells.

    The model: cells carry a resistance genotype, a bitmask over ``D =
    len(cost)`` drugs (bit ``j`` = resistant to drug ``j``). A cell of type
    ``g`` divides at rate ``birth * prod_{j in g} (1 - cost[j])``, times
    ``max(0, 1 - N / capacity)`` when a carrying capacity is set (``N`` =
    all cells), and dies at rate ``death`` plus the ``kill_rate`` of every
    continuous drug it does not resist. At a division the parent keeps its
    type and the newborn independently gains resistance to each drug ``j``
    not in ``g`` with probability ``mut[j]``. A pulsed dose of drug ``j`` at
    time ``t`` kills each cell that does not resist ``j`` independently with
    probability ``kill_fraction`` (a binomial thinning of each type).

    Parameters
    ----------
    initial
        Cells at time 0, by type id, e.g. ``{0: 300, 0b01: 30}``.
    birth, death
        Base per-cell rates (per day).
    cost
        Resistance cost per drug (fraction of the birth rate lost), length D.
    mut
        Per-division probability of gaining resistance to each drug, length D.
    t_obs
        Increasing observation times (days, >= 0).
    doses
        ``(time, drug, kill_fraction)`` for each pulsed dose. A dose at the
        same time as an observation happens *after* it (the observation
        reads the counts just before the dose), as in the engine, where
        ``run_until(t)`` returns before giving a dose due at ``t``.
    continuous
        ``(drug, kill_rate)`` for each continuous drug, given from time 0 on.
    capacity
        Logistic carrying capacity; 0 means unlimited growth.
    rng
        A ``numpy.random.Generator`` (a fresh unseeded one if ``None``).

    Returns
    -------
    ndarray, shape (len(t_obs), 2**D), int64
        Cells of each type at each observation time.

    Examples
    --------
    >>> import numpy as np
    >>> out = reference_run({0: 10}, 1.0, 0.5, [0.0], [0.0], [1.0, 2.0],
    ...                     rng=np.random.default_rng(1))
    >>> out.shape
    (2, 2)
    """
    rng = np.random.default_rng() if rng is None else rng
    n_drugs = len(cost)
    if len(mut) != n_drugs:
        raise ValueError("cost and mut must have one entry per drug")
    n_types = 1 << n_drugs
    t_obs = np.asarray(t_obs, dtype=float)
    if t_obs.ndim != 1 or np.any(np.diff(t_obs) < 0) or (t_obs.size and t_obs[0] < 0):
        raise ValueError("t_obs must be a non-decreasing 1-d array of times >= 0")
    b_type, d_type = type_rates(birth, death, cost, continuous)

    counts = np.zeros(n_types, dtype=np.int64)
    for g, cells in initial.items():
        counts[int(g)] += int(cells)

    # One list of things that happen at fixed times. At equal times an
    # observation (kind 0) comes before a dose (kind 1).
    agenda = [(float(t), 0, i, 0.0) for i, t in enumerate(t_obs)]
    agenda += [(float(t), 1, int(j), float(f)) for t, j, f in doses]
    for t, kind, j, f in agenda:
        if kind == 1 and not (t >= 0.0 and 0 <= j < n_drugs and 0.0 <= f <= 1.0):
            raise ValueError(f"dose ({t}, {j}, {f}): need time >= 0, a drug index below "
                             f"{n_drugs} and a kill fraction in [0, 1]")
    agenda.sort(key=lambda item: (item[0], item[1]))

    out = np.zeros((t_obs.size, n_types), dtype=np.int64)
    t = 0.0
    for t_fixed, kind, which, kill_fraction in agenda:
        t = _gillespie(counts, t, t_fixed, b_type, d_type, mut, capacity, rng)
        if kind == 0:
            out[which] = counts
        else:
            for g in range(n_types):
                if not (g >> which) & 1 and counts[g] > 0:
                    counts[g] = rng.binomial(counts[g], 1.0 - kill_fraction)
    return out


def _gillespie(counts: np.ndarray, t: float, t_end: float, b_type: np.ndarray,
               d_type: np.ndarray, mut: Sequence[float], capacity: float,
               rng: np.random.Generator) -> float:
    """Run events from ``t`` until ``t_end``, changing ``counts`` in place.

    Between events every rate is constant (the logistic factor depends only
    on the cell count, which changes only at events), so the next event time
    is exponential; an event that would fall after ``t_end`` is discarded,
    which is exact because the exponential clock has no memory. Plain Python
    lists inside the loop: with a handful of types they are faster than numpy.
    """
    n_types = counts.size
    n_drugs = len(mut)
    cells = [int(c) for c in counts]
    b_rate = [float(x) for x in b_type]
    d_rate = [float(x) for x in d_type]
    mut = [float(x) for x in mut]
    while True:
        factor = 1.0
        if capacity > 0.0:
            factor = max(0.0, 1.0 - sum(cells) / capacity)
        # events 0 .. n_types-1: a division of type g; n_types + g: a death of type g
        rates = [b_rate[g] * factor * cells[g] for g in range(n_types)]
        rates += [d_rate[g] * cells[g] for g in range(n_types)]
        cumulative = list(itertools.accumulate(rates))
        total_rate = cumulative[-1]
        if total_rate <= 0.0:
            break
        t = t + rng.exponential(1.0 / total_rate)
        if t >= t_end:
            break
        x = rng.random() * total_rate
        # the first event whose cumulative rate exceeds x (never one of rate 0)
        event = next((i for i, c in enumerate(cumulative) if c > x), None)
        if event is None:  # x rounded up to the total: take the last possible event
            event = max(i for i, r in enumerate(rates) if r > 0.0)
        if event < n_types:
            g = event
            newborn = g
            for j in range(n_drugs):
                if not (g >> j) & 1 and rng.random() < mut[j]:
                    newborn |= 1 << j
            cells[newborn] += 1
        else:
            cells[event - n_types] -= 1
    counts[:] = cells
    return t_end
