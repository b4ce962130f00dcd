"""The Luria-Delbrück distribution of resistant cells before any treatment.

Theory: Luria & Delbrück (1943), Genetics 28:491; in the Lea-Coulson form
(Lea & Coulson 1949, J. Genet. 49:264) the number of mutants R is compound
Poisson: m = expected number of mutations, each founding a Yule clone, and
its law is computed by the Ma-Sandri-Sarkar recursion (Ma, Sandri & Sarkar
1992, J. Appl. Prob. 29:255-267):

    p_0 = e^{-m},   p_n = (m / n) * sum_{i=0}^{n-1} p_i / (n - i + 1).

Setting: pure birth (b = 1, d = 0), one drug A, n0 = 1000 sensitive cells at
t = 0, grown for T = ln(rho) with rho = N / n0 = 1e4 (N = 1e7 cells), u =
1.5e-7 per division, so m = u/(1-u) * n0 * (rho^{1-u} - 1) = 1.49985 (the
expected number of divisions of sensitive cells whose newborn is mutant; the
sensitive clone grows at b(1-u)).

Why the Lea-Coulson law fits this finite set-up:
* Lea-Coulson takes the sensitive population as deterministic. From n0 =
  1000 cells the Yule population is n0 e^{t} W with W ~ Gamma(n0, 1/n0)
  (CV 1/sqrt(n0) = 3%), and W multiplies m; e.g. P(R = 0) becomes
  (1 + m/n0)^{-n0} instead of e^{-m}, a relative change of m^2/(2 n0) =
  1.1e-3, about 0.05 standard errors at 6000 replicates.
* MSS is the rho -> infinity limit: mutations cannot happen before t = 0.
  The test computes the exact finite-rho Lea-Coulson law (the same compound
  Poisson with the clone-size law of a Yule clone founded at an
  exponentially distributed time in [0, T], via Panjer's recursion) and
  checks that its chi-square noncentrality against MSS, on the bins used,
  is below 1 -- too small to matter at this sample size. The open tail bin
  starts at R = rho/100 = 100, where the two laws differ by under 1%.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pytest

from tests.conftest import replicates
from tests.verification._helpers import (
    K_SIGMA, P_MIN, bin_probabilities, chisquare_pmf, chisquare_power, engine_counts,
    make_config, pool_bins, report, z_score)

SEED = 1943
N0 = 1000
RHO = 1e4
U = 1.5e-7
T = math.log(RHO)
M = U / (1 - U) * N0 * (RHO ** (1 - U) - 1)
TAIL_FROM = int(RHO / 100)


def mss_pmf(m: float, length: int) -> np.ndarray:
    """Lea-Coulson pmf by the Ma-Sandri-Sarkar (1992) recursion, n = 0 .. length-1."""
    p = np.zeros(length)
    p[0] = math.exp(-m)
    for n in range(1, length):
        i = np.arange(n)
        p[n] = m / n * np.sum(p[:n] / (n - i + 1))
    return p


def finite_lea_coulson_pmf(m: float, rho: float, length: int) -> np.ndarray:
    """Compound Poisson(m) of Yule clones founded at times with density
    proportional to e^{bs} on [0, T], rho = e^{bT}: clone law
    f(k) = rho/(rho-1) (c^k/k - c^{k+1}/(k+1)), c = 1 - 1/rho (which tends to
    1/(k(k+1)) as rho -> infinity). Panjer's recursion."""
    c = 1.0 - 1.0 / rho
    k = np.arange(1, length)
    f = rho / (rho - 1.0) * (c ** k / k - c ** (k + 1) / (k + 1))
    kf = k * f
    p = np.zeros(length)
    p[0] = math.exp(-m)
    for n in range(1, length):
        p[n] = m / n * np.dot(kf[:n], p[n - 1::-1])
    return p


@lru_cache(maxsize=None)
def resistant_counts() -> np.ndarray:
    cfg = make_config(birth=1.0, death=0.0, initial_cells=N0, mutation_rate=U)
    counts, _ = engine_counts(cfg, [T], replicates(6000), SEED)
    return counts[:, 0, 1]


@pytest.mark.statistical
def test_luria_delbruck_distribution():
    """Resistant cells R(T) follow the Lea-Coulson law (MSS recursion).

    Formula: Ma, Sandri & Sarkar (1992, J. Appl. Prob.) recursion for the
    Lea-Coulson (1949) law with m = 1.49985; parameters in the module
    docstring (b = 1, d = 0, n0 = 1000, N = 1e7, u = 1.5e-7, default
    step_tolerance 0.1).

    Statistics and tolerance: Pearson chi-square of R against MSS, bins pooled
    from the left to >= 5 expected, open tail bin from R = 100, p > 1e-3; and
    the fraction with R = 0 against p_0 = e^{-m}, SE sqrt(p0(1-p0)/n), |z| < 5.
    """
    r = resistant_counts()
    n = r.size
    pmf = mss_pmf(M, TAIL_FROM + 1)
    stat, p, df, edges, probs = chisquare_pmf(r, pmf, tail_from=TAIL_FROM)
    # the finite-time correction is negligible on these bins (see module docstring)
    exact = bin_probabilities(finite_lea_coulson_pmf(M, RHO, TAIL_FROM + 1), edges)
    noncentrality = n * float(np.sum((exact - probs) ** 2 / probs))
    p0 = math.exp(-M)
    z0 = z_score(float(np.mean(r == 0)), p0, math.sqrt(p0 * (1 - p0) / n))
    report("Luria-Delbruck", n=n, m=M, chi2=stat, df=df, p=p, P_R0=float(np.mean(r == 0)),
           exp_minus_m=p0, z_p0=z0, median_R=float(np.median(r)),
           finite_rho_noncentrality=noncentrality)
    assert noncentrality < 1.0
    assert p > P_MIN
    assert abs(z0) < K_SIGMA


@pytest.mark.statistical
def test_luria_delbruck_rejects_wrong_m():
    """The same chi-square, on the same runs, rejects the law for 1.5 m.

    Formula: MSS (Ma, Sandri & Sarkar 1992) with m' = 1.5 m = 2.25 (as if
    the mutation rate were 1.5 times higher). Statistic: Pearson chi-square,
    bins pooled to >= 5 expected under m' with the open tail bin from R = 100;
    the test must give p < 1e-3. Stated power: from the noncentral
    chi-square with noncentrality n * sum((p_m - p_m')^2 / p_m') on those
    bins, required >= 0.99 (it is ~1: P(R = 0) alone is
    0.223 vs 0.105, about 30 standard errors at 6000 replicates); below 0.99 (a small
    CLONESIM_STAT_SCALE) the check is skipped rather than left to chance.
    """
    r = resistant_counts()
    n = r.size
    wrong = mss_pmf(1.5 * M, TAIL_FROM + 1)
    edges = pool_bins(wrong, n, tail_from=TAIL_FROM)
    power = chisquare_power(n, bin_probabilities(mss_pmf(M, TAIL_FROM + 1), edges),
                            bin_probabilities(wrong, edges), P_MIN)
    stat, p, df, _, _ = chisquare_pmf(r, wrong, edges=edges)
    report("Luria-Delbruck vs 1.5 m", n=n, chi2=stat, df=df, p=p, power=power)
    if power < 0.99:
        pytest.skip(f"power {power:.3f} < 0.99 at {n} replicates")
    assert p < P_MIN
