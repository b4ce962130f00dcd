"""Shared pieces of the verification suite: running the engine, and the
statistics every test uses.

Tolerance rules, used throughout:

* z-tests pass when ``|z| < K_SIGMA = 5`` (a two-sided false alarm of
  5.7e-7 per check, so even a Bonferroni bound over a test's handful of
  checks stays below 1e-5);
* chi-square and KS tests pass when ``p > P_MIN / n_checks`` with
  ``P_MIN = 1e-3`` (Bonferroni over the checks in one test).

Standard errors always come from the replicate count actually used, so a run
at ``CLONESIM_STAT_SCALE=10`` is as strict as its larger sample allows.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from clonesim.config import Config
from clonesim.engine import EngineState
from clonesim.model import build_model

K_SIGMA = 5.0
P_MIN = 1e-3


# -- running the engine --------------------------------------------------------


def make_config(*, birth: float, death: float, initial_cells: int, mutation_rate: float = 0.0,
                drugs: dict | None = None, step_tolerance: float = 0.1,
                carrying_capacity: float = 0.0, initial_resistant: dict | None = None,
                **clinic) -> Config:
    """A validated config for a pure-process check (detection never stops a run
    unless asked: detection at 1e14, lethal at 1e15 cells by default)."""
    raw = {
        "mutation_rate": mutation_rate,
        "tumour": {"initial_cells": initial_cells, "birth_rate": birth, "death_rate": death,
                   "carrying_capacity": carrying_capacity,
                   "initial_resistant": initial_resistant or {},
                   "condition_on_detection": False},
        "drugs": drugs or {"A": {"kill_fraction": 0.98}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": clinic.get("detection_cells", 1e14),
                   "lethal_cells": clinic.get("lethal_cells", 1e15)},
        "simulation": {"horizon_days": 100.0, "step_tolerance": step_tolerance},
    }
    return Config.from_dict(raw)


def generators(seed: int, n: int) -> list[np.random.Generator]:
    """One independent generator per replicate, spawned from one SeedSequence."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


