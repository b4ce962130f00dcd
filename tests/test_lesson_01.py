"""Notebook 01's claims and its instructor guide's answers, checked on the
notebook's own scenarios and seeds (classic_98_2 and two_percent_resistant,
seed 3; panel defaults). Teaching model, not for clinical use."""

from __future__ import annotations

from functools import lru_cache
from math import log10, sqrt

import numpy as np
import pytest

import clonesim
from clonesim import gallery

SEED = 3  # the notebook's patient


@lru_cache(maxsize=None)
def patient(name: str = "classic_98_2", kill: float = 0.98, log10_mu: float = -7.0,
            log10_detection: float = 9.0, seed: int = SEED):
    """One patient as the notebook (or its panel, for classic_98_2) simulates it."""
    cfg = clonesim.load_config(gallery.find_config(name))
    if name == "classic_98_2":
        cfg = cfg.update({**{f"drugs.{d}.kill_fraction": kill for d in cfg.drugs},
                          "mutation_rate": 10 ** log10_mu,
                          "clinic.detection_cells": 10 ** log10_detection})
    return clonesim.simulate(cfg, seed=seed)


def dose_1(result, drug: str = "A"):
    """The notebook's after_dose_1: counts recorded just before and just after dose 1."""
    at = np.flatnonzero(result.times == result.detection_time)
    before, after = result.counts[at[0]], result.counts[at[-1]]
    resists = np.array([lab.startswith("resistant to") and drug in lab.split("to ")[1].split("+")
                        for lab in result.labels])
    return (after.sum() / before.sum(), before[resists].sum() / before.sum(),
            after[resists].sum() / after.sum(), before[resists].sum())


def test_a_98_percent_kill_is_under_one_grid_line_of_100x():
    assert log10(1 / 0.02) == pytest.approx(1.7, abs=0.01) and log10(1 / 0.02) < 2


def test_one_cell_to_diagnosis_in_about_a_year():
    assert 300 <= patient().detection_time <= 420


def test_classic_the_2_percent_left_are_mostly_sensitive():
    surviving, before, after, _ = dose_1(patient())
    # 1e9 cells each killed with p = 0.98: binomial sd of the share sqrt(.02*.98/1e9) ~ 4e-6;
    # the A-resistant cells (never killed) add their own share, < 1e-4 here
    assert surviving == pytest.approx(0.02, abs=1e-4 + 5 * sqrt(0.02 * 0.98 / 1e9))
    assert before < 1e-5           # "a few per million" at diagnosis
    assert after < 0.01            # far below 1% of the survivors


def test_classic_resistant_share_is_a_few_per_million_over_seeds():
    shares = [dose_1(patient(seed=s))[1] for s in range(5)]
    assert np.median(shares) < 1e-5


def test_two_percent_scenario_really_is_two_percent_and_relapses_sooner():
    classic, two = patient(), patient("two_percent_resistant")
    surviving, before, after, _ = dose_1(two)
    # 1e9 cells, ~2% resistant: binomial sd of a share is < 1e-4; the drift of the share
    # while 1e7 cells grow to 1e9 is a few tenths of a percent (birth-death noise)
    assert before == pytest.approx(0.02, abs=0.003)
    assert 0.4 < after < 0.6                       # "about half of what is left"
    assert 1.7 < surviving / dose_1(classic)[0] < 2.3   # "about twice as many cells"
    for p in (classic, two):                        # both shrink below the imaging limit
        assert p.lines[0].best_response == "complete response"
    assert round(classic.lines[0].time_to_progression) == 224   # weeks vs months (guide)
    assert round(two.lines[0].time_to_progression) == 56
    assert two.lines[0].time_to_progression < classic.lines[0].time_to_progression / 2


def test_the_recurrence_is_resistant_to_every_drug_at_the_end():
    assert set(patient().final_counts()) == {"resistant to A+B+C"}


def test_try_this_1_a_stronger_drug_barely_helps():
    base, strong = patient(), patient(kill=0.999)
    assert (round(base.survival_days), round(strong.survival_days)) == (907, 898)
    assert abs(strong.survival_days - base.survival_days) < 0.05 * base.survival_days


def test_try_this_2_a_low_mutation_rate_cures():
    p = patient(log10_mu=-9.0)
    assert p.cured and p.lines_used == 2
    assert all(patient(log10_mu=-9.0, seed=s).cured for s in range(10))


def test_try_this_3_earlier_detection_fewer_resistant_cells():
    base, early = patient(), patient(log10_detection=8.0)
    assert (dose_1(base)[3], dose_1(early)[3]) == (2722, 132)
    assert (round(base.survival_days), round(early.survival_days)) == (907, 1019)


def test_the_guides_numbers():
    """docs/instructor/01.md states these for seed 3; recomputed here."""
    classic, two = patient(), patient("two_percent_resistant")
    assert round(classic.detection_time) == 354
    surviving, before, after, _ = dose_1(classic)
    assert (f"{surviving:.1%}", round(before * 1e6, 1), round(1 / after, -2)) == ("2.0%", 2.7, 7400)
    surviving, before, after, _ = dose_1(two)
    assert (f"{before:.1%}", f"{surviving:.1%}", f"{after:.0%}") == ("2.0%", "3.9%", "50%")
    assert patient(kill=0.999).lines_used == classic.lines_used == 3
    at = np.flatnonzero(patient(log10_mu=-9.0).times == patient(log10_mu=-9.0).detection_time)[0]
    start = dict(zip(patient(log10_mu=-9.0).labels, patient(log10_mu=-9.0).counts[at]))
    assert (start["resistant to A"], start["resistant to B"]) == (3, 1)
    assert sum(c for lab, c in start.items() if "+" in lab) == 0
    used = {patient(log10_mu=-9.0, seed=s).lines_used for s in range(10)}
    assert used == {1, 2, 3}
