"""The linear birth-death process through the multi-step engine.

Theory: Kendall (1948), "On the generalized 'birth-and-death' process",
Ann. Math. Statist. 19:1-15; textbook form in Bailey (1964), "The Elements of
Stochastic Processes with Applications to the Natural Sciences", Wiley, ch. 8.
One cell with birth rate b and death rate d, r = b - d, after time t:

    P(extinct)       = alpha(t) = d (e^{rt} - 1) / (b e^{rt} - d)   (b t / (1 + b t) if r = 0)
    P(size = k >= 1) = (1 - alpha) (1 - beta) beta^{k-1},  beta = alpha b / d

and n0 cells are n0 independent lineages, so P(extinct by t) = alpha(t)^{n0},
E N(t) = n0 e^{rt}, Var N(t) = n0 (b+d)/(b-d) e^{rt} (e^{rt} - 1)
(n0 (b+d) t if r = 0), and the full law of N(t) is the n0-fold convolution.
As t -> infinity, alpha -> d/b for b > d.

Every run below takes many engine steps (step_tolerance 0.1 makes a step
0.1 / (b + d) days), so what is checked is the composition of steps, not one
exact draw. The formulas are written out here independently of the engine's
own :func:`clonesim.engine.lineage_law`.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest

from tests.conftest import replicates
from tests.verification._helpers import (
    K_SIGMA, P_MIN, bin_probabilities, chisquare_pmf, chisquare_power, engine_counts,
    make_config, pool_bins, report, sample_variance_se, z_power, z_score)

SEED = 1948


def kendall_alpha_beta(b: float, d: float, t: float) -> tuple[float, float]:
    """Kendall's (alpha, beta) for one lineage after time t."""
    r = b - d
    if r == 0.0:
        alpha = b * t / (1.0 + b * t)
        return alpha, alpha
    e = math.exp(r * t)
    alpha = d * (e - 1.0) / (b * e - d)
    beta = b * (e - 1.0) / (b * e - d)
    return alpha, beta


def kendall_mean_var(b: float, d: float, t: float, n0: int) -> tuple[float, float]:
    """Bailey's mean and variance of N(t) from n0 cells."""
    r = b - d
    if r == 0.0:
        return float(n0), n0 * (b + d) * t
    e = math.exp(r * t)
    return n0 * e, n0 * (b + d) / (b - d) * e * (e - 1.0)


def kendall_pmf(b: float, d: float, t: float, n0: int) -> np.ndarray:
    """P(N(t) = k) from n0 cells, k = 0 .. L-1 (L large enough that the
    neglected tail is below 1e-12)."""
    alpha, beta = kendall_alpha_beta(b, d, t)
    mean, var = kendall_mean_var(b, d, t, n0)
    length = int(mean + 60.0 * math.sqrt(var)) + 100
    k = np.arange(1, length)
    one = np.empty(length)
    one[0] = alpha
    one[1:] = (1.0 - alpha) * (1.0 - beta) * beta ** (k - 1)
    out = np.zeros(length)
    out[0] = 1.0
    for _ in range(n0):
        out = np.convolve(out, one)[:length]
    assert 1.0 - out.sum() < 1e-12
    return out


def central_moments(pmf: np.ndarray) -> tuple[float, float, float]:
    k = np.arange(pmf.size)
    mean = float(np.sum(k * pmf))
    var = float(np.sum((k - mean) ** 2 * pmf))
    mu4 = float(np.sum((k - mean) ** 4 * pmf))
    return mean, var, mu4


# name: (b, d, n0, t, base replicates)
SCENARIOS = {
    "supercritical": (1.0, 0.5, 10, 3.0, 5000),
    "critical": (1.0, 1.0, 10, 2.0, 3000),
    "subcritical": (0.5, 1.0, 20, 2.0, 3000),
}

# Same net growth rate r = 0.5 as the supercritical scenario, so the same mean
# E N(t); only d/b (0.583 instead of 0.5) and hence the spread differ.
WRONG_B, WRONG_D = 1.2, 0.7


