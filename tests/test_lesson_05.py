"""Notebook 05 (the recurrence is a different tumour) says only what its
simulation shows: each claim of its text, and each answer in
docs/instructor/05.md, checked on the notebook's scenarios, seeds and sizes
(receptor_switch and her2_switch, 150 patients per arm, seed 1; the one
patient, seed 4). Paired comparisons (same seeds, same virtual patients) use
z = mean difference / (sd / sqrt(n)); proportions the binomial SE
sqrt(p (1 - p) / n). Teaching model, not for clinical use.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import clonesim
from clonesim import gallery
from clonesim.config import arm_config
from tests.conftest import replicates

K = 4.0  # standard errors, one-sided (3e-5)
SCAN = 28.0  # days between scans
GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "instructor" / "05.md").read_text(
    encoding="utf-8")


def _paired(a, b):
    d = np.asarray(a, float) - np.asarray(b, float)
    return d.mean(), d.std(ddof=1) / math.sqrt(len(d))


def _sample(detail: str) -> dict[str, int]:
    """A re-biopsy event's sample: receptor sign -> cells ("97 sensitive, ER+, 3 ...")."""
    mix: dict[str, int] = {}
    for n, sign in re.findall(r"(\d+) [^;]*?(?:ER|HER2)([+-])", detail.split(";")[0]):
        mix[sign] = mix.get(sign, 0) + int(n)
    return mix


def _er_negative_share(result) -> float:
    mix = _sample(next(e.detail for e in result.events if e.kind == "re-biopsy"))
    return mix.get("-", 0) / sum(mix.values())


def _c_resistant(result, day):
    row = max(int(np.searchsorted(result.times, day, side="right")) - 1, 0)
    return result.counts[row, result.cell_types.resistant(result.type_ids, "C")].sum()


def _state_share(result, day, state):
    ct = result.cell_types
    row = max(int(np.searchsorted(result.times, day, side="right")) - 1, 0)
    mask = ct.state(result.type_ids) == ct.state_names.index(state)
    return result.counts[row, mask].sum() / result.counts[row].sum()


@pytest.fixture(scope="module")
def cfg():
    return clonesim.load_config(gallery.find_config("receptor_switch"))


@pytest.fixture(scope="module")
def her2():
    return clonesim.load_config(gallery.find_config("her2_switch"))


@pytest.fixture(scope="module")
def n():
    return replicates(150)


@pytest.fixture(scope="module")
def arms(cfg, n):
    return {a: clonesim.simulate_cohort(arm_config(cfg, a), n, seed=1) for a in cfg.cohort.arms}


@pytest.fixture(scope="module")
def her2_arms(her2, n):
    return {a: clonesim.simulate_cohort(arm_config(her2, a), n, seed=1) for a in her2.cohort.arms}


@pytest.fixture(scope="module")
def patient(cfg):
    return {a: clonesim.simulate(arm_config(cfg, a), seed=4) for a in ("sequence", "rebiopsy")}


def test_the_one_patient_story(patient):
    """Seed 4: H2 fails at its first scan with no response while the tumour
    grows about fourfold; the re-biopsy reads ER-, chooses C, and later finds
    no line that fits; the tumour is almost all ER- when line 1 ends; at the
    same day the listed arm holds more C-resistant cells."""
    listed, reb = patient["sequence"], patient["rebiopsy"]
    assert [x.drugs for x in listed.lines] == [("H1",), ("H2",), ("C",)]
    h2 = listed.lines[1]
    assert abs(h2.end - h2.start - SCAN) < 1e-6 and h2.best_response == "progressive disease"
    b = [e.burden for e in listed.events if e.kind == "line start" and e.line in (2, 3)]
    assert 3 < b[1] / b[0] < 5
    assert [x.drugs for x in reb.lines] == [("H1",), ("C",)]
    biopsies = [e.detail for e in reb.events if e.kind == "re-biopsy"]
    assert _sample(biopsies[0]).get("+", 0) > 90 and "chooses H1" in biopsies[0]
    assert _sample(biopsies[1]) == {"-": 100} and "chooses C" in biopsies[1]
    assert "no line on the list fits" in biopsies[2] and "resistant to C" in biopsies[2]
    assert any(e.kind == "no line left" for e in reb.events)
    assert _state_share(listed, listed.lines[0].end, "ER-") > 0.99
    day = listed.lines[2].start + 56
    assert _c_resistant(listed, day) > _c_resistant(reb, day)
    assert reb.survival_days > listed.survival_days


