"""The whole scenario: :class:`Config`, and :func:`build`, the one way to make
one from raw tables.

:func:`build` lives next to :class:`Config` because each needs the other:
``Config.from_dict`` / ``Config.update`` build a new, checked Config, and the
cohort checks run on a built Config. The table checks (:mod:`.checks`) and
the cohort checks (:mod:`.vary`) never import this module at run time, so
there is no cycle.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

from .checks import Checker, check_tables
from .keys import assign, check_existing_entry
from .schema import DEFAULT_SITE, DEFAULT_STATE
from .settings import (Clinic, CohortSettings, Drug, Mechanism, Simulation, Site, State,
                       Therapy, Tumour)
from .vary import check_arms, check_vary

__all__ = ["Config", "build"]


@dataclass(frozen=True)
class Config:
    """A validated scenario. Build it with :func:`load_config` or
    :meth:`Config.from_dict`; change it with :meth:`Config.set`, which
    returns a new, validated config.

    Examples
    --------
    >>> cfg = load_config("configs/classic_98_2.toml")        # doctest: +SKIP
    >>> cfg2 = cfg.set("drugs.A.kill_fraction", 0.9)           # doctest: +SKIP
    """

    tumour: Tumour
    drugs: Mapping[str, Drug]
    therapy: Therapy
    clinic: Clinic = Clinic()
    simulation: Simulation = Simulation()
    states: Mapping[str, State] = field(default_factory=lambda: {DEFAULT_STATE: State(
        DEFAULT_STATE)})
    sites: Mapping[str, Site] = field(default_factory=lambda: {DEFAULT_SITE: Site(DEFAULT_SITE)})
    cohort: CohortSettings = CohortSettings()
    mechanisms: Mapping[str, Mechanism] = field(default_factory=dict)
    mutation_rate: float = 1e-7
    title: str = ""
    description: str = ""
    source: str = "<config>"

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], source: str = "<config>") -> "Config":
        """Validate a nested dict (as read from TOML) and build a Config.

        Raises
        ------
        ConfigError
            Naming the source, the key, the value and what is allowed.
        """
        return build(raw, source)

    def to_dict(self) -> dict[str, Any]:
        """The config as a nested dict that :meth:`from_dict` accepts (and TOML can hold)."""
        out: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "mutation_rate": self.mutation_rate,
            "tumour": dataclasses.asdict(self.tumour),
            "drugs": {},
            "therapy": dataclasses.asdict(self.therapy),
            "clinic": _drop_none(dataclasses.asdict(self.clinic)),
            "simulation": dataclasses.asdict(self.simulation),
        }
        out["therapy"]["lines"] = ["+".join(line) for line in self.therapy.lines]
        if self.therapy.local:
            out["therapy"]["local"] = [dataclasses.asdict(lt) for lt in self.therapy.local]
        else:
            out["therapy"].pop("local")
        if list(self.states) != [DEFAULT_STATE]:
            out["states"] = {n: _drop_none(dataclasses.asdict(st), "name")
                             for n, st in self.states.items()}
        plain_site = Site(DEFAULT_SITE, carrying_capacity=self.tumour.carrying_capacity)
        if list(self.sites) != [DEFAULT_SITE] or self.sites[DEFAULT_SITE] != plain_site:
            out["sites"] = {n: _drop_none(dataclasses.asdict(si), "name")
                            for n, si in self.sites.items()}
        if self.mechanisms:
            out["mechanisms"] = {n: {**_drop_none(dataclasses.asdict(m), "name"),
                                     "protects": list(m.protects)}
                                 for n, m in self.mechanisms.items()}
        if self.cohort.vary or self.cohort.arms:
            out["cohort"] = {k: copy.deepcopy(dict(v))
                             for k, v in dataclasses.asdict(self.cohort).items() if v}
        out["tumour"]["initial_resistant"] = dict(self.tumour.initial_resistant)
        for name, drug in self.drugs.items():
            d = _drop_none(dataclasses.asdict(drug), "name")
            if d.get("targets") is not None:
                d["targets"] = list(d["targets"])
            if drug.kill == "pulsed":
                d.pop("kill_rate")
            else:
                d.pop("kill_fraction")
                d.pop("dose_interval_days")
            out["drugs"][name] = d
        return out

    def set(self, key: str, value: Any) -> "Config":
        """Return a copy with one dotted key changed, e.g. ``"drugs.A.kill_fraction"``."""
        return self.update({key: value})

    def update(self, changes: Mapping[str, Any]) -> "Config":
        """Return a copy with several dotted keys changed at once."""
        raw = self.to_dict()
        for key, value in changes.items():
            check_existing_entry(raw, key, self.source)
            assign(raw, key, value)
        # to_dict writes every key of a drug's kind; when the kind changes, drop the
        # keys of the old kind that the caller did not set explicitly.
        other_kind = {"pulsed": ("kill_rate",),
                      "continuous": ("kill_fraction", "dose_interval_days")}
        for name, body in raw.get("drugs", {}).items():
            old = self.drugs.get(name)
            if isinstance(body, dict) and old is not None and body.get("kill") != old.kill:
                for k in other_kind.get(body.get("kill"), ()):
                    if f"drugs.{name}.{k}" not in changes:
                        body.pop(k, None)
        return build(raw, self.source)

    # -- derived facts --------------------------------------------------------

    @property
    def drug_names(self) -> tuple[str, ...]:
        """Drug names in the order they define resistance bits (bit j = drug j)."""
        return tuple(self.drugs)

    @property
    def bit_names(self) -> tuple[str, ...]:
        """The genotype's bits: one per drug, then one per cross-resistance mechanism."""
        return tuple(self.drugs) + tuple(self.mechanisms)

    def drug_mutation_rate(self, name: str) -> float:
        """The per-division resistance probability for one drug or mechanism
        (its own rate, or the top-level default)."""
        u = (self.drugs[name] if name in self.drugs else self.mechanisms[name]).mutation_rate
        return self.mutation_rate if u is None else u


def build(raw: Mapping[str, Any], source: str) -> Config:
    """Check a raw scenario and build its :class:`Config`.

    Raises
    ------
    ConfigError
        Naming the source, the key, the value and what is allowed.
    """
    check = Checker(source)
    cfg = Config(source=source, **check_tables(check, raw))
    check_vary(check, cfg)
    check_arms(check, cfg)
    return cfg


def _drop_none(d: dict[str, Any], *also: str) -> dict[str, Any]:
    """A dataclass dict without its name and without unset (None) optional keys."""
    return {k: v for k, v in d.items() if v is not None and k not in also}
