"""Scenario configuration: TOML in, validated frozen dataclasses out.

Every check on user input happens here, before any kernel runs, so a bad value
is reported with the file, the key, the value and what is allowed instead of a
traceback from deep inside numba. The schema is data (:data:`SCHEMA`): the
checks, the error messages and the key reference in ``docs/config.md`` are all
made from it, so they cannot drift apart.

One module per job, each importing only those above it (:mod:`.vary` names
Config for type checkers only):

- :mod:`~clonesim.config.schema`: every key's kind, default, range and doc;
  the key reference (``python -m clonesim.config``);
- :mod:`~clonesim.config.errors`: :class:`ConfigError`, the one error a user
  sees, structured where it is about one parameter of a call;
- :mod:`~clonesim.config.settings`: the frozen parts (tumour, drugs, therapy, ...);
- :mod:`~clonesim.config.checks`: raw tables in, checked parts out;
- :mod:`~clonesim.config.vary`: cohort draws and arms, checked on a built Config;
- :mod:`~clonesim.config.keys`: dotted keys in nested dicts (set, read);
- :mod:`~clonesim.config.scenario`: :class:`Config` and ``build``;
- :mod:`~clonesim.config.loading`: TOML files and ``--set`` overrides.
"""

from .errors import MISSING, ConfigError, Verbatim, file_words, key_words
from .keys import assign, lookup
from .loading import load_config, parse_assignment
from .scenario import Config
from .schema import (DEFAULT_SITE, DEFAULT_STATE, INT64_MAX, MAX_CELLS, MAX_CLASSES, MAX_DRUGS,
                     MAX_HORIZON_DAYS, SCHEMA, Spec, schema_markdown, spec_for,
                     toml_text)
from .settings import (Clinic, CohortSettings, Drug, LocalTherapy, Mechanism, Simulation, Site,
                       State, Therapy, Tumour)
from .vary import MIX_KEY, VARY_PARAMS, arm_config, vary_distribution

__all__ = [
    "ConfigError",
    "MISSING",
    "Verbatim",
    "key_words",
    "file_words",
    "Config",
    "Tumour",
    "Drug",
    "Mechanism",
    "Therapy",
    "Clinic",
    "Simulation",
    "load_config",
    "parse_assignment",
    "SCHEMA",
    "MAX_DRUGS",
    # the other public names, as clonesim.config has always had them
    "CohortSettings",
    "State",
    "Site",
    "LocalTherapy",
    "Spec",
    "MIX_KEY",
    "VARY_PARAMS",
    "arm_config",
    "assign",
    "lookup",
    "schema_markdown",
    "spec_for",
    "toml_text",
    "vary_distribution",
    "MAX_CLASSES",
    "MAX_CELLS",
    "MAX_HORIZON_DAYS",
    "INT64_MAX",
    "DEFAULT_STATE",
    "DEFAULT_SITE",
]
