"""The command line: ``clonesim run`` and ``clonesim validate``.

Most tests call :func:`clonesim.cli.main` in-process; one runs
``python -m clonesim.cli`` in a subprocess to prove the entry point works.
A user mistake must end with status 2 and one ``error: ...`` message on
stderr, never a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

import clonesim
from clonesim.cli import main
from clonesim.config import load_config
from clonesim.provenance import config_hash

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "configs" / "classic_98_2.toml"
STEM = CLASSIC.stem


def cli(argv, capsys):
    """Run main(argv); return (status, stdout, stderr). argparse exits count as status."""
    escaped = None
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    except Exception as exc:  # a user mistake must never escape as an exception
        escaped = exc
    out, err = capsys.readouterr()
    if escaped is not None:
        pytest.fail(f"main({[str(a) for a in argv]}) raised {escaped!r} instead of "
                    f"exiting with status 2 and an 'error:' line", pytrace=False)
    return status, out, err


def written(out_dir: Path, fmt: str = "png") -> dict[str, Path]:
    return {
        "trajectory": out_dir / f"{STEM}_trajectory.csv",
        "events": out_dir / f"{STEM}_events.csv",
        "lines": out_dir / f"{STEM}_lines.csv",
        "provenance": out_dir / f"{STEM}_provenance.json",
        "figure": out_dir / f"{STEM}_burden.{fmt}",
    }


@pytest.fixture(scope="module")
def png_run(tmp_path_factory):
    """One seeded run with the default format, shared by the output checks."""
    import contextlib
    import io

    out_dir = tmp_path_factory.mktemp("run") / "results"  # does not exist yet
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["run", str(CLASSIC), "--seed", "7", "--out", str(out_dir)])
    return status, stdout.getvalue(), stderr.getvalue(), out_dir


def test_run_succeeds_and_tells_the_story(png_run):
    status, out, err, out_dir = png_run
    assert status == 0
    assert err == ""
    assert "not for clinical use" in out
    assert "tumour detected" in out
    assert "outcome:" in out
    assert f"repeat with: clonesim run {CLASSIC} --seed 7" in out
    for path in written(out_dir).values():
        assert str(path) in out


def test_run_writes_readable_tables(png_run):
    _, _, _, out_dir = png_run
    files = written(out_dir)
    traj = pd.read_csv(files["trajectory"])
    assert list(traj.columns) == ["time_days", "type", "type_id", "cells"]
    assert len(traj) > 0
    assert traj["cells"].min() >= 0
    assert traj["time_days"].is_monotonic_increasing
    assert "sensitive" in set(traj["type"])
    events = pd.read_csv(files["events"])
    assert list(events.columns) == ["time", "kind", "line", "burden", "detail"]
    assert events["kind"].iloc[0] == "detection"
    lines = pd.read_csv(files["lines"])
    assert list(lines.columns) == ["line", "drugs", "start_day", "end_day", "best_response",
                                   "ended_by", "time_to_progression_days"]
    assert len(lines) == (events["kind"] == "line start").sum() >= 1
    assert lines["drugs"].iloc[0] == "A"


def test_run_writes_provenance(png_run):
    _, _, _, out_dir = png_run
    prov = json.loads(written(out_dir)["provenance"].read_text(encoding="utf-8"))
    assert prov["clonesim_version"] == clonesim.__version__
    assert prov["config_hash"] == config_hash(load_config(CLASSIC))
    assert re.fullmatch(r"[0-9a-f]{12}", prov["config_hash"])
    assert prov["seed"] == "7"
    assert "not for clinical use" in prov["note"]


def test_png_carries_provenance(png_run):
    _, _, _, out_dir = png_run
    path = written(out_dir)["figure"]
    with Image.open(path) as im:
        assert im.format == "PNG"
        text = dict(im.text)
    assert text["config_hash"] == config_hash(load_config(CLASSIC))
    assert text["seed"] == "7"
    assert text["clonesim_version"] == clonesim.__version__
    assert "config_hash=" in text["Description"]


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_svg_and_pdf_carry_provenance(tmp_path, capsys, fmt, magic):
    status, out, err = cli(["run", CLASSIC, "--seed", "7", "--out", tmp_path, "--format", fmt],
                           capsys)
    assert status == 0, err
    data = written(tmp_path, fmt)["figure"].read_bytes()
    assert data.startswith(magic)
    assert f"config_hash={config_hash(load_config(CLASSIC))}".encode() in data
    assert b"seed=7" in data


def test_set_takes_effect(tmp_path, capsys):
    status, out, err = cli(["run", CLASSIC, "--seed", "7", "--out", tmp_path,
                            "--set", "drugs.A.kill_fraction=0.9"], capsys)
    assert status == 0, err
    prov = json.loads(written(tmp_path)["provenance"].read_text(encoding="utf-8"))
    changed = load_config(CLASSIC).set("drugs.A.kill_fraction", 0.9)
    assert prov["config_hash"] == config_hash(changed)
    assert prov["config_hash"] != config_hash(load_config(CLASSIC))
    assert "--seed 7 --set drugs.A.kill_fraction=0.9" in out


def test_unseeded_run_can_be_repeated(tmp_path, capsys):
    status, out, err = cli(["run", CLASSIC, "--out", tmp_path / "first"], capsys)
    assert status == 0, err
    match = re.search(r"repeat with: clonesim run \S+ --seed (\d+)", out)
    assert match, out
    status, _, err = cli(["run", CLASSIC, "--out", tmp_path / "again", "--seed", match[1]],
                         capsys)
    assert status == 0, err
    for name in ("trajectory", "events", "lines"):
        first = written(tmp_path / "first")[name].read_bytes()
        assert first == written(tmp_path / "again")[name].read_bytes(), name


def test_validate_ok(capsys):
    status, out, err = cli(["validate", CLASSIC], capsys)
    assert status == 0
    assert err == ""
    assert out.strip() == f"{CLASSIC}: OK: 3 drug(s) (A, B, C); lines: A, then B, then C"


def test_validate_with_set(capsys):
    status, out, err = cli(["validate", CLASSIC, "--set", "therapy.lines=['A+B', 'C']"], capsys)
    assert status == 0, err
    assert "lines: A+B, then C" in out


BAD_FILES = [
    ("bad value", "[drugs.A]\nkill_fraction = 1.5\n[therapy]\nlines = ['A']\n",
     ["drugs.A.kill_fraction = 1.5", "a number in [0, 1]"]),
    ("unknown key", "[drugs.A]\nkill_fracton = 0.9\n[therapy]\nlines = ['A']\n",
     ["'drugs.A.kill_fracton'", "did you mean 'kill_fraction'?"]),
    ("undefined drug", "[drugs.A]\n[therapy]\nlines = ['A', 'B']\n",
     ['therapy.lines[1] = "B"', "defined drugs: A"]),
    ("not TOML", "[drugs.A\n", ["not valid TOML"]),
]


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("text, fragments", [c[1:] for c in BAD_FILES],
                         ids=[c[0] for c in BAD_FILES])
def test_bad_file_exits_2_with_one_message(tmp_path, capsys, command, text, fragments):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    argv = [command, path] + (["--out", tmp_path / "out"] if command == "run" else [])
    status, out, err = cli(argv, capsys)
    assert status == 2
    assert err.startswith(f"error: {path}: "), err
    for fragment in fragments:
        assert fragment in err, err
    assert "Traceback" not in err
    assert out == ""
    assert not (tmp_path / "out").exists()


def test_missing_file_exits_2(tmp_path, capsys):
    path = tmp_path / "missing.toml"
    status, out, err = cli(["validate", path], capsys)
    assert status == 2
    assert err.strip() == f"error: {path}: no such file"


def test_set_unknown_key_suggests(capsys):
    status, out, err = cli(["validate", CLASSIC, "--set", "tumour.birth_rte=0.3"], capsys)
    assert status == 2
    assert err.startswith(f"error: {CLASSIC}: unknown key 'tumour.birth_rte'")
    assert "did you mean 'birth_rate'?" in err
    assert "Traceback" not in err


def test_set_bad_value_exits_2(tmp_path, capsys):
    status, out, err = cli(["run", CLASSIC, "--out", tmp_path, "--set",
                            "drugs.A.kill_fraction=lots"], capsys)
    assert status == 2
    assert err.startswith(f"error: {CLASSIC}: drugs.A.kill_fraction = \"lots\"")
    assert list(tmp_path.iterdir()) == []


def test_set_without_equals_exits_2(capsys):
    status, out, err = cli(["validate", CLASSIC, "--set", "drugs.A.kill_fraction"], capsys)
    assert status == 2
    assert err.startswith("error: --set drugs.A.kill_fraction: expected key=value")


def test_set_on_a_drug_that_does_not_exist_exits_2(capsys):
    # The shipped drugs are A, B, C; "drugs.a.kill_fraction" is a typo for A and must
    # not silently define a new, unused drug 'a' while A keeps its 98%.
    status, out, err = cli(["validate", CLASSIC, "--set", "drugs.a.kill_fraction=0.5"], capsys)
    assert status == 2, out
    assert "drugs.a" in err
    assert "did you mean" in err and "'A'" in err


def test_set_cannot_add_a_drug_by_a_table(capsys):
    # "drugs.D={...}" used to define a fourth drug that no line gives.
    status, out, err = cli(["validate", CLASSIC, "--set", "drugs.D={kill_fraction=0.9}"], capsys)
    assert status == 2, out
    assert "drugs.D: no drug 'D'" in err and "defined drugs: A, B, C" in err


def test_full_disk_while_writing_is_a_clear_error(tmp_path, capsys, monkeypatch):
    def full(self, path, *args, **kwargs):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    status, out, err = cli(["run", CLASSIC, "--seed", "1", "--out", str(tmp_path)], capsys)
    assert status == 2 and "Traceback" not in err
    assert err.strip() == (f"error: {tmp_path / 'classic_98_2_trajectory.csv'}: No space left "
                           "on device; nothing after it was written")


@pytest.mark.parametrize("argv, words", [
    (["figure", "recurrence", "--dpi", "100000"], "--dpi: 100000 is above 1200"),
    (["cohort", CLASSIC, "--n", "100000000"], "--n 100000000: must be at most 50,000"),
])
def test_sizes_that_would_fill_memory_are_refused(capsys, tmp_path, argv, words):
    status, out, err = cli(argv + ["--out", str(tmp_path / "o")], capsys)
    assert status == 2 and words in err and "Traceback" not in err


def test_help_says_teaching_only_and_shows_examples(capsys):
    status, out, err = cli(["--help"], capsys)
    assert status == 0
    assert "not for clinical use" in out.lower()
    assert re.search(r"^\s+clonesim run configs/\S+\.toml", out, re.M), out
    assert re.search(r"^\s+clonesim validate configs/\S+\.toml", out, re.M), out


def test_run_help_shows_examples(capsys):
    status, out, err = cli(["run", "--help"], capsys)
    assert status == 0
    assert "not for clinical use" in out.lower()
    assert "examples:" in out
    assert "clonesim run configs/classic_98_2.toml --seed 7" in out
    assert "--set drugs.A.kill_fraction=0.9" in out


def test_validate_help_shows_an_example(capsys):
    status, out, err = cli(["validate", "--help"], capsys)
    assert status == 0
    assert "clonesim validate configs/classic_98_2.toml" in out


def test_no_command_prints_help_and_returns_2(capsys):
    status, out, err = cli([], capsys)
    assert status == 2
    assert out.startswith("usage: clonesim")
    assert "run" in out and "validate" in out


def test_version(capsys):
    status, out, err = cli(["--version"], capsys)
    assert status == 0
    assert out.strip() == f"clonesim {clonesim.__version__}"


def test_out_is_an_existing_file(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("keep me", encoding="utf-8")
    status, out, err = cli(["run", CLASSIC, "--seed", "1", "--out", target], capsys)
    assert status == 2
    assert err.strip() == (f"error: --out {target}: is a file; give a folder to write "
                           "results into")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_inside_a_file_exits_2(tmp_path, capsys):
    target = tmp_path / "results.txt"
    target.write_text("keep me", encoding="utf-8")
    status, out, err = cli(["run", CLASSIC, "--seed", "1", "--out", target / "sub"], capsys)
    assert status == 2
    assert err.startswith("error: --out "), err
    assert "Traceback" not in err


def test_negative_seed_exits_2(tmp_path, capsys):
    status, out, err = cli(["run", CLASSIC, "--seed", "-1", "--out", tmp_path], capsys)
    assert status == 2
    assert "seed" in err and "-1" in err
    assert "Traceback" not in err


def test_entry_point_in_a_fresh_process(tmp_path):
    """``python -m clonesim.cli`` runs, writes its files, and reports errors with status 2."""
    done = subprocess.run(
        [sys.executable, "-m", "clonesim.cli", "run", str(CLASSIC), "--seed", "3",
         "--out", str(tmp_path), "--format", "svg"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "not for clinical use" in done.stdout
    for path in written(tmp_path, "svg").values():
        assert path.is_file(), path
    prov = json.loads(written(tmp_path, "svg")["provenance"].read_text(encoding="utf-8"))
    assert prov["seed"] == "3"

    bad = subprocess.run(
        [sys.executable, "-m", "clonesim.cli", "validate", str(CLASSIC),
         "--set", "drugs.B.kill_fracton=0.5"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.startswith(f"error: {CLASSIC}: unknown key 'drugs.B.kill_fracton'")
    assert "Traceback" not in bad.stderr
