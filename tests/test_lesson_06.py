"""Notebook 06 (where the drug cannot reach) says only what its simulation
shows: each claim of its text, and each answer in docs/instructor/06.md,
checked on the notebook's scenarios, seeds and sizes (her2_brain_sanctuary,
seed 2 and two arms of 100 patients, seed 1; local_therapy, seed 1 and four
arms of 100 patients, seed 1; the panel's seeds 1-20). Paired comparisons
(same seeds, same virtual patients) use z = mean difference / (sd / sqrt(n)).
Teaching model, not for clinical use.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import clonesim
from clonesim import gallery
from clonesim.config import arm_config
from tests.conftest import replicates

K = 4.0  # standard errors, one-sided (3e-5)
SCAN = 28.0
GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "instructor" / "06.md").read_text(
    encoding="utf-8")


def net_growth(cfg, site, drugs):
    """The notebook's formula (theory box)."""
    rate = cfg.tumour.birth_rate - cfg.tumour.death_rate
    for name in drugs:
        d = cfg.drugs[name]
        reach = d.penetration.get(site, 1.0)
        if d.kill == "continuous":
            rate -= d.kill_rate * reach
        else:
            rate += np.log(1 - d.kill_fraction * reach) / d.dose_interval_days
    return rate


def _paired(a, b):
    d = np.asarray(a, float) - np.asarray(b, float)
    return d.mean(), d.std(ddof=1) / math.sqrt(len(d))


@pytest.fixture(scope="module")
def her2():
    return clonesim.load_config(gallery.find_config("her2_brain_sanctuary"))


@pytest.fixture(scope="module")
def local():
    return clonesim.load_config(gallery.find_config("local_therapy"))


@pytest.fixture(scope="module")
def n():
    return replicates(100)


@pytest.fixture(scope="module")
def local_arms(local, n):
    return {a: clonesim.simulate_cohort(arm_config(local, a), n, seed=1).to_dataframe()
            for a in local.cohort.arms}


def sanctuary(her2, antibody_in_brain=0.03, chemo_in_brain=0.2, log10_brain_seeding=-9.7, seed=2):
    """The notebook's panel, without the figure."""
    changed = her2.update({"drugs.antiHER2.penetration": {"brain": antibody_in_brain},
                           "drugs.chemo.penetration": {"brain": chemo_in_brain},
                           "sites.breast.migrate_to": {"liver": 2e-9,
                                                       "brain": 10 ** log10_brain_seeding}})
    return clonesim.simulate(changed, seed=seed)


def test_the_panel_defaults_are_the_scenario(her2):
    """The panel's default brain seeding is the config's (10^-9.7 = 2e-10)."""
    assert math.isclose(10 ** -9.7, her2.sites["breast"].migrate_to["brain"], rel_tol=0.01)
    a = sanctuary(her2)
    b = clonesim.simulate(her2, seed=2)
    assert a.survival_days == b.survival_days


def test_growth_rates_and_the_theory_box(her2, local):
    """Breast and liver shrink fast on line 1; the brain grows, slower than untreated;
    the liver under drug A grows at about nine-tenths of its untreated pace; surgery
    (0.999) sets it back about 150 days."""
    free = her2.tumour.birth_rate - her2.tumour.death_rate
    assert net_growth(her2, "breast", ["antiHER2", "chemo"]) < -0.3
    assert 0 < net_growth(her2, "brain", ["antiHER2", "chemo"]) < free
    g = net_growth(local, "liver", ["A"])
    assert 0.88 < g / free < 0.92
    assert 140 < math.log(1000) / g < 160


def test_seed_2_fails_by_place_not_resistance(her2):
    r = clonesim.simulate(her2, seed=2)
    assert r.lines[0].best_response == "complete response"
    detail = next(e.detail for e in r.events if e.kind == "progression" and e.line == 1)
    assert detail == "new lesion: brain"
    assert r.cause_of_death == "brain burden"
    ct = r.cell_types
    sensitive = ~np.any([ct.resistant(r.type_ids, d) for d in her2.drugs], axis=0)
    assert r.counts[-1, sensitive].sum() > 0.99 * r.counts[-1].sum()


@pytest.mark.statistical
def test_her2_positive_against_negative(her2, n):
    """HER2+ die of the brain more often; HER2- have a far shorter line 1 and
    many die of the total burden."""
    t = {a: clonesim.simulate_cohort(arm_config(her2, a), n, seed=1).to_dataframe()
         for a in her2.cohort.arms}
    pos, neg = t["HER2-positive"], t["HER2-negative"]
    p1, p2 = ((x.cause_of_death == "brain burden").mean() for x in (pos, neg))
    assert (p1 - p2) / math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n) > K
    assert pos.ttp_line1_days.median() > 1.5 * neg.ttp_line1_days.median()
    assert (neg.cause_of_death == "total burden").mean() > 0.3
    assert (f"{(pos.cause_of_death == 'brain burden').sum()} against "
            f"{(neg.cause_of_death == 'brain burden').sum()}") in GUIDE


