"""Mean cells of every resistance genotype: the multitype branching process.

Theory: the mean of a multitype Markov branching process solves a linear
system, E[n(t)] = n(0) exp(A t) (Harris 1963, "The Theory of Branching
Processes", Springer, ch. V; Athreya & Ney 1972, "Branching Processes",
Springer, V.7); see :func:`tests.verification._helpers.multitype_mean` for A.
With several drugs and high mutation rates this exercises every mutation path
of the kernel: single new resistances, newborns gaining two or three at once
(the kernel's separate "two or more" draw), resistance costs, and mutants of
mutants.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import replicates
from tests.verification._helpers import (
    K_SIGMA, engine_counts, make_config, multitype_mean, report, z_score)

SEED = 1963


@pytest.mark.statistical
def test_genotype_means_match_matrix_exponential():
    """E[cells of genotype g at t] = (n(0) exp(A t))_g for all 8 genotypes.

    Formula: multitype branching-process mean (Harris 1963; Athreya & Ney
    1972). Parameters: three drugs (none given), u = (0.3, 0.2, 0.1) per
    division, costs (0.1, 0.2, 0.3), b = 1, d = 0.5, 50 sensitive cells,
    t = 1.5 days. P(newborn gains two or more resistances) = 0.098, so the
    multi-mutation draw is used often.

    The engine runs at the default step_tolerance (0.1, 15 steps of 0.1
    day): the stepping error is of second order (test_step_error.py), so
    this checks the mutation machinery as users run it, over many steps.

    Statistic and tolerance: z-score of each genotype's sample mean with SE
    = sample SD / sqrt(n), |z| < 5 for each of the 8 (Bonferroni: family-wise
    false alarm < 5e-6).
    """
    u, cost = (0.3, 0.2, 0.1), (0.1, 0.2, 0.3)
    b, d, n0, t = 1.0, 0.5, 50, 1.5
    drugs = {name: {"kill_fraction": 0.9, "mutation_rate": uj, "resistance_cost": cj}
             for name, uj, cj in zip("ABC", u, cost)}
    cfg = make_config(birth=b, death=d, initial_cells=n0, drugs=drugs)
    n = replicates(4000)
    counts, steps = engine_counts(cfg, [t], n, SEED)
    x = counts[:, 0, :]
    expected = multitype_mean({0: n0}, b, d, cost, u, t)
    for g in range(8):
        se = x[:, g].std(ddof=1) / math.sqrt(n)
        z = z_score(x[:, g].mean(), expected[g], se)
        report(f"multitype mean, genotype {g:03b}", n=n, mean=float(x[:, g].mean()),
               theory=float(expected[g]), z=z)
        assert abs(z) < K_SIGMA
    assert np.median(steps) >= 10  # many steps composed, not one big one