@pytest.mark.statistical
def test_rebiopsy_never_gives_a_line_its_sample_reads_resistant(arms):
    """The policy fix: every hormone line chosen by a re-biopsy had at least
    half of its sample ER+; a sample without it chooses C or nothing."""
    for r in arms["rebiopsy"]:
        for e in r.events:
            if e.kind != "re-biopsy":
                continue
            mix = _sample(e.detail)
            if re.search(r"chooses H\d", e.detail):
                assert mix.get("+", 0) >= 0.5 * sum(mix.values()), e.detail


@pytest.mark.statistical
def test_the_arms_differ_on_line_2_and_hardly_in_survival(arms, n):
    """Line 2 is H2 for every listed patient and lasts at most one scan; after
    re-biopsy line 2 is C for nearly all and lasts months (median >= 5 scans).
    Survival: the paired mean gain is positive (z > K) and below one scan
    interval (mean + K SE < 28 days)."""
    seq, reb = (arms[a].to_dataframe() for a in ("sequence", "rebiopsy"))
    assert all(r.lines[1].drugs == ("H2",) for r in arms["sequence"])
    assert seq.ttp_line2_days.max() <= SCAN + 1e-6
    chose_c = sum(len(r.lines) > 1 and r.lines[1].drugs == ("C",) for r in arms["rebiopsy"])
    assert chose_c >= 0.9 * n
    assert reb.ttp_line2_days.median() >= 5 * SCAN
    mean, se = _paired(reb.survival_days, seq.survival_days)
    assert mean / se > K and mean + K * se < SCAN


@pytest.mark.statistical
def test_the_wasted_month_makes_more_c_resistant_cells(arms):
    """The text's reason for the few days: two scans after C starts in the
    listed arm, the listed patient holds more C-resistant cells than the same
    patient after re-biopsy (paired log ratio > 0 by K SE)."""
    ratios = [math.log(_c_resistant(a, a.lines[2].start + 56) / _c_resistant(b, a.lines[2].start + 56))
              for a, b in zip(arms["sequence"], arms["rebiopsy"])
              if len(b.lines) > 1 and b.lines[1].drugs == ("C",)]
    mean, se = np.mean(ratios), np.std(ratios, ddof=1) / math.sqrt(len(ratios))
    assert mean / se > K


@pytest.mark.statistical
def test_theory_box_er_negative_share_is_about_s_t(cfg, arms, n):
    """Mean ER- share of the detection biopsy within K SE (+1 percentage point
    for the biopsy's own sampling) of 1 - exp(-s T); both about 7-8%; some
    primaries already read mostly ER- (line 1 = C)."""
    reb = arms["rebiopsy"]
    shares = np.array([_er_negative_share(r) for r in reb])
    s = cfg.states["ER+"].switch_to["ER-"]
    expected = 1 - math.exp(-s * np.mean([r.detection_time for r in reb]))
    assert abs(shares.mean() - expected) < K * shares.std(ddof=1) / math.sqrt(n) + 0.01
    assert 0.06 < expected < 0.09
    assert 1 <= sum(r.lines[0].drugs == ("C",) for r in reb) <= 0.05 * n


@pytest.mark.statistical
def test_her2_switch_rebiopsy_adds_months(her2_arms, n):
    """her2_switch: the antibody is given only after a re-biopsy that reads
    HER2+; it adds months of survival over the list (paired z > K, mean > 90
    days); the comparator's line 1 is longer, its survival not shorter (mean +
    K SE > 0), and the re-biopsy wins back most of what switching costs."""
    t = {a: c.to_dataframe() for a, c in her2_arms.items()}
    given = {a: sum("antiHER2" in x.drugs for r in c for x in r.lines) for a, c in her2_arms.items()}
    assert given["rebiopsy"] >= 0.9 * n and given["no_rebiopsy"] == 0 and given["stays_HER2-"] == 0
    gain, se = _paired(t["rebiopsy"].survival_days, t["no_rebiopsy"].survival_days)
    assert gain / se > K and gain > 90
    assert t["stays_HER2-"].ttp_line1_days.median() > t["rebiopsy"].ttp_line1_days.median()
    cost, se2 = _paired(t["stays_HER2-"].survival_days, t["rebiopsy"].survival_days)
    assert cost + K * se2 > 0 and gain > cost


