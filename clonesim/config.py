"""Scenario configuration: TOML in, validated frozen dataclasses out.

Every check on user input lives here, before any kernel runs, so a bad value
is reported with the file, the key, the value and what is allowed instead of a
traceback from deep inside numba. The schema is data (:data:`SCHEMA`): the
checks, the error messages and the key reference in ``docs/config.md`` are all
made from it, so they cannot drift apart.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

__all__ = [
    "ConfigError",
    "MISSING",
    "Verbatim",
    "Config",
    "Tumour",
    "Drug",
    "Therapy",
    "Clinic",
    "Simulation",
    "load_config",
    "parse_assignment",
    "SCHEMA",
    "MAX_DRUGS",
]

MAX_DRUGS = 16
MAX_CLASSES = 64  # states x sites
DEFAULT_STATE = "any"
DEFAULT_SITE = "primary"
INT64_MAX = 2**63 - 1
MAX_CELLS = 1e15  # keeps every count far from int64 overflow (9.2e18)
MAX_HORIZON_DAYS = 36_500.0
_DRUG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


class _Missing:
    """The value of a parameter that was not given at all."""

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # one object, also after pickling


#: The ``value`` of a :class:`ConfigError` about a parameter that was not given.
MISSING = _Missing()


class Verbatim(str):
    """A placeholder written as is in every wording (``N``, ``K/2``), never quoted."""

    def __repr__(self) -> str:
        return str(self)


#: ``{name}`` or ``{name=VALUE}`` in a message: another parameter, named in the
#: message's wording; VALUE is a Python literal, or a placeholder such as N.
_REF = re.compile(r"\{([a-z][a-z_]*)(?:=([^{}\n]*))?\}")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value) if isinstance(value, Path) else value


def key_words(param: str, value: Any = MISSING) -> str:
    """A parameter as Python names it: ``replicates``, ``replicates = 0``,
    ``axes entry 'mutation_rate=1:2:0'`` (one of the axes)."""
    if value is MISSING:
        return param
    shown = repr(_plain(value))
    return f"axes entry {shown}" if param == "axes" else f"{param} = {shown}"


def file_words(param: str, value: Any = MISSING) -> str:
    """A parameter as a sweep file writes it: ``replicates = 0``, ``design = "lhs"``."""
    if value is MISSING:
        return param
    value = _plain(value)
    return f"{param} = {value if isinstance(value, Verbatim) else toml_text(value)}"


def _ref_value(text: str | None) -> Any:
    if text is None:
        return MISSING
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return Verbatim(text)


class ConfigError(ValueError):
    """A scenario or a call that cannot be run, with a message meant for the user.

    Most errors are a message about a scenario file, which names the file and
    the key. An error about one *parameter* of a call (a keyword of
    :func:`clonesim.sweep`, which is also a key of a sweep file and a flag of
    ``clonesim sweep``) is structured instead, so that each front end names
    the parameter in its own words: ``str()`` says ``replicates = 0: must be
    at least 1``; the command line renders ``--replicates 0: must be at least
    1`` from the same error (:meth:`render`); an error read from a sweep file
    names the file and the key as the file writes it.

    Parameters
    ----------
    message
        The whole message, as is (an unstructured error).
    param
        The parameter: a Python keyword such as ``replicates``, ``axes``,
        ``chunk_size`` or ``fmt``; in an error about a sweep file
        (``source``), the key as the file writes it.
    value
        The value given; :data:`MISSING` when it was not given (the message
        then says the parameter is missing).
    allowed
        What is allowed, or what is wrong and what to do, in words. Another
        parameter is written ``{name}``, or ``{name=VALUE}`` with a value (a
        Python literal, or a placeholder such as ``N``), and is named in the
        same words as ``param``. Without ``param``, the whole message.
    hint
        A second line: how to write the value.
    source
        The file the value was read from (a sweep file), named first.
    """

    def __init__(self, message: str = "", *, param: str | None = None, value: Any = MISSING,
                 allowed: str | None = None, hint: str | None = None,
                 source: str | Path | None = None):
        self.param = param
        self.value = value
        self.allowed = allowed
        self.hint = hint
        self.source = None if source is None else str(source)
        super().__init__(message if allowed is None else self.render())

    @property
    def structured(self) -> bool:
        """Whether the message is made from param, value and allowed (see :meth:`render`)."""
        return self.allowed is not None

    def _refs(self, text: str, words) -> str:
        return _REF.sub(lambda m: words(m[1], _ref_value(m[2])), text)

    def reason(self, words=None) -> str:
        """``allowed`` alone, with the parameters it refers to named by ``words``
        (as for :meth:`render`)."""
        if not self.structured:
            return str(self)
        return self._refs(self.allowed, words or (file_words if self.source else key_words))

    def render(self, words=None, source: str | Path | None = None) -> str:
        """The message with every parameter named by ``words(param, value)``.

        Parameters
        ----------
        words
            ``words(name, value)`` -> how to name a parameter (``value`` is
            :data:`MISSING` when there is none to show): :func:`key_words`
            (the default, Python keywords), :func:`file_words` (the default
            with a ``source``), or the command line's flags.
        source
            The file to name first, instead of ``self.source``.

        Returns
        -------
        str
            ``source: param = value: allowed``, then the hint on a line of its
            own; ``param is missing: ...`` without a value; without a source,
            no ``source:``.
        """
        if not self.structured:
            return str(self)
        source = self.source if source is None else str(source)
        words = words or (file_words if source else key_words)
        text = self._refs(self.allowed, words)
        if self.param is not None:
            head = words(self.param, self.value)
            text = f"{head} is missing: {text}" if self.value is MISSING else f"{head}: {text}"
        if self.hint:
            text += "\n  " + self._refs(self.hint, words)
        return f"{source}: {text}" if source else text

    def in_file(self, source: str | Path) -> "ConfigError":
        """This error as read from the sweep file ``source`` (named first, in its keys)."""
        if not self.structured:
            return ConfigError(f"{source}: {self}")
        return ConfigError(param=self.param, value=self.value, allowed=self.allowed,
                           hint=self.hint, source=source)


# ----------------------------------------------------------------------------
# The schema: one entry per key, read by the validator and the docs generator.
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What one config key may hold and what it means."""

    kind: str  # "float", "int", "bool", "str", "choice", "lines", "resistant"
    default: Any
    doc: str
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()

    def allowed(self) -> str:
        """Say in words what values pass, for error messages and docs."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "str":
            return "a string"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "lines":
            return 'a non-empty list of lines, each a drug name or a combination such as "A+B"'
        if self.kind == "rates":
            return "a table of names to rates >= 0"
        if self.kind == "names":
            return "a list of names"
        if self.kind == "fractions":
            return "a table of site names to fractions in [0, 1]"
        if self.kind == "local":
            return "a list of [[therapy.local]] tables"
        if self.kind == "vary":
            return "a table of dotted keys to distributions"
        if self.kind == "arms":
            return "a table of arm names, each a table of dotted keys to values"
        if self.kind == "resistant":
            return 'a table of drug sets to cell counts, such as { A = 100, "A+B" = 1 }'
        what = "a whole number" if self.kind == "int" else "a number"
        if self.lo is not None and self.hi is not None:
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            return f"{what} in {left}{_num(self.lo)}, {_num(self.hi)}{right}"
        if self.lo is not None:
            return f"{what} {'>' if self.lo_open else '>='} {_num(self.lo)}"
        return what


def toml_text(value: Any) -> str:
    """A value as it would be written in TOML: 1e+13, not 10000000000000.0; true, not True."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.8g}"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_text(v)}" for k, v in value.items()) + " }"
    return repr(value)


