"""Cohorts: the draws that make virtual patients differ (cohort.vary) and the
arms that treat the same patients differently (cohort.arms).

Both are checked on a built Config, not on raw tables: a draw or an arm is
sound when the scenario it makes passes every check, so each draw is tried at
its extremes through :meth:`Config.set`, and each arm through
:meth:`Config.update`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from .checks import Checker, no_such
from .errors import ConfigError
from .schema import SCHEMA, Spec, spec_for, toml_text
from .settings import CohortSettings, State

if TYPE_CHECKING:  # pragma: no cover - annotations only: scenario imports this module
    from .scenario import Config

__all__ = ["VARY_PARAMS", "MIX_KEY", "vary_distribution", "check_vary", "check_arms",
           "arm_config"]

VARY_PARAMS = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "lognormal": ("median", "sigma"),
    "beta": ("a", "b"),
    "choice": ("values", "weights"),
    "dirichlet": ("alpha",),
}

#: The one vary key drawn jointly: every state's initial share, adding up to 1.
MIX_KEY = "states.*.initial_fraction"


def vary_distribution(entry: Mapping[str, Any]):
    """A frozen scipy distribution (or a (values, p) pair for 'choice') for one
    cohort.vary entry; the entry must already be validated."""
    from scipy import stats

    d = entry["dist"]
    if d == "uniform":
        return stats.uniform(loc=entry["low"], scale=entry["high"] - entry["low"])
    if d == "loguniform":
        return stats.loguniform(entry["low"], entry["high"])
    if d == "lognormal":
        return stats.lognorm(s=entry["sigma"], scale=entry["median"])
    if d == "beta":
        return stats.beta(entry["a"], entry["b"])
    if d == "dirichlet":  # shares in the order of entry["alpha"]
        return stats.dirichlet(list(entry["alpha"].values()))
    weights = np.asarray(entry.get("weights") or [1.0] * len(entry["values"]), dtype=float)
    return list(entry["values"]), weights / weights.sum()


def check_vary(check: Checker, cfg: Config) -> None:
    """Each cohort.vary entry: a known numeric key, a known distribution with
    sound parameters, and draws that the key accepts (checked at the 1e-9 and
    1 - 1e-9 quantiles, and at every value of a choice)."""
    if not cfg.cohort.vary:
        return
    if not isinstance(cfg.cohort.vary, dict):
        raise check.fail("cohort.vary", cfg.cohort.vary, SCHEMA["cohort"]["vary"].allowed())
    plain = dataclasses.replace(cfg, cohort=CohortSettings())
    extremes: dict[str, list] = {}
    one_key_dists = [d for d in VARY_PARAMS if d != "dirichlet"]
    for key, entry in cfg.cohort.vary.items():
        where = f"cohort.vary.{key}"
        if key == MIX_KEY:
            _check_mix(check, cfg.states, where, entry)
            continue
        parts = key.split(".")
        if parts[0] == "states" and parts[-1] == "initial_fraction":
            raise ConfigError(
                f"{check.source}: {where}: the states' initial shares add up to 1, so they "
                f'vary together, under one key\n  vary the whole mix: "{MIX_KEY}" = '
                f'{{ dist = "dirichlet", alpha = {_mix_example(cfg.states)} }}')
        spec = spec_for(key)
        if spec is None or spec.kind not in ("float", "int"):
            raise ConfigError(f"{check.source}: {where}: {key!r} is not a numeric key of the "
                              "scenario\n  vary a key such as mutation_rate, "
                              "tumour.initial_cells or drugs.A.kill_fraction")
        dist = entry.get("dist") if isinstance(entry, dict) else None
        if dist not in one_key_dists:
            why = (f'dist = "dirichlet" draws shares that add up to 1: only "{MIX_KEY}" takes it'
                   if dist == "dirichlet" else "")
            raise check.fail(where, entry, "a table with dist = " + ", ".join(
                repr(d) for d in one_key_dists) + " and its parameters", why)
        needed = VARY_PARAMS[dist]
        for extra in entry:
            if extra != "dist" and extra not in needed:
                raise check.unknown(where, extra, ["dist", *needed])
        for p in needed:
            if p not in entry and not (dist == "choice" and p == "weights"):
                raise ConfigError(f"{check.source}: {where}.{p} is missing\n  dist = "
                                  f"{dist!r} needs " + " and ".join(needed))
        if dist == "choice":
            values = entry["values"]
            if not isinstance(values, list) or not values:
                raise check.fail(f"{where}.values", values, "a non-empty list of values")
            weights = entry.get("weights", [1.0] * len(values))
            if (not isinstance(weights, list) or len(weights) != len(values)
                    or any(isinstance(w, bool) or not isinstance(w, (int, float))
                           or not math.isfinite(w) or w < 0 for w in weights)
                    or sum(weights) <= 0):
                raise check.fail(f"{where}.weights", weights,
                                 f"a list of {len(values)} finite non-negative numbers, not all 0")
            probes = values
        else:
            for p in needed:
                x = entry[p]
                if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                    raise check.fail(f"{where}.{p}", x, "a finite number")
            lo_ok = {"uniform": entry.get("low", 0) < entry.get("high", 0),
                     "loguniform": 0 < entry.get("low", 0) < entry.get("high", 0),
                     "lognormal": entry.get("median", 0) > 0 and entry.get("sigma", 0) > 0,
                     "beta": entry.get("a", 0) > 0 and entry.get("b", 0) > 0}[dist]
            if not lo_ok:
                rule = {"uniform": "low < high", "loguniform": "0 < low < high",
                        "lognormal": "median > 0 and sigma > 0", "beta": "a > 0 and b > 0"}
                raise check.fail(where, entry, f"parameters with {rule[dist]}")
            frozen = vary_distribution(entry)
            with np.errstate(over="ignore"):  # an absurd sigma: inf, refused just below
                probes = [float(frozen.ppf(1e-9)), float(frozen.ppf(1 - 1e-9))]
        extremes[key] = []
        for x in probes:
            value = round(x) if spec.kind == "int" and isinstance(x, float) else x
            try:
                plain.set(key, value)
            except ConfigError as exc:
                inner = str(exc).split(": ", 1)[-1].strip()  # without the file name
                raise ConfigError(f"{check.source}: {where} can draw {key} = {toml_text(value)}, "
                                  f"which the scenario does not accept:\n  {inner}") from None
            extremes[key].append(value)
    _check_jointly(check, plain, extremes)


#: How many corners of the draws :func:`_check_jointly` tries at most.
MAX_CORNERS = 256


def _check_jointly(check: Checker, plain: Config, extremes: dict[str, list]) -> None:
    """Each key's extreme draws together with every other's (the corners of the
    draws), so that a rule between keys (detection below lethal, a tumour that
    can grow) is broken before any patient runs, not by patient 137. Past
    :data:`MAX_CORNERS` corners, only the keys that rules link are combined."""
    keys = [k for k, v in extremes.items() if v]
    if math.prod(len(extremes[k]) for k in keys) > MAX_CORNERS:
        keys = [k for k in keys if k.split(".")[0] in ("tumour", "clinic", "simulation", "states",
                                                       "sites")]
    if len(keys) < 2 or math.prod(len(extremes[k]) for k in keys) > MAX_CORNERS:
        return
    for corner in itertools.product(*(extremes[k] for k in keys)):
        changes = dict(zip(keys, corner))
        try:
            plain.update(changes)
        except ConfigError as exc:
            inner = str(exc).split(": ", 1)[-1].strip()
            drawn = " together with ".join(f"{k} = {toml_text(v)}" for k, v in changes.items())
            raise ConfigError(f"{check.source}: cohort.vary can draw {drawn}, which the scenario "
                              f"does not accept:\n  {inner}") from None


def _mix_example(states: Mapping[str, Any]) -> str:
    """An alpha table for the scenario's own states, to show in messages."""
    return "{ " + ", ".join(f"{json.dumps(n)} = 1.0" for n in states) + " }"