def test_local_therapy_one_patient(local):
    """Seed 1: the liver ends line 1 without surgery; surgery lengthens it (bone
    next), radiation alone does not; both live longest."""
    one = {a: clonesim.simulate(arm_config(local, a), seed=1) for a in local.cohort.arms}
    ended = {a: next(e.detail for e in r.events if e.kind == "progression" and e.line == 1)
             for a, r in one.items()}
    l1 = {a: r.lines[0].end - r.lines[0].start for a, r in one.items()}
    assert ended["drugs_only"] == ended["radiation"] == "new lesion: liver"
    assert ended["surgery"] == "new lesion: bone"
    assert ended["both"].startswith("a lesion is back")
    assert l1["surgery"] > l1["drugs_only"] and abs(l1["radiation"] - l1["drugs_only"]) < 1
    os_ = {a: r.survival_days for a, r in one.items()}
    assert os_["both"] > os_["surgery"] > os_["radiation"] >= os_["drugs_only"]


@pytest.mark.statistical
def test_local_therapy_cohort(local_arms, n):
    """Surgery lengthens line 1 in almost every patient (>= 90%) and adds about
    two months (40-110 days, z > K); radiation alone adds almost nothing (|mean|
    + K SE < 14 days); both add most, about twice surgery (ratio 1.6-2.4);
    no one is cured; the medians of line 1 differ by two scans."""
    base = local_arms["drugs_only"]
    gain = {a: _paired(t.survival_days, base.survival_days) for a, t in local_arms.items()}
    assert (local_arms["surgery"].ttp_line1_days > base.ttp_line1_days).mean() >= 0.9
    m, se = gain["surgery"]
    assert m / se > K and 40 < m < 110
    m, se = gain["radiation"]
    assert abs(m) + K * se < 14
    m, se = _paired(local_arms["both"].survival_days, local_arms["surgery"].survival_days)
    assert m / se > K
    assert 1.6 < gain["both"][0] / gain["surgery"][0] < 2.4
    assert not any(t.cured.any() for t in local_arms.values())
    assert local_arms["surgery"].ttp_line1_days.median() - base.ttp_line1_days.median() \
        == pytest.approx(2 * SCAN)
    assert (f"+{gain['surgery'][0]:.0f}, +{gain['radiation'][0]:.0f} and "
            f"+{gain['both'][0]:.0f} days") in GUIDE


@pytest.mark.statistical
def test_try_this_1_antibody_in_the_brain_cures(her2):
    cured = {ab: sum(sanctuary(her2, antibody_in_brain=ab, seed=s).cured for s in range(1, 21))
             for ab in (0.03, 1.0)}
    assert sanctuary(her2, antibody_in_brain=1.0).cured
    assert cured[1.0] > cured[0.03] + 10
    assert f"{cured[1.0]} of 20" in GUIDE and f"{cured[0.03]} of 20" in GUIDE


@pytest.mark.statistical
def test_try_this_2_rarer_brain_seeding(her2):
    runs = [sanctuary(her2, log10_brain_seeding=-11.7, seed=s) for s in range(1, 21)]
    brain = list(her2.sites).index("brain")
    seeded = sum(bool((r.site_burden()[:, brain] > 0).any()) for r in runs)
    cured = sum(r.cured for r in runs)
    assert seeded <= 10 and cured >= 10
    assert f"in {seeded} of the 20" in GUIDE and f"{cured} of the 20 are cured" in GUIDE


@pytest.mark.statistical
def test_try_this_3_a_second_drug_that_reaches_everywhere(local, local_arms, n):
    full = local.update({"drugs.B.penetration": {}})
    arms = {a: clonesim.simulate_cohort(arm_config(full, a), n, seed=1).to_dataframe()
            for a in ("drugs_only", "surgery", "both")}
    base = local_arms["drugs_only"]
    g = {a: _paired(t.survival_days, arms["drugs_only"].survival_days)[0] for a, t in arms.items()}
    old = {a: _paired(local_arms[a].survival_days, base.survival_days)[0] for a in ("surgery", "both")}
    assert 0 < g["surgery"] < old["surgery"] and 0 < g["both"] < old["both"]
    assert arms["drugs_only"].survival_days.median() > base.survival_days.median()
    assert f"+{g['surgery']:.0f} and +{g['both']:.0f} days" in GUIDE
    assert (f"from {base.survival_days.median():.0f} to "
            f"{arms['drugs_only'].survival_days.median():.0f} days") in GUIDE