def _num(x: float) -> str:
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    return f"{x:g}"


def _rate(doc: str, default: float, hi: float = 100.0) -> Spec:
    return Spec("float", default, doc, "per cell per day", lo=0.0, hi=hi)


SCHEMA: dict[str, dict[str, Spec]] = {
    "": {
        "title": Spec("str", "", "A one-line title shown in summaries and figures."),
        "description": Spec("str", "", "The story this scenario tells, for the teacher."),
        "mutation_rate": Spec(
            "float", 1e-7,
            "Probability that a newborn cell carries a new resistance to a given drug, "
            "per division (Luria-Delbrück's u). A drug may override it.",
            "per division", lo=0.0, hi=1.0),
    },
    "tumour": {
        "initial_cells": Spec(
            "int", 1, "Cells at day 0, sensitive to every drug unless listed in initial_resistant.",
            "cells", lo=0, hi=MAX_CELLS),
        "birth_rate": _rate("Division rate of a cell that carries no resistance cost.", 0.25),
        "death_rate": _rate("Death rate of a cell without treatment.", 0.20),
        "carrying_capacity": Spec(
            "float", 0.0,
            "Logistic carrying capacity: divisions slow as the burden nears it. "
            "0 means unlimited (exponential growth).", "cells", lo=0.0, hi=MAX_CELLS),
        "initial_resistant": Spec(
            "resistant", {},
            'Cells already resistant at day 0, by drug set: { A = 100, "A+B" = 1 }.', "cells"),
        "condition_on_detection": Spec(
            "bool", True,
            "A virtual patient is someone whose tumour was found: a tumour that dies out "
            "before detection is redrawn from day 0 (exact conditioning by rejection). "
            "Set false to study extinction itself."),
    },
    "drugs.*": {
        "kill": Spec(
            "choice", "pulsed",
            "How the drug kills: 'pulsed' (each dose kills a fixed fraction of the "
            "susceptible cells, log-kill) or 'continuous' (an extra death rate while given).",
            choices=("pulsed", "continuous")),
        "kill_fraction": Spec(
            "float", 0.98, "Pulsed drugs: the fraction of susceptible cells one dose kills.",
            "fraction", lo=0.0, hi=1.0),
        "dose_interval_days": Spec(
            "float", 21.0, "Pulsed drugs: days between doses (a chemotherapy cycle).",
            "days", lo=0.0, hi=MAX_HORIZON_DAYS, lo_open=True),
        "kill_rate": Spec(
            "float", 0.0, "Continuous drugs: extra death rate of susceptible cells while given.",
            "per cell per day", lo=0.0, hi=100.0),
        "mutation_rate": Spec(
            "float", None, "Per-division probability of a new resistance to this drug; "
            "defaults to the top-level mutation_rate.", "per division", lo=0.0, hi=1.0),
        "resistance_cost": Spec(
            "float", 0.0, "Fitness cost of carrying this resistance: the birth rate is "
            "multiplied by (1 - cost).", "fraction", lo=0.0, hi=1.0, hi_open=True),
        "targets": Spec(
            "names", None, 'Phenotype states the drug acts on, e.g. ["ER+"] for hormone '
            "therapy (default: every state)."),
        "penetration": Spec(
            "fractions", {}, "Per site, the fraction of the drug's effect that reaches it, e.g. "
            "{ brain = 0.05 } for a sanctuary (default 1 everywhere).", "fraction"),
    },
    "states.*": {
        "initial_fraction": Spec(
            "float", None, "Fraction of the initial cells in this state. If no state sets it, "
            "every cell starts in the first state; if some do, they must sum to 1. A cohort "
            "can draw the mix per patient (cohort.vary, dist = 'dirichlet').",
            "fraction", lo=0.0, hi=1.0),
        "birth_factor": Spec("float", 1.0, "Multiplies the birth rate of cells in this state.",
                             "factor", lo=0.0, hi=100.0),
        "death_factor": Spec("float", 1.0, "Multiplies the death rate of cells in this state.",
                             "factor", lo=0.0, hi=100.0),
        "switch_to": Spec(
            "rates", {}, 'Phenotype switching (plasticity): rate per cell per day to each other '
            'state, e.g. { "ER-" = 1e-4 }.', "per cell per day", lo=0.0, hi=100.0),
    },
    "sites.*": {
        "carrying_capacity": Spec(
            "float", None, "Logistic carrying capacity of this site (0 = unlimited); defaults "
            "to tumour.carrying_capacity.", "cells", lo=0.0, hi=MAX_CELLS),
        "birth_factor": Spec("float", 1.0, "Multiplies the birth rate of cells at this site.",
                             "factor", lo=0.0, hi=100.0),
        "death_factor": Spec("float", 1.0, "Multiplies the death rate of cells at this site.",
                             "factor", lo=0.0, hi=100.0),
        "migrate_to": Spec(
            "rates", {}, "Migration: rate per cell per day at which a cell leaves this site and "
            "founds (or joins) a clone at another, e.g. { liver = 1e-9 }.", "per cell per day",
            lo=0.0, hi=100.0),
    },
    "therapy": {
        "lines": Spec(
            "lines", None,
            'Drug lines in order, each switched at progression: ["A", "B", "A+B"].'),
        "policy": Spec(
            "choice", "sequence",
            "'sequence': the lines in order. 'rebiopsy': at each progression a re-biopsy "
            "samples cells and the next line is the first unused line in `lines` that the "
            "sample looks sensitive to. 'adaptive': each line pauses when the burden falls to "
            "adaptive_pause_at of its start value and resumes when it regrows to "
            "adaptive_resume_at; both are checked at the scans (clinic.scan_interval_days), "
            "as a clinic measures the burden at visits.",
            choices=("sequence", "rebiopsy", "adaptive")),
        "rebiopsy_cells": Spec("int", 100, "Cells a re-biopsy samples.", "cells",
                               lo=1, hi=1e6),
        "rebiopsy_site": Spec("str", "largest",
                              "Site the re-biopsy samples: a site name, or 'largest'."),
        "sensitive_fraction": Spec(
            "float", 0.5, "A sample reads as sensitive to a line when at least this fraction "
            "of its cells is susceptible to every drug of the line.", "fraction",
            lo=0.0, hi=1.0, lo_open=True),
        "adaptive_pause_at": Spec(
            "float", 0.5, "Adaptive therapy: pause when the burden is at most this fraction of "
            "its value at the start of the line.", "fraction", lo=0.0, hi=1.0,
            lo_open=True, hi_open=True),
        "adaptive_resume_at": Spec(
            "float", 1.0, "Adaptive therapy: resume when the burden is back to this fraction "
            "of its value at the start of the line.", "fraction", lo=0.0, hi=10.0,
            lo_open=True),
        "holiday_on_days": Spec(
            "float", 0.0, "Drug holidays: days on treatment before each break (0 = no "
            "holidays).", "days", lo=0.0, hi=MAX_HORIZON_DAYS),
        "holiday_off_days": Spec("float", 0.0, "Drug holidays: days of each break.", "days",
                                 lo=0.0, hi=MAX_HORIZON_DAYS),
        "local": Spec("local", [], "Local therapies ([[therapy.local]] tables, see below)."),
    },
    "therapy.local[]": {
        "kind": Spec("choice", "surgery", "'surgery' removes, 'radiation' kills, a fraction "
                     "of one site's cells, whatever their resistance.",
                     choices=("surgery", "radiation")),
        "site": Spec("str", None, "The site treated (required)."),
        "fraction": Spec("float", 0.99, "Fraction of the site's cells removed or killed.",
                         "fraction", lo=0.0, hi=1.0),
        "trigger": Spec(
            "choice", "site detected", "When: 'site detected' (the first scan that sees the "
            "site), 'detection' (at diagnosis) or 'day' (the given day after detection).",
            choices=("site detected", "detection", "day")),
        "day": Spec("float", 0.0, "With trigger = 'day': days after detection.", "days",
                    lo=0.0, hi=MAX_HORIZON_DAYS),
    },
    "clinic": {
        "detection_cells": Spec(
            "float", 1e9, "Burden at which a tumour is detected and therapy starts (1e9 cells ~ 1 cm3).",
            "cells", lo=1.0, hi=MAX_CELLS),
        "lethal_cells": Spec(
            "float", 1e12, "Burden at which the virtual patient dies.", "cells",
            lo=1.0, hi=MAX_CELLS),
        "scan_interval_days": Spec(
            "float", 28.0, "Days between scans that assess response and progression.", "days",
            lo=0.0, hi=MAX_HORIZON_DAYS, lo_open=True),
        "response_factor": Spec(
            "float", 0.5, "A scan counts as a response when the burden is at most this "
            "fraction of its value at the start of the line.", "fraction",
            lo=0.0, hi=1.0, lo_open=True, hi_open=True),
        "progression_factor": Spec(
            "float", 2.0, "Progression: the burden at a scan is at least this factor times its "
            "nadir on the line (or it reappears after being undetectable).", "factor",
            lo=1.0, hi=1e6, lo_open=True),
        "progression_reference": Spec(
            "choice", "nadir", "What progression_factor multiplies: the lowest burden on the "
            "line ('nadir', as RECIST does) or the burden at the start of the line ('baseline', "
            "as adaptive-therapy studies do).", choices=("nadir", "baseline")),
        "site_detection_cells": Spec(
            "float", None, "A site (metastasis) is seen on a scan from this burden on; a new "
            "site seen on treatment is progression. Defaults to detection_cells.", "cells",
            lo=1.0, hi=MAX_CELLS),
    },
    "cohort": {
        "arms": Spec(
            "arms", {}, 'Arms to compare on the same virtual patients: a name and the keys it '
            'changes, e.g. [cohort.arms.rebiopsy] "therapy.policy" = "rebiopsy".'),
        "vary": Spec(
            "vary", {}, 'Between-patient heterogeneity: a dotted key and the distribution each '
            'patient draws it from, e.g. "mutation_rate" = { dist = "loguniform", low = 1e-8, '
            'high = 1e-6 }. dist is uniform (low, high), loguniform (low, high), lognormal '
            '(median, sigma), beta (a, b) or choice (values, weights). The phenotype mix is '
            'drawn whole, since its shares add up to 1: "states.*.initial_fraction" = '
            '{ dist = "dirichlet", alpha = { "ER+" = 8, "ER-" = 2 } } gives every state a '
            'weight alpha > 0; its mean share is alpha / sum(alpha), and the larger the sum, '
            'the more alike the patients (with two states, the ER- share here is beta(2, 8)).'),
    },
    "simulation": {
        "horizon_days": Spec(
            "float", 3650.0, "Follow-up: the run stops here if the patient is still alive.",
            "days", lo=0.0, hi=MAX_HORIZON_DAYS, lo_open=True),
        "record_interval_days": Spec(
            "float", 1.0, "Trajectory resolution: counts are recorded this often "
            "(and just before and after every dose).", "days", lo=0.0, hi=MAX_HORIZON_DAYS,
            lo_open=True),
        "step_tolerance": Spec(
            "float", 0.1, "Engine accuracy: the longest step is this many mean cell "
            "lifetimes. Smaller is more exact and slower (see docs/engine.md).", "",
            lo=0.0, hi=1.0, lo_open=True),
    },
}


