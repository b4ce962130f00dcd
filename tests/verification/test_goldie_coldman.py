"""Goldie-Coldman: the chance that a tumour has no resistant cell at detection.

Theory: Goldie & Coldman (1979), "A mathematic model for relating the drug
sensitivity of tumors to their spontaneous mutation rate", Cancer Treat Rep
63:1727-1733. A tumour that grows by pure birth from one sensitive cell to N
cells has made N - 1 divisions; if each newborn is resistant with
probability u, independently,

    P(no resistant cell at size N) = (1 - u)^(N - 1) ~ exp(-u (N - 1)).

Driven through the public API (``simulate_many``): detection at N = 1e4
cells stops the growth phase and the trajectory row at the detection time
gives the resistant count.

The engine looks at the burden at the end of each step, so the tumour is
detected at a size N_i >= N (with step_tolerance 0.1 and b = 1 the overshoot
is at most about e^0.1 - 1 = 10.5%). The formula is therefore applied at the
size each tumour actually had when it was detected. This is exact for this
model: with no death and no resistance cost the total burden grows as a Yule
process whatever the types are, detection depends only on the total, and
whether each of the N_i - 1 divisions made a mutant is an independent coin,
so P(R_i = 0 | N_i) = (1 - u)^(N_i - 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import clonesim
from tests.conftest import replicates
from tests.verification._helpers import K_SIGMA, report, z_score

SEED = 1979
N_DETECT = 1e4
U = 1e-4


def counts_at_detection(result) -> tuple[int, int]:
    """(resistant cells, all cells) in the trajectory row recorded at detection."""
    i = int(np.searchsorted(result.times, result.detection_time, side="left"))
    row = result.counts[i]
    resistant = sum(int(c) for ty, c in zip(result.type_ids, row) if int(ty) & 1)
    return resistant, int(row.sum())


@pytest.mark.statistical
def test_goldie_coldman_no_resistant_cell_at_detection():
    """P(R = 0 at detection) = (1 - u)^(N - 1) ~ exp(-u (N - 1)).

    Formula: Goldie & Coldman (1979, Cancer Treat Rep 63:1727). Parameters:
    one sensitive cell, b = 1, d = 0, u = 1e-4, detection at N = 1e4 (u N ~ 1,
    P ~ 0.37), default step_tolerance 0.1; the drug (kill_fraction 0) only
    lets the run end soon after detection.

    Statistic and tolerance: the fraction of patients with no resistant cell
    at detection against the mean over patients of (1 - u)^(N_i - 1), N_i the
    detected size (see module docstring), with the exact SE of that
    difference, sqrt(mean(P_i (1 - P_i)) / n): |z| < 5. The plain formula at
    N = 1e4 is printed for comparison.
    """
    cfg = clonesim.Config.from_dict({
        "mutation_rate": U,
        "tumour": {"initial_cells": 1, "birth_rate": 1.0, "death_rate": 0.0},
        "drugs": {"A": {"kill_fraction": 0.0}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": N_DETECT, "lethal_cells": 10 * N_DETECT},
        "simulation": {"horizon_days": 60.0},
    })
    n = replicates(5000)
    results = clonesim.simulate_many(cfg, n, seed=SEED, workers=1)
    resistant = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    for i, res in enumerate(results):
        assert res.detection_time is not None  # Yule from 1 cell: ~9 days, never 60
        resistant[i], size[i] = counts_at_detection(res)
        assert size[i] == res.events[0].burden
    assert size.min() >= N_DETECT
    p_i = np.exp((size - 1) * math.log1p(-U))
    expected = float(p_i.mean())
    observed = float(np.mean(resistant == 0))
    se = math.sqrt(float(np.mean(p_i * (1 - p_i))) / n)
    z = z_score(observed, expected, se)
    report("Goldie-Coldman", n=n, P_no_resistant=observed, formula_at_detected_size=expected,
           z=z, formula_at_N=math.exp(-U * (N_DETECT - 1)),
           mean_overshoot=float(size.mean() / N_DETECT - 1))
    assert abs(z) < K_SIGMA
