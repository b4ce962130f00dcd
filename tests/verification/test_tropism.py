"""Tropism: migration rate per (phenotype state, destination site).

With no birth and no death, each of N cells at the primary leaves for the
brain at rate f * m (m: the site's migrate_to rate, f: the tropism factor of
the cell's state toward the brain), independently, so the founders of the
brain by time T are Binomial(N, 1 - exp(-f m T)): a thinned Poisson process
of departures (e.g. Kingman 1993, "Poisson Processes", Oxford, ch. 5). Two
states in one tumour, HER2+ with f = 5 and HER2- with f = 1, must seed the
brain in that ratio, each at its own binomial mean.

Tolerance rule: as in ``_helpers``: |z| < K_SIGMA = 5, standard errors from
the replicates actually used (sample SD / sqrt(n)).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from clonesim.config import Config
from clonesim.engine import EngineState
from clonesim.model import build_model
from tests.conftest import replicates
from tests.verification._helpers import K_SIGMA, generators, report, z_score

SEED = 1993
N_EACH = 5000  # cells of each state at the primary
M = 2e-4  # primary -> brain, per cell per day
F = {"HER2+": 5.0, "HER2-": 1.0}
T_OBS = 10.0


def tropism_config() -> Config:
    return Config.from_dict({
        "mutation_rate": 0.0,
        "tumour": {"initial_cells": 2 * N_EACH, "birth_rate": 0.0, "death_rate": 0.0,
                   "condition_on_detection": False},
        "states": {"HER2+": {"initial_fraction": 0.5, "tropism": {"brain": F["HER2+"]}},
                   "HER2-": {"initial_fraction": 0.5}},
        "sites": {"primary": {"migrate_to": {"brain": M}}, "brain": {}},
        "drugs": {"A": {"kill_fraction": 0.5}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": 1e14, "lethal_cells": 1e15},
        "simulation": {"horizon_days": 100.0},
    })


@pytest.mark.statistical
def test_founders_per_state_follow_the_tropism_factor():
    """E[brain founders of state s by T] = N_s (1 - exp(-f_s m T)).

    Parameters: N = 5000 cells of each state, m = 2e-4/day, f = 5 (HER2+)
    and 1 (HER2-), b = d = 0, T = 10 days: expected 49.8 and 10.0 founders.
    Statistic: per state, the replicate mean of the brain count against
    its binomial mean, SE = sample SD / sqrt(n); |z| < 5. A factor applied
    to the wrong state or site, or not at all, moves HER2+ to 10 (z ~ -90).
    """
    n = replicates(400)
    cfg = tropism_config()
    model = build_model(cfg)
    ct = model.cell_types
    brain = {s: np.zeros(n) for s in F}
    for r, rng in enumerate(generators(SEED, n)):
        st = EngineState(model)
        st.run_until(T_OBS, rng)
        for type_id, cells in st.counts_by_type().items():
            if ct.site_names[int(ct.site(type_id))] == "brain":
                brain[ct.state_names[int(ct.state(type_id))]][r] += cells
    for s, f in F.items():
        expected = N_EACH * (1 - math.exp(-f * M * T_OBS))
        mean = float(brain[s].mean())
        z = z_score(mean, expected, float(brain[s].std(ddof=1)) / math.sqrt(n))
        report(f"tropism founders {s}", n=n, mean=mean, expected=expected, z=z)
        assert abs(z) < K_SIGMA