# ----------------------------------------------------------------------------
# The typed config
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tumour:
    """The untreated tumour: its size at day 0 and its growth law."""

    initial_cells: int = 1
    birth_rate: float = 0.25
    death_rate: float = 0.20
    carrying_capacity: float = 0.0
    initial_resistant: Mapping[str, int] = field(default_factory=dict)
    condition_on_detection: bool = True


@dataclass(frozen=True)
class Drug:
    """One drug: how it kills, and how cells become resistant to it."""

    name: str
    kill: str = "pulsed"
    kill_fraction: float = 0.98
    dose_interval_days: float = 21.0
    kill_rate: float = 0.0
    mutation_rate: float | None = None
    resistance_cost: float = 0.0
    targets: tuple[str, ...] | None = None
    penetration: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class State:
    """A phenotype state (e.g. a receptor profile) and its switching rates."""

    name: str
    initial_fraction: float | None = None
    birth_factor: float = 1.0
    death_factor: float = 1.0
    switch_to: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Site:
    """An organ the tumour lives in: the primary or a metastatic site."""

    name: str
    carrying_capacity: float | None = None
    birth_factor: float = 1.0
    death_factor: float = 1.0
    migrate_to: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LocalTherapy:
    """Surgery or radiation of one site."""

    kind: str
    site: str
    fraction: float = 0.99
    trigger: str = "site detected"
    day: float = 0.0


