"""Scenario validation: every bad input is one readable ConfigError.

Each bad scenario is checked twice, through a TOML file (``load_config``) and
through a dict (``Config.from_dict``). The message must name the source, the
key, the bad value and what is allowed, in one paragraph, so that a teacher
can fix the file without reading a traceback.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path

import pytest

import clonesim
import clonesim.runners
from clonesim.config import (
    MAX_DRUGS,
    SCHEMA,
    Config,
    ConfigError,
    load_config,
    parse_assignment,
    schema_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))

DRUGS_AB = """\
[drugs.A]
kill_fraction = 0.98

[drugs.B]
kill = "continuous"
kill_rate = 0.5
"""


def scenario(top: str = "", tumour: str = "", drugs: str | None = DRUGS_AB,
             therapy: str | None = 'lines = ["A", "B"]', clinic: str = "",
             extra: str = "") -> str:
    """A small scenario as TOML text; each argument is the body of one table."""
    parts = [top]
    if tumour:
        parts.append("[tumour]\n" + tumour)
    if drugs is not None:
        parts.append(drugs)
    if therapy is not None:
        parts.append("[therapy]\n" + therapy)
    if clinic:
        parts.append("[clinic]\n" + clinic)
    parts.append(extra)
    return "\n\n".join(p for p in parts if p) + "\n"


def many_drugs(n: int) -> str:
    return "\n".join(f"[drugs.D{i}]\nkill_fraction = 0.9\n" for i in range(n))


# (id, TOML text, fragments the message must hold). A fragment that is a tuple
# passes when any one of its alternatives is in the message.
BAD = [
    ("negative birth rate", scenario(tumour="birth_rate = -0.1"),
     ["tumour.birth_rate", "-0.1", "a number in [0, 100]"]),
    ("string rate", scenario(tumour='death_rate = "fast"'),
     ["tumour.death_rate", '"fast"', "a number in [0, 100]"]),
    ("bool as rate", scenario(tumour="birth_rate = true"),
     ["tumour.birth_rate", ("true", "True"), "a number in [0, 100]"]),
    ("bool as count", scenario(tumour="initial_cells = false"),
     ["tumour.initial_cells", ("false", "False"), "a whole number"]),
    ("nan rate", scenario(tumour="death_rate = nan"),
     ["tumour.death_rate", "nan", "NaN", "a number in [0, 100]"]),
    ("inf burden", scenario(clinic="lethal_cells = inf"),
     ["clinic.lethal_cells", "inf", "infinite", "a number in [1, 1e+15]"]),
    ("-inf rate", scenario(tumour="birth_rate = -inf"),
     ["tumour.birth_rate", "-inf", "infinite"]),
    ("kill_fraction 1.5", scenario(drugs=DRUGS_AB.replace("0.98", "1.5")),
     ["drugs.A.kill_fraction", "1.5", "a number in [0, 1]"]),
    ("kill_fraction -0.1", scenario(drugs=DRUGS_AB.replace("0.98", "-0.1")),
     ["drugs.A.kill_fraction", "-0.1", "a number in [0, 1]"]),
    ("top mutation_rate 1.5", scenario(top="mutation_rate = 1.5"),
     ["mutation_rate = 1.5", "a number in [0, 1]"]),
    ("top mutation_rate negative", scenario(top="mutation_rate = -1e-7"),
     ["mutation_rate = -1e-07", "a number in [0, 1]"]),
    ("drug mutation_rate 2", scenario(drugs=DRUGS_AB + "mutation_rate = 2\n"),
     ["drugs.B.mutation_rate = 2", "a number in [0, 1]"]),
    ("drug mutation_rate negative", scenario(drugs=DRUGS_AB.replace(
        "kill_fraction = 0.98", "kill_fraction = 0.98\nmutation_rate = -0.001")),
     ["drugs.A.mutation_rate = -0.001", "a number in [0, 1]"]),
    ("unknown top key", scenario(top="mutaton_rate = 1e-6"),
     ["'mutaton_rate'", "did you mean 'mutation_rate'?"]),
    ("unknown tumour key", scenario(tumour="birth_rte = 0.3"),
     ["'tumour.birth_rte'", "did you mean 'birth_rate'?"]),
    ("unknown drug key", scenario(drugs=DRUGS_AB.replace("kill_fraction", "kill_fracton")),
     ["'drugs.A.kill_fracton'", "did you mean 'kill_fraction'?"]),
    ("unknown clinic key", scenario(clinic="detection_cell = 1e9"),
     ["'clinic.detection_cell'", "did you mean 'detection_cells'?"]),
    ("unknown therapy key", scenario(therapy='lines = ["A"]\nline = ["B"]'),
     ["'therapy.line'", "did you mean 'lines'?"]),
    ("unknown table typo", scenario(extra="[tumor]\nbirth_rate = 0.3"),
     ["'tumor'", "did you mean 'tumour'?"]),
    ("unknown table", scenario(extra="[patient]\nage = 60"),
     ["'patient'", "known keys here", "tumour"]),
    ("unknown sub-table", scenario(extra="[tumour.growth]\nrate = 1"),
     ["'tumour.growth'", "known keys here"]),
    ("undefined drug in a line", scenario(therapy='lines = ["A", "Z"]'),
     ["therapy.lines[1]", "'Z'", "defined drugs: A, B"]),
    ("misspelt drug in a line",
     scenario(drugs="[drugs.cisplatin]\n[drugs.paclitaxel]\n", therapy='lines = ["cisplatn"]'),
     ["therapy.lines[0]", "'cisplatn'", "did you mean 'cisplatin'?"]),
    # Drugs are mostly one capital letter (A, B, C): the likeliest typo is the case.
    ("drug in a line in the wrong case", scenario(therapy='lines = ["A", "b"]'),
     ["therapy.lines[1]", "'b'", "did you mean 'B'?"]),
    # The message should say which part of the combination is not a drug.
    ("combination with an undefined drug", scenario(therapy='lines = ["A+Z"]'),
     ["therapy.lines[0]", '"A+Z"', "'Z'", "defined drugs: A, B"]),
    ("drug repeated in a combination", scenario(therapy='lines = ["A+A"]'),
     ["therapy.lines[0]", '"A+A"', "distinct drugs", "named twice"]),
    ("empty part of a combination", scenario(therapy='lines = ["A+"]'),
     ["therapy.lines[0]", '"A+"', "defined drugs"]),
    ("line not a string", scenario(therapy="lines = [1]"),
     ["therapy.lines[0] = 1", "a drug name or a combination"]),
    ("empty lines", scenario(therapy="lines = []"),
     ["therapy.lines = []", "a non-empty list of lines"]),
    ("lines not a list", scenario(therapy='lines = "A"'),
     ['therapy.lines = "A"', "a non-empty list of lines"]),
    ("lines missing", scenario(therapy=""),
     ["therapy.lines", "a non-empty list of lines"]),
    ("missing [drugs]", scenario(drugs=None, therapy='lines = ["A"]'),
     ["missing table [drugs]", "[drugs.A]"]),
    ("missing [therapy]", scenario(therapy=None),
     ["missing table [therapy]", "lines = [\"A\"]"]),
    ("more than 16 drugs", scenario(drugs=many_drugs(MAX_DRUGS + 1), therapy='lines = ["D0"]'),
     [f"{MAX_DRUGS + 1} drugs", f"at most {MAX_DRUGS}"]),
    ("drug name starting with a digit",
     scenario(drugs='[drugs.1st]\nkill_fraction = 0.9\n', therapy='lines = ["1st"]'),
     ["drug name '1st'", "must start with a letter"]),
    ("drug name with a plus",
     scenario(drugs='[drugs."A+B"]\nkill_fraction = 0.9\n', therapy='lines = ["A+B"]'),
     ["drug name 'A+B'", "'+' joins drugs"]),
    ("drug name with a space",
     scenario(drugs='[drugs."drug A"]\nkill_fraction = 0.9\n', therapy='lines = ["drug A"]'),
     ["drug name 'drug A'", "letters, digits"]),
    ("detection equal to lethal", scenario(clinic="detection_cells = 1e12\nlethal_cells = 1e12"),
     ["clinic.detection_cells", "below clinic.lethal_cells = 1e+12", "detectable before"]),
    ("detection above lethal", scenario(clinic="detection_cells = 5e11\nlethal_cells = 1e11"),
     ["clinic.detection_cells", "below clinic.lethal_cells = 1e+11"]),
    ("initial cells at the lethal burden", scenario(tumour="initial_cells = 1_000_000_000_000"),
     ["tumour.initial_cells = 1000000000000", "clinic.lethal_cells = 1e+12", "dead at day 0"]),
    ("initial cells plus resistant above lethal",
     scenario(tumour="initial_cells = 600_000_000_000\ninitial_resistant = { A = 500_000_000_000 }"),
     ["tumour.initial_cells", "(1.1e+12)", "clinic.lethal_cells = 1e+12"]),
    ("no initial cell", scenario(tumour="initial_cells = 0"),
     ["tumour.initial_cells = 0", "at least 1"]),
    ("initial cells above int64", scenario(tumour="initial_cells = 9223372036854775808"),
     ["tumour.initial_cells = 9223372036854775808", "a whole number in [0, 1e+15]"]),
    ("initial cells above 1e15", scenario(tumour="initial_cells = 2_000_000_000_000_000"),
     ["tumour.initial_cells = 2000000000000000", "a whole number in [0, 1e+15]"]),
    # tomllib reads integers of any size; converting this one to float overflows.
    ("initial cells with 400 digits", scenario(tumour="initial_cells = 1" + "0" * 400),
     ["tumour.initial_cells", "a whole number in [0, 1e+15]"]),
    ("initial cells not whole", scenario(tumour="initial_cells = 2.5"),
     ["tumour.initial_cells = 2.5", "a whole number"]),
    ("initial_resistant names an unknown drug", scenario(tumour="initial_resistant = { Z = 10 }"),
     ["tumour.initial_resistant", "'Z'", "defined drugs: A, B"]),
    ("initial_resistant negative count", scenario(tumour="initial_resistant = { A = -5 }"),
     ["tumour.initial_resistant.A = -5", "a whole number in [0, 1e+15]"]),
    ("initial_resistant not a table", scenario(tumour="initial_resistant = 5"),
     ["tumour.initial_resistant = 5", "a table of drug sets"]),
    ("continuous drug with kill_fraction",
     scenario(drugs=DRUGS_AB + "kill_fraction = 0.9\n"),
     ["drugs.B.kill_fraction = 0.9", "left out for a continuous drug", "kill_rate"]),
    ("continuous drug with dose_interval_days",
     scenario(drugs=DRUGS_AB + "dose_interval_days = 7\n"),
     ["drugs.B.dose_interval_days = 7", "left out for a continuous drug"]),
    ("continuous drug with kill_rate 0", scenario(drugs=DRUGS_AB.replace("0.5", "0")),
     ["drugs.B.kill_rate", "> 0", "extra death rate"]),
    ("pulsed drug with kill_rate",
     scenario(drugs=DRUGS_AB.replace("kill_fraction = 0.98", "kill_fraction = 0.98\nkill_rate = 0.3")),
     ["drugs.A.kill_rate = 0.3", "left out for a pulsed drug", "kill_fraction"]),
    ("unknown kill kind", scenario(drugs=DRUGS_AB.replace('"continuous"', '"constant"')),
     ['drugs.B.kill = "constant"', "one of 'pulsed', 'continuous'"]),
    ("drug not a table", scenario(drugs="[drugs]\nA = 0.98\n", therapy='lines = ["A"]'),
     ["drugs.A", "must be a table"]),
    ("no drug defined", scenario(drugs="[drugs]\n", therapy='lines = ["A"]'),
     ["[drugs] must define at least one drug"]),
    ("section not a table", scenario(top="clinic = 3"),
     ["clinic must be a table"]),
    ("resistance cost 1", scenario(drugs=DRUGS_AB + "resistance_cost = 1\n"),
     ["drugs.B.resistance_cost = 1", "a number in [0, 1)"]),
    ("partial response 1", scenario(clinic="partial_response = 1"),
     ["clinic.partial_response = 1", "a number in (0, 1)"]),
    ("progressive disease 0", scenario(clinic="progressive_disease = 0"),
     ["clinic.progressive_disease = 0", "a number in (0, 100]"]),
    # keys of earlier versions say what replaced them
    ("retired response_factor", scenario(clinic="response_factor = 0.5"),
     ["clinic.response_factor is no longer a key", "clinic.partial_response = 0.3"]),
    ("retired progression_factor", scenario(clinic="progression_factor = 2"),
     ["clinic.progression_factor is no longer a key", "clinic.progressive_disease = 0.2"]),
    ("retired site_detection_cells", scenario(clinic="site_detection_cells = 1e8"),
     ["clinic.site_detection_cells is no longer a key", "clinic.imaging_limit_cells"]),
    ("scan interval 0", scenario(clinic="scan_interval_days = 0"),
     ["clinic.scan_interval_days = 0", "a number in [1, 36500]"]),
    # Intervals and tolerances that would make one patient run for ever or fill memory.
    ("scan interval under a day", scenario(clinic="scan_interval_days = 1e-6"),
     ["clinic.scan_interval_days = 1e-06", "a number in [1, 36500]"]),
    ("dose interval negative",
     scenario(drugs=DRUGS_AB.replace("kill_fraction = 0.98", "dose_interval_days = -21")),
     ["drugs.A.dose_interval_days = -21", "a number in [0.1, 36500]"]),
    ("dose interval of a microday",
     scenario(drugs=DRUGS_AB.replace("kill_fraction = 0.98", "dose_interval_days = 1e-6")),
     ["drugs.A.dose_interval_days = 1e-06", "a number in [0.1, 36500]", "every dose"]),
    ("step tolerance 1e-9", scenario(extra="[simulation]\nstep_tolerance = 1e-9"),
     ["simulation.step_tolerance = 1e-09", "a number in [0.001, 1]"]),
    ("records over the horizon above the cap",
     scenario(extra="[simulation]\nhorizon_days = 3650\nrecord_interval_days = 0.001"),
     ["simulation.record_interval_days = 0.001", "at least 0.0183",
      "horizon_days = 3650", "3,650,000 records"]),
    ("a tumour that can only shrink", scenario(tumour="birth_rate = 0.15\ndeath_rate = 0.2"),
     ["tumour.birth_rate = 0.15", "above tumour.death_rate = 0.2",
      "condition_on_detection = false", "never reaches clinic.detection_cells"]),
    ("a capacity the tumour levels off below detection",
     scenario(tumour="carrying_capacity = 1e6"),
     ["tumour.carrying_capacity = 1000000", "clinic.detection_cells = 1e+09",
      "about 2e+05 cells", "would ever be found"]),
    ("the primary's lethal burden below diagnosis",
     scenario(extra="[sites.breast]\nlethal_cells = 1e8\n[sites.brain]\nlethal_cells = 1e8"),
     ["sites.breast.lethal_cells = 1e+08", "above clinic.detection_cells = 1e+09",
      "the tumour starts in breast"]),
    ("choice weights with nan",
     scenario(extra='[cohort.vary]\n"drugs.A.kill_fraction" = '
                    '{ dist = "choice", values = [0.9, 0.98], weights = [nan, 1] }'),
     ["cohort.vary.drugs.A.kill_fraction.weights = [nan, 1]", "finite non-negative"]),
    ("horizon above 100 years", scenario(extra="[simulation]\nhorizon_days = 40000"),
     ["simulation.horizon_days = 40000", "a number in (0, 36500]"]),
    ("carrying capacity below the initial burden",
     scenario(tumour="initial_cells = 1000\ncarrying_capacity = 10"),
     ["tumour.carrying_capacity = 10", "at least the initial burden"]),
    ("condition_on_detection not a bool", scenario(tumour="condition_on_detection = 1"),
     ["tumour.condition_on_detection = 1", "true or false"]),
    ("title not a string", scenario(top="title = 3"),
     ["title = 3", "a string"]),
    # A table where a number belongs must say so, not "unknown key 'mutation_rate';
    # did you mean 'mutation_rate'?".
    ("top-level number given as a table", scenario(top="mutation_rate = { A = 1e-6 }"),
     ["mutation_rate", "a number in [0, 1]"]),
]


def _holds(message: str, fragment) -> bool:
    alternatives = fragment if isinstance(fragment, tuple) else (fragment,)
    return any(a in message for a in alternatives)


def _check_message(message: str, source: str, fragments) -> None:
    assert message.startswith(source + ": "), message
    missing = [f for f in fragments if not _holds(message, f)]
    assert not missing, f"message lacks {missing}:\n{message}"
    assert "\n\n" not in message.strip(), f"not one paragraph:\n{message}"
    assert len(message.splitlines()) <= 4, f"too long for one paragraph:\n{message}"
    assert "Traceback" not in message


@pytest.mark.parametrize("text, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_file_is_one_clear_message(tmp_path, text, fragments):
    path = tmp_path / "bad_scenario.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    _check_message(str(info.value), str(path), fragments)


@pytest.mark.parametrize("text, fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_dict_is_one_clear_message(text, fragments):
    raw = tomllib.loads(text)
    with pytest.raises(ConfigError) as info:
        Config.from_dict(raw, source="my_dict")
    _check_message(str(info.value), "my_dict", fragments)


def test_table_for_a_number_does_not_suggest_itself():
    raw = tomllib.loads(scenario(top="mutation_rate = { A = 1e-6 }"))
    with pytest.raises(ConfigError) as info:
        Config.from_dict(raw, source="s.toml")
    message = str(info.value)
    assert "did you mean 'mutation_rate'" not in message, message
    assert "unknown key" not in message, message


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_invalid_toml_syntax(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('title = "unclosed\n[drugs.A]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: not valid TOML")
    assert "line 1" in message


# A file saved by another editor: the message says what the bytes are, never a
# UnicodeDecodeError; a UTF-8 byte-order mark (Windows Notepad) is simply read.
@pytest.mark.parametrize("name, data, fragments", [
    ("latin-1", "title = \"98\xb0 kill\"\n".encode("latin-1"),
     ["is not UTF-8 text", "byte 0xb0 on line 1", "save it as UTF-8"]),
    ("utf-16", "title = \"x\"\n".encode("utf-16"), ["is not a text file", "UTF-16"]),
    ("binary", bytes(range(256)), ["is not a text file"]),
])
def test_file_that_is_not_utf8_text(tmp_path, name, data, fragments):
    path = tmp_path / f"{name}.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    _check_message(str(info.value), str(path), fragments)


def test_utf8_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + scenario().encode("utf-8"))
    assert list(load_config(path).drugs) == ["A", "B"]


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "scenario.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: no such file"


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: cannot be read")


# ---------------------------------------------------------------------------
# Good input
# ---------------------------------------------------------------------------

MINIMAL = '[drugs.A]\n\n[therapy]\nlines = ["A"]\n'


def test_defaults_are_filled_from_the_schema(tmp_path):
    path = tmp_path / "minimal.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    cfg = load_config(path)
    assert cfg.source == str(path)
    assert cfg.mutation_rate == SCHEMA[""]["mutation_rate"].default
    assert cfg.title == "" and cfg.description == ""
    for table, obj in (("clinic", cfg.clinic), ("simulation", cfg.simulation)):
        for key, spec in SCHEMA[table].items():
            assert getattr(obj, key) == spec.default, f"{table}.{key}"
    # a None default is made from another key when it is read
    assert cfg.clinic.imaging_limit == cfg.clinic.detection_cells / 10
    assert cfg.clinic.lesion_cells_per_cm3 == cfg.clinic.detection_cells
    for key, spec in SCHEMA["tumour"].items():
        assert getattr(cfg.tumour, key) == spec.default, f"tumour.{key}"
    drug = cfg.drugs["A"]
    for key, spec in SCHEMA["drugs.*"].items():
        assert getattr(drug, key) == spec.default, f"drugs.A.{key}"
    assert drug.name == "A"
    assert cfg.drug_mutation_rate("A") == cfg.mutation_rate
    assert cfg.therapy.lines == (("A",),)
    assert cfg.drug_names == ("A",)


def test_values_get_their_schema_types():
    raw = tomllib.loads(
        'mutation_rate = 0\n[tumour]\ninitial_cells = 1e6\nbirth_rate = 1\n'
        '[drugs.A]\nkill_fraction = 1\nmutation_rate = 1e-5\n[drugs.B]\n'
        '[therapy]\nlines = ["A", " A + B "]\n')
    cfg = Config.from_dict(raw)
    assert cfg.tumour.initial_cells == 1_000_000
    assert type(cfg.tumour.initial_cells) is int
    assert type(cfg.tumour.birth_rate) is float
    assert type(cfg.drugs["A"].kill_fraction) is float
    assert type(cfg.mutation_rate) is float
    assert cfg.drug_mutation_rate("A") == 1e-5
    assert cfg.drug_mutation_rate("B") == 0.0
    assert cfg.therapy.lines == (("A",), ("A", "B"))


def test_sixteen_drugs_are_allowed():
    raw = tomllib.loads(many_drugs(MAX_DRUGS) + '[therapy]\nlines = ["D0+D15"]\n')
    cfg = Config.from_dict(raw)
    assert len(cfg.drugs) == MAX_DRUGS
    assert cfg.therapy.lines == (("D0", "D15"),)


def test_initial_resistant_combination():
    raw = tomllib.loads(scenario(tumour='initial_cells = 10\ninitial_resistant = { A = 3, "B + A" = 1 }'))
    cfg = Config.from_dict(raw)
    # labels are put into drug order, so "B + A" is the genotype "A+B"
    assert cfg.tumour.initial_resistant == {"A": 3, "A+B": 1}


def test_config_is_frozen(tmp_path):
    cfg = Config.from_dict(tomllib.loads(MINIMAL))
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.tumour.birth_rate = 1.0  # type: ignore[misc]


@pytest.fixture
def classic():
    return load_config(ROOT / "configs" / "classic_98_2.toml")


def test_set_returns_a_new_validated_config(classic):
    before = classic.to_dict()
    changed = classic.set("drugs.A.kill_fraction", 0.9)
    assert changed is not classic
    assert changed.drugs["A"].kill_fraction == 0.9
    assert classic.drugs["A"].kill_fraction == 0.98
    assert classic.to_dict() == before
    assert changed.drugs["B"] == classic.drugs["B"]
    assert changed.tumour == classic.tumour
    assert changed.source == classic.source
    assert changed.set("drugs.A.kill_fraction", 0.98) == classic


def test_set_bad_value_names_the_key(classic):
    with pytest.raises(ConfigError) as info:
        classic.set("drugs.A.kill_fraction", 1.5)
    message = str(info.value)
    assert message.startswith(f"{classic.source}: drugs.A.kill_fraction = 1.5")
    assert "a number in [0, 1]" in message
    assert classic.drugs["A"].kill_fraction == 0.98


def test_set_unknown_key_suggests(classic):
    with pytest.raises(ConfigError) as info:
        classic.set("tumour.birth_rte", 0.3)
    assert "did you mean 'birth_rate'?" in str(info.value)


def test_set_below_a_value_is_an_error(classic):
    with pytest.raises(ConfigError) as info:
        classic.set("tumour.birth_rate.max", 1)
    message = str(info.value)
    assert "tumour.birth_rate is a value, not a table" in message


def test_update_changes_several_keys_at_once(classic):
    changed = classic.update({"clinic.detection_cells": 1e8, "mutation_rate": 1e-6})
    assert changed.clinic.detection_cells == 1e8
    assert changed.mutation_rate == 1e-6
    assert classic.clinic.detection_cells == 1e9
    # Each change alone is valid, together they must be checked together too.
    with pytest.raises(ConfigError) as info:
        classic.update({"clinic.detection_cells": 1e11, "clinic.lethal_cells": 1e10})
    assert "below clinic.lethal_cells" in str(info.value)


def test_set_can_switch_a_drug_to_continuous():
    cfg = Config.from_dict(tomllib.loads(MINIMAL))
    changed = cfg.update({"drugs.A.kill": "continuous", "drugs.A.kill_rate": 0.4})
    assert changed.drugs["A"].kill == "continuous"
    assert changed.drugs["A"].kill_rate == 0.4


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_to_dict_from_dict_round_trip(path):
    cfg = load_config(path)
    again = Config.from_dict(cfg.to_dict(), source=cfg.source)
    assert again == cfg
    assert again.to_dict() == cfg.to_dict()


def test_round_trip_keeps_every_feature():
    raw = tomllib.loads(scenario(
        top='title = "t"\ndescription = "d"\nmutation_rate = 1e-6',
        tumour='initial_cells = 100\ninitial_resistant = { A = 5, "A+B" = 1 }\ncarrying_capacity = 1e13',
        drugs=DRUGS_AB + "mutation_rate = 1e-4\nresistance_cost = 0.2\n",
        therapy='lines = ["A", "B", "A+B"]',
        clinic="scan_interval_days = 14"))
    cfg = Config.from_dict(raw, source="x")
    again = Config.from_dict(cfg.to_dict(), source="x")
    assert again == cfg
    assert again.drugs["B"].mutation_rate == 1e-4
    assert again.tumour.initial_resistant == {"A": 5, "A+B": 1}


def test_to_dict_is_a_copy():
    cfg = Config.from_dict(tomllib.loads(scenario(tumour="initial_resistant = { A = 5 }")))
    d = cfg.to_dict()
    d["tumour"]["initial_resistant"]["A"] = 6
    d["drugs"]["A"]["kill_fraction"] = 0.1
    assert cfg.tumour.initial_resistant == {"A": 5}
    assert cfg.drugs["A"].kill_fraction == 0.98


@pytest.mark.parametrize("text, key, value", [
    ("drugs.A.kill_fraction=0.95", "drugs.A.kill_fraction", 0.95),
    (" drugs.A.kill_fraction = 0.95 ", "drugs.A.kill_fraction", 0.95),
    ("tumour.initial_cells=1_000", "tumour.initial_cells", 1000),
    ("mutation_rate=1e-6", "mutation_rate", 1e-6),
    ("tumour.condition_on_detection=false", "tumour.condition_on_detection", False),
    ("drugs.B.kill=continuous", "drugs.B.kill", "continuous"),
    ('title="My run"', "title", "My run"),
    ("title=My run = good", "title", "My run = good"),
    ('therapy.lines=["A+B", "C"]', "therapy.lines", ["A+B", "C"]),
    ("tumour.initial_resistant={ A = 10 }", "tumour.initial_resistant", {"A": 10}),
])
def test_parse_assignment(text, key, value):
    assert parse_assignment(text) == (key, value)


@pytest.mark.parametrize("text, fragment", [
    # a pasted line break would otherwise drop the rest silently
    ("mutation_rate=1e-6\ndrugs.A.kill_fraction=5", "holds a line break"),
    ("mutation_rate=1e-6\r\n", "holds a line break"),
])
def test_parse_assignment_refuses_more_than_one_value(text, fragment):
    with pytest.raises(ConfigError, match=fragment):
        parse_assignment(text)


def test_parse_assignment_needs_an_equals_sign():
    with pytest.raises(ConfigError) as info:
        parse_assignment("drugs.A.kill_fraction")
    message = str(info.value)
    assert "'drugs.A.kill_fraction'" in message
    assert "key=value" in message


def test_load_config_with_overrides(tmp_path):
    path = ROOT / "configs" / "classic_98_2.toml"
    cfg = load_config(path, {"drugs.A.kill_fraction": 0.9, "therapy.lines": ["A+B", "C"]})
    assert cfg.drugs["A"].kill_fraction == 0.9
    assert cfg.therapy.lines == (("A", "B"), ("C",))
    assert load_config(path).drugs["A"].kill_fraction == 0.98
    with pytest.raises(ConfigError) as info:
        load_config(path, {"drugs.A.kill_fraction": math.nan})
    assert str(info.value).startswith(f"{path}: drugs.A.kill_fraction = nan")


def test_docs_config_md_is_generated_from_the_schema():
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert text == schema_markdown() + "\n", (
        "docs/config.md is stale: regenerate it with "
        "`python -m clonesim.config > docs/config.md`")


def test_schema_markdown_lists_every_key():
    md = schema_markdown()
    for table, specs in SCHEMA.items():
        for key in specs:
            assert f"| `{key}` |" in md, f"{table}.{key}"


def test_integer_too_long_for_python_is_a_config_error(tmp_path):
    # tomllib raises a plain ValueError (not TOMLDecodeError) past 4300 digits.
    path = tmp_path / "huge.toml"
    path.write_text(scenario(tumour="initial_cells = 1" + "0" * 5000), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ")


def test_initial_resistant_labels_in_any_order_are_one_genotype():
    raw = tomllib.loads(scenario(tumour='initial_cells = 10\n'
                                        'initial_resistant = { "A+B" = 1, "B+A" = 2 }'))
    assert Config.from_dict(raw).tumour.initial_resistant == {"A+B": 3}


def test_continuous_drug_without_kill_rate_says_it_is_missing():
    raw = {"drugs": {"A": {"kill": "continuous"}}, "therapy": {"lines": ["A"]}}
    with pytest.raises(ConfigError) as err:
        Config.from_dict(raw, source="s.toml")
    assert str(err.value).startswith("s.toml: drugs.A.kill_rate is missing")
    assert "kill_rate > 0" in str(err.value)


def test_tumour_that_keeps_dying_out_is_a_clear_error(tmp_path, monkeypatch):
    # Birth barely above death passes the check above, but from one cell the
    # tumour survives with probability (b - d) / b = 5e-5 (a linear birth-death
    # process, e.g. Kendall 1948): every redraw dies out. Five redraws stand
    # for the 100,000 of a real run; all five survive with probability 2.5e-4.
    monkeypatch.setattr(clonesim.runners, "MAX_REDRAWS", 5)
    path = tmp_path / "dwindling.toml"
    path.write_text(scenario(tumour="initial_cells = 1\nbirth_rate = 0.2\n"
                                    "death_rate = 0.19999"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        clonesim.simulate(load_config(path), seed=1)
    _check_message(str(info.value), str(path),
                   ["died out before detection 5 times", "tumour.initial_cells",
                    "birth 0.2 vs death 0.19999"])
