"""Notebook 03 (line after line, drug holidays) says only what its
simulation shows: each claim of its text, and each answer in
docs/instructor/03.md, is checked here on the notebook's own scenario, seeds
and sizes (200 patients, seed 11). Paired comparisons (same seeds, same
virtual patients) use z = mean difference / (sd / sqrt(n)); proportions use
the binomial SE sqrt(p (1 - p) / n). Teaching model, not for clinical use.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import clonesim
from clonesim import gallery
from tests.conftest import replicates

K = 4.0  # standard errors, one-sided (3e-5)
SEED = 11
SCAN = 28.0  # days between scans: the resolution of every time to progression


def _run(cfg, n):
    return clonesim.simulate_many(cfg, n, seed=SEED).to_dataframe()


@pytest.fixture(scope="module")
def n():
    return replicates(200)


@pytest.fixture(scope="module")
def classic():
    return clonesim.load_config(gallery.find_config("classic_98_2"))


@pytest.fixture(scope="module")
def table(classic, n):
    return _run(classic, n)


def _paired(a, b):
    d = np.asarray(a, float) - np.asarray(b, float)
    return d.mean(), d.std(ddof=1) / math.sqrt(len(d))


@pytest.mark.statistical
def test_line_1_is_the_shortest_and_lines_2_and_3_alike(table):
    """The text: line 1 is the shortest; line 2 outlasts line 1 in most
    patients; lines 2 and 3 agree within one scan; every patient uses all
    three lines and dies of the tumour."""
    mean, se = _paired(table.ttp_line2_days, table.ttp_line1_days)
    assert mean / se > K
    share = float((table.ttp_line2_days > table.ttp_line1_days).mean())
    assert (share - 0.5) / math.sqrt(0.25 / len(table)) > K
    mean, se = _paired(table.ttp_line3_days, table.ttp_line2_days)
    assert abs(mean) + K * se < SCAN
    assert table.died.all() and (table.lines_used == 3).all()
    assert table.ttp_line1_days.median() < table.ttp_line2_days.median()


@pytest.mark.statistical
def test_some_patient_has_line_2_no_longer_than_line_1(table):
    """Try this 3: such patients exist in the notebook's cohort."""
    assert (table.ttp_line2_days <= table.ttp_line1_days).any()


@pytest.mark.statistical
def test_drug_holidays_save_drug_days_not_survival(table, n):
    """drug_holiday.toml against classic_98_2 on the same patients: about a
    third fewer days on a drug (ratio of means in [0.55, 0.8]); survival and
    each line's time to progression equal within one scan interval
    (equivalence: |mean paired difference| + K SE < 28 days)."""
    holiday = _run(clonesim.load_config(gallery.find_config("drug_holiday")), n)
    ratio = holiday.days_on_treatment.mean() / table.days_on_treatment.mean()
    assert 0.55 < ratio < 0.8
    mean, se = _paired(holiday.survival_days, table.survival_days)
    assert abs(mean) + K * se < SCAN
    for k in (1, 2, 3):
        mean, se = _paired(holiday[f"ttp_line{k}_days"], table[f"ttp_line{k}_days"])
        assert abs(mean) + K * se < SCAN


@pytest.mark.statistical
def test_a_fourth_drug_lasts_at_least_as_long_as_line_1_and_adds_survival(classic, table, n):
    """Try this 1: drug D, a copy of C, as line 4."""
    d = classic.to_dict()
    d["drugs"]["D"] = dict(d["drugs"]["C"])
    d["therapy"]["lines"] = ["A", "B", "C", "D"]
    four = _run(clonesim.Config.from_dict(d), n)
    mean, se = _paired(four.ttp_line4_days, four.ttp_line1_days)
    assert mean / se > K
    mean, se = _paired(four.survival_days, table.survival_days)
    assert mean / se > K and mean > 7 * SCAN  # roughly one more line's worth


@pytest.mark.statistical
def test_a_resistance_cost_of_0_3_cures_on_line_1(classic, n):
    """Try this 2: resistant cells then divide at 0.25 x 0.7 = 0.175 per day,
    below the death rate 0.20, so resistant clones die out and line 1 cures."""
    costly = _run(classic.update({f"drugs.{x}.resistance_cost": 0.3 for x in "ABC"}), n)
    assert costly.cured.all() and (costly.lines_used == 1).all()


GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "instructor" / "03.md").read_text(
    encoding="utf-8")


@pytest.mark.statistical
def test_the_guide_quotes_the_simulation(classic, table, n):
    """docs/instructor/03.md's numbers are the ones this cohort gives."""
    medians = ", ".join(f"{table[f'ttp_line{k}_days'].median():.0f}" for k in (1, 2, 3))
    assert medians in GUIDE
    assert f"{(table.ttp_line2_days > table.ttp_line1_days).mean():.0%}" in GUIDE
    assert f"+{(table.ttp_line2_days - table.ttp_line1_days).mean():.0f} days" in GUIDE
    holiday = _run(clonesim.load_config(gallery.find_config("drug_holiday")), n)
    assert f"{holiday.days_on_treatment.mean() / table.days_on_treatment.mean():.0%}" in GUIDE
    d = classic.to_dict()
    d["drugs"]["D"] = dict(d["drugs"]["C"])
    d["therapy"]["lines"] = ["A", "B", "C", "D"]
    four = _run(clonesim.Config.from_dict(d), n)
    assert f"median is {four.ttp_line4_days.median():.0f} days" in GUIDE
    assert (f"from {table.survival_days.median():.0f} to {four.survival_days.median():.0f} days"
            in GUIDE)
    assert f"{(four.survival_days - table.survival_days).mean():.0f} days per patient" in GUIDE
    bad = table[table.ttp_line2_days <= table.ttp_line1_days]
    assert f"{len(bad)} of {len(table)} patients; the first is patient {bad.patient.iloc[0]}" in GUIDE