@dataclass(frozen=True)
class Therapy:
    """The policy: which lines, how the next is chosen, and local therapies."""

    lines: tuple[tuple[str, ...], ...]
    policy: str = "sequence"
    rebiopsy_cells: int = 100
    rebiopsy_site: str = "largest"
    sensitive_fraction: float = 0.5
    adaptive_pause_at: float = 0.5
    adaptive_resume_at: float = 1.0
    holiday_on_days: float = 0.0
    holiday_off_days: float = 0.0
    local: tuple[LocalTherapy, ...] = ()


@dataclass(frozen=True)
class CohortSettings:
    """Between-patient heterogeneity (dotted key -> distribution table) and
    arms to compare (arm name -> dotted key -> value)."""

    vary: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    arms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Clinic:
    """How a clinic reads the burden: detection, response, progression, death."""

    detection_cells: float = 1e9
    lethal_cells: float = 1e12
    scan_interval_days: float = 28.0
    response_factor: float = 0.5
    progression_factor: float = 2.0
    progression_reference: str = "nadir"
    site_detection_cells: float | None = None  # None: the same as detection_cells


@dataclass(frozen=True)
class Simulation:
    """Run length and engine settings."""

    horizon_days: float = 3650.0
    record_interval_days: float = 1.0
    step_tolerance: float = 0.1


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
        return _build(raw, source)

    def to_dict(self) -> dict[str, Any]:
        """The config as a nested dict that :meth:`from_dict` accepts (and TOML can hold)."""
        out: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "mutation_rate": self.mutation_rate,
            "tumour": dataclasses.asdict(self.tumour),
            "drugs": {},
            "therapy": dataclasses.asdict(self.therapy),
            "clinic": dataclasses.asdict(self.clinic),
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
            _check_existing_entry(raw, key, self.source)
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
        return _build(raw, self.source)

    # -- derived facts --------------------------------------------------------

    @property
    def drug_names(self) -> tuple[str, ...]:
        """Drug names in the order they define resistance bits (bit j = drug j)."""
        return tuple(self.drugs)

    def drug_mutation_rate(self, name: str) -> float:
        """The per-division resistance probability for one drug (override or default)."""
        u = self.drugs[name].mutation_rate
        return self.mutation_rate if u is None else u


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