@lru_cache(maxsize=None)
def run_scenario(name: str) -> tuple[np.ndarray, np.ndarray]:
    b, d, n0, t, base = SCENARIOS[name]
    cfg = make_config(birth=b, death=d, initial_cells=n0)
    seed = SEED + list(SCENARIOS).index(name)
    counts, steps = engine_counts(cfg, [t], replicates(base), seed)
    return counts[:, 0, 0], steps


@lru_cache(maxsize=None)
def run_three_cells() -> np.ndarray:
    cfg = make_config(birth=1.0, death=0.5, initial_cells=3)
    counts, _ = engine_counts(cfg, THREE_CELL_TIMES, replicates(5000), SEED + 10)
    return counts[:, :, 0] == 0  # extinct by each time


THREE_CELL_TIMES = (1.0, 4.0, 25.0)


@pytest.mark.statistical
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_birth_death_law(name):
    """Extinction probability, mean, variance and full law of N(t).

    Formula: Kendall (1948, Ann. Math. Statist.) / Bailey (1964) as in the
    module docstring. Parameters (b, d, n0, t): supercritical (1, 0.5, 10, 3),
    critical (1, 1, 10, 2), subcritical (0.5, 1, 20, 2); no mutation, no
    drug, step_tolerance 0.1 (30-45 steps per run).

    Statistics and tolerance: z-scores of the extinct fraction against
    alpha^n0 (SE sqrt(p(1-p)/n)), of the sample mean (SE sigma/sqrt(n)) and of
    the sample variance (exact SE from the fourth central moment of the
    theoretical law), each |z| < 5; and Pearson chi-square of N(t) against
    the convolved Kendall law, bins pooled to >= 5 expected with an open
    tail bin, p > 1e-3.
    """
    b, d, n0, t, _ = SCENARIOS[name]
    values, steps = run_scenario(name)
    n = values.size
    alpha, _ = kendall_alpha_beta(b, d, t)
    mean, var = kendall_mean_var(b, d, t, n0)
    pmf = kendall_pmf(b, d, t, n0)
    pmf_mean, pmf_var, mu4 = central_moments(pmf)
    # the closed forms and the convolved law agree (a check of this file)
    assert pmf_mean == pytest.approx(mean, rel=1e-9)
    assert pmf_var == pytest.approx(var, rel=1e-9)
    # many steps per surviving run: step composition is what is tested
    assert np.median(steps[values > 0]) >= 20

    p_ext = alpha ** n0
    z_ext = z_score(np.mean(values == 0), p_ext, math.sqrt(p_ext * (1 - p_ext) / n))
    z_mean = z_score(values.mean(), mean, math.sqrt(var / n))
    z_var = z_score(values.var(ddof=1), var, sample_variance_se(var, mu4, n))
    stat, p, df, _, _ = chisquare_pmf(values, pmf)
    report(f"birth-death {name}", n=n, P_extinct=float(np.mean(values == 0)),
           theory=p_ext, z_ext=z_ext, mean=float(values.mean()), theory_mean=mean,
           z_mean=z_mean, var=float(values.var(ddof=1)), theory_var=var, z_var=z_var,
           chi2=stat, df=df, p=p, median_steps=float(np.median(steps)))
    assert abs(z_ext) < K_SIGMA
    assert abs(z_mean) < K_SIGMA
    assert abs(z_var) < K_SIGMA
    assert p > P_MIN


