"""The checks: a raw scenario (nested dicts from TOML) in, validated settings
out, or one :class:`ConfigError` that names the source, the key, the value
and what is allowed.

These run before any kernel does, so a bad value is reported in the user's
words and not as a traceback from inside numba. The cohort's draws and arms,
which need a built Config, are checked in :mod:`.vary`.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import re
from typing import Any, Mapping

from .errors import ConfigError
from .schema import (DEFAULT_SITE, DEFAULT_STATE, MAX_CELLS, MAX_CLASSES, MAX_DRUGS,
                     MAX_RECORD_ROWS, SCHEMA, Spec, toml_text)
from .settings import (Clinic, CohortSettings, Drug, LocalTherapy, Mechanism, Simulation, Site,
                       State,
                       Therapy, Tumour)

__all__ = ["Checker", "check_tables", "drug_hint", "no_such"]

_DRUG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


#: Keys of earlier versions, and what replaced them (said instead of "unknown key").
RETIRED = {
    "clinic.response_factor": "scans are read as RECIST 1.1 does, on the sum of lesion "
                              "diameters: clinic.partial_response = 0.3 is a 30% decrease",
    "clinic.progression_factor": "scans are read as RECIST 1.1 does, on the sum of lesion "
                                 "diameters: clinic.progressive_disease = 0.2 is a 20% increase "
                                 "(and at least clinic.progression_min_mm)",
    "clinic.site_detection_cells": "the smallest lesion a scan shows is now "
                                   "clinic.imaging_limit_cells (diagnosis stays "
                                   "clinic.detection_cells)",
}


class Checker:
    """Carries the source name so every message can start with it."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, value: Any, allowed: str, why: str = "") -> ConfigError:
        msg = f"{self.source}: {key} = {toml_text(value)}\n  must be {allowed}"
        if why:
            msg += f" ({why})"
        return ConfigError(msg)

    def unknown(self, table: str, key: str, known: list[str]) -> ConfigError:
        where = f"{table}.{key}" if table else key
        if where in RETIRED:
            return ConfigError(f"{self.source}: {where} is no longer a key\n  {RETIRED[where]}")
        hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        msg = f"{self.source}: unknown key {where!r}"
        msg += f"; did you mean {hint[0]!r}?" if hint else ""
        msg += "\n  known keys here: " + ", ".join(sorted(known))
        return ConfigError(msg)

    def table(self, raw: Mapping[str, Any], table: str, spec: Mapping[str, Spec],
              extra_known: tuple[str, ...] = ()) -> dict[str, Any]:
        """Check one table's keys and values; return it with defaults filled in."""
        known = list(spec) + list(extra_known)
        for key in raw:
            if key not in known:
                raise self.unknown(table, key, known)
        out = {}
        for key, s in spec.items():
            full = f"{table}.{key}" if table else key
            if key in raw:
                out[key] = self.value(full, raw[key], s)
            else:
                out[key] = copy.deepcopy(s.default)
        return out

    def value(self, key: str, value: Any, s: Spec) -> Any:
        if s.kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(key, value, s.allowed(), s.doc)
            return value
        if s.kind == "str":
            if not isinstance(value, str):
                raise self.fail(key, value, s.allowed())
            return value
        if s.kind == "choice":
            if value not in s.choices:
                raise self.fail(key, value, s.allowed(), s.doc)
            return value
        if s.kind in ("lines", "resistant", "rates", "names", "fractions", "local", "vary",
                      "arms"):
            return value  # checked against the names they refer to, later
        # numbers; bool is an int in Python but never a number here
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, value, s.allowed(), s.doc)
        try:
            x = float(value)
        except OverflowError:
            raise self.fail(key, value, s.allowed(), s.doc) from None
        if not math.isfinite(x):
            raise self.fail(key, value, s.allowed(), "infinite or NaN values are not allowed")
        if s.kind == "int":
            if x != int(x):
                raise self.fail(key, value, s.allowed(), s.doc)
        if s.lo is not None and (x < s.lo or (s.lo_open and x == s.lo)):
            raise self.fail(key, value, s.allowed(), s.doc)
        if s.hi is not None and (x > s.hi or (s.hi_open and x == s.hi)):
            raise self.fail(key, value, s.allowed(), s.doc)
        return int(value) if s.kind == "int" else x


