"""Cross-resistance: one mechanism that protects against two drugs at once.

Theory: Bozic et al. (2013), "Evolutionary dynamics of cancer in response to
targeted combination therapy", eLife 2:e00747. Dual therapy fails when, at
its start, a cell resistant to both drugs exists; with a cross-resistant
class (one mutation, rate u_12, resistant to both) the chance that none
exists is, for a tumour grown by pure birth from one cell to N cells (N - 1
divisions, each newborn cross-resistant with probability u_12):

    P(no cross-resistant cell at size N) = (1 - u_12)^(N - 1) ~ exp(-u_12 N),

the Goldie-Coldman formula applied to the cross-resistant class, with no
need for two independent hits (which would give exp(-u1 u2 N ...), far
smaller for u1 = u2 = u_12). As in test_goldie_coldman.py the formula is
applied at the size each tumour had when detected, which makes it exact for
this model. Then the mechanism's meaning: under both drugs at once, its
carriers grow as if untreated (mean n0 exp(b t), Yule), while cells that
resist only one of the two die.

Tolerance rule: as in ``_helpers``: |z| < K_SIGMA = 5, standard errors from
the replicates actually used.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import clonesim
from clonesim.config import Config
from clonesim.engine import EngineState
from clonesim.model import build_model
from tests.conftest import replicates
from tests.verification._helpers import K_SIGMA, generators, report, z_score

SEED = 2013
N_DETECT = 1e4
U12 = 1e-4


def pump_config(**tumour) -> Config:
    return Config.from_dict({
        "mutation_rate": 0.0,  # no drug-specific resistance: only the mechanism
        "tumour": {"initial_cells": 1, "birth_rate": 1.0, "death_rate": 0.0, **tumour},
        "mechanisms": {"pump": {"protects": ["A", "B"], "mutation_rate": U12}},
        "drugs": {"A": {"kill": "continuous", "kill_rate": 3.0},
                  "B": {"kill": "continuous", "kill_rate": 3.0}},
        "therapy": {"lines": ["A+B"]},
        "clinic": {"detection_cells": N_DETECT, "lethal_cells": 1e3 * N_DETECT},
        "simulation": {"horizon_days": 1.0},
    })


@pytest.mark.statistical
def test_no_cross_resistant_cell_at_detection_matches_bozic():
    """P(no pump carrier at detection) = (1 - u_12)^(N_i - 1).

    Parameters: one cell, b = 1, d = 0, u_12 = 1e-4 (u_A = u_B = 0),
    detection at N = 1e4 (u_12 N ~ 1, P ~ 0.37). Statistic: the fraction
    of patients with no carrier in the trajectory row at detection against
    the mean of (1 - u_12)^(N_i - 1), SE sqrt(mean(P_i (1 - P_i)) / n);
    |z| < 5.
    """
    cfg = pump_config(condition_on_detection=True)
    cfg = cfg.set("simulation.horizon_days", 60.0)
    n = replicates(3000)
    pump = cfg.bit_names.index("pump")
    none, size = np.empty(n, dtype=bool), np.empty(n, dtype=np.int64)
    for i, res in enumerate(clonesim.simulate_many(cfg, n, seed=SEED)):
        row = int(np.searchsorted(res.times, res.detection_time, side="left"))
        counts = res.counts[row]
        carriers = sum(int(c) for ty, c in zip(res.type_ids, counts) if (int(ty) >> pump) & 1)
        none[i], size[i] = carriers == 0, int(counts.sum())
    p_i = np.exp((size - 1) * math.log1p(-U12))
    expected, observed = float(p_i.mean()), float(none.mean())
    z = z_score(observed, expected, math.sqrt(float(np.mean(p_i * (1 - p_i))) / n))
    report("Bozic cross-resistance", n=n, P_none=observed, formula=expected, z=z,
           two_hit_formula=math.exp(-U12 ** 2 * N_DETECT))
    assert abs(z) < K_SIGMA


@pytest.mark.statistical
def test_the_mechanism_protects_against_both_drugs():
    """Under A+B: 100 pump carriers grow as a Yule process, mean 100 e^(b t);
    100 cells resistant to A alone decline (B kills them at 3/day: a linear
    birth-death process with b = 1, d = 3, mean 100 e^(-2 t)).

    t = 1 day. Statistic: each replicate mean against its expectation, SE =
    sample SD / sqrt(n), |z| < 5.
    """
    cfg = pump_config()
    raw = cfg.to_dict()
    raw["drugs"]["A"]["mutation_rate"] = 0.0
    cfg = Config.from_dict({**raw, "mechanisms": {"pump": {"protects": ["A", "B"],
                                                           "mutation_rate": 0.0}}})
    model = build_model(cfg)
    ct = model.cell_types
    pump_t, a_only = ct.encode(1 << 2), ct.encode(1 << 0)
    model = dataclasses.replace(model, initial=((pump_t, 100), (a_only, 100)))
    n = replicates(400)
    pumps, singles = np.zeros(n), np.zeros(n)
    for r, rng in enumerate(generators(SEED, n)):
        st = EngineState(model)
        st.give(model.drug_mask(("A", "B")))
        st.run_until(1.0, rng)
        counts = st.counts_by_type()
        pumps[r], singles[r] = counts.get(pump_t, 0), counts.get(a_only, 0)
    z = z_score(float(pumps.mean()), 100 * math.e, float(pumps.std(ddof=1)) / math.sqrt(n))
    z1 = z_score(float(singles.mean()), 100 * math.exp(-2.0),
                 float(singles.std(ddof=1)) / math.sqrt(n))
    report("pump under A+B", n=n, carriers=float(pumps.mean()), expected=100 * math.e, z=z,
           a_only=float(singles.mean()), a_only_expected=100 * math.exp(-2.0), z_a_only=z1)
    assert abs(z) < K_SIGMA
    assert abs(z1) < K_SIGMA
