"""The schema: every key a scenario may hold, as data.

One table (:data:`SCHEMA`) gives each key its kind, default, unit, range and
meaning. The checks, the error messages and the key reference in
``docs/config.md`` (:func:`schema_markdown`) are all read from it, so they
cannot drift apart. No other part of clonesim is imported here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Spec", "SCHEMA", "spec_for", "schema_markdown", "toml_text",
           "MAX_DRUGS", "MAX_CLASSES", "MAX_CELLS", "MAX_HORIZON_DAYS", "INT64_MAX",
           "MIN_DOSE_INTERVAL_DAYS", "MAX_RECORD_ROWS",
           "DEFAULT_STATE", "DEFAULT_SITE"]

MAX_DRUGS = 16
MAX_CLASSES = 64  # states x sites
DEFAULT_STATE = "any"
DEFAULT_SITE = "primary"
INT64_MAX = 2**63 - 1
MAX_CELLS = 1e15  # keeps every count far from int64 overflow (9.2e18)
MAX_HORIZON_DAYS = 36_500.0
# Floors and caps that keep one patient's run finite in time and memory: each
# dose and each record is a stop of the engine, and each record a row.
MIN_DOSE_INTERVAL_DAYS = 0.1
MAX_RECORD_ROWS = 200_000


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
            "float", 21.0, "Pulsed drugs: days between doses (a chemotherapy cycle). At "
            "least 0.1 (a dose every 2.4 hours): a run stops at every dose.",
            "days", lo=MIN_DOSE_INTERVAL_DAYS, hi=MAX_HORIZON_DAYS),
        "kill_rate": Spec(
            "float", 0.0, "Continuous drugs: extra death rate of susceptible cells while given.",
            "per cell per day", lo=0.0, hi=100.0),
        "mutation_rate": Spec(
            "float", None, "Per-division probability of a new resistance to this drug; "
            "defaults to the top-level mutation_rate.", "per division", lo=0.0, hi=1.0),
        "resistance_cost": Spec(
            "float", 0.0, "Fitness cost of carrying this resistance: the birth rate is "
            "multiplied by (1 - cost).", "fraction", lo=0.0, hi=1.0, hi_open=True),
        "toxicity": Spec(
            "float", 0.0, "The cost to the patient: what each dose (pulsed) or each day given "
            "(continuous) adds to the toxicity level, in units of therapy.toxicity_limit. 0: "
            "none.", "per dose or per day", lo=0.0, hi=100.0),
        "targets": Spec(
            "names", None, 'Phenotype states the drug acts on, e.g. ["ER+"] for hormone '
            "therapy (default: every state)."),
        "penetration": Spec(
            "fractions", {}, "Per site, the fraction of the drug's effect that reaches it, e.g. "
            "{ brain = 0.05 } for a sanctuary (default 1 everywhere).", "fraction"),
    },
    "mechanisms.*": {
        "protects": Spec(
            "names", None, "Cross-resistance (Bozic et al. 2013, eLife 2:e00747): the drugs "
            "one resistance mechanism (an efflux pump, say) protects against, e.g. "
            '["A", "B"]. A cell that carries it is resistant to all of them.'),
        "mutation_rate": Spec(
            "float", None, "Per division, the probability that a newborn gains this mechanism "
            "(defaults to the top-level mutation_rate).", "per division", lo=0.0, hi=1.0),
        "cost": Spec(
            "float", 0.0, "Fitness cost of carrying it: the birth rate is multiplied by "
            "(1 - cost).", "fraction", lo=0.0, hi=1.0, hi_open=True),
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
        "tropism": Spec(
            "rates", {}, "Tropism: a factor on the migration rate of cells in this state "
            "toward each site named, from any site, e.g. { brain = 5 } (HER2+ cells seed the "
            "brain more often); sites not named keep factor 1.", "factor", lo=0.0, hi=1000.0),
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
        "shedding": Spec(
            "float", 1.0, "How much of its DNA and markers this site's cells shed into the "
            "blood, relative to others (little from behind the blood-brain barrier).",
            "factor", lo=0.0, hi=1000.0),
        "symptom_cells": Spec(
            "float", None, "The burden at this site from which the patient has symptoms (bone "
            "pain, neurological signs), noticed at the next visit: a sign of progression on "
            "treatment, and the trigger of a palliative local therapy (trigger = 'symptoms'). "
            "Without it the site gives no symptoms.", "cells", lo=1.0, hi=MAX_CELLS),
        "symptom": Spec(
            "str", "symptoms", "What the symptoms are called in the story, e.g. \"bone pain\".",
            ""),
        "lethal_cells": Spec(
            "float", None, "The burden at this site that kills, whatever the total: far smaller "
            "in the brain (a few cm3) than in the liver. Without it only the total "
            "(clinic.lethal_cells) kills.", "cells", lo=1.0, hi=MAX_CELLS),
    },
    "therapy": {
        "lines": Spec(
            "lines", None,
            'Drug lines in order, each switched at progression: ["A", "B", "A+B"].'),
        "policy": Spec(
            "choice", "sequence",
            "'sequence': the lines in order. 'rebiopsy': at each progression a re-biopsy "
            "samples cells and the next line is the first unused line in `lines` that the "
            "sample looks sensitive to (if none, supportive care). 'adaptive': each line pauses when the burden falls to "
            "adaptive_pause_at of its start value and resumes when it regrows to "
            "adaptive_resume_at; both are checked at the scans (clinic.scan_interval_days), "
            "as a clinic measures the burden at visits.",
            choices=("sequence", "rebiopsy", "adaptive")),
        "rebiopsy_cells": Spec("int", 100, "Cells a re-biopsy samples.", "cells",
                               lo=1, hi=1e6),
        "rebiopsy_site": Spec("str", "largest",
                              "Site the re-biopsy samples: a site name, 'largest', or 'blood' "
                              "(a liquid biopsy: rebiopsy_cells reads of circulating tumour "
                              "DNA from every site, in proportion to its cells times its "
                              "sites.NAME.shedding)."),
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
        "toxicity_recovery": Spec(
            "float", 0.05, "The rate at which toxicity wears off (0.05: half-life 14 days).",
            "per day", lo=0.0, hi=100.0, lo_open=True),
        "toxicity_limit": Spec(
            "float", 1.0, "At or above this toxicity a clinic holds a dose (think of a grade-3 "
            "side effect); days at or above it are counted in the outcomes.", "",
            lo=0.0, hi=1e6, lo_open=True),
        "toxicity_action": Spec(
            "choice", "delay", "What happens when a dose is due with toxicity at the limit: "
            "'delay' it until the level is below the limit again (a continuous drug keeps "
            "going), or 'stop' the line (the next line starts).", choices=("delay", "stop")),
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
            "site), 'detection' (at diagnosis), 'symptoms' (palliative: the visit at which the "
            "site's symptoms begin, sites.NAME.symptom_cells) or 'day' (the given day after "
            "detection).", choices=("site detected", "detection", "symptoms", "day")),
        "day": Spec("float", 0.0, "With trigger = 'day': days after detection.", "days",
                    lo=0.0, hi=MAX_HORIZON_DAYS),
    },
    "clinic": {
        "detection_cells": Spec(
            "float", 1e9, "Diagnosis: the burden at which a tumour is found and therapy starts "
            "(1e9 cells ~ 1 cm3). Scans on therapy see down to clinic.imaging_limit_cells.",
            "cells", lo=1.0, hi=MAX_CELLS),
        "lethal_cells": Spec(
            "float", 1e12, "Burden at which the virtual patient dies.", "cells",
            lo=1.0, hi=MAX_CELLS),
        "scan_interval_days": Spec(
            "float", 28.0, "Days between scans that assess response and progression "
            "(at least 1: a scan a day).", "days", lo=1.0, hi=MAX_HORIZON_DAYS),
        "imaging_limit_cells": Spec(
            "float", None, "The smallest lesion a scan shows, in cells; at most "
            "detection_cells, and by default a tenth of it (1e8 cells, a sphere of 5.8 mm, at "
            "the default diagnosis size). A site below it is invisible; a scan with no visible "
            "lesion is a complete response; a site that becomes visible on treatment is a new "
            "lesion (progression).", "cells", lo=1.0, hi=MAX_CELLS),
        "cells_per_cm3": Spec(
            "float", None, "Tumour cells per cm3 of lesion: a site's burden is read as a "
            "sphere of that volume, whose diameter the scan measures. By default "
            "detection_cells, so that the tumour at diagnosis is 1 cm3 (12.4 mm) whatever the "
            "scenario's scale (about 1e9 cells per cm3 in real tumours).", "cells per cm3",
            lo=1.0, hi=MAX_CELLS),
        "partial_response": Spec(
            "float", 0.30, "RECIST 1.1 (Eisenhauer et al. 2009): partial response when the sum "
            "of the visible lesions' diameters has fallen by at least this fraction from the "
            "start of the line.", "fraction", lo=0.0, hi=1.0, lo_open=True, hi_open=True),
        "progressive_disease": Spec(
            "float", 0.20, "RECIST 1.1: progression when the sum of diameters has grown by at "
            "least this fraction over its reference (and by progression_min_mm), or a new "
            "lesion appears.", "fraction", lo=0.0, hi=100.0, lo_open=True),
        "progression_min_mm": Spec(
            "float", 5.0, "RECIST 1.1: the smallest absolute growth of the sum of diameters "
            "that counts as progression.", "mm", lo=0.0, hi=1000.0),
        "progression_reference": Spec(
            "choice", "nadir", "What progression is measured against: the smallest sum of "
            "diameters on the line ('nadir', as RECIST does) or the sum at the start of the "
            "line ('baseline', as adaptive-therapy studies do).", choices=("nadir", "baseline")),
        "marker_per_cell": Spec(
            "float", 0.0, "A blood tumour marker (CA 15-3, PSA, ...) read at every visit: "
            "units per tumour cell shed into the blood (times sites.NAME.shedding). 0: no "
            "marker.", "units per cell", lo=0.0, hi=1.0),
        "marker_background": Spec(
            "float", 10.0, "The marker's level with no tumour (healthy tissue makes some).",
            "units", lo=0.0, hi=1e12),
        "marker_noise": Spec(
            "float", 0.15, "Measurement noise: each reading is the true level times "
            "exp(marker_noise x a standard normal draw) (log-normal).", "log SD",
            lo=0.0, hi=5.0),
        "marker_progression": Spec(
            "float", 0.0, "Progression on a confirmed marker rise: two visits in a row at "
            "least this factor above the lowest reading on the line (e.g. 1.25). 0: the "
            "marker is read but does not decide.", "factor", lo=0.0, hi=1000.0),
        "marker_min_rise": Spec(
            "float", 5.0, "A confirmed rise must also be at least this many units above the "
            "lowest reading (as PSA criteria ask 2 ng/mL), so that noise around the "
            "background is not called progression.", "units", lo=0.0, hi=1e12),
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
            "(and just before and after every dose); at most "
            f"{MAX_RECORD_ROWS:,} records over the horizon.", "days", lo=0.0,
            hi=MAX_HORIZON_DAYS, lo_open=True),
        "step_tolerance": Spec(
            "float", 0.1, "Engine accuracy: the longest step is this many mean cell "
            "lifetimes. Smaller is more exact and slower (see docs/engine.md); 0.001 is "
            "already a hundred times slower than the default.", "", lo=0.001, hi=1.0),
    },
}


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


def schema_markdown() -> str:
    """The key reference as Markdown (``docs/config.md`` is this text)."""
    out = ["# Scenario keys", "",
           "Generated from `clonesim.config.SCHEMA` (`python -m clonesim.config > docs/config.md`).",
           "Every key is optional unless marked required; units are per the table.", ""]
    titles = {"": "Top level", "drugs.*": "[drugs.NAME] (one table per drug)"}
    notes = {"clinic": (
        "Scans are read with the response criteria of RECIST 1.1: E. A. Eisenhauer et al., "
        "New response evaluation criteria in solid tumours: revised RECIST guideline "
        "(version 1.1), *European Journal of Cancer* 45 (2009) 228-247. Each site is one "
        "lesion, a sphere of `burden / cells_per_cm3` cm3 (the tumour at diagnosis is 1 cm3 "
        "unless `cells_per_cm3` says otherwise); the defaults are RECIST 1.1's "
        "thresholds (30% smaller for a partial response, 20% and 5 mm larger for "
        "progression). A 98% kill shrinks a lesion's diameter by 73%, a 10% kill by 3.5% "
        "(stable disease).")}
    for table, specs in SCHEMA.items():
        out.append(f"## {titles.get(table, f'[{table}]')}")
        out.append("")
        if table in notes:
            out += [notes[table], ""]
        out.append("| key | default | unit | allowed | meaning |")
        out.append("| --- | --- | --- | --- | --- |")
        for key, s in specs.items():
            default = "required" if s.default is None and s.kind == "lines" else f"`{toml_text(s.default)}`"
            if s.default is None and s.kind != "lines":
                default = "(see meaning)"
            out.append(f"| `{key}` | {default} | {s.unit} | {s.allowed()} | {s.doc} |")
        out.append("")
    return "\n".join(out)
