"""Bad inputs to the story features (states, sites, local therapy, policies,
cohorts): each is a ConfigError that names the key and says what is allowed.

Every case starts from a shipped story config (read as TOML, so the cases
stay valid examples of what a teacher would type) and breaks one thing.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from clonesim.config import Config, ConfigError

ROOT = Path(__file__).resolve().parents[1]


def raw(name: str, drop_cohort: bool = True) -> dict:
    with open(ROOT / "configs" / f"{name}.toml", "rb") as f:
        out = tomllib.load(f)
    if drop_cohort:
        out.pop("cohort", None)
    return out


def with_changes(base: dict, changes: dict) -> dict:
    """``base`` with dotted keys set (the last part may contain dots only via
    quoting, which none of these cases needs)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def error_of(data: dict) -> str:
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data, source="story.toml")
    msg = str(info.value)
    assert msg.startswith("story.toml: "), msg
    assert "Traceback" not in msg
    return msg


RECEPTOR = raw("receptor_switch")
HER2 = raw("her2_brain_sanctuary")
MIX = "states.*.initial_fraction"

# (id, base, changes, fragments the message must contain)
CASES = [
    ("switch_to unknown state", RECEPTOR, {"states.ER+.switch_to": {"ER_": 1e-4}},
     ["states.ER+.switch_to.ER_", "ER-", "did you mean 'ER-'"]),
    ("switch_to itself", RECEPTOR, {"states.ER+.switch_to": {"ER+": 1e-4}},
     ["states.ER+.switch_to.ER+", "keyed by one of ER-"]),
    ("switch rate negative", RECEPTOR, {"states.ER+.switch_to": {"ER-": -1e-4}},
     ["states.ER+.switch_to.ER- = -0.0001", "[0, 100]"]),
    ("targets unknown state", RECEPTOR, {"drugs.H1.targets": ["ER"]},
     ["drugs.H1.targets", "defined states: ER+, ER-", "no state named 'ER'"]),
    ("targets empty", RECEPTOR, {"drugs.H1.targets": []},
     ["drugs.H1.targets", "non-empty list of state names"]),
    ("penetration unknown site", HER2, {"drugs.antiHER2.penetration": {"brian": 0.03}},
     ["drugs.antiHER2.penetration.brian", "breast, liver, brain", "did you mean 'brain'"]),
    ("penetration above 1", HER2, {"drugs.antiHER2.penetration": {"brain": 1.5}},
     ["drugs.antiHER2.penetration.brain = 1.5", "[0, 1]"]),
    ("penetration negative", HER2, {"drugs.antiHER2.penetration": {"brain": -0.1}},
     ["drugs.antiHER2.penetration.brain = -0.1", "[0, 1]"]),
    ("penetration not a table", HER2, {"drugs.antiHER2.penetration": 0.03},
     ["drugs.antiHER2.penetration", "table of site names"]),
    ("migration to undefined site", HER2, {"sites.breast.migrate_to": {"lung": 1e-9}},
     ["sites.breast.migrate_to.lung", "liver, brain", "no other site named 'lung'"]),
    ("migration to itself", HER2, {"sites.breast.migrate_to": {"breast": 1e-9}},
     ["sites.breast.migrate_to.breast", "liver, brain"]),
    ("local therapy unknown site", HER2,
     {"therapy.local": [{"kind": "surgery", "site": "lung"}]},
     ["therapy.local[0].site", "breast, liver, brain"]),
    ("local therapy without site", HER2, {"therapy.local": [{"kind": "radiation"}]},
     ["therapy.local[0].site is missing", "breast, liver, brain"]),
    ("local therapy unknown kind", HER2,
     {"therapy.local": [{"kind": "chemo", "site": "liver"}]},
     ["therapy.local[0].kind", "'surgery', 'radiation'"]),
    ("local therapy unknown trigger", HER2,
     {"therapy.local": [{"kind": "surgery", "site": "liver", "trigger": "progression"}]},
     ["therapy.local[0].trigger", "'site detected', 'detection', 'symptoms', 'day'"]),
    ("local therapy fraction above 1", HER2,
     {"therapy.local": [{"kind": "surgery", "site": "liver", "fraction": 1.2}]},
     ["therapy.local[0].fraction = 1.2", "[0, 1]"]),
    ("rebiopsy_site unknown", HER2, {"therapy.rebiopsy_site": "lung"},
     ["therapy.rebiopsy_site", "'largest', 'blood' or one of the sites: breast, liver, brain"]),
    ("lines name a missing drug", RECEPTOR, {"therapy.lines": ["H1", "H3"]},
     ["therapy.lines[1]", "H1, H2, C", "no drug named 'H3'"]),
    ("combination names a missing drug", RECEPTOR, {"therapy.lines": ["H1+X"]},
     ["therapy.lines[0]", "H1, H2, C", "no drug named 'X'"]),
    ("rebiopsy_cells 0", RECEPTOR, {"therapy.rebiopsy_cells": 0},
     ["therapy.rebiopsy_cells = 0", "whole number in [1,"]),
    ("sensitive_fraction 0", RECEPTOR, {"therapy.sensitive_fraction": 0.0},
     ["therapy.sensitive_fraction", "(0, 1]"]),
    ("policy unknown", RECEPTOR, {"therapy.policy": "random"},
     ["therapy.policy", "'sequence', 'rebiopsy', 'adaptive'"]),
    ("initial fractions do not add up", RECEPTOR, {"states.ER-.initial_fraction": 0.5},
     ["initial_fraction adds up to 1.5", "must add up to 1", "ER+, ER-"]),
    ("holidays with only on days", RECEPTOR, {"therapy.holiday_on_days": 30},
     ["therapy.holiday_off_days", "> 0 as well", "both holiday_on_days and holiday_off_days"]),
    ("holidays with only off days", RECEPTOR, {"therapy.holiday_off_days": 30},
     ["therapy.holiday_on_days", "> 0 as well"]),
    ("adaptive resume below pause", RECEPTOR,
     {"therapy.policy": "adaptive", "therapy.adaptive_pause_at": 0.5,
      "therapy.adaptive_resume_at": 0.4},
     ["therapy.adaptive_resume_at = 0.4", "above therapy.adaptive_pause_at = 0.5"]),
    ("adaptive resume equal to pause", RECEPTOR,
     {"therapy.policy": "adaptive", "therapy.adaptive_pause_at": 0.5,
      "therapy.adaptive_resume_at": 0.5},
     ["therapy.adaptive_resume_at = 0.5", "above therapy.adaptive_pause_at"]),
    ("too many classes", RECEPTOR,
     {"sites": {f"s{i}": {} for i in range(33)}},
     ["2 states x 33 sites = 66 classes", "at most 64"]),
    ("empty states table", RECEPTOR, {"states": {}},
     ["[states] is empty"]),
]