@pytest.mark.statistical
def test_three_cell_clone_dies_out_by_chance():
    """A resistant clone of 3 cells must be able to die out by chance.

    Formula: P(extinct by t) = alpha(t)^3 (Kendall 1948, Ann. Math. Statist.;
    Bailey 1964), tending to (d/b)^3 = 0.125 as t -> infinity. Parameters:
    b = 1, d = 0.5, n0 = 3, observed at t = 1, 4 and 25 days in the same runs
    (25 days is about 375 engine steps; there alpha(25)^3 differs from
    (d/b)^3 by less than 1e-5, far below the SE, so the limit is checked too).

    Statistic and tolerance: z-score of the extinct fraction against
    alpha(t)^3 with SE sqrt(p(1-p)/n), |z| < 5 at each time (Bonferroni over
    the 4 checks: family-wise false alarm < 3e-6).
    """
    extinct = run_three_cells()
    n = extinct.shape[0]
    for i, t in enumerate(THREE_CELL_TIMES):
        expected = kendall_alpha_beta(1.0, 0.5, t)[0] ** 3
        observed = float(extinct[:, i].mean())
        z = z_score(observed, expected, math.sqrt(expected * (1 - expected) / n))
        report("3-cell clone", t=t, n=n, P_extinct=observed, alpha3=expected, z=z)
        assert abs(z) < K_SIGMA
    limit = 0.5 ** 3
    assert abs(kendall_alpha_beta(1.0, 0.5, 25.0)[0] ** 3 - limit) < 1e-5
    z = z_score(float(extinct[:, -1].mean()), limit, math.sqrt(limit * (1 - limit) / n))
    report("3-cell clone, t -> inf", P_extinct=float(extinct[:, -1].mean()), d_over_b_cubed=limit,
           z=z)
    assert abs(z) < K_SIGMA


@pytest.mark.statistical
def test_birth_death_statistics_reject_a_wrong_model():
    """The same statistics, on the same runs, reject a wrong d/b.

    Wrong model: b = 1.2, d = 0.7. It has the same net growth r = 0.5 as the
    true b = 1, d = 0.5, so the same mean growth; only d/b differs (0.583
    vs 0.5). Formulas as above (Kendall 1948; Bailey 1964).

    Statistics, tolerance and stated power, at the replicate counts of the two
    tests above:
    * 3-cell extinction at t = 25 against (d'/b')^3 = 0.198 instead of 0.125:
      must give |z| >= 5; power (normal approximation) is computed and must
      be >= 0.99 (it is ~1 - 1e-15 at 5000 replicates).
    * sample variance of N(3) from 10 cells against the wrong model's variance
      (593 instead of 468): |z| >= 5; power ~0.9999 at 5000 replicates.
    * chi-square of N(3) against the wrong model's law: p < 1e-3; power from
      the noncentral chi-square is ~0.999 at 5000 replicates.
    When a smaller CLONESIM_STAT_SCALE makes a stated power fall below 0.99,
    that check is skipped rather than left to chance.
    """
    # extinction of the 3-cell clone
    extinct = run_three_cells()[:, -1]
    n = extinct.size
    wrong = (WRONG_D / WRONG_B) ** 3
    true = kendall_alpha_beta(1.0, 0.5, 25.0)[0] ** 3
    se = math.sqrt(wrong * (1 - wrong) / n)
    power_ext = z_power((true - wrong) / se)
    z_ext = z_score(float(extinct.mean()), wrong, se)

    # variance and law of N(3) from 10 cells
    values, _ = run_scenario("supercritical")
    m = values.size
    b, d, n0, t, _ = SCENARIOS["supercritical"]
    true_pmf = kendall_pmf(b, d, t, n0)
    wrong_pmf = kendall_pmf(WRONG_B, WRONG_D, t, n0)
    _, var_true, _ = central_moments(true_pmf)
    _, var_wrong, mu4_wrong = central_moments(wrong_pmf)
    se_var = sample_variance_se(var_wrong, mu4_wrong, m)
    power_var = z_power((var_true - var_wrong) / se_var)
    z_var = z_score(values.var(ddof=1), var_wrong, se_var)
    edges = pool_bins(wrong_pmf, m)
    power_chi = chisquare_power(m, bin_probabilities(true_pmf, edges),
                                bin_probabilities(wrong_pmf, edges), P_MIN)
    stat, p, df, _, _ = chisquare_pmf(values, wrong_pmf, edges=edges)
    report("birth-death vs wrong d/b", z_ext=z_ext, power_ext=power_ext, z_var=z_var,
           power_var=power_var, chi2=stat, df=df, p=p, power_chi2=power_chi)
    if min(power_ext, power_var, power_chi) < 0.99:
        pytest.skip(f"at {n}/{m} replicates the stated power is below 0.99")
    assert abs(z_ext) >= K_SIGMA
    assert abs(z_var) >= K_SIGMA
    assert p < P_MIN


