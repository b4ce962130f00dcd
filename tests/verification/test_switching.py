"""Phenotype switching and drug penetration against closed forms.

Switching. With no birth and no death, a cell's phenotype is a two-state
continuous-time Markov chain (rates s12: state 1 -> 2, s21: 2 -> 1), so

    p1(t) = pi1 + (p1(0) - pi1) exp(-(s12 + s21) t),   pi1 = s21 / (s12 + s21)

(the two-state chain of any textbook, e.g. Norris 1997, "Markov Chains",
Cambridge University Press). N cells that switch
independently leave Binomial(N, p1(t)) of them in state 1, with mean N p1(t)
and variance N p1 (1 - p1), and the total stays N.

Penetration. A drug whose penetration at a site is 0 must leave that site's
cells on the untreated linear birth-death law, mean n0 exp((b - d) t) and
variance n0 (b + d)/(b - d) exp((b - d) t) (exp((b - d) t) - 1) (Kendall 1948;
Bailey 1964, "The Elements of Stochastic Processes", ch. 8), while at a site it reaches
fully each susceptible cell has the extra death rate k of a continuous drug
and survives each pulsed dose with probability 1 - kill_fraction, so the
mean there is n0 exp((b - d - k) t) (1 - f)^doses.

Tolerance rule: as in ``_helpers``: |z| < K_SIGMA = 5 with standard errors
from the replicates actually used (sample SD / sqrt(n) for means; the exact
SE of the sample variance of a binomial for variances).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from clonesim.config import Config
from clonesim.engine import EngineState
from clonesim.model import build_model
from tests.conftest import replicates
from tests.verification._helpers import (K_SIGMA, generators, report, sample_variance_se,
                                         z_score)

SEED = 1997
N_CELLS = 1000
S12, S21 = 0.1, 0.05
T_OBS = 10.0


def switching_config(n: int, s12: float, s21: float, birth: float = 0.0,
                     death: float = 0.0) -> Config:
    """Two states, every cell starting in S1; no mutation; the drug is never given."""
    return Config.from_dict({
        "mutation_rate": 0.0,
        "tumour": {"initial_cells": n, "birth_rate": birth, "death_rate": death,
                   "condition_on_detection": False},
        "states": {"S1": {"switch_to": {"S2": s12}}, "S2": {"switch_to": {"S1": s21}}},
        "drugs": {"A": {"kill_fraction": 0.5}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": 1e14, "lethal_cells": 1e15},
        "simulation": {"horizon_days": 100.0},
    })


def p1_closed_form(p0: float, s12: float, s21: float, t: float) -> float:
    pi1 = s21 / (s12 + s21)
    return pi1 + (p0 - pi1) * math.exp(-(s12 + s21) * t)


def run_switching(n_rep: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(cells in S1, all cells) at T_OBS for each replicate."""
    cfg = switching_config(N_CELLS, S12, S21)
    model = build_model(cfg)
    s1 = np.zeros(n_rep, dtype=np.int64)
    total = np.zeros(n_rep, dtype=np.int64)
    # type id = (class << n_drugs) | genotype, class = site * n_states + state: S1 -> 0
    for r, rng in enumerate(generators(seed, n_rep)):
        st = EngineState(model)
        st.run_until(T_OBS, rng)
        counts = st.counts_by_type()
        s1[r] = counts.get(0, 0)
        total[r] = sum(counts.values())
    return s1, total


