"""A cohort's phenotype mix: ``cohort.vary."states.*.initial_fraction"`` with
``dist = "dirichlet"`` draws every state's initial share per patient.

The draws go through the runner's own path (:func:`clonesim.runners.patient_config`),
so these tests check what a cohort's patients really start with. Tolerances
follow the verification suite: z-tests pass at ``K = 5`` standard errors
computed from the number of draws; KS tests pass at ``p > P_MIN = 1e-3``.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import clonesim
from clonesim.config import Config
from clonesim.runners import patient_config
from tests.conftest import replicates

ROOT = Path(__file__).resolve().parents[1]
K = 5.0
P_MIN = 1e-3
SEED = 2024
MIX = "states.*.initial_fraction"


def receptor_switch(vary: dict, **states) -> Config:
    """receptor_switch.toml without its arms, with ``vary`` and extra states."""
    with open(ROOT / "configs" / "receptor_switch.toml", "rb") as f:
        raw = tomllib.load(f)
    raw["states"].update(states)
    raw["cohort"] = {"vary": vary}
    return Config.from_dict(raw, source="receptor_switch.toml")


def mixes(cfg: Config, n: int, seed: int = SEED) -> np.ndarray:
    """The initial shares patients 0..n-1 draw, one row each, columns in state order."""
    return np.array([[st.initial_fraction for st in patient_config(cfg, seed, k).states.values()]
                     for k in range(n)])


@pytest.mark.statistical
def test_dirichlet_mix_has_the_closed_form_mean_and_variance():
    """Three states (ER+, ER-, HER2+), alpha = (6, 3, 1), a0 = sum(alpha) = 10.

    Source: the Dirichlet distribution's moments (e.g. Johnson, Kotz &
    Balakrishnan, Continuous Multivariate Distributions, ch. 49): share i
    has mean a_i / a0 and variance a_i (a0 - a_i) / (a0^2 (a0 + 1)); its
    marginal is Beta(a_i, a0 - a_i). Statistics: the sample mean, with
    SE = sqrt(var / n); the sample variance s^2, with
    SE = sqrt((mu4 - var^2 (n - 3) / (n - 1)) / n), mu4 the Beta marginal's
    fourth central moment (from scipy's kurtosis). Each |z| < K = 5.
    """
    alpha = {"ER+": 6.0, "ER-": 3.0, "HER2+": 1.0}
    cfg = receptor_switch({MIX: {"dist": "dirichlet", "alpha": alpha}}, **{"HER2+": {}})
    n = replicates(2000)
    shares = mixes(cfg, n)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert shares.min() >= 0.0
    a = np.array(list(alpha.values()))
    a0 = a.sum()
    mean = a / a0
    var = a * (a0 - a) / (a0**2 * (a0 + 1))
    kurt = np.array([float(stats.beta(ai, a0 - ai).stats(moments="k")) for ai in a])
    mu4 = (kurt + 3.0) * var**2
    z_mean = (shares.mean(axis=0) - mean) / np.sqrt(var / n)
    z_var = (shares.var(axis=0, ddof=1) - var) / np.sqrt((mu4 - var**2 * (n - 3) / (n - 1)) / n)
    print(f"[mix] n={n} means {np.round(shares.mean(axis=0), 4)} (theory {np.round(mean, 4)}), "
          f"z {np.round(z_mean, 2)}; variances {np.round(shares.var(axis=0, ddof=1), 5)} "
          f"(theory {np.round(var, 5)}), z {np.round(z_var, 2)}")
    assert np.all(np.abs(z_mean) < K)
    assert np.all(np.abs(z_var) < K)


@pytest.mark.statistical
def test_two_state_mix_is_a_beta_share():
    """With two states the ER- share is Beta(alpha_ER-, alpha_ER+): the config
    docs say so, and it is the way to vary a two-state mix. Alpha as in the
    receptor_switch.toml comment (19, 1). KS test against Beta(1, 19), p > P_MIN.
    """
    cfg = receptor_switch({MIX: {"dist": "dirichlet", "alpha": {"ER+": 19.0, "ER-": 1.0}}})
    n = replicates(1000)
    er_neg = mixes(cfg, n, seed=SEED + 1)[:, 1]
    p = stats.kstest(er_neg, stats.beta(1.0, 19.0).cdf).pvalue
    print(f"[mix] n={n} ER- share vs Beta(1, 19): KS p = {p:.3g}")
    assert p > P_MIN


def test_mix_order_in_alpha_is_the_callers_and_states_stay_named():
    """The shares land on the states alpha names, whatever order alpha lists them in."""
    cfg = receptor_switch({MIX: {"dist": "dirichlet", "alpha": {"ER-": 1e-3, "ER+": 1e3}}})
    for k in range(5):
        states = patient_config(cfg, SEED, k).states
        assert states["ER+"].initial_fraction > 0.99
        assert math.isclose(states["ER+"].initial_fraction + states["ER-"].initial_fraction, 1.0)


def test_mix_draws_do_not_depend_on_workers_and_rerun_alone():
    """Same seed, same mixes (and the same patients) on 1 or 2 workers; patient
    k's mix is patient_config(cfg, seed, k). A 30-day follow-up keeps it quick:
    no tumour is detected, but every patient has drawn its mix."""
    cfg = receptor_switch({MIX: {"dist": "dirichlet", "alpha": {"ER+": 8.0, "ER-": 2.0}}}
                          ).set("simulation.horizon_days", 30.0)
    one = clonesim.simulate_cohort(cfg, 8, seed=7, workers=1)
    two = clonesim.simulate_cohort(cfg, 8, seed=7, workers=2)
    drawn = [[st.initial_fraction for st in r.config.states.values()] for r in one]
    assert drawn == [[st.initial_fraction for st in r.config.states.values()] for r in two]
    assert drawn == mixes(cfg, 8, seed=7).tolist()
    assert len({tuple(d) for d in drawn}) == 8  # every patient its own mix
    assert one.to_dataframe().equals(two.to_dataframe())


def test_adding_a_mix_leaves_the_other_draws_unchanged():
    """A mix entry listed after another vary entry draws after it from the same
    generator, so the other entry's values stay exactly what they were."""
    rate = {"dist": "loguniform", "low": 1e-8, "high": 1e-6}
    plain = receptor_switch({"mutation_rate": rate})
    mixed = receptor_switch({"mutation_rate": rate,
                             MIX: {"dist": "dirichlet", "alpha": {"ER+": 8.0, "ER-": 2.0}}})
    for k in range(10):
        assert (patient_config(plain, SEED, k).mutation_rate
                == patient_config(mixed, SEED, k).mutation_rate)


def test_cohort_table_shows_what_each_patient_drew():
    """The cohort table has a column per drawn key (a mix: one per state),
    holding patient k's values from patient_config, so a teacher can plot
    outcomes against what made the patients differ."""
    cfg = receptor_switch({"mutation_rate": {"dist": "loguniform", "low": 1e-8, "high": 1e-6},
                           MIX: {"dist": "dirichlet", "alpha": {"ER+": 8.0, "ER-": 2.0}}}
                          ).set("simulation.horizon_days", 30.0)
    table = clonesim.simulate_cohort(cfg, 5, seed=3, workers=1).to_dataframe()
    for k in range(5):
        drawn = patient_config(cfg, 3, k)
        assert table.loc[k, "mutation_rate"] == drawn.mutation_rate
        for name, state in drawn.states.items():
            assert table.loc[k, f"states.{name}.initial_fraction"] == state.initial_fraction
    assert table["mutation_rate"].nunique() == 5
