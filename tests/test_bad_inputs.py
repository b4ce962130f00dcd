"""Bad input generated from the schema: every key of every table, given a value
of the wrong type, NaN, an infinity, a huge number or a wrong shape, must be
refused with a ConfigError that names the key -- never accepted, never a
traceback. Then a sample of the same on the command line (exit status 2).

The file-level, output, damaged-folder and sweep-size cases are in
test_config.py, test_cli.py and test_sweeps.py; this file covers the keys.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import clonesim
import clonesim.engine
from clonesim.cli import main
from clonesim.config import SCHEMA, ConfigError, load_config

# A scenario in which every key of the schema means something: two states that
# switch, two sites with migration, a pulsed and a continuous drug, a
# cross-resistance mechanism, a local therapy.
BASE = """
mutation_rate = 1e-7
[tumour]
initial_cells = 10
[states.s1]
initial_fraction = 0.5
switch_to = { s2 = 0.01 }
[states.s2]
initial_fraction = 0.5
[sites.primary]
migrate_to = { liver = 1e-6 }
[sites.liver]
[drugs.A]
kill_fraction = 0.98
[drugs.B]
kill = "continuous"
kill_rate = 0.5
[mechanisms.pump]
protects = ["A", "B"]
[therapy]
lines = ["A", "B"]
[[therapy.local]]
kind = "surgery"
site = "primary"
fraction = 0.9
trigger = "detection"
"""

NUMBER = ["text", True, math.nan, math.inf, -math.inf, 1e300, -1e300, 10**30, [1], {"a": 1}]
BAD = {
    "float": NUMBER,
    "int": NUMBER + [2.5],
    "bool": ["yes", 1, math.nan],
    "str": [3, [1], math.nan],
    "choice": ["nonsense", 3, math.nan],
    "names": ["s1", 3, [3], ["nope"]],
    "fractions": [3, {"liver": math.nan}, {"liver": 2}, {"nope": 0.5}],
    "rates": [3, {"OTHER": math.nan}, {"OTHER": -1}, {"OTHER": math.inf}, {"nope": 0.1}],
}
ENTRY = {"drugs.*": "A", "states.*": "s1", "sites.*": "primary", "mechanisms.*": "pump"}
OTHER = {"states.*": "s2", "sites.*": "liver"}  # the entry a rate points to


def _key(table: str, key: str) -> str:
    if table == "drugs.*":
        return f"drugs.{'B' if key == 'kill_rate' else 'A'}.{key}"
    if table in ENTRY:
        return f"{table[:-2]}.{ENTRY[table]}.{key}"
    return f"{table}.{key}" if table else key


def _value(table: str, value):
    if isinstance(value, dict) and "OTHER" in value:
        return {OTHER[table]: value["OTHER"]}
    return value


CASES = [(_key(table, key), _value(table, v))
         for table, specs in SCHEMA.items() if table not in ("cohort", "therapy.local[]")
         for key, spec in specs.items() for v in BAD.get(spec.kind, [])]
LOCAL = {"kind": "surgery", "site": "primary", "fraction": 0.9, "trigger": "detection"}
LOCAL_CASES = [(key, v) for key in SCHEMA["therapy.local[]"] if key != "day"
               for v in ["text", 3, math.nan, math.inf, -1e300, [1], True]]
VARY_CASES = [
    {"dist": "uniform", "low": math.nan, "high": 1e-6},
    {"dist": "uniform", "low": 1e-7, "high": math.inf},
    {"dist": "lognormal", "median": math.inf, "sigma": 1},
    {"dist": "lognormal", "median": 1e-7, "sigma": 1e300},
    {"dist": "beta", "a": math.nan, "b": 1},
    {"dist": "loguniform", "low": 1e-300, "high": 1e300},
    {"dist": "choice", "values": [1e-7, math.nan]},
    {"dist": "choice", "values": [1e-7], "weights": [math.inf]},
    {"dist": "normal", "mu": 1},
    {"dist": "uniform", "low": "a", "high": 1},
    "text",
]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "base.toml"
    path.write_text(BASE, encoding="utf-8")
    load_config(path)  # the base itself is valid
    return path


def _refused(path: Path, changes: dict, name: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_config(path, changes)
    assert str(exc.value).startswith(f"{path}: ")
    assert name in str(exc.value), str(exc.value)


def test_every_key_of_the_schema_is_covered():
    kinds = {spec.kind for specs in SCHEMA.values() for spec in specs.values()}
    assert kinds - set(BAD) <= {"resistant", "lines", "local", "vary", "arms"}
    assert len(CASES) > 300


@pytest.mark.parametrize("key, value", CASES, ids=[f"{k}={v!r}" for k, v in CASES])
def test_bad_value_of_a_key_is_refused_and_named(base, key, value):
    _refused(base, {key: value}, key)


@pytest.mark.parametrize("key, value", LOCAL_CASES, ids=[f"{k}={v!r}" for k, v in LOCAL_CASES])
def test_bad_value_in_a_local_therapy_is_refused_and_named(base, key, value):
    _refused(base, {"therapy.local": [{**LOCAL, key: value}]}, key)


@pytest.mark.parametrize("entry", VARY_CASES, ids=[repr(e) for e in VARY_CASES])
def test_bad_cohort_draw_is_refused_and_named(base, entry):
    _refused(base, {"cohort.vary": {"mutation_rate": entry}}, "cohort.vary.mutation_rate")


def test_cohort_draws_are_checked_together(base):
    """Each range alone is fine; drawn together, detection can land above lethal.
    The corners are tried before any patient runs, and the message names both keys."""
    vary = {"clinic.detection_cells": {"dist": "loguniform", "low": 1e8, "high": 1e11},
            "clinic.lethal_cells": {"dist": "loguniform", "low": 5e10, "high": 1e12}}
    with pytest.raises(ConfigError) as exc:
        load_config(base, {"cohort.vary": vary})
    msg = str(exc.value)
    assert "cohort.vary can draw clinic.detection_cells = 9.9999999e+10 together with " \
           "clinic.lethal_cells = 5e+10" in msg
    assert "must be below clinic.lethal_cells" in msg


@pytest.mark.parametrize("assignment", [
    "tumour.birth_rate=nan", "tumour.initial_cells=inf", "drugs.A.kill_fraction=1e300",
    "clinic.detection_cells=-1", "simulation.step_tolerance=1e-9", "states.s1.switch_to=3",
    "therapy.policy=sideways", 'sites.liver.migrate_to={ nowhere = 0.1 }',
])
def test_bad_value_on_the_command_line_exits_2_and_names_the_key(base, capsys, assignment):
    status = main(["validate", str(base), "--set", assignment])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith(f"error: {base}: ") and "Traceback" not in err
    assert assignment.split("=")[0].split(".")[-1] in err


def test_trajectory_past_the_cap_stops_with_the_keys_to_change(tmp_path, monkeypatch):
    """16 drugs at a mutation rate of 1e-3 make tens of thousands of genotypes;
    recorded daily, the trajectory would run to gigabytes. With the cap lowered
    (so that the test is quick) the run stops with the numbers and the keys."""
    monkeypatch.setattr(clonesim.engine, "MAX_RECORD_ENTRIES", 100_000)
    drugs = "\n".join(f"[drugs.D{i}]\nkill_fraction = 0.9\n" for i in range(16))
    path = tmp_path / "many.toml"
    path.write_text(f'mutation_rate = 1e-3\n[tumour]\ninitial_cells = 1\n{drugs}\n'
                    '[therapy]\nlines = ["D0"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        clonesim.simulate(load_config(path), seed=1)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: this patient's trajectory outgrew memory: ")
    assert "raise simulation.record_interval_days (now 1)" in msg
    assert "the number of drugs (16)" in msg