@pytest.mark.statistical
@pytest.mark.parametrize("b, d, t", [(0.25, 0.2, 10.0), (0.5, 1.0, 2.0)])
def test_birth_death_huge_clone(b, d, t):
    """The same law holds for a clone of 1e12 cells (two draws per step).

    Formula: Kendall (1948, Ann. Math. Statist.) / Bailey (1964): E N(t) =
    n0 e^{rt}, Var N(t) = n0 (b+d)/(b-d) e^{rt} (e^{rt} - 1). Parameters:
    n0 = 1e12 cells; (b, d, t) = (0.25, 0.2, 10), the teaching scenario's
    rates over 45 steps, and (0.5, 1, 2), a shrinking clone over 30 steps.

    Statistics and tolerance: z-score of the sample mean (SE sigma/sqrt(n))
    and of the sample variance (exact SE from the fourth central moment
    mu4 = 3 sigma^4 + n0 kappa4, kappa4 the fourth cumulant of one lineage
    from Kendall's law), each |z| < 5.
    """
    n0 = 10 ** 12
    cfg = make_config(birth=b, death=d, initial_cells=n0)
    counts, steps = engine_counts(cfg, [t], replicates(2000), SEED + 20 + int(10 * b))
    x = counts[:, 0, 0].astype(float)
    n = x.size
    mean, var = kendall_mean_var(b, d, t, n0)
    _, var1, mu4_1 = central_moments(kendall_pmf(b, d, t, 1))
    mu4 = 3.0 * var ** 2 + n0 * (mu4_1 - 3.0 * var1 ** 2)
    # centre before squaring: 1e12-sized values lose digits otherwise
    z_mean = z_score(x.mean() - mean, 0.0, math.sqrt(var / n))
    z_var = z_score(np.var(x - mean, ddof=1), var, sample_variance_se(var, mu4, n))
    report(f"birth-death, 1e12 cells, b={b}, d={d}, t={t}", n=n, steps=int(steps[0]),
           rel_mean_error=float(x.mean() / mean - 1), z_mean=z_mean,
           var_ratio=float(np.var(x - mean, ddof=1) / var), z_var=z_var)
    assert abs(z_mean) < K_SIGMA
    assert abs(z_var) < K_SIGMA


@pytest.mark.statistical
@pytest.mark.parametrize("b, d, t", [(1.0, 0.3, 0.1), (0.5, 1.0, 2.0), (0.25, 0.25, 0.4)])
def test_one_cell_transition_has_the_kendall_law(b, d, t):
    """One cell's transition, the kernel's path for every timed mutant newborn.

    For n = 1 the engine draws Bernoulli(1 - alpha) survival then a
    Geometric(1 - beta) size instead of a binomial and a negative binomial:
    the same law if the code is right. Formula: Kendall (1948, Ann. Math.
    Statist.), P(0) = alpha, P(k) = (1 - alpha)(1 - beta) beta^(k-1), with
    alpha and beta written out independently above.

    Statistic and tolerance: z-score of P(0) with SE sqrt(alpha(1-alpha)/n),
    |z| < 5, and Pearson chi-square of the whole law (bins pooled to >= 5
    expected), p > 1e-3.
    """
    from numba import njit

    from clonesim.engine.birth_death import sample_birth_death

    @njit
    def draws(n, b, d, t, rng):
        out = np.empty(n, np.int64)
        for i in range(n):
            out[i] = sample_birth_death(1, b, d, t, rng)
        return out

    n = replicates(200_000)
    x = draws(n, b, d, t, np.random.default_rng(SEED))
    alpha, beta = kendall_alpha_beta(b, d, t)
    k = np.arange(1, 400)
    pmf = np.concatenate([[alpha], (1 - alpha) * (1 - beta) * beta ** (k - 1)])
    z = z_score(float((x == 0).mean()), alpha, math.sqrt(alpha * (1 - alpha) / n))
    stat, p, df, _, _ = chisquare_pmf(x, pmf)
    report("one-cell transition", b=b, d=d, t=t, n=n, P0=float((x == 0).mean()), alpha=alpha,
           z=z, chi2=stat, df=df, p=p)
    assert abs(z) < K_SIGMA
    assert p > P_MIN