def _check_mix(check: Checker, states: Mapping[str, State], where: str, entry: Any) -> None:
    """The phenotype mix: dist = "dirichlet" and a weight alpha > 0 for every
    state (the shares are drawn together because they add up to 1)."""
    names = list(states)
    example = _mix_example(states)
    if not isinstance(entry, dict) or entry.get("dist") != "dirichlet":
        raise check.fail(where, entry, f'a table with dist = "dirichlet" and alpha = {example}',
                         "the shares of the states add up to 1, so they are drawn together")
    for extra in entry:
        if extra not in VARY_PARAMS["dirichlet"] + ("dist",):
            raise check.unknown(where, extra, ["dist", "alpha"])
    if len(names) < 2:
        raise ConfigError(f"{check.source}: {where}: the scenario has one state ({names[0]}), "
                          "so there is no mix to vary\n  define two or more [states.NAME] tables")
    if "alpha" not in entry:
        raise ConfigError(f"{check.source}: {where}.alpha is missing\n  dist = 'dirichlet' "
                          f"needs alpha, a weight > 0 for every state, e.g. {example}")
    alpha = entry["alpha"]
    if not isinstance(alpha, dict):
        raise check.fail(f"{where}.alpha", alpha, f"a table of state names to weights > 0, "
                         f"e.g. {example}")
    weight = Spec("float", None, "a state's weight: its mean share is alpha / sum(alpha)",
                  lo=0.0, lo_open=True)
    for name, x in alpha.items():
        if name not in states:
            raise check.fail(f"{where}.alpha.{name}", x, "keyed by one of the states: "
                             + ", ".join(names), no_such("state", name, names))
        check.value(f"{where}.alpha.{name}", x, weight)
    missing = [n for n in names if n not in alpha]
    if missing:
        raise check.fail(f"{where}.alpha", alpha, "a weight for every state: " + ", ".join(names),
                         "missing: " + ", ".join(missing))


def check_arms(check: Checker, cfg: Config) -> None:
    """Every arm must turn the scenario into a valid one."""
    arms = cfg.cohort.arms
    if not arms:
        return
    if not isinstance(arms, dict):
        raise check.fail("cohort.arms", arms, SCHEMA["cohort"]["arms"].allowed())
    plain = dataclasses.replace(cfg, cohort=CohortSettings(vary=cfg.cohort.vary))
    for name, changes in arms.items():
        if not isinstance(changes, dict) or not changes:
            raise check.fail(f"cohort.arms.{name}", changes,
                             'a table of dotted keys to values, e.g. "therapy.policy" = "rebiopsy"')
        try:
            plain.update(changes)
        except ConfigError as exc:
            raise ConfigError(f"{check.source}: cohort.arms.{name} makes an invalid scenario:\n  "
                              + str(exc).split(": ", 1)[-1]) from None


def arm_config(cfg: Config, arm: str) -> Config:
    """The scenario with one arm's changes applied (and no arms left)."""
    if arm not in cfg.cohort.arms:
        raise ConfigError(f"{cfg.source}: no arm {arm!r}; arms: " + ", ".join(cfg.cohort.arms))
    plain = dataclasses.replace(cfg, cohort=CohortSettings(vary=cfg.cohort.vary))
    return plain.update(cfg.cohort.arms[arm])