@pytest.mark.statistical
def test_two_state_switching_mean_follows_markov_chain():
    """E[cells in S1 at t] = N p1(t), the two-state Markov chain closed form.

    Formula: p1(t) = pi1 + (p1(0) - pi1) exp(-(s12 + s21) t), pi1 = s21/(s12 + s21)
    (Norris 1997, Markov Chains, the two-state chain). Parameters: N = 1000
    cells all in S1 (p1(0) = 1), s12 = 0.1/day, s21 = 0.05/day, b = d = 0, no
    drug, t = 10 days (p1 = 0.482), default step_tolerance. Statistic: the
    replicate mean of the S1 count against N p1(t), SE = sample SD /
    sqrt(n); |z| < 5. At t = 10 the exponential term is still 0.22 of its
    start value, so a wrong relaxation rate or a wrong pi1 both show.
    """
    n = replicates(1000)
    s1, total = run_switching(n, SEED)
    p1 = p1_closed_form(1.0, S12, S21, T_OBS)
    mean = float(s1.mean())
    se = float(s1.std(ddof=1)) / math.sqrt(n)
    z = z_score(mean, N_CELLS * p1, se)
    # The fraction in S1 of the cells actually present (robust to the total's noise).
    frac = s1 / np.maximum(total, 1)
    z_frac = z_score(float(frac.mean()), p1, float(frac.std(ddof=1)) / math.sqrt(n))
    report("two-state switching mean", n=n, mean=mean, expected=N_CELLS * p1, z=z,
           fraction=float(frac.mean()), p1=p1, z_fraction=z_frac)
    assert abs(z) < K_SIGMA
    assert abs(z_frac) < K_SIGMA


@pytest.mark.statistical
def test_two_state_switching_relaxes_to_stationary_fraction():
    """Long after the start the S1 fraction is pi1 = s21 / (s12 + s21), from either side.

    Same chain (Norris 1997); N = 1000, s12 = 0.1, s21 = 0.05, t = 60 days
    (exp(-9) ~ 1e-4 of the initial offset is left): the mean S1 count over
    replicates is N pi1 = 333.3 within 5 SE (sample SD / sqrt(n)).
    """
    n = replicates(300)
    cfg = switching_config(N_CELLS, S12, S21)
    model = build_model(cfg)
    s1 = np.zeros(n)
    for r, rng in enumerate(generators(SEED + 1, n)):
        st = EngineState(model)
        st.run_until(60.0, rng)
        s1[r] = st.counts_by_type().get(0, 0)
    p1 = p1_closed_form(1.0, S12, S21, 60.0)
    z = z_score(float(s1.mean()), N_CELLS * p1, float(s1.std(ddof=1)) / math.sqrt(n))
    report("two-state switching, stationary", n=n, mean=float(s1.mean()),
           expected=N_CELLS * p1, z=z)
    assert abs(z) < K_SIGMA


@pytest.mark.statistical
def test_two_state_switching_count_is_binomial():
    """Independent cells: the S1 count is Binomial(N, p1(t)) and the total stays N.

    Same parameters as the mean test. Statistics: (1) every replicate keeps
    all N cells (no birth, no death); (2) the sample variance of the S1 count
    against N p1 (1 - p1), SE from the exact formula for the sample variance
    of n binomial draws (``sample_variance_se``), |z| < 5.
    """
    n = replicates(1000)
    s1, total = run_switching(n, SEED + 2)
    p1 = p1_closed_form(1.0, S12, S21, T_OBS)
    q1 = 1.0 - p1
    sigma2 = N_CELLS * p1 * q1
    mu4 = N_CELLS * p1 * q1 * (1 + 3 * (N_CELLS - 2) * p1 * q1)  # binomial 4th central moment
    var = float(s1.var(ddof=1))
    z = z_score(var, sigma2, sample_variance_se(sigma2, mu4, n))
    report("two-state switching variance", n=n, variance=var, binomial=sigma2, z=z,
           total_min=int(total.min()), total_max=int(total.max()))
    assert np.all(total == N_CELLS), "switching must neither create nor destroy cells"
    assert abs(z) < K_SIGMA


# -- penetration ---------------------------------------------------------------

B, D = 0.30, 0.20
KILL_RATE = 0.10
KILL_FRACTION = 0.9
DOSE_INTERVAL = 5.0
N0 = 1000
T_PEN = 9.0  # doses at days 0 and 5 (a dose due exactly at t_stop is not yet given)