def check_tables(check: Checker, raw: Any) -> dict[str, Any]:
    """Check every table of a raw scenario (as read from TOML); return the
    fields of its :class:`~clonesim.config.Config`, defaults filled in.
    The cohort's draws and arms are checked on the built Config (:mod:`.vary`)."""
    source = check.source
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: a scenario must be a table of keys")
    sections = [k for k in SCHEMA if k and "." not in k] + ["drugs", "states", "sites",
                                                             "mechanisms"]
    top = check.table({k: v for k, v in raw.items() if not isinstance(v, dict)},
                      "", SCHEMA[""], extra_known=tuple(sections))
    for key, value in raw.items():
        if isinstance(value, dict) and key not in sections:
            if key in SCHEMA[""]:
                raise check.fail(key, value, SCHEMA[""][key].allowed(), SCHEMA[""][key].doc)
            raise check.unknown("", key, list(SCHEMA[""]) + sections)
        if key in sections and not isinstance(value, dict):
            raise ConfigError(f"{source}: {key} must be a table ([{key}] in TOML)")

    for needed in ("drugs", "therapy"):
        if needed not in raw:
            raise ConfigError(
                f"{source}: missing table [{needed}]\n  a scenario needs at least one drug "
                f"([drugs.A] with kill_fraction = 0.98) and [therapy] lines = [\"A\"]")

    tum = check.table(raw.get("tumour", {}), "tumour", SCHEMA["tumour"])
    clinic = Clinic(**check.table(raw.get("clinic", {}), "clinic", SCHEMA["clinic"]))
    if clinic.imaging_limit > clinic.detection_cells:
        raise check.fail("clinic.imaging_limit_cells", clinic.imaging_limit,
                         f"at most clinic.detection_cells = {clinic.detection_cells:g}",
                         "a scan that cannot see the tumour could not have found it")
    sim = Simulation(**check.table(raw.get("simulation", {}), "simulation", SCHEMA["simulation"]))
    states = _named(check, raw.get("states"), "states", State, DEFAULT_STATE)
    sites = _named(check, raw.get("sites"), "sites", Site, DEFAULT_SITE)
    if len(states) * len(sites) > MAX_CLASSES:
        raise ConfigError(f"{source}: {len(states)} states x {len(sites)} sites = "
                          f"{len(states) * len(sites)} classes; at most {MAX_CLASSES} are allowed")
    states = _state_links(check, states, list(sites))
    sites = _site_links(check, sites, tum["carrying_capacity"])
    drugs = _drugs(check, raw["drugs"], states, sites)
    mechanisms = _mechanisms(check, raw.get("mechanisms", {}), drugs)
    therapy = _therapy(check, raw["therapy"], drugs, sites)
    resistant = _initial_resistant(check, tum.pop("initial_resistant"), drugs)
    tumour = Tumour(initial_resistant=resistant, **tum)
    cohort = CohortSettings(**check.table(raw.get("cohort", {}), "cohort", SCHEMA["cohort"]))

    if clinic.detection_cells >= clinic.lethal_cells:
        raise check.fail("clinic.detection_cells", clinic.detection_cells,
                         f"below clinic.lethal_cells = {clinic.lethal_cells:g}",
                         "a tumour must be detectable before it is lethal")
    first, primary = next(iter(sites.items()))
    if primary.lethal_cells is not None and primary.lethal_cells <= clinic.detection_cells:
        raise check.fail(f"sites.{first}.lethal_cells", primary.lethal_cells,
                         f"above clinic.detection_cells = {clinic.detection_cells:g}",
                         f"the tumour starts in {first}, so the patient would die of it before "
                         "it could be diagnosed")
    total0 = tumour.initial_cells + sum(resistant.values())
    if total0 == 0:
        raise check.fail("tumour.initial_cells", tumour.initial_cells, "at least 1",
                         "the tumour needs a first cell")
    if total0 >= clinic.lethal_cells:
        raise check.fail("tumour.initial_cells", tumour.initial_cells,
                         f"such that all initial cells ({total0:g}) stay below "
                         f"clinic.lethal_cells = {clinic.lethal_cells:g}",
                         "the patient would be dead at day 0")
    if tumour.carrying_capacity and tumour.carrying_capacity < total0:
        raise check.fail("tumour.carrying_capacity", tumour.carrying_capacity,
                         f"0 (unlimited) or at least the initial burden ({total0:g})")
    if tumour.condition_on_detection and total0 < clinic.detection_cells:
        net = max(tumour.birth_rate * st.birth_factor * si.birth_factor
                  - tumour.death_rate * st.death_factor * si.death_factor
                  for st in states.values() for si in sites.values())
        if net < 0:
            raise check.fail("tumour.birth_rate", tumour.birth_rate,
                             f"above tumour.death_rate = {tumour.death_rate:g} in at least one "
                             "state and site, or tumour.condition_on_detection = false",
                             "a shrinking tumour never reaches clinic.detection_cells, so no "
                             "virtual patient could be drawn")
    if tumour.condition_on_detection and total0 < clinic.detection_cells and all(
            si.carrying_capacity for si in sites.values()):
        # divisions slow as b (1 - N/K): a site levels off near K (1 - d/b)
        plateau = sum(si.carrying_capacity * max(
            0.0, 1 - (tumour.death_rate * st.death_factor * si.death_factor)
            / max(tumour.birth_rate * st.birth_factor * si.birth_factor, 1e-300))
            for si in sites.values() for st in states.values())
        if plateau < clinic.detection_cells:
            key = ("tumour.carrying_capacity" if len(sites) == 1
                   else f"sites.{next(iter(sites))}.carrying_capacity")
            cap = next(iter(sites.values())).carrying_capacity
            raise check.fail(key, cap, f"large enough for the tumour to reach "
                             f"clinic.detection_cells = {clinic.detection_cells:g}, or 0 "
                             "(unlimited)",
                             f"growth levels off near K (1 - d/b), about {plateau:.3g} cells "
                             "in all, so no virtual patient would ever be found")
    records = sim.horizon_days / sim.record_interval_days
    if records > MAX_RECORD_ROWS:
        raise check.fail("simulation.record_interval_days", sim.record_interval_days,
                         f"at least {_round_up(sim.horizon_days / MAX_RECORD_ROWS)} with "
                         f"simulation.horizon_days = {sim.horizon_days:g}",
                         f"{records:,.0f} records of every cell type; at most "
                         f"{MAX_RECORD_ROWS:,} are kept")
    return dict(tumour=tumour, drugs=drugs, therapy=therapy, clinic=clinic, simulation=sim,
                states=states, sites=sites, cohort=cohort, mechanisms=mechanisms, **top)