def spec_for(key: str) -> Spec | None:
    """The schema entry behind a dotted key (``drugs.A.kill_fraction`` -> kill_fraction)."""
    parts = key.split(".")
    if len(parts) == 1:
        return SCHEMA[""].get(parts[0])
    if parts[0] in ("drugs", "states", "sites") and len(parts) == 3:
        return SCHEMA[f"{parts[0]}.*"].get(parts[2])
    if parts[:2] == ["tumour", "initial_resistant"] and len(parts) == 3:
        return Spec("int", 0, "cells resistant to this drug set at day 0", "cells", lo=0,
                    hi=MAX_CELLS)
    if len(parts) == 2:
        return SCHEMA.get(parts[0], {}).get(parts[1])
    return None


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


def _check_vary(check: _Checker, cfg: "Config") -> None:
    """Each cohort.vary entry: a known numeric key, a known distribution with
    sound parameters, and draws that the key accepts (checked at the 1e-9 and
    1 - 1e-9 quantiles, and at every value of a choice)."""
    if not cfg.cohort.vary:
        return
    if not isinstance(cfg.cohort.vary, dict):
        raise check.fail("cohort.vary", cfg.cohort.vary, SCHEMA["cohort"]["vary"].allowed())
    plain = dataclasses.replace(cfg, cohort=CohortSettings())
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
                    or any(isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0
                           for w in weights) or sum(weights) <= 0):
                raise check.fail(f"{where}.weights", weights,
                                 f"a list of {len(values)} non-negative numbers, not all 0")
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
            probes = [float(frozen.ppf(1e-9)), float(frozen.ppf(1 - 1e-9))]
        for x in probes:
            value = round(x) if spec.kind == "int" and isinstance(x, float) else x
            try:
                plain.set(key, value)
            except ConfigError as exc:
                inner = str(exc).split(": ", 1)[-1].strip()  # without the file name
                raise ConfigError(f"{check.source}: {where} can draw {key} = {toml_text(value)}, "
                                  f"which the scenario does not accept:\n  {inner}") from None


