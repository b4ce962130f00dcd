"""The clinic reads constructed scans as RECIST 1.1 does (Eisenhauer et al.
2009, Eur J Cancer 45:228-247): complete response = no visible lesion;
partial response = the sum of lesion diameters (SLD) at least 30% below
baseline; progression = SLD at least 20% and 5 mm above its nadir, or a new
lesion; stable disease otherwise. A lesion is a sphere of burden /
cells_per_cm3 cm3, so its diameter goes as the cube root of the burden.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import clonesim
import clonesim.model
import clonesim.runners
from clonesim.clinic import (LineMonitor, MarkerMonitor, biopsy, lesion_diameters_mm,
                             liquid_biopsy, marker_level, read_marker)
from clonesim.config import Clinic, arm_config
from clonesim.outcomes import EventKind, Response
from clonesim.toxicity import Toxicity

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
CLINIC = Clinic(detection_cells=1e9)  # 1 cm3 at diagnosis, visible from 1e8 cells


def monitor(*baseline, clinic=CLINIC, sites=("breast", "liver")):
    return LineMonitor(clinic, sites[:len(baseline)], np.array(baseline, dtype=float))


def read(m, *scans):
    """Each scan's (event, category-as-best-so-far) in turn."""
    return [m.assess(np.array(s, dtype=float)) for s in scans]


def test_a_lesion_is_a_sphere_measured_in_mm():
    d = lesion_diameters_mm([1e9, 1e8, 9.9e7, 8e9], CLINIC)
    assert d[0] == pytest.approx(10 * (6 / math.pi) ** (1 / 3))  # 1 cm3: 12.41 mm
    assert d[1] == pytest.approx(d[0] / 10 ** (1 / 3))  # a tenth of the cells: 5.76 mm
    assert d[2] == 0.0  # below the imaging limit: not seen
    assert d[3] == pytest.approx(2 * d[0])  # eight times the cells: twice the diameter


def test_a_ten_percent_kill_is_stable_disease_not_a_response():
    m = monitor(1e9)
    assert read(m, [0.9e9]) == [None]
    assert m.best == Response.STABLE_DISEASE


@pytest.mark.parametrize("burden, event", [
    (0.7 ** 3 * 1e9 * 1.001, None),  # 29.97% smaller in diameter: stable
    (0.7 ** 3 * 1e9 * 0.999, EventKind.PARTIAL_RESPONSE),  # 30.03% smaller: partial
])
def test_partial_response_at_thirty_percent_smaller_diameter(burden, event):
    assert read(monitor(1e9), [burden]) == [event]


def test_no_visible_lesion_is_a_complete_response_though_cells_remain():
    m = monitor(1e9)
    assert read(m, [0.3e9], [5e7], [2e7]) == [EventKind.PARTIAL_RESPONSE,
                                              EventKind.COMPLETE_RESPONSE, None]
    assert m.best == Response.COMPLETE_RESPONSE
    # a lesion that is back after a complete response is progression
    assert read(m, [1.2e8]) == [EventKind.PROGRESSION]
    assert "back after a complete response" in m.detail


@pytest.mark.parametrize("factor, event", [
    (1.2 ** 3 * 0.999, None),  # 19.97% larger than the nadir: stable
    (1.2 ** 3 * 1.001, EventKind.PROGRESSION),  # 20.03% larger (7.4 mm: over 5 mm too)
])
def test_progression_at_twenty_percent_over_the_nadir(factor, event):
    m = monitor(3e10)  # a 38.6 mm lesion, so that 20% is more than 5 mm
    assert read(m, [2.7e10], [2.7e10 * factor]) == [None, event]  # the nadir is 2.7e10


def test_progression_also_needs_five_mm():
    # a 6.1 mm lesion that grows by 20% (1.2 mm) is not progression; by 5 mm it is
    # (so a 1 cm3 lesion, 12.4 mm, must grow by 40% in diameter)
    m = monitor(1.2e8)
    d0 = lesion_diameters_mm([1.2e8], CLINIC)[0]
    grown = lambda mm: 1.2e8 * ((d0 + mm) / d0) ** 3  # noqa: E731
    assert read(m, [grown(1.3)], [grown(4.9)], [grown(5.1)]) == [None, None,
                                                                 EventKind.PROGRESSION]


def test_small_change_near_the_diagnosis_size_is_stable_disease():
    # 0.96e9 -> 1.01e9 cells: a 1.7% larger diameter, not progression
    assert read(monitor(0.96e9), [1.01e9]) == [None]


def test_a_new_lesion_is_progression_whatever_the_rest_does():
    m = monitor(1e9, 0.0)
    assert read(m, [1e7, 2e8]) == [EventKind.PROGRESSION]
    assert m.detail == "new lesion: liver"


def test_sum_of_diameters_over_sites():
    # two lesions of 1e9: SLD 24.8 mm; one shrinks to nothing, the other by 10%
    m = monitor(1e9, 1e9)
    assert read(m, [0.0, 0.9e9]) == [EventKind.PARTIAL_RESPONSE]  # SLD -52%


