"""Iwasa-Nowak-Michor: resistance at detection when cells also die.

Theory: Iwasa, Nowak & Michor (2006), "Evolution of resistance during clonal
expansion", Genetics 172:2557-2566. A tumour of sensitive cells (birth b,
death d < b) that reaches size M makes resistant mutants at rate b u S(t);
a mutant lineage founded a time a before detection is still alive with
probability r e^{ra} / (b e^{ra} - d), r = b - d, and integrating over the
(exponential) history S(t) = M e^{-r(T - t)} gives a Poisson number of
resistant lineages with mean u M (b/d) ln(b / (b - d)). So, for a tumour
conditioned to reach M,

    P(no resistant cell at size M) = exp(-u M (b/d) ln(b / (b - d))),

which tends to Goldie-Coldman's exp(-u M) as d -> 0. The formula is
asymptotic in M with u M fixed; at M = 1e4 the neglected terms (the
stochastic early phase, the O(u) size of mutant lineages relative to the
tumour) change the exponent by much less than 1% (the early phase, while S
< 100 cells, contributes at most about 200 u = 0.014 to it in all), well
inside the tolerance.

Conditioning: ``condition_on_detection = true`` redraws tumours that die out
before detection (exact rejection). As in the Goldie-Coldman test the
engine detects at a step end, at a size N_i >= M (overshoot at most about
e^{r * 0.1/(b+d)} - 1 = 3.4% here), and the formula is evaluated at N_i: the
mean number of surviving resistant lineages is proportional to the size at
the moment of observation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import clonesim
from tests.conftest import replicates
from tests.verification._helpers import K_SIGMA, report, z_score
from tests.verification.test_goldie_coldman import counts_at_detection

SEED = 2006
B, D = 1.0, 0.5
M_DETECT = 1e4
U = 7.2e-5
C = U * (B / D) * math.log(B / (B - D))  # exponent per cell: P = exp(-C * size)


@pytest.mark.statistical
def test_iwasa_nowak_michor_no_resistance_at_detection():
    """P(no resistant cell at detection) = exp(-u M (b/d) ln(b/(b-d))).

    Formula: Iwasa, Nowak & Michor (2006, Genetics 172:2557). Parameters: one
    sensitive cell, b = 1, d = 0.5, u = 7.2e-5, detection at M = 1e4 (u M
    (b/d) ln(b/(b-d)) = 0.998, P ~ 0.37), conditioned on detection by
    rejection, default step_tolerance 0.1.

    Statistics and tolerance:
    * the fraction of patients with no resistant cell at detection against
      the mean of exp(-u N_i (b/d) ln(b/(b-d))) over the detected sizes N_i,
      SE sqrt(mean(P_i (1 - P_i)) / n): |z| < 5;
    * exact rejection: the number of tumours redrawn per patient is
      geometric with success probability P(reach M from one cell) =
      (1 - d/b) / (1 - (d/b)^M) (gambler's ruin on the embedded jump chain;
      Feller 1968, "An Introduction to Probability Theory", vol. 1, XIV.2),
      so its mean is (1 - p)/p = 1 and its SE sqrt((1 - p)/p^2 / n): |z| < 5.
    """
    cfg = clonesim.Config.from_dict({
        "mutation_rate": U,
        "tumour": {"initial_cells": 1, "birth_rate": B, "death_rate": D,
                   "condition_on_detection": True},
        "drugs": {"A": {"kill_fraction": 0.0}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": M_DETECT, "lethal_cells": 10 * M_DETECT},
        "simulation": {"horizon_days": 400.0},
    })
    n = replicates(4000)
    results = clonesim.simulate_many(cfg, n, seed=SEED, workers=1)
    resistant = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    redrawn = np.empty(n, dtype=np.int64)
    for i, res in enumerate(results):
        assert res.detection_time is not None
        resistant[i], size[i] = counts_at_detection(res)
        redrawn[i] = int(res.meta["tumours_redrawn"])
    assert size.min() >= M_DETECT

    p_i = np.exp(-C * size)
    expected = float(p_i.mean())
    observed = float(np.mean(resistant == 0))
    z = z_score(observed, expected, math.sqrt(float(np.mean(p_i * (1 - p_i))) / n))

    q = D / B
    p_reach = (1 - q) / (1 - q ** M_DETECT)
    mean_redraws = (1 - p_reach) / p_reach
    z_redraw = z_score(float(redrawn.mean()), mean_redraws,
                       math.sqrt((1 - p_reach) / p_reach ** 2 / n))
    report("Iwasa-Nowak-Michor", n=n, P_no_resistant=observed,
           formula_at_detected_size=expected, z=z, formula_at_M=math.exp(-C * M_DETECT),
           goldie_coldman_would_say=math.exp(-U * M_DETECT),
           mean_overshoot=float(size.mean() / M_DETECT - 1),
           mean_redraws=float(redrawn.mean()), theory_redraws=mean_redraws, z_redraw=z_redraw)
    assert abs(z) < K_SIGMA
    assert abs(z_redraw) < K_SIGMA