def _mechanisms(check: Checker, raw: Any, drugs: Mapping[str, Drug]) -> dict[str, Mechanism]:
    """[mechanisms.NAME] tables: each a genotype bit of its own, after the drugs'."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{check.source}: mechanisms must be a table ([mechanisms.NAME])")
    if len(drugs) + len(raw) > MAX_DRUGS:
        raise ConfigError(f"{check.source}: {len(drugs)} drugs and {len(raw)} mechanisms; at "
                          f"most {MAX_DRUGS} in all (each is one bit of a genotype)")
    out = {}
    for name, body in raw.items():
        if not _DRUG_NAME.match(name) or name in drugs:
            raise ConfigError(f"{check.source}: mechanism name {name!r} must start with a "
                              "letter, hold only letters, digits, '_' or '-', and differ from "
                              "every drug's name")
        if not isinstance(body, dict):
            raise ConfigError(f"{check.source}: mechanisms.{name} must be a table "
                              f"([mechanisms.{name}])")
        key = f"mechanisms.{name}"
        values = check.table(body, key, SCHEMA["mechanisms.*"])
        protects = values["protects"]
        if not isinstance(protects, list) or not protects or not all(
                isinstance(d, str) for d in protects):
            raise check.fail(f"{key}.protects", protects,
                             "a non-empty list of drug names: " + ", ".join(drugs))
        for d in protects:
            if d not in drugs:
                raise check.fail(f"{key}.protects", protects,
                                 "made of defined drugs: " + ", ".join(drugs),
                                 no_such("drug", d, list(drugs)))
        out[name] = Mechanism(name=name, **{**values, "protects": tuple(protects)})
    return out


def _round_up(x: float) -> str:
    """``x`` to three significant figures, rounded up (a floor to quote)."""
    step = 10.0 ** (math.floor(math.log10(x)) - 2)
    return f"{math.ceil(x / step) * step:.3g}"


def _named(check: Checker, raw: Any, table: str, cls, default: str) -> dict[str, Any]:
    """[states.NAME] or [sites.NAME] tables -> name: dataclass, in file order."""
    if raw is None:
        return {default: cls(default)}
    if not raw:
        raise ConfigError(f"{check.source}: [{table}] is empty; define at least one, e.g. "
                          f"[{table}.{default}], or leave the table out")
    spec = SCHEMA[f"{table}.*"]
    out = {}
    for name, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{check.source}: {table}.{name} must be a table "
                              f'([{table}."{name}"] in TOML)')
        out[name] = cls(name=name, **check.table(body, f"{table}.{name}", spec))
    return out


def _rates(check: Checker, key: str, value: Any, names, spec: Spec, self_name: str,
           what: str | None = None) -> dict[str, float]:
    """A table of other names (states, or sites: ``what``) to rates (switching,
    migration, tropism), each checked."""
    if not isinstance(value, dict):
        raise check.fail(key, value, spec.allowed(), spec.doc)
    rate = Spec("float", 0.0, spec.doc, spec.unit, lo=spec.lo, hi=spec.hi)
    out = {}
    for other, x in value.items():
        if other not in names or other == self_name:
            hint = difflib.get_close_matches(other, [n for n in names if n != self_name], n=1)
            why = (f"no site named {other!r}" if what == "site"
                   else f"no other {key.split('.')[0][:-1]} named {other!r}")
            why += f"; did you mean {hint[0]!r}?" if hint else ""
            raise check.fail(f"{key}.{other}", x,
                             "keyed by one of " + ", ".join(n for n in names if n != self_name),
                             why)
        out[other] = check.value(f"{key}.{other}", x, rate)
    return out


def _state_links(check: Checker, states: dict[str, State], sites: list[str]
                 ) -> dict[str, State]:
    given = {n: st.initial_fraction for n, st in states.items() if st.initial_fraction is not None}
    if given and abs(sum(given.values()) - 1.0) > 1e-9:
        raise ConfigError(
            f"{check.source}: states.*.initial_fraction adds up to {sum(given.values()):.6g}\n"
            f"  must add up to 1 over the states that set it ({', '.join(given)})")
    return {name: dataclasses.replace(
                st, switch_to=_rates(check, f"states.{name}.switch_to", st.switch_to,
                                     list(states), SCHEMA["states.*"]["switch_to"], name),
                tropism=_rates(check, f"states.{name}.tropism", st.tropism, sites,
                               SCHEMA["states.*"]["tropism"], "", what="site"))
            for name, st in states.items()}


def _site_links(check: Checker, sites: dict[str, Site], default_capacity: float
                ) -> dict[str, Site]:
    out = {}
    for name, si in sites.items():
        migrate = _rates(check, f"sites.{name}.migrate_to", si.migrate_to, list(sites),
                         SCHEMA["sites.*"]["migrate_to"], name)
        cap = si.carrying_capacity if si.carrying_capacity is not None else default_capacity
        out[name] = dataclasses.replace(si, migrate_to=migrate, carrying_capacity=cap)
    return out


def _therapy(check: Checker, raw: Any, drugs: Mapping[str, Drug], sites) -> Therapy:
    if not isinstance(raw, dict):
        raise ConfigError(f"{check.source}: therapy must be a table ([therapy] in TOML)")
    values = check.table(raw, "therapy", SCHEMA["therapy"])
    values["lines"] = _lines(check, raw, drugs)
    if values["rebiopsy_site"] not in ("largest", "blood") and values["rebiopsy_site"] not in sites:
        raise check.fail("therapy.rebiopsy_site", values["rebiopsy_site"],
                         "'largest', 'blood' or one of the sites: " + ", ".join(sites))
    on, off = values["holiday_on_days"], values["holiday_off_days"]
    if (on > 0) != (off > 0):
        raise check.fail("therapy.holiday_off_days" if on else "therapy.holiday_on_days",
                         off if on else on, "> 0 as well",
                         "drug holidays need both holiday_on_days and holiday_off_days")
    if values["policy"] == "adaptive" and values["adaptive_resume_at"] <= values[
            "adaptive_pause_at"]:
        raise check.fail("therapy.adaptive_resume_at", values["adaptive_resume_at"],
                         f"above therapy.adaptive_pause_at = {values['adaptive_pause_at']:g}",
                         "therapy resumes once the tumour has regrown")
    local = values["local"]
    if not isinstance(local, list):
        raise check.fail("therapy.local", local, SCHEMA["therapy"]["local"].allowed())
    items = []
    for i, body in enumerate(local):
        key = f"therapy.local[{i}]"
        if not isinstance(body, dict):
            raise check.fail(key, body, "a table with kind, site, fraction and trigger")
        item = check.table(body, key, SCHEMA["therapy.local[]"])
        if item["site"] is None:
            raise ConfigError(f"{check.source}: {key}.site is missing\n  must be one of the "
                              "sites: " + ", ".join(sites))
        if item["site"] not in sites:
            hint = difflib.get_close_matches(str(item["site"]), list(sites), n=1)
            raise check.fail(f"{key}.site", item["site"], "one of the sites: " + ", ".join(sites),
                             f"did you mean {hint[0]!r}?" if hint else "no such site")
        items.append(LocalTherapy(**item))
    values["local"] = tuple(items)
    return Therapy(**values)


def _drugs(check: Checker, raw: Any, states: Mapping[str, State] = None,
           sites: Mapping[str, Site] = None) -> dict[str, Drug]:
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{check.source}: [drugs] must define at least one drug, "
                          "e.g. [drugs.A] kill_fraction = 0.98")
    if len(raw) > MAX_DRUGS:
        raise ConfigError(f"{check.source}: {len(raw)} drugs defined; at most {MAX_DRUGS} "
                          "are allowed (resistance is a bitmask over the drugs)")
    out = {}
    spec = SCHEMA["drugs.*"]
    for name, body in raw.items():
        if not _DRUG_NAME.match(name):
            raise ConfigError(
                f"{check.source}: drug name {name!r} must start with a letter and hold only "
                "letters, digits, '_' or '-' ('+' joins drugs into a combination)")
        if not isinstance(body, dict):
            raise ConfigError(f"{check.source}: drugs.{name} must be a table ([drugs.{name}])")
        values = check.table(body, f"drugs.{name}", spec)
        pulsed_only = ("kill_fraction", "dose_interval_days")
        if values["kill"] == "continuous":
            for key in pulsed_only:
                if key in body:
                    raise check.fail(f"drugs.{name}.{key}", body[key],
                                     "left out for a continuous drug",
                                     "it applies to kill = 'pulsed'; use kill_rate")
            if "kill_rate" not in body:
                raise ConfigError(
                    f"{check.source}: drugs.{name}.kill_rate is missing\n  a continuous drug "
                    "needs kill_rate > 0 (its extra death rate, per cell per day)")
            if values["kill_rate"] <= 0:
                raise check.fail(f"drugs.{name}.kill_rate", values["kill_rate"], "> 0",
                                 "a continuous drug kills through its extra death rate")
        elif "kill_rate" in body:
            raise check.fail(f"drugs.{name}.kill_rate", body["kill_rate"],
                             "left out for a pulsed drug",
                             "it applies to kill = 'continuous'; use kill_fraction")
        values["targets"] = _targets(check, f"drugs.{name}.targets", values["targets"],
                                     states or {DEFAULT_STATE: None})
        values["penetration"] = _penetration(check, f"drugs.{name}.penetration",
                                             values["penetration"], sites or {DEFAULT_SITE: None})
        out[name] = Drug(name=name, **values)
    return out


def _targets(check: Checker, key: str, value: Any, states) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise check.fail(key, value, "a non-empty list of state names: " + ", ".join(states))
    for v in value:
        if v not in states:
            raise check.fail(key, value, "made of defined states: " + ", ".join(states),
                             no_such("state", v, list(states)))
    return tuple(value)


def _penetration(check: Checker, key: str, value: Any, sites) -> dict[str, float]:
    if not isinstance(value, dict):
        raise check.fail(key, value, "a table of site names to fractions in [0, 1]")
    spec = Spec("float", 1.0, "the fraction of the drug's effect that reaches the site",
                "fraction", lo=0.0, hi=1.0)
    out = {}
    for site, x in value.items():
        if site not in sites:
            raise check.fail(f"{key}.{site}", x, "keyed by one of the sites: " + ", ".join(sites),
                             no_such("site", site, list(sites)))
        out[site] = check.value(f"{key}.{site}", x, spec)
    return out


def _parse_drug_set(check: Checker, key: str, text: Any, drugs: Mapping[str, Drug]
                    ) -> tuple[str, ...]:
    if not isinstance(text, str) or not text.strip():
        raise check.fail(key, text, 'a drug name or a combination such as "A+B"')
    names = tuple(part.strip() for part in text.split("+"))
    for part in names:
        if part not in drugs:
            if not part:
                why = "'+' must join two drug names"
            else:
                hint = drug_hint(part, drugs)
                why = f"no drug named {part!r}" + (f"; did you mean {hint!r}?" if hint else "")
            raise check.fail(key, text, "made of defined drugs: " + ", ".join(drugs), why)
    if len(set(names)) != len(names):
        raise check.fail(key, text, "a set of distinct drugs", "a drug is named twice")
    return names


def _lines(check: Checker, raw: Any, drugs: Mapping[str, Drug]) -> tuple[tuple[str, ...], ...]:
    lines = raw.get("lines")
    spec = SCHEMA["therapy"]["lines"]
    if lines is None:
        raise ConfigError(f"{check.source}: therapy.lines is missing\n  must be {spec.allowed()}")
    if not isinstance(lines, list) or not lines:
        raise check.fail("therapy.lines", lines, spec.allowed())
    return tuple(_parse_drug_set(check, f"therapy.lines[{i}]", line, drugs)
                 for i, line in enumerate(lines))


def _initial_resistant(check: Checker, raw: Any, drugs: Mapping[str, Drug]) -> dict[str, int]:
    spec = SCHEMA["tumour"]["initial_resistant"]
    if not isinstance(raw, dict):
        raise check.fail("tumour.initial_resistant", raw, spec.allowed())
    count = Spec("int", 0, "cells resistant to this drug set at day 0", "cells", lo=0, hi=MAX_CELLS)
    out = {}
    order = list(drugs)
    for label, n in raw.items():
        key = f"tumour.initial_resistant.{label}"
        names = sorted(_parse_drug_set(check, "tumour.initial_resistant", label, drugs),
                       key=order.index)  # "B+A" and "A+B" are one genotype
        canonical = "+".join(names)
        out[canonical] = out.get(canonical, 0) + check.value(key, n, count)
    return out


def no_such(kind: str, name: str, names: list[str]) -> str:
    """'no state named 'X'; did you mean 'Y'?' for a misspelt name."""
    hint = difflib.get_close_matches(name, names, n=1)
    return f"no {kind} named {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")


def drug_hint(name: str, drugs) -> str | None:
    """The defined drug a misspelt name most likely meant (case first, then spelling)."""
    by_lower = {d.lower(): d for d in drugs}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    hint = difflib.get_close_matches(name, list(drugs), n=1, cutoff=0.5)
    return hint[0] if hint else None