def engine_counts(cfg: Config, times, n: int, seed: int, give: tuple[str, ...] = ()
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Run ``n`` independent replicates of ``cfg`` with :class:`EngineState`.

    Parameters
    ----------
    cfg
        The scenario (only tumour, drugs, mutation and step settings matter).
    times
        Increasing observation times (days).
    n, seed
        Replicates and the root seed (one spawned generator per replicate).
    give
        Drugs given from time 0 (a pulsed drug gets its first dose at 0).

    Returns
    -------
    counts : ndarray, shape (n, len(times), 2**D)
        Cells of each resistance genotype at each time.
    steps : ndarray, shape (n,)
        Engine steps taken by each replicate.
    """
    model = build_model(cfg)
    n_types = 1 << model.n_drugs
    out = np.zeros((n, len(times), n_types), dtype=np.int64)
    steps = np.zeros(n, dtype=np.int64)
    mask = model.drug_mask(give)
    for r, rng in enumerate(generators(seed, n)):
        st = EngineState(model)
        if mask:
            st.give(mask)
        for i, t in enumerate(times):
            st.run_until(float(t), rng)
            for ty, c in st.counts_by_type().items():
                out[r, i, ty] = c
        steps[r] = st.steps
    return out, steps


# -- statistics ------------------------------------------------------------------


def report(name: str, **values) -> None:
    """One line per check, visible with ``pytest -s``."""
    parts = []
    for key, v in values.items():
        parts.append(f"{key}={v:.6g}" if isinstance(v, (float, np.floating)) else f"{key}={v}")
    print(f"[{name}] " + ", ".join(parts))


def z_score(observed: float, expected: float, se: float) -> float:
    return (observed - expected) / se


def z_power(delta_over_se: float, k: float = K_SIGMA) -> float:
    """Power of the two-sided ``|z| < k`` test when the true shift is ``delta_over_se`` SEs."""
    d = abs(delta_over_se)
    return float(stats.norm.sf(k - d) + stats.norm.cdf(-k - d))


def sample_variance_se(sigma2: float, mu4: float, n: int) -> float:
    """Exact standard error of the unbiased sample variance of ``n`` iid draws
    with variance ``sigma2`` and fourth central moment ``mu4``."""
    var = mu4 / n - sigma2 ** 2 * (n - 3) / (n * (n - 1))
    return math.sqrt(var)


def pool_bins(pmf: np.ndarray, n: int, min_expected: float = 5.0,
              tail_from: int | None = None) -> np.ndarray:
    """Left edges of bins over 0, 1, 2, ... with expected counts >= ``min_expected``.

    ``pmf[k]`` is P(X = k) for k < len(pmf); the mass beyond is the tail.
    Adjacent values are pooled from the left until a bin expects at least
    ``min_expected`` observations; the last bin is open (all values from its
    edge on, tail included) and is merged into its neighbour if it expects
    too few. ``tail_from`` forces the open bin to start there at the latest.
    """
    limit = len(pmf) if tail_from is None else min(len(pmf), tail_from)
    edges = [0]
    acc = 0.0
    for k in range(limit):
        acc += n * pmf[k]
        if acc >= min_expected:
            edges.append(k + 1)
            acc = 0.0
    edges = np.array(edges)
    if len(edges) > 1:
        tail = n * (1.0 - pmf[: edges[-1]].sum())
        if tail < min_expected:
            edges = edges[:-1]
    return edges


def bin_probabilities(pmf: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """P(X in bin) for the bins of :func:`pool_bins` (the last bin takes the tail)."""
    cdf = np.concatenate([[0.0], np.cumsum(pmf)])
    inner = cdf[edges[1:]] - cdf[edges[:-1]]
    last = 1.0 - cdf[edges[-1]]
    return np.concatenate([inner, [last]])


def chisquare_pmf(values: np.ndarray, pmf: np.ndarray, min_expected: float = 5.0,
                  tail_from: int | None = None, edges: np.ndarray | None = None):
    """Pearson chi-square of integer data against a pmf, bins pooled to
    expected >= ``min_expected`` with an open tail bin.

    Returns
    -------
    stat, p, df, edges, probs
        ``scipy.stats.chisquare`` statistic and p-value (no fitted parameter,
        so df = bins - 1), the bin edges and their probabilities.
    """
    values = np.asarray(values)
    n = values.size
    if edges is None:
        edges = pool_bins(pmf, n, min_expected, tail_from)
    probs = bin_probabilities(pmf, edges)
    observed = np.bincount(np.searchsorted(edges, values, side="right") - 1,
                           minlength=len(edges))
    expected = probs * n
    stat, p = stats.chisquare(observed, expected * observed.sum() / expected.sum())
    return float(stat), float(p), len(edges) - 1, edges, probs


def chisquare_power(n: int, p_true: np.ndarray, p_tested: np.ndarray, alpha: float) -> float:
    """Power of a Pearson chi-square test of ``p_tested`` on ``n`` draws from
    ``p_true`` (same bins), at level ``alpha``: the noncentral chi-square
    approximation with noncentrality ``n * sum((p_true - p_tested)**2 / p_tested)``."""
    df = len(p_tested) - 1
    lam = n * float(np.sum((p_true - p_tested) ** 2 / p_tested))
    crit = stats.chi2.isf(alpha, df)
    return float(stats.ncx2.sf(crit, df, lam))


# -- theory shared by several files -------------------------------------------


def multitype_mean(initial: dict[int, float], birth: float, death: float, cost, mut,
                   t: float) -> np.ndarray:
    """Exact mean cells of each genotype at time ``t`` (no drug, no capacity).

    The model is a multitype Markov branching process whose mean obeys the
    linear system d E[n]/dt = E[n] A (Harris 1963, "The Theory of Branching
    Processes", Springer, ch. V; Athreya & Ney 1972, "Branching Processes",
    Springer, V.7), so E[n(t)] = n(0) expm(A t), with

        A[h, h] = b_h P(newborn of h is h) - d,
        A[h, g] = b_h P(newborn of h is g)    (g a strict superset of h),

    b_h = birth * prod_{j in h} (1 - cost_j), and the newborn independently
    gaining each resistance j not in h with probability mut_j.
    """
    from scipy.linalg import expm

    n_drugs = len(cost)
    n_types = 1 << n_drugs
    a = np.zeros((n_types, n_types))
    for h in range(n_types):
        b_h = birth * math.prod(1 - cost[j] for j in range(n_drugs) if (h >> j) & 1)
        a[h, h] -= death
        for g in range(n_types):
            if g & h != h:
                continue
            p = 1.0
            for j in range(n_drugs):
                if not (h >> j) & 1:
                    p *= mut[j] if (g >> j) & 1 else 1 - mut[j]
            a[h, g] += b_h * p
    start = np.zeros(n_types)
    for g, cells in initial.items():
        start[g] += cells
    return start @ expm(a * t)
