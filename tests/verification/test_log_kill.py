"""Log-kill: a dose kills a fixed fraction of the susceptible cells.

Theory: Skipper, Schabel & Wilcox (1964), "Experimental evaluation of
potential anticancer agents XIII: on the criteria and kinetics associated
with 'curability' of experimental leukemia", Cancer Chemother Rep 35:1-111:
a dose kills a constant fraction f of the cells, whatever their number. In
the stochastic model each of the n susceptible cells dies independently
with probability f, so the survivors are Binomial(n, 1 - f), and k doses
with no growth in between leave Binomial(n, (1 - f)^k). Resistant cells are
untouched. There is a single site here, so the drug's penetration is 1.

Cells neither divide nor die (b = d = 0) so that only the doses act.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from clonesim.engine import K, EngineState
from clonesim.model import build_model
from tests.conftest import replicates
from tests.verification._helpers import (
    K_SIGMA, P_MIN, chisquare_pmf, engine_counts, generators, make_config, report, z_score)

SEED = 1964


def dosing_config(cells: int, kill: float, interval: float = 21.0, resistant: int = 0):
    return make_config(birth=0.0, death=0.0, initial_cells=cells,
                       drugs={"A": {"kill_fraction": kill, "dose_interval_days": interval}},
                       initial_resistant={"A": resistant} if resistant else None)


@pytest.mark.statistical
def test_one_dose_leaves_binomial_survivors():
    """One dose of kill fraction f on n cells leaves Binomial(n, 1 - f).

    Formula: log-kill (Skipper, Schabel & Wilcox 1964, Cancer Chemother Rep
    35:1) with independent cell deaths: Binomial(n, 1 - f). Parameters: n =
    1000 sensitive cells plus 50 A-resistant cells, f = 0.98, b = d = 0,
    observed half a day after the dose.

    Statistics and tolerance: Pearson chi-square of the surviving sensitive
    count against the Binomial(1000, 0.02) pmf, bins pooled to >= 5
    expected, p > 1e-3; z-score of the mean against 20 with SE
    sqrt(n f (1 - f) / reps), |z| < 5; the 50 resistant cells must all
    survive in every run (exact).
    """
    cells, kill = 1000, 0.98
    counts, _ = engine_counts(dosing_config(cells, kill, resistant=50), [0.5],
                              replicates(4000), SEED, give=("A",))
    survivors = counts[:, 0, 0]
    assert np.all(counts[:, 0, 1] == 50)
    reps = survivors.size
    pmf = stats.binom.pmf(np.arange(cells + 1), cells, 1 - kill)
    stat, p, df, _, _ = chisquare_pmf(survivors, pmf)
    mean = cells * (1 - kill)
    z = z_score(survivors.mean(), mean, math.sqrt(cells * kill * (1 - kill) / reps))
    report("log-kill, one dose", reps=reps, mean=float(survivors.mean()), theory=mean, z=z,
           chi2=stat, df=df, p=p)
    assert p > P_MIN
    assert abs(z) < K_SIGMA


@pytest.mark.statistical
@pytest.mark.parametrize("cells, kill, doses", [(10**6, 0.5, 3), (10**12, 0.98, 1)])
def test_repeated_and_huge_doses(cells, kill, doses):
    """k doses leave Binomial(n, (1 - f)^k); exact also for 1e12 cells.

    Formula: log-kill with independent deaths (Skipper et al. 1964): mean n
    (1-f)^k, variance n (1-f)^k (1 - (1-f)^k). Parameters: (n, f, k) =
    (1e6, 0.5, 3 doses one day apart) and (1e12, 0.98, 1 dose); b = d = 0.

    Statistics and tolerance: z-score of the sample mean with SE
    sqrt(variance / reps), |z| < 5, and of the sample variance with the
    binomial's exact SE (fourth central moment), |z| < 5.
    """
    cfg = dosing_config(cells, kill, interval=1.0)
    counts, _ = engine_counts(cfg, [doses - 0.5], replicates(1000), SEED + doses, give=("A",))
    survivors = counts[:, 0, 0].astype(float)
    reps = survivors.size
    s = (1 - kill) ** doses
    mean = cells * s
    var = cells * s * (1 - s)
    # binomial fourth central moment: n p q (1 + 3 (n - 2) p q)
    mu4 = cells * s * (1 - s) * (1 + 3 * (cells - 2) * s * (1 - s))
    se_var = math.sqrt(mu4 / reps - var ** 2 * (reps - 3) / (reps * (reps - 1)))
    z_mean = z_score(survivors.mean(), mean, math.sqrt(var / reps))
    z_var = z_score(survivors.var(ddof=1), var, se_var)
    report(f"log-kill n={cells:g} f={kill} doses={doses}", reps=reps, mean=survivors.mean(),
           theory=mean, z_mean=z_mean, var=survivors.var(ddof=1), theory_var=var, z_var=z_var)
    assert abs(z_mean) < K_SIGMA
    assert abs(z_var) < K_SIGMA


def test_kill_fraction_one_clears_every_susceptible_cell():
    """kill_fraction = 1 removes every susceptible cell and nothing else
    (deterministic: no tolerance)."""
    for resistant in (0, 7):
        cfg = dosing_config(10**9, 1.0, resistant=resistant)
        model = build_model(cfg)
        for rng in generators(SEED, 5):
            st = EngineState(model)
            st.give(model.drug_mask(("A",)))
            code = st.run_until(0.5, rng)
            assert st.counts_by_type() == ({1: resistant} if resistant else {})
            assert code == (K.REACHED_T_STOP if resistant else K.EXTINCT)