def penetration_model():
    """Sites 'brain' (the drugs do not reach it) and 'body' (fully reached),
    N0 sensitive cells at each, one continuous and one pulsed drug."""
    cfg = Config.from_dict({
        "mutation_rate": 0.0,
        "tumour": {"initial_cells": N0, "birth_rate": B, "death_rate": D,
                   "condition_on_detection": False},
        "sites": {"brain": {}, "body": {}},
        "drugs": {
            "C": {"kill": "continuous", "kill_rate": KILL_RATE, "penetration": {"brain": 0.0}},
            "P": {"kill": "pulsed", "kill_fraction": KILL_FRACTION,
                  "dose_interval_days": DOSE_INTERVAL, "penetration": {"brain": 0.0, "body": 1.0}},
        },
        "therapy": {"lines": ["C+P"]},
        "clinic": {"detection_cells": 1e14, "lethal_cells": 1e15},
        "simulation": {"horizon_days": 100.0},
    })
    model = build_model(cfg)
    n_drugs, n_states = model.n_drugs, len(model.state_names)
    brain = (0 * n_states + 0) << n_drugs  # class = site * n_states + state, genotype 0
    body = (1 * n_states + 0) << n_drugs
    # A config starts every cell at the first site; put N0 at each site instead.
    return dataclasses.replace(model, initial=((brain, N0), (body, N0))), brain, body


@pytest.mark.statistical
def test_zero_penetration_site_grows_as_untreated():
    """Penetration 0: the site's cells follow the untreated birth-death law.

    Formulas: untreated mean n0 e^{(b-d)t} (Bailey 1964); treated (penetration
    1) mean n0 e^{(b-d-k)t} (1-f)^2 for a continuous drug (extra death rate k)
    and two pulsed doses (kill fraction f) by t = 9. Parameters: n0 = 1000 at
    each site, b = 0.3, d = 0.2, k = 0.1, f = 0.9, doses every 5 days from
    day 0, t = 9 days. Statistics: each site's replicate mean against its
    formula, SE = sample SD / sqrt(n), |z| < 5; and the brain mean is more
    than 50 times the body mean (the drugs do work where they arrive).
    """
    n = replicates(400)
    model, brain, body = penetration_model()
    both = model.drug_mask(("C", "P"))
    x_brain = np.zeros(n)
    x_body = np.zeros(n)
    for r, rng in enumerate(generators(SEED + 3, n)):
        st = EngineState(model)
        st.give(both)
        st.run_until(T_PEN, rng)
        counts = st.counts_by_type()
        x_brain[r] = counts.get(brain, 0)
        x_body[r] = counts.get(body, 0)
    mean_brain = N0 * math.exp((B - D) * T_PEN)
    mean_body = N0 * math.exp((B - D - KILL_RATE) * T_PEN) * (1 - KILL_FRACTION) ** 2
    z_brain = z_score(float(x_brain.mean()), mean_brain,
                      float(x_brain.std(ddof=1)) / math.sqrt(n))
    z_body = z_score(float(x_body.mean()), mean_body, float(x_body.std(ddof=1)) / math.sqrt(n))
    # the untreated variance, for the record (not asserted: the mean is the claim)
    g = math.exp((B - D) * T_PEN)
    var_brain = N0 * (B + D) / (B - D) * g * (g - 1)
    report("penetration 0 vs 1", n=n, brain=float(x_brain.mean()), brain_expected=mean_brain,
           z_brain=z_brain, brain_var=float(x_brain.var(ddof=1)), brain_var_expected=var_brain,
           body=float(x_body.mean()), body_expected=mean_body, z_body=z_body)
    assert abs(z_brain) < K_SIGMA
    assert abs(z_body) < K_SIGMA
    assert x_brain.mean() > 50 * x_body.mean()