def _mix_example(states: Mapping[str, Any]) -> str:
    """An alpha table for the scenario's own states, to show in messages."""
    return "{ " + ", ".join(f"{json.dumps(n)} = 1.0" for n in states) + " }"


def _check_mix(check: _Checker, states: Mapping[str, State], where: str, entry: Any) -> None:
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
                             + ", ".join(names), _no_such("state", name, names))
        check.value(f"{where}.alpha.{name}", x, weight)
    missing = [n for n in names if n not in alpha]
    if missing:
        raise check.fail(f"{where}.alpha", alpha, "a weight for every state: " + ", ".join(names),
                         "missing: " + ", ".join(missing))


def _no_such(kind: str, name: str, names: list[str]) -> str:
    """'no state named 'X'; did you mean 'Y'?' for a misspelt name."""
    hint = difflib.get_close_matches(name, names, n=1)
    return f"no {kind} named {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")


def _drop_none(d: dict[str, Any], *also: str) -> dict[str, Any]:
    """A dataclass dict without its name and without unset (None) optional keys."""
    return {k: v for k, v in d.items() if v is not None and k not in also}


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Read and validate a TOML scenario.

    Parameters
    ----------
    path
        A ``.toml`` file such as ``configs/classic_98_2.toml``.
    overrides
        Dotted keys to change before validation, as ``clonesim run --set`` does.

    Raises
    ------
    ConfigError
        If the file is missing, is not TOML, or holds a value the model cannot take.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot be read ({exc.strerror})") from None
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    for key, value in (overrides or {}).items():
        _check_existing_entry(raw, key, source)
        assign(raw, key, value, source)
    return _build(raw, source)