def test_baseline_reference_lets_a_tumour_shrink_and_regrow():
    """Adaptive therapy's reading: progression over the line's start, not its nadir."""
    c = Clinic(detection_cells=1e9, progression_reference="baseline")
    m = monitor(1e9, clinic=c)
    big = 1e9 * ((lesion_diameters_mm([1e9], c)[0] + 5.1) / lesion_diameters_mm([1e9], c)[0]) ** 3
    assert read(m, [0.2e9], [0.9e9], [big]) == [
        EventKind.PARTIAL_RESPONSE, None, EventKind.PROGRESSION]
    assert m.best == Response.PARTIAL_RESPONSE


# -- organ lethality ------------------------------------------------------------


def test_a_site_can_kill_before_the_total_does():
    """her2_brain_sanctuary.toml: with the brain's own lethal burden, the
    patients whose brain lesion grows die of it, at a total far below
    clinic.lethal_cells; the cause is named in the result, the story and the row."""
    cfg = clonesim.load_config(CONFIGS / "her2_brain_sanctuary.toml")
    assert cfg.sites["brain"].lethal_cells is not None
    brain = list(cfg.sites).index("brain")
    by_brain = 0
    for r in clonesim.simulate_many(cfg, 6, seed=3):
        if r.cause_of_death == "brain burden":
            by_brain += 1
            sb = r.site_burden()[-1]
            assert sb[brain] >= cfg.sites["brain"].lethal_cells
            assert r.burden[-1] < cfg.clinic.lethal_cells
            assert "outcome: died (brain burden)" in r.summary()
            assert r.outcome_row()["cause_of_death"] == "brain burden"
        elif r.died:
            assert r.cause_of_death == "total burden"
            assert r.burden[-1] >= cfg.clinic.lethal_cells
    assert by_brain >= 3

    plain = cfg.set("sites.brain.lethal_cells", cfg.clinic.lethal_cells)
    r = clonesim.simulate(plain, seed=(3, 0))
    assert r.died and r.cause_of_death == "total burden"


# -- symptoms -------------------------------------------------------------------


def _bone_config(**extra):
    """The tumour starts as 1e9 cells in the breast plus 1e9 in bone (a
    12.4 mm lesion each at diagnosis); the drug cannot reach the bone, which
    grows at 0.05/day. Bone pain from 1.5e9 cells: 8 days later, while the
    bone lesion is only 1.8 mm larger, far from RECIST's progression."""
    raw = {
        "tumour": {"initial_cells": 10**9, "birth_rate": 0.25, "death_rate": 0.2},
        "sites": {"breast": {}, "bone": {"symptom_cells": 1.5e9, "symptom": "bone pain"}},
        "drugs": {"A": {"kill_fraction": 0.98, "penetration": {"bone": 0.0}}},
        "therapy": {"lines": ["A", "A"], **extra},
        "clinic": {"detection_cells": 1e9, "scan_interval_days": 28},
        "simulation": {"horizon_days": 200},
    }
    return clonesim.Config.from_dict(raw)


