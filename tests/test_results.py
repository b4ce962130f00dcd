"""Result tables and outcomes: tidy frames, and scenarios whose outcome is forced.

Two scenarios are built so that the answer is known without simulating:
resistance to A already in almost every cell makes line 1 (A) fail without
any response (refractory); a drug that kills every susceptible cell, with no
way to become resistant, cures at the first dose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clonesim
from clonesim import Config, load_config, simulate, simulate_many
from clonesim.outcomes import Outcome, Response

from .test_plots import legends_outside_data

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "configs" / "classic_98_2.toml"


@pytest.fixture(scope="module")
def classic_result():
    return simulate(load_config(CLASSIC), seed=3)


def refractory_config() -> Config:
    # 1e8 cells resist A, 1000 do not: A can never halve the burden.
    return Config.from_dict({
        "mutation_rate": 0.0,
        "tumour": {"initial_cells": 1000, "initial_resistant": {"A": 100_000_000}},
        "drugs": {"A": {"kill_fraction": 0.98}},
        "therapy": {"lines": ["A"]},
        "simulation": {"horizon_days": 2000},
    }, source="refractory")


def curable_config() -> Config:
    return Config.from_dict({
        "mutation_rate": 0.0,
        "tumour": {"initial_cells": 1000},
        "drugs": {"A": {"kill_fraction": 1.0, "mutation_rate": 0.0}},
        "therapy": {"lines": ["A"]},
    }, source="curable")


# ---------------------------------------------------------------------------
# Tables of one patient
# ---------------------------------------------------------------------------


def test_trajectory_is_tidy(classic_result):
    r = classic_result
    df = r.to_dataframe()
    assert list(df.columns) == ["time_days", "type", "type_id", "cells"]
    n_times, n_types = r.counts.shape
    assert len(df) == n_times * n_types
    assert n_types == len(r.type_ids) == len(r.labels)
    # every type appears once at every recorded time
    assert df.groupby("type_id").size().eq(n_times).all()
    # each type id always carries the same label
    assert df.groupby("type_id")["type"].nunique().eq(1).all()
    assert dict(zip(df["type_id"], df["type"])) == dict(zip(r.type_ids.tolist(), r.labels))
    # the cells add up to the burden at each recorded time
    per_time = df["cells"].to_numpy().reshape(n_times, n_types).sum(axis=1)
    np.testing.assert_array_equal(per_time, r.burden)
    assert df["cells"].dtype == np.int64
    assert (df["cells"] >= 0).all()
    assert df["time_days"].is_monotonic_increasing


def test_trajectory_pivot_gives_back_the_counts(classic_result):
    r = classic_result
    df = r.to_dataframe()
    df["row"] = np.repeat(np.arange(r.times.size), r.type_ids.size)
    wide = df.pivot(index="row", columns="type_id", values="cells")[list(r.type_ids)]
    np.testing.assert_array_equal(wide.to_numpy(), r.counts)


def test_events_dataframe(classic_result):
    r = classic_result
    ev = r.events_dataframe()
    assert list(ev.columns) == ["time", "kind", "line", "burden", "detail"]
    assert len(ev) == len(r.events)
    assert ev["kind"].iloc[0] == "detection"
    assert ev["kind"].iloc[-1] in ("cured", "died", "end of follow-up")
    assert ev["time"].is_monotonic_increasing
    starts = ev[ev["kind"] == "line start"]
    assert starts["line"].tolist() == list(range(1, len(r.lines) + 1))
    assert starts["detail"].tolist() == ["+".join(o.drugs) for o in r.lines]


def test_lines_dataframe(classic_result):
    r = classic_result
    lines = r.lines_dataframe()
    assert list(lines.columns) == ["line", "drugs", "start_day", "end_day", "best_response",
                                   "ended_by", "time_to_progression_days"]
    assert len(lines) == r.lines_used >= 1
    assert lines["line"].tolist() == list(range(1, r.lines_used + 1))
    assert (lines["end_day"] >= lines["start_day"]).all()
    progressed = lines["ended_by"] == "progression"
    ttp = lines["time_to_progression_days"]
    np.testing.assert_allclose(ttp[progressed], (lines["end_day"] - lines["start_day"])[progressed])
    assert ttp[~progressed].isna().all()
    assert set(lines["best_response"]) <= set(Response)
    # the next line starts where the previous one progressed
    assert (lines["start_day"].iloc[1:].to_numpy() == lines["end_day"].iloc[:-1].to_numpy()).all()


def test_classic_patient_responds_to_line_1(classic_result):
    r = classic_result
    assert r.lines[0].best_response in (Response.PARTIAL_RESPONSE, Response.COMPLETE_RESPONSE)
    assert not r.refractory
    assert not r.lines[0].refractory


def test_final_counts_and_repr(classic_result):
    r = classic_result
    final = r.final_counts()
    assert sum(final.values()) == r.burden[-1]
    assert all(v > 0 for v in final.values())
    assert set(final) <= set(r.labels)
    assert r.outcome in repr(r)


# ---------------------------------------------------------------------------
# Many patients
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohort():
    cfg = load_config(CLASSIC, {"simulation.horizon_days": 1500})
    return simulate_many(cfg, n=6, seed=2)


def test_resultset_dataframe_one_row_per_patient(cohort):
    df = cohort.to_dataframe()
    assert len(df) == len(cohort) == 6
    assert df["patient"].tolist() == list(range(6))
    for column in ("seed", "outcome", "cured", "died", "detection_day", "end_day",
                   "survival_days", "lines_used", "refractory", "final_burden"):
        assert column in df.columns, column
    assert df["outcome"].tolist() == [r.outcome for r in cohort]
    assert df["seed"].tolist() == [str(r.seed) for r in cohort]
    assert df["lines_used"].tolist() == [r.lines_used for r in cohort]
    assert df["final_burden"].tolist() == [int(r.burden[-1]) for r in cohort]
    assert (df["survival_days"] >= 0).all()
    # survival runs to death or the end of follow-up; a cured patient lives to the latter
    horizon = cohort[0].config.simulation.horizon_days
    end = np.where(df["cured"], horizon, df["end_day"])
    np.testing.assert_allclose(df["survival_days"], end - df["detection_day"])
    assert df["died"].tolist() == [r.outcome == Outcome.DIED for r in cohort]
    assert "ttp_line1_days" in df.columns


def test_resultset_summary(cohort):
    text = cohort.summary()
    assert text.startswith("6 patients:")
    assert "refractory to line 1" in text


def test_empty_resultset():
    empty = simulate_many(load_config(CLASSIC), n=0, seed=1)
    assert len(empty) == 0
    assert empty.summary() == "no patients"
    assert isinstance(empty.to_dataframe(), pd.DataFrame)
    assert len(empty.to_dataframe()) == 0


# ---------------------------------------------------------------------------
# Forced outcomes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pre_existing_resistance_is_refractory(seed):
    r = simulate(refractory_config(), seed=seed)
    first = r.lines[0]
    assert first.drugs == ("A",)
    assert first.ended_by == "progression"
    assert first.best_response in (Response.STABLE_DISEASE, Response.PROGRESSIVE_DISEASE)
    assert first.refractory
    assert r.refractory
    assert first.time_to_progression is not None and first.time_to_progression > 0
    kinds = [e.kind for e in r.events]
    assert "partial response" not in kinds and "complete response" not in kinds
    assert "progression" in kinds
    assert "no line left" in kinds
    assert r.outcome == Outcome.DIED
    assert r.survival_days >= 0
    row = r.outcome_row()
    assert row["refractory"] is True
    assert row["ttp_line1_days"] == first.time_to_progression


def test_refractory_shows_in_cohort_table():
    many = simulate_many(refractory_config(), n=3, seed=9)
    df = many.to_dataframe()
    assert df["refractory"].tolist() == [True, True, True]
    assert "3 refractory to line 1" in many.summary()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_total_kill_without_resistance_cures(seed):
    cfg = curable_config()
    r = simulate(cfg, seed=seed)
    assert r.outcome == Outcome.CURED
    assert r.cured and not r.died
    assert r.detection_time is not None
    assert r.burden[-1] == 0
    assert r.final_counts() == {}
    assert r.lines_used == 1
    assert r.lines[0].ended_by == "cured"
    assert not r.refractory
    assert r.lines[0].time_to_progression is None
    assert [e.kind for e in r.events][-1] == "cured"
    assert r.end_time >= r.detection_time
    assert r.end_time - r.detection_time < cfg.clinic.scan_interval_days  # cured quickly
    assert r.end_time < cfg.simulation.horizon_days
    # ... and alive, censored at the end of follow-up
    assert r.survival_days == cfg.simulation.horizon_days - r.detection_time
    assert "cured" in r.summary()
    row = r.outcome_row()
    assert row["cured"] is True and row["final_burden"] == 0
    assert row["outcome"] == "cured"


def test_survival_is_censored_at_the_horizon():
    # A tumour too slow to kill within follow-up: alive at the end, survival censored.
    cfg = load_config(CLASSIC, {"simulation.horizon_days": 500})
    r = simulate(cfg, seed=0)
    assert r.detection_time is not None and r.detection_time < 500
    assert r.outcome == "alive at end of follow-up"
    assert r.end_time == pytest.approx(500)
    assert r.survival_days == pytest.approx(500 - r.detection_time)
    assert r.survival_days >= 0


def test_tumour_that_dies_out_unconditioned_is_not_called_cured():
    """With condition_on_detection = false and d/b = 0.9 from one cell, most
    tumours die out before detection; that is not a cure by therapy."""
    cfg = clonesim.Config.from_dict({
        "tumour": {"initial_cells": 1, "birth_rate": 0.5, "death_rate": 0.45,
                   "condition_on_detection": False},
        "drugs": {"A": {}}, "therapy": {"lines": ["A"]},
        "simulation": {"horizon_days": 3650}})
    outcomes = {clonesim.simulate(cfg, seed=s).outcome for s in range(20)}
    assert "died out before detection" in outcomes
    for s in range(20):
        r = clonesim.simulate(cfg, seed=s)
        if r.outcome == "died out before detection":
            assert not r.cured and r.detection_time is None and not r.lines
            assert r.events[-1].kind == "died out before detection"


# ---------------------------------------------------------------------------
# Survival tables and figures
# ---------------------------------------------------------------------------


def test_summary_table_says_not_reached_and_stays_numeric():
    """The combination arm cures about half its patients, so its PFS upper
    bound (and, here, its median) is never reached: NaN in the frame,
    "not reached" in the text, never "inf"."""
    from clonesim.config import arm_config
    from clonesim.results import format_summary_table

    cfg = load_config(ROOT / "configs" / "combination_vs_sequence.toml")
    cohort = clonesim.simulate_cohort(arm_config(cfg, "combination"), 20, seed=1)
    table = cohort.summary_table()
    assert table["median_high_days"].dtype.kind == "f"
    assert table["median_high_days"].isna().any()
    medians = table[["median_days", "median_low_days", "median_high_days"]].to_numpy()
    assert not np.isinf(medians).any()
    text = format_summary_table(table)
    assert "not reached" in text and "inf" not in text
    assert text.splitlines()[0].split()[0] == "endpoint"


def test_arms_are_compared_where_they_differ():
    """receptor_switch's arms give the same line 1, so line-1 PFS is the same
    in both; the figure compares PFS on line 2, from its start."""
    from clonesim.config import arm_config
    from clonesim.plots import first_differing_line, plot_arms

    cfg = load_config(ROOT / "configs" / "receptor_switch.toml")
    cohorts = {arm: clonesim.simulate_cohort(arm_config(cfg, arm), 8, seed=1)
               for arm in cfg.cohort.arms}
    a, b = cohorts.values()
    assert a.endpoint_times("pfs", 1) == b.endpoint_times("pfs", 1)
    assert first_differing_line(cohorts) == 2
    fig = plot_arms(cohorts, mark=False)
    assert [ax.get_xlabel() for ax in fig.axes] == ["days from detection",
                                                    "days from start of line 2"]
    assert [ax.get_xlabel() for ax in plot_arms(cohorts, endpoint="pfs", line=3).axes] == [
        "days from start of line 3"]
    with pytest.raises(ValueError, match="endpoint"):
        plot_arms(cohorts, endpoint="dfs")


def test_survival_panels_name_their_time_origin():
    cfg = load_config(ROOT / "configs" / "classic_98_2.toml")
    cohort = clonesim.simulate_cohort(cfg, 6, seed=1)
    fig = clonesim.plot_survival(cohort, lines=2)
    assert [ax.get_xlabel() for ax in fig.axes] == [
        "days from detection", "days from start of line 1", "days from start of line 2"]


def test_adaptive_os_panel_is_not_empty():
    """No patient dies in adaptive_vs_continuous (the burden stays below the
    lethal size), so there is no Kaplan-Meier estimate; the panel must still
    say so with a flat line over the follow-up, not show an empty 0-1 axis."""
    from clonesim.config import arm_config
    from clonesim.plots import plot_arms

    cfg = load_config(ROOT / "configs" / "adaptive_vs_continuous.toml")
    cohorts = {arm: clonesim.simulate_cohort(arm_config(cfg, arm), 4, seed=1)
               for arm in cfg.cohort.arms}
    fig = plot_arms(cohorts)
    assert legends_outside_data(fig) == 2  # below the panels, clear of the mark
    os_ax = fig.axes[0]
    assert len(os_ax.get_lines()) == len(cohorts)
    assert os_ax.get_xlim()[1] > 100
    labels = [t.get_text() for t in os_ax.get_legend().get_texts()]
    if all(c.survival("os") is None for c in cohorts.values()):
        assert all("no events" in lab for lab in labels)