def _check_existing_entry(raw: Mapping[str, Any], key: str, source: str) -> None:
    """A change under drugs.NAME, states.NAME or sites.NAME must name an entry
    the scenario defines: a typo must not quietly add a drug or a site."""
    parts = key.split(".")
    if len(parts) < 3 or parts[0] not in ("drugs", "states", "sites"):
        return
    table = raw.get(parts[0])
    names = list(table) if isinstance(table, dict) else []
    if parts[1] in names:
        return
    kind = parts[0][:-1]
    hint = _drug_hint(parts[1], names) if names else None
    msg = f"{source}: {key}: no {kind} {parts[1]!r} in this scenario"
    msg += f"; did you mean {hint!r}?" if hint else ""
    msg += (f"\n  defined {parts[0]}: " + (", ".join(names) or "none")
            + f" (a new {kind} needs its own [{parts[0]}.NAME] table in the file)")
    raise ConfigError(msg)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``key=value`` from the command line; the value is read as TOML when it can be."""
    if "=" not in text:
        raise ConfigError(param="set", value=text,
                          allowed="expected key=value, e.g. drugs.A.kill_fraction=0.95")
    key, value = text.split("=", 1)
    key = key.strip()
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return key, parsed


def assign(raw: dict[str, Any], key: str, value: Any, source: str = "<config>") -> None:
    """Set a dotted key in a nested dict, creating tables on the way."""
    parts = key.split(".")
    node = raw
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(
                f"{source}: {'.'.join(parts[: i + 1])} is a value, not a table, "
                f"so {key} cannot be set")
        node = child
    node[parts[-1]] = copy.deepcopy(value)


def lookup(raw: Mapping[str, Any], key: str) -> Any:
    """Read a dotted key from a nested dict (``None`` where it is missing):
    the reading twin of :func:`assign`."""
    node: Any = raw
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


# ----------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------


class _Checker:
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


def _build(raw: Mapping[str, Any], source: str) -> Config:
    check = _Checker(source)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: a scenario must be a table of keys")
    sections = [k for k in SCHEMA if k and "." not in k] + ["drugs", "states", "sites"]
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
    if clinic.site_detection_cells is None:
        clinic = dataclasses.replace(clinic, site_detection_cells=clinic.detection_cells)
    sim = Simulation(**check.table(raw.get("simulation", {}), "simulation", SCHEMA["simulation"]))
    states = _named(check, raw.get("states"), "states", State, DEFAULT_STATE)
    sites = _named(check, raw.get("sites"), "sites", Site, DEFAULT_SITE)
    if len(states) * len(sites) > MAX_CLASSES:
        raise ConfigError(f"{source}: {len(states)} states x {len(sites)} sites = "
                          f"{len(states) * len(sites)} classes; at most {MAX_CLASSES} are allowed")
    states = _state_links(check, states)
    sites = _site_links(check, sites, tum["carrying_capacity"])
    drugs = _drugs(check, raw["drugs"], states, sites)
    therapy = _therapy(check, raw["therapy"], drugs, sites)
    resistant = _initial_resistant(check, tum.pop("initial_resistant"), drugs)
    tumour = Tumour(initial_resistant=resistant, **tum)
    cohort = CohortSettings(**check.table(raw.get("cohort", {}), "cohort", SCHEMA["cohort"]))

    if clinic.detection_cells >= clinic.lethal_cells:
        raise check.fail("clinic.detection_cells", clinic.detection_cells,
                         f"below clinic.lethal_cells = {clinic.lethal_cells:g}",
                         "a tumour must be detectable before it is lethal")
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
    cfg = Config(tumour=tumour, drugs=drugs, therapy=therapy, clinic=clinic, simulation=sim,
                 states=states, sites=sites, cohort=cohort, source=source, **top)
    _check_vary(check, cfg)
    _check_arms(check, cfg)
    return cfg


def _check_arms(check: _Checker, cfg: "Config") -> None:
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


def arm_config(cfg: "Config", arm: str) -> "Config":
    """The scenario with one arm's changes applied (and no arms left)."""
    if arm not in cfg.cohort.arms:
        raise ConfigError(f"{cfg.source}: no arm {arm!r}; arms: " + ", ".join(cfg.cohort.arms))
    plain = dataclasses.replace(cfg, cohort=CohortSettings(vary=cfg.cohort.vary))
    return plain.update(cfg.cohort.arms[arm])


def _named(check: _Checker, raw: Any, table: str, cls, default: str) -> dict[str, Any]:
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


def _rates(check: _Checker, key: str, value: Any, names, spec: Spec, self_name: str
           ) -> dict[str, float]:
    """A table of other names to rates (switching, migration), each checked."""
    if not isinstance(value, dict):
        raise check.fail(key, value, spec.allowed(), spec.doc)
    rate = Spec("float", 0.0, spec.doc, spec.unit, lo=spec.lo, hi=spec.hi)
    out = {}
    for other, x in value.items():
        if other not in names or other == self_name:
            hint = difflib.get_close_matches(other, [n for n in names if n != self_name], n=1)
            why = f"no other {key.split('.')[0][:-1]} named {other!r}"
            why += f"; did you mean {hint[0]!r}?" if hint else ""
            raise check.fail(f"{key}.{other}", x,
                             "keyed by one of " + ", ".join(n for n in names if n != self_name),
                             why)
        out[other] = check.value(f"{key}.{other}", x, rate)
    return out


def _state_links(check: _Checker, states: dict[str, State]) -> dict[str, State]:
    given = {n: st.initial_fraction for n, st in states.items() if st.initial_fraction is not None}
    if given and abs(sum(given.values()) - 1.0) > 1e-9:
        raise ConfigError(
            f"{check.source}: states.*.initial_fraction adds up to {sum(given.values()):.6g}\n"
            f"  must add up to 1 over the states that set it ({', '.join(given)})")
    return {name: dataclasses.replace(st, switch_to=_rates(
                check, f"states.{name}.switch_to", st.switch_to, list(states),
                SCHEMA["states.*"]["switch_to"], name))
            for name, st in states.items()}


def _site_links(check: _Checker, sites: dict[str, Site], default_capacity: float
                ) -> dict[str, Site]:
    out = {}
    for name, si in sites.items():
        migrate = _rates(check, f"sites.{name}.migrate_to", si.migrate_to, list(sites),
                         SCHEMA["sites.*"]["migrate_to"], name)
        cap = si.carrying_capacity if si.carrying_capacity is not None else default_capacity
        out[name] = dataclasses.replace(si, migrate_to=migrate, carrying_capacity=cap)
    return out


