"""The engine's clock lands exactly on the times Python asks for.

A step limited by the rates can end a hair (1e-12 days) before a stop time;
the kernel then treats the stop as reached. Python compares times exactly
(``state.t >= horizon``), so the kernel must leave the clock exactly at the
stop time, or a patient's course would wait forever for a horizon it has
already reached (this hung a 500-day run once).
"""

from __future__ import annotations

import numpy as np

import clonesim
from clonesim.engine import K, EngineState
from clonesim.model import build_model


def test_run_until_lands_exactly_on_awkward_stop_times():
    # a million cells: a one-cell tumour may die out by chance, as it should
    cfg = clonesim.load_config("configs/classic_98_2.toml", {"tumour.initial_cells": 10**6})
    model = build_model(cfg)
    rng = np.random.default_rng(5)
    state = EngineState(model)
    for t_stop in np.cumsum(rng.uniform(0.01, 0.7, size=300)):
        code = state.run_until(float(t_stop), rng)
        assert code == K.REACHED_T_STOP
        assert state.t == float(t_stop)


def test_horizon_is_reached_exactly():
    for horizon in (500.0, 499.9, 123.456789):
        cfg = clonesim.load_config("configs/classic_98_2.toml",
                                   {"simulation.horizon_days": horizon})
        for seed in range(3):
            r = clonesim.simulate(cfg, seed=seed)
            assert r.outcome == "alive at end of follow-up"
            assert r.end_time == horizon