@pytest.mark.parametrize("base,changes,fragments", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_story_keys_rejected_with_clear_message(base, changes, fragments):
    msg = error_of(with_changes(base, changes))
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in:\n{msg}"


# -- cohort.vary ------------------------------------------------------------------

VARY_CASES = [
    ("unknown key", {"drugs.H1.kill_ratee": {"dist": "uniform", "low": 0.1, "high": 0.2}},
     ["cohort.vary.drugs.H1.kill_ratee", "not a numeric key"]),
    ("non-numeric key", {"therapy.policy": {"dist": "choice", "values": ["sequence"]}},
     ["cohort.vary.therapy.policy", "not a numeric key"]),
    ("unknown dist", {"mutation_rate": {"dist": "normal", "low": 1e-8, "high": 1e-6}},
     ["cohort.vary.mutation_rate", "'uniform', 'loguniform', 'lognormal', 'beta', 'choice'"]),
    ("missing parameter", {"mutation_rate": {"dist": "loguniform", "low": 1e-8}},
     ["cohort.vary.mutation_rate.high is missing", "needs low and high"]),
    ("parameter of another dist", {"mutation_rate": {"dist": "loguniform", "low": 1e-8,
                                                     "high": 1e-6, "sigma": 1.0}},
     ["cohort.vary.mutation_rate.sigma", "dist, high, low"]),
    ("low above high", {"mutation_rate": {"dist": "uniform", "low": 1e-6, "high": 1e-8}},
     ["cohort.vary.mutation_rate", "low < high"]),
    ("loguniform from 0", {"mutation_rate": {"dist": "loguniform", "low": 0.0, "high": 1e-6}},
     ["cohort.vary.mutation_rate", "0 < low < high"]),
    ("uniform draws outside the range", {"drugs.C.kill_fraction": {"dist": "uniform",
                                                                   "low": 0.5, "high": 1.5}},
     ["cohort.vary.drugs.C.kill_fraction can draw drugs.C.kill_fraction = 1.5", "[0, 1]"]),
    ("lognormal tail outside the range", {"drugs.C.kill_fraction": {
        "dist": "lognormal", "median": 0.9, "sigma": 0.1}},
     ["cohort.vary.drugs.C.kill_fraction can draw", "[0, 1]"]),
    ("choice value outside the range", {"tumour.initial_cells": {
        "dist": "choice", "values": [1, -5]}},
     ["cohort.vary.tumour.initial_cells can draw tumour.initial_cells = -5", "whole number"]),
    ("choice weights of the wrong length", {"tumour.initial_cells": {
        "dist": "choice", "values": [1, 10], "weights": [1.0]}},
     ["cohort.vary.tumour.initial_cells.weights", "a list of 2 finite non-negative numbers"]),
    ("beta with a = 0", {"states.ER+.birth_factor": {"dist": "beta", "a": 0, "b": 1}},
     ["cohort.vary.states.ER+.birth_factor", "a > 0 and b > 0"]),
    ("initial_resistant of an unknown drug", {"tumour.initial_resistant.Z": {
        "dist": "loguniform", "low": 1, "high": 100}},
     ["cohort.vary.tumour.initial_resistant.Z", "H1, H2, C", "no drug named 'Z'"]),
    # the phenotype mix: "states.*.initial_fraction" with dist = "dirichlet"
    ("mix naming an unknown state", {MIX: {"dist": "dirichlet",
                                           "alpha": {"ER+": 8.0, "ER_": 2.0}}},
     [f"cohort.vary.{MIX}.alpha.ER_ = 2", "keyed by one of the states: ER+, ER-",
      "did you mean 'ER-'"]),
    ("mix missing a state", {MIX: {"dist": "dirichlet", "alpha": {"ER+": 8.0}}},
     [f"cohort.vary.{MIX}.alpha", "a weight for every state: ER+, ER-", "missing: ER-"]),
    ("mix weight 0", {MIX: {"dist": "dirichlet", "alpha": {"ER+": 8.0, "ER-": 0}}},
     [f"cohort.vary.{MIX}.alpha.ER- = 0", "a number > 0"]),
    ("mix weight negative", {MIX: {"dist": "dirichlet", "alpha": {"ER+": -1, "ER-": 2.0}}},
     [f"cohort.vary.{MIX}.alpha.ER+ = -1", "a number > 0"]),
    ("mix weight not a number", {MIX: {"dist": "dirichlet", "alpha": {"ER+": "8", "ER-": 2}}},
     [f"cohort.vary.{MIX}.alpha.ER+", "a number > 0"]),
    ("mix alpha a list", {MIX: {"dist": "dirichlet", "alpha": [8.0, 2.0]}},
     [f"cohort.vary.{MIX}.alpha = [8, 2]", "a table of state names to weights > 0",
      '{ "ER+" = 1.0, "ER-" = 1.0 }']),
    ("mix without alpha", {MIX: {"dist": "dirichlet"}},
     [f"cohort.vary.{MIX}.alpha is missing", "a weight > 0 for every state"]),
    ("mix with a parameter of another dist", {MIX: {"dist": "dirichlet", "a": 2,
                                                    "alpha": {"ER+": 8.0, "ER-": 2.0}}},
     [f"cohort.vary.{MIX}.a", "known keys here: alpha, dist"]),
    ("mix drawn from a one-key dist", {MIX: {"dist": "beta", "a": 2, "b": 8}},
     [f"cohort.vary.{MIX}", 'dist = "dirichlet" and alpha', "add up to 1"]),
    ("dirichlet on a key that is not a mix", {"drugs.C.kill_fraction": {
        "dist": "dirichlet", "alpha": {"ER+": 8.0, "ER-": 2.0}}},
     ["cohort.vary.drugs.C.kill_fraction", "'uniform', 'loguniform', 'lognormal', 'beta'",
      f'only "{MIX}" takes it']),
    ("one state's share varied alone", {"states.ER-.initial_fraction": {
        "dist": "beta", "a": 2, "b": 8}},
     ["cohort.vary.states.ER-.initial_fraction", "add up to 1, so they vary together",
      f'"{MIX}" = {{ dist = "dirichlet", alpha = {{ "ER+" = 1.0, "ER-" = 1.0 }} }}']),
    ("mix key misspelt", {"states.initial_fraction": {
        "dist": "dirichlet", "alpha": {"ER+": 8.0, "ER-": 2.0}}},
     ["cohort.vary.states.initial_fraction", f'"{MIX}" = {{ dist = "dirichlet"']),
]


@pytest.mark.parametrize("vary,fragments", [c[1:] for c in VARY_CASES],
                         ids=[c[0] for c in VARY_CASES])
def test_cohort_vary_rejected_with_clear_message(vary, fragments):
    msg = error_of(with_changes(RECEPTOR, {"cohort": {"vary": vary}}))
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in:\n{msg}"


def test_mix_needs_two_states():
    msg = error_of(with_changes(raw("classic_98_2"), {"cohort": {"vary": {
        MIX: {"dist": "dirichlet", "alpha": {"any": 1.0}}}}}))
    assert f"cohort.vary.{MIX}: the scenario has one state (any)" in msg
    assert "two or more [states.NAME] tables" in msg


# -- cohort.arms ------------------------------------------------------------------

ARM_CASES = [
    ("unknown policy", RECEPTOR, {"therapy.policy": "random"},
     ["cohort.arms.x makes an invalid scenario", "therapy.policy", "'sequence', 'rebiopsy'"]),
    ("lines naming a missing drug", RECEPTOR, {"therapy.lines": ["H3"]},
     ["cohort.arms.x makes an invalid scenario", "therapy.lines[0]", "no drug named 'H3'"]),
    ("misspelt key", RECEPTOR, {"therapy.polcy": "rebiopsy"},
     ["cohort.arms.x makes an invalid scenario", "therapy.polcy", "did you mean 'policy'"]),
    ("penetration above 1", HER2, {"drugs.antiHER2.penetration.brain": 2.0},
     ["cohort.arms.x makes an invalid scenario", "drugs.antiHER2.penetration.brain", "[0, 1]"]),
    ("adaptive with resume below pause", RECEPTOR,
     {"therapy.policy": "adaptive", "therapy.adaptive_resume_at": 0.3},
     ["cohort.arms.x makes an invalid scenario", "therapy.adaptive_resume_at = 0.3"]),
    ("rebiopsy of an unknown site", HER2, {"therapy.rebiopsy_site": "lung"},
     ["cohort.arms.x makes an invalid scenario", "therapy.rebiopsy_site",
      "breast, liver, brain"]),
    ("empty arm", RECEPTOR, {},
     ["cohort.arms.x", "a table of dotted keys to values"]),
]


@pytest.mark.parametrize("base,arm,fragments", [c[1:] for c in ARM_CASES],
                         ids=[c[0] for c in ARM_CASES])
def test_cohort_arm_making_invalid_scenario_rejected(base, arm, fragments):
    msg = error_of(with_changes(base, {"cohort": {"arms": {"x": arm}}}))
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in:\n{msg}"


# -- a change must name an existing drug, state or site ----------------------------


@pytest.mark.parametrize("key,value", [
    ("drugs.Z.kill_fraction", 0.5),           # adds a fourth drug Z to the arm
    ("sites.lung.birth_factor", 2.0),         # the arm's only site becomes 'lung'
    ("states.ER.birth_factor", 2.0),          # adds a third state 'ER'
], ids=["drug", "site", "state"])
def test_arm_naming_unknown_entry_is_rejected(key, value):
    msg = error_of(with_changes(RECEPTOR, {"cohort": {"arms": {"x": {key: value}}}}))
    assert key.split(".")[1] in msg


def test_vary_naming_unknown_drug_is_rejected():
    msg = error_of(with_changes(RECEPTOR, {"cohort": {"vary": {
        "drugs.Z.kill_fraction": {"dist": "uniform", "low": 0.5, "high": 0.9}}}}))
    assert "no drug 'Z'" in msg or "no drug named 'Z'" in msg