def _therapy(check: _Checker, raw: Any, drugs: Mapping[str, Drug], sites) -> Therapy:
    if not isinstance(raw, dict):
        raise ConfigError(f"{check.source}: therapy must be a table ([therapy] in TOML)")
    values = check.table(raw, "therapy", SCHEMA["therapy"])
    values["lines"] = _lines(check, raw, drugs)
    if values["rebiopsy_site"] != "largest" and values["rebiopsy_site"] not in sites:
        raise check.fail("therapy.rebiopsy_site", values["rebiopsy_site"],
                         "'largest' or one of the sites: " + ", ".join(sites))
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


def _drugs(check: _Checker, raw: Any, states: Mapping[str, State] = None,
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


def _targets(check: _Checker, key: str, value: Any, states) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise check.fail(key, value, "a non-empty list of state names: " + ", ".join(states))
    for v in value:
        if v not in states:
            raise check.fail(key, value, "made of defined states: " + ", ".join(states),
                             _no_such("state", v, list(states)))
    return tuple(value)


def _penetration(check: _Checker, key: str, value: Any, sites) -> dict[str, float]:
    if not isinstance(value, dict):
        raise check.fail(key, value, "a table of site names to fractions in [0, 1]")
    spec = Spec("float", 1.0, "the fraction of the drug's effect that reaches the site",
                "fraction", lo=0.0, hi=1.0)
    out = {}
    for site, x in value.items():
        if site not in sites:
            raise check.fail(f"{key}.{site}", x, "keyed by one of the sites: " + ", ".join(sites),
                             _no_such("site", site, list(sites)))
        out[site] = check.value(f"{key}.{site}", x, spec)
    return out


def _drug_hint(name: str, drugs) -> str | None:
    """The defined drug a misspelt name most likely meant (case first, then spelling)."""
    by_lower = {d.lower(): d for d in drugs}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    hint = difflib.get_close_matches(name, list(drugs), n=1, cutoff=0.5)
    return hint[0] if hint else None


def _parse_drug_set(check: _Checker, key: str, text: Any, drugs: Mapping[str, Drug]
                    ) -> tuple[str, ...]:
    if not isinstance(text, str) or not text.strip():
        raise check.fail(key, text, 'a drug name or a combination such as "A+B"')
    names = tuple(part.strip() for part in text.split("+"))
    for part in names:
        if part not in drugs:
            if not part:
                why = "'+' must join two drug names"
            else:
                hint = _drug_hint(part, drugs)
                why = f"no drug named {part!r}" + (f"; did you mean {hint!r}?" if hint else "")
            raise check.fail(key, text, "made of defined drugs: " + ", ".join(drugs), why)
    if len(set(names)) != len(names):
        raise check.fail(key, text, "a set of distinct drugs", "a drug is named twice")
    return names


def _lines(check: _Checker, raw: Any, drugs: Mapping[str, Drug]) -> tuple[tuple[str, ...], ...]:
    lines = raw.get("lines")
    spec = SCHEMA["therapy"]["lines"]
    if lines is None:
        raise ConfigError(f"{check.source}: therapy.lines is missing\n  must be {spec.allowed()}")
    if not isinstance(lines, list) or not lines:
        raise check.fail("therapy.lines", lines, spec.allowed())
    return tuple(_parse_drug_set(check, f"therapy.lines[{i}]", line, drugs)
                 for i, line in enumerate(lines))


def _initial_resistant(check: _Checker, raw: Any, drugs: Mapping[str, Drug]) -> dict[str, int]:
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


def schema_markdown() -> str:
    """The key reference as Markdown (``docs/config.md`` is this text)."""
    out = ["# Scenario keys", "",
           "Generated from `clonesim.config.SCHEMA` (`python -m clonesim.config > docs/config.md`).",
           "Every key is optional unless marked required; units are per the table.", ""]
    titles = {"": "Top level", "drugs.*": "[drugs.NAME] (one table per drug)"}
    for table, specs in SCHEMA.items():
        out.append(f"## {titles.get(table, f'[{table}]')}")
        out.append("")
        out.append("| key | default | unit | allowed | meaning |")
        out.append("| --- | --- | --- | --- | --- |")
        for key, s in specs.items():
            default = "required" if s.default is None and s.kind == "lines" else f"`{toml_text(s.default)}`"
            if s.default is None and s.kind != "lines":
                default = "(see meaning)"
            out.append(f"| `{key}` | {default} | {s.unit} | {s.allowed()} | {s.doc} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - docs generator
    print(schema_markdown())
