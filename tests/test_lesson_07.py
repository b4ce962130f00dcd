"""Notebook 07's claims, and the answers in docs/instructor/07.md, checked on
the notebook's own scenarios, seeds and sizes.

Sizes: the notebook runs ``size(full, small)``; the small size is what the
notebook tests run (CLONESIM_NOTEBOOK_SMALL=1), the full size is what a class
runs, and its tests are marked ``statistical``. Shares are checked with a
binomial tolerance, K standard errors sqrt(p (1 - p) / n) (the normal
approximation to the binomial); paired differences patient by patient.
Single fixed-seed runs (the panel and the "Try this" answers) are
deterministic and are checked to the day the guide quotes. The sizes are the
notebook's, not conftest.replicates(): the claim is about the run students see.
Teaching model, not for clinical use.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import clonesim
from clonesim import gallery
from clonesim.config import arm_config
from clonesim.runners import patient_config

K = 3.0  # standard errors for the binomial tolerances
SEED = 1  # the notebook's seed
REFRACTORY_FULL, REFRACTORY_SMALL = 300, 30  # size(300, 30)
ARM_FULL, ARM_SMALL = 100, 10  # size(100, 10)
SENSITIVE_AT_START = 100_000  # refractory_cohort.toml tumour.initial_cells


def config(name: str, **changes):
    cfg = clonesim.load_config(gallery.find_config(name))
    return cfg.update(changes) if changes else cfg


def refractory_table(n: int, cfg=None):
    cfg = cfg or config("refractory_cohort")
    cohort = clonesim.simulate_cohort(cfg, n, seed=SEED)
    table = cohort.to_dataframe()
    table["resistant_at_start"] = [patient_config(cfg, cohort[0].seed[0], k)
                                   .tumour.initial_resistant.get("A", 0)
                                   for k in range(len(cohort))]
    return table


def binomial_tolerance(p: float, n: int) -> float:
    return K * math.sqrt(p * (1 - p) / n)


def check_refractory_story(table):
    n = len(table)
    share = table.refractory.mean()
    # "roughly a quarter to a third ... the cohort lands near it"
    assert 0.25 - binomial_tolerance(0.25, n) <= share <= 1 / 3 + binomial_tolerance(1 / 3, n)
    ref = table[table.refractory]
    resp = table[~table.refractory]
    threshold = ref.resistant_at_start.min()
    # "Below roughly a tenth of the tumour ... above it, no response"
    assert 0.05 < threshold / SENSITIVE_AT_START < 0.15
    assert resp.resistant_at_start.max() < 1.5 * threshold
    # "the refractory patients live shorter"
    assert ref.survival_days.median() < resp.survival_days.median()
    # "the share ... from the range, converted by the logarithm": ln(high/T)/ln(high)
    expected = math.log(220_000 / threshold) / math.log(220_000)
    assert abs(share - expected) <= binomial_tolerance(expected, n)


def test_refractory_story_small():
    check_refractory_story(refractory_table(REFRACTORY_SMALL))


@pytest.mark.statistical
def test_refractory_story_full():
    table = refractory_table(REFRACTORY_FULL)
    check_refractory_story(table)
    # the numbers docs/instructor/07.md quotes for this run
    ref, resp = table[table.refractory], table[~table.refractory]
    assert len(ref) == 82 and round(100 * table.refractory.mean()) == 27
    assert ref.resistant_at_start.min() == 9_252 and resp.resistant_at_start.max() == 9_510
    assert round(ref.survival_days.median()) == 409 and round(resp.survival_days.median()) == 521


def adaptive_arms(n: int):
    cfg = config("adaptive_vs_continuous")
    return {arm: clonesim.simulate_cohort(arm_config(cfg, arm), n, seed=SEED).to_dataframe()
            for arm in cfg.cohort.arms}


def check_adaptive_story(frames, expect_censored: bool):
    cont, adap = frames["continuous"], frames["adaptive"]
    # the patients vary: a spread of times to progression in both arms
    assert cont.ttp_line1_days.std() > 0 and adap.ttp_line1_days.std() > 0
    # "Nobody dies within follow-up": OS cannot tell the arms apart
    assert cont.died.sum() == 0 and adap.died.sum() == 0
    gain = adap.ttp_line1_days - cont.ttp_line1_days  # the same patients, paired
    assert (gain < 0).sum() == 0 and (gain > 0).sum() >= 1 and gain.median() > 0
    # progression in one arm only never happens: censored in both or in neither
    assert (adap.ttp_line1_days.isna() == cont.ttp_line1_days.isna()).all()
    if expect_censored:  # "A few patients ... do not progress in either arm"
        assert 0 < adap.ttp_line1_days.isna().sum() <= 0.25 * len(adap)
    # "fewer days above the toxicity limit"
    assert adap.days_toxic.mean() < cont.days_toxic.mean()
    # "the adaptive arm is counted refractory for most or all patients"
    assert adap.refractory.mean() > 0.5 and cont.refractory.sum() == 0


def test_adaptive_story_small():
    check_adaptive_story(adaptive_arms(ARM_SMALL), expect_censored=False)


@pytest.mark.statistical
def test_adaptive_story_full():
    frames = adaptive_arms(ARM_FULL)
    check_adaptive_story(frames, expect_censored=True)
    # the numbers docs/instructor/07.md quotes for this run
    cont, adap = frames["continuous"], frames["adaptive"]
    gain = adap.ttp_line1_days - cont.ttp_line1_days
    assert (gain > 0).sum() == 89 and adap.ttp_line1_days.isna().sum() == 11
    assert (round(gain.median()), gain.min(), gain.max()) == (60, 18, 369)
    assert round(adap.days_toxic.mean()) == 177 and round(cont.days_toxic.mean()) == 371
    assert adap.refractory.sum() == 89


def antigen_negative_share(result, t: float) -> float:
    idx = result.cell_types.state_names.index("antigen-")
    row = result.counts[np.searchsorted(result.times, t, side="right") - 1]
    return float(row[result.cell_types.state(result.type_ids) == idx].sum() / row.sum())


def immuno_run(switch: float = 1e-4):
    cfg = config("immunotherapy", **{"states.antigen+.switch_to": {"antigen-": switch}})
    return clonesim.simulate(cfg, seed=SEED)


def test_immunotherapy_claims():
    """"a few percent are antigen- at diagnosis"; at progression "almost all"."""
    r = immuno_run()
    start = r.detection_time
    at_start = antigen_negative_share(r, start)
    at_progression = antigen_negative_share(r, start + r.lines[0].time_to_progression)
    assert 0.01 < at_start < 0.1 and at_progression > 0.99
    assert round(100 * at_start, 1) == 2.5 and round(100 * at_progression, 2) == 99.99  # the guide


# -- the "Try this" answers quoted in docs/instructor/07.md -------------------

def panel_ttp(cost: float, pause_at: float = 0.5, seed: int = 1):
    base = config("adaptive_vs_continuous", **{"drugs.A.resistance_cost": cost,
                                               "therapy.adaptive_pause_at": pause_at})
    return {arm: clonesim.simulate(arm_config(base, arm), seed=seed).lines[0].time_to_progression
            for arm in ("continuous", "adaptive")}


def test_try_this_1_cost_of_resistance():
    with_cost, no_cost = panel_ttp(0.5), panel_ttp(0.0)
    assert (with_cost["continuous"], with_cost["adaptive"]) == (162, 222)
    assert (no_cost["continuous"], no_cost["adaptive"]) == (72, 90)
    # without a cost adaptive therapy still gains, but less than a third as much
    gain_cost = with_cost["adaptive"] - with_cost["continuous"]
    gain_none = no_cost["adaptive"] - no_cost["continuous"]
    assert 0 < gain_none < gain_cost / 3


@pytest.mark.statistical
def test_try_this_2_wider_range():
    cfg = config("refractory_cohort")
    vary = {"tumour.initial_resistant.A": {"dist": "loguniform", "low": 1, "high": 2_200_000},
            "mutation_rate": {"dist": "loguniform", "low": 1e-8, "high": 1e-6}}
    base = refractory_table(REFRACTORY_FULL)
    widened = refractory_table(REFRACTORY_FULL, cfg.update({"cohort.vary": vary}))
    n = REFRACTORY_FULL
    threshold = base[base.refractory].resistant_at_start.min()
    predicted = math.log(2_200_000 / threshold) / math.log(2_200_000)
    share = widened.refractory.mean()
    print(f"refractory share {base.refractory.mean():.3f} -> {share:.3f}; "
          f"predicted {predicted:.3f}")
    assert share > base.refractory.mean() + binomial_tolerance(share, n)
    assert abs(share - predicted) <= binomial_tolerance(predicted, n)
    assert round(share, 2) == 0.41 and round(base.refractory.mean(), 2) == 0.27


def test_try_this_3_rarer_antigen_loss():
    usual, rare = immuno_run(1e-4), immuno_run(1e-6)
    assert usual.lines[0].time_to_progression == 84
    assert rare.lines[0].time_to_progression == 140
    assert round(usual.survival_days) == 211 and round(rare.survival_days) == 307
    # a hundred-fold fewer escapees is log(100) / 0.05 per day ~ 92 days of regrowth:
    # the response lengthens by less than that
    assert 0 < rare.lines[0].time_to_progression - usual.lines[0].time_to_progression < 92


def test_notebook_parts():
    """A whole lesson (1,200+ words of text), and one cell tagged "present"
    that defines and calls the panel itself (it runs after the setup cell alone)."""
    import nbformat
    from pathlib import Path

    nb = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks"
                       / "07_a_virtual_trial.ipynb", as_version=4)
    words = sum(len(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    assert words >= 1200, words
    text = "\n".join(c.source for c in nb.cells)
    for part in ("Predict", "Theory box", "Misconception box", "## Try this", "tuned"):
        assert part in text, part
    present = [c for c in nb.cells if "present" in c.metadata.get("tags", [])]
    assert len(present) == 1
    source = present[0].source
    assert "def adaptive(resistance_cost" in source and "panel(adaptive" in source
    assert "load_config" in source  # loads its own scenario, needs no earlier cell