def test_her2_one_patient_reads_her2_negative_again_after_the_antibody(her2):
    r = clonesim.simulate(arm_config(her2, "rebiopsy"), seed=4)
    biopsies = [_sample(e.detail) for e in r.events if e.kind == "re-biopsy"]
    assert biopsies[1].get("+", 0) > 90  # the HER2+ recurrence
    assert biopsies[2].get("-", 0) > 50  # after the antibody: mostly HER2- again
    assert [x.drugs for x in r.lines] == [("H",), ("antiHER2",), ("chemo",)]


def test_try_this_1_rare_switching_still_gives_an_er_negative_recurrence(cfg):
    """Switching 1e-6 per day, seed 4, re-biopsy: the sample after H1 is still
    mostly ER- (a few H1-resistant ER+ cells); line 1 lasts one scan longer."""
    ch = cfg.update({"therapy.policy": "rebiopsy", "therapy.rebiopsy_cells": 100,
                     "states.ER+.switch_to": {"ER-": 1e-6}})
    r = clonesim.simulate(ch, seed=4)
    second = [e.detail for e in r.events if e.kind == "re-biopsy"][1]
    assert _sample(second).get("-", 0) >= 90 and "resistant to H1, ER+" in second
    days = round(r.lines[0].end - r.lines[0].start)
    assert days == 4 * SCAN and f"Line 1 lasts {days} days" in GUIDE


@pytest.mark.statistical
def test_try_this_2_five_cells_choose_as_a_hundred(cfg, arms, n):
    five = clonesim.simulate_cohort(arm_config(cfg, "rebiopsy").update(
        {"therapy.rebiopsy_cells": 5}), n, seed=1)
    differ = sum([x.drugs for x in a.lines] != [x.drugs for x in b.lines]
                 for a, b in zip(five, arms["rebiopsy"]))
    assert differ <= 0.05 * n
    assert f"{differ} of {n} patients" in GUIDE


@pytest.mark.statistical
def test_try_this_3_rarer_her2_switching_still_pays(her2, her2_arms, n):
    rare = her2.update({"states.HER2-.switch_to": {"HER2+": 2e-5}})
    a = {arm: clonesim.simulate_cohort(arm_config(rare, arm), n, seed=1)
         for arm in ("rebiopsy", "no_rebiopsy")}
    found = sum(len(r.lines) > 1 and r.lines[1].drugs == ("antiHER2",) for r in a["rebiopsy"])
    gain, se = _paired([r.survival_days for r in a["rebiopsy"]],
                       [r.survival_days for r in a["no_rebiopsy"]])
    full, _ = _paired([r.survival_days for r in her2_arms["rebiopsy"]],
                      [r.survival_days for r in her2_arms["no_rebiopsy"]])
    assert found >= 0.9 * n and gain / se > K and gain < full
    assert f"{found} of {n}" in GUIDE and f"+{gain:.0f} days" in GUIDE and f"+{full:.0f} days" in GUIDE


@pytest.mark.statistical
def test_the_guide_quotes_the_simulation(arms, her2_arms, n):
    seq, reb = (arms[a].to_dataframe() for a in ("sequence", "rebiopsy"))
    assert (f"{seq.ttp_line2_days.median():.0f} against {reb.ttp_line2_days.median():.0f} days"
            in GUIDE)
    assert f"{(reb.survival_days - seq.survival_days).mean():+.1f} days" in GUIDE
    t = {a: c.to_dataframe() for a, c in her2_arms.items()}
    assert ", ".join(f"{t[a].survival_days.median():.0f}" for a in t) in GUIDE
    assert f"{(t['stays_HER2-'].survival_days - t['rebiopsy'].survival_days).mean():+.0f} days" in GUIDE


def test_a_sample_without_tumour_cells_follows_the_list():
    """The policy's other branch: her2_brain_sanctuary, seed 2, a breast
    re-biopsy at progression finds no tumour cell (the recurrence is in the
    brain), so the next line on the list is given, not supportive care."""
    cfg = clonesim.load_config(gallery.find_config("her2_brain_sanctuary"))
    r = clonesim.simulate(cfg.update({"therapy.policy": "rebiopsy",
                                      "therapy.rebiopsy_site": "breast"}), seed=2)
    last = [e.detail for e in r.events if e.kind == "re-biopsy"][-1]
    assert "no tumour cell in the sample; chooses chemo2" in last
    assert [x.drugs for x in r.lines] == [("antiHER2", "chemo"), ("chemo2",)]