def test_symptoms_are_a_sign_of_progression_before_the_scan_shows_it(monkeypatch):
    cfg = _bone_config()
    # half of the first cells live in bone: move them there before the run
    real = clonesim.model.build_model

    def two_sites(c):
        m = real(c)
        (type_id, cells), = m.initial
        bone = m.cell_types.encode(0, site=1)
        return dataclasses.replace(m, initial=((type_id, cells // 2), (bone, cells // 2)))

    monkeypatch.setattr(clonesim.runners, "build_model", two_sites)
    r = clonesim.simulate(cfg, seed=1)
    first = [e for e in r.events if e.kind in ("symptoms", "progression")][:2]
    assert [e.kind for e in first] == ["symptoms", "progression"]
    assert first[0].line == 1 and first[0].detail == "bone pain (bone)"
    assert first[1].detail == "symptoms: bone pain (bone)"
    assert r.lines[0].ended_by == "progression"
    assert r.lines[0].end - r.lines[0].start == 28  # at the first scan


# -- tumour marker and liquid biopsy ---------------------------------------------


def test_marker_noise_is_log_normal_around_the_level():
    """read_marker: log(reading / level) ~ Normal(0, marker_noise). KS test on
    4000 draws, p > 1e-3; the level is background + per-cell x shed cells."""
    c = Clinic(detection_cells=1e9, marker_per_cell=1e-6, marker_background=10.0,
               marker_noise=0.2)
    level = marker_level([1e7, 2e7], np.array([1.0, 0.5]), c)
    assert level == pytest.approx(10.0 + 1e-6 * (1e7 + 0.5 * 2e7))
    rng = np.random.default_rng(7)
    logs = np.log([read_marker(level, c, rng) / level for _ in range(4000)])
    assert stats.kstest(logs, "norm", args=(0.0, 0.2)).pvalue > 1e-3


def test_a_marker_rise_must_be_confirmed():
    c = Clinic(detection_cells=1e9, marker_progression=1.25, marker_min_rise=5.0)
    m = MarkerMonitor(c, nadir=40.0)
    # the nadir falls to 30; 45 is a rise (>= 37.5 and +15) but the next reading
    # is not; 40 and 44 are, twice in a row: confirmed
    assert [m.assess(x) for x in (30.0, 45.0, 30.0, 40.0, 44.0)] == [False] * 4 + [True]
    small = MarkerMonitor(c, nadir=10.0)  # 1.3x, but only 3 units: noise, not a rise
    assert [small.assess(x) for x in (13.0, 13.0, 13.0)] == [False] * 3


def test_liquid_biopsy_reads_every_site_by_its_shedding():
    """liquid_biopsy: reads ~ Multinomial(k, cells x shedding / sum). A breast
    biopsy never shows the brain clone; the blood does, at its share. Chi-square
    over the three clones, p > 1e-3."""
    counts = np.array([6_000, 3_000, 1_000])  # breast, liver, brain clones
    sites = np.array([0, 1, 2])
    shedding = np.array([1.0, 1.0, 0.5])  # the brain sheds less, behind its barrier
    rng = np.random.default_rng(11)
    k = 20_000
    reads = liquid_biopsy(counts, sites, shedding, k, rng)
    expected = k * counts * shedding / (counts * shedding).sum()
    assert reads.sum() == k and reads[2] > 0
    assert stats.chisquare(reads, expected).pvalue > 1e-3
    tissue = biopsy(counts, np.zeros(3, dtype=np.int64), sites, 0, 1000, rng)
    assert tissue[2] == 0


# -- toxicity -------------------------------------------------------------------


def test_days_above_the_limit_are_exact():
    """Toxicity.advance against a fine Euler integration of dT/dt = C - r T:
    rising through the limit (a continuous drug) and falling back (stopped)."""
    tox = Toxicity(per_dose=np.zeros(1), per_day=np.array([0.08]), recovery=0.05, limit=1.0)
    on, off = np.ones(1), np.zeros(1)
    tox.advance(40.0, on)  # eq = 1.6: crosses 1 at t = ln(1.6/0.6)/0.05 = 19.6 days
    tox.advance(100.0, off)  # falls from 1.39 to 1 in ln(1.39)/0.05 = 6.6 days
    dt, level, above = 1e-4, 0.0, 0.0
    for t in np.arange(0.0, 100.0, dt):
        level += dt * ((0.08 if t < 40.0 else 0.0) - 0.05 * level)
        above += dt * (level >= 1.0)
    assert tox.days_above == pytest.approx(above, abs=1e-2)
    assert tox.days_above == pytest.approx(40.0 - math.log(1.6 / 0.6) / 0.05
                                           + math.log(1.6 * (1 - math.exp(-2.0))) / 0.05)


def test_a_dose_waits_until_toxicity_is_below_the_limit():
    """One pulsed drug adding 1.0 a dose every 21 days, recovering at 0.02/day:
    after dose 1 the level is 1.0, at day 21 it is 0.657 (dose 2: 1.657), at
    day 42 it is 1.089, at the limit: the dose waits ln(1.089)/0.02 = 4.26 days."""
    raw = {
        "tumour": {"initial_cells": 10**9, "birth_rate": 0.25, "death_rate": 0.2},
        "drugs": {"A": {"kill_fraction": 0.5, "toxicity": 1.0}},
        "therapy": {"lines": ["A"], "toxicity_recovery": 0.02},
        "clinic": {"detection_cells": 1e9},
        "simulation": {"horizon_days": 60},
    }
    r = clonesim.simulate(clonesim.Config.from_dict(raw), seed=1)
    delayed = [e for e in r.events if e.kind == "dose delayed"]
    level = 1.0 * math.exp(-0.02 * 21) + 1.0
    level *= math.exp(-0.02 * 21)
    assert len(delayed) == 1
    assert delayed[0].time == pytest.approx(r.detection_time + 42)
    assert f"toxicity {level:.2f}: the dose waits {math.log(level) / 0.02:.1f} days" \
        == delayed[0].detail
    assert r.days_on_treatment == pytest.approx(r.end_time - r.detection_time)
    stop = clonesim.simulate(clonesim.Config.from_dict(
        {**raw, "therapy": {**raw["therapy"], "toxicity_action": "stop"}}), seed=1)
    assert stop.lines[0].ended_by == "toxicity"
    assert stop.lines[0].end == pytest.approx(stop.detection_time + 42)


def test_combination_pays_in_days_at_the_toxicity_limit():
    """combination_vs_sequence.toml: one continuous drug levels off at 0.7 of the
    limit, two together at 1.4: only the combination arm has toxic days."""
    cfg = clonesim.load_config(CONFIGS / "combination_vs_sequence.toml")
    for arm, toxic in (("sequence", False), ("combination", True)):
        r = clonesim.simulate(arm_config(cfg, arm), seed=(5, 0))
        assert (r.days_toxic > 0) == toxic, arm
