"""Parameter sweeps: axes, validation before work, seeds that do not depend on
workers or chunks, resumable output folders (including after ``kill -9``),
and the sweep figure.

Sweeps here are tiny (a few points, a few patients) so the file runs in well
under a minute; what they check does not depend on size.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import clonesim
import clonesim.sweeps as sweeps
import clonesim.sweeps.run as sweep_run
from clonesim import ConfigError
from clonesim.cli import error_text, main
from clonesim.config import MISSING
from clonesim.sweeps import load_sweep_file, parse_axis, plan_sweep, read_sweep

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "configs" / "classic_98_2.toml"
AXES = ["drugs.A.kill_fraction=[0.9, 0.99]", "mutation_rate=1e-8:1e-6:3:log"]


@pytest.fixture(scope="module")
def cfg():
    return clonesim.load_config(CLASSIC)


@pytest.fixture(scope="module")
def reference(cfg):
    """The small reference sweep, in memory, one worker, default chunks."""
    return clonesim.sweep(cfg, AXES, 3, seed=11, progress=False)


# -- axes -----------------------------------------------------------------------


def test_linear_axis_has_n_evenly_spaced_values_with_exact_ends():
    a = parse_axis("drugs.A.kill_fraction=0.90:0.999:20")
    assert a.kind == "lin" and len(a.values) == 20
    assert a.values[0] == 0.9 and a.values[-1] == 0.999
    assert np.allclose(np.diff(a.values), (0.999 - 0.9) / 19)


def test_log_axis_is_evenly_spaced_in_log():
    a = parse_axis("mutation_rate=1e-9:1e-5:17:log")
    assert a.kind == "log" and len(a.values) == 17
    assert a.values[0] == 1e-9 and a.values[-1] == pytest.approx(1e-5, rel=1e-12)
    assert np.allclose(np.diff(np.log10(a.values)), 0.25)


def test_list_axis_keeps_strings_and_makes_mixed_numbers_floats():
    assert parse_axis('therapy.policy=["sequence", "rebiopsy"]').values == ("sequence",
                                                                             "rebiopsy")
    mixed = parse_axis("drugs.A.kill_fraction=[0.9, 1]").values
    assert mixed == (0.9, 1.0) and all(isinstance(v, float) for v in mixed)
    assert parse_axis("mutation_rate=1e-6").values == (1e-6,)


def test_integer_keys_are_rounded_to_whole_numbers():
    a = parse_axis("tumour.initial_cells=1:10:4")
    assert a.values == (1, 4, 7, 10) and all(type(v) is int for v in a.values)


@pytest.mark.parametrize("text, words", [
    ("mutation_rate", "expected KEY=SPEC"),
    ("mutation_rate=1:2:0", "at least 1"),
    ("mutation_rate=1:2:x", "not a whole number"),
    ("mutation_rate=-1:1:3:log", "lo > 0"),
    ("mutation_rate=1:2:3:4", "has 4 numbers"),
    ("mutation_rate=[]", "empty"),
    ("mutation_rate=[1, 1]", "listed twice"),
    ("mutation_rate=a:b:3", "not a number"),
])
def test_bad_axis_text_is_a_clear_error(text, words):
    with pytest.raises(ConfigError, match=f"^axes entry '{re.escape(text)}': ") as exc:
        parse_axis(text)
    assert words in str(exc.value)
    assert (exc.value.param, exc.value.value) == ("axes", text)


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_designs_give_the_asked_count_within_bounds_reproducibly(cfg, design):
    axes = ["drugs.A.kill_fraction=0.9:0.999", "mutation_rate=1e-9:1e-5:log"]
    plan = plan_sweep(cfg, axes, 1, seed=3, design=design, points=16)
    kf = np.array([p["drugs.A.kill_fraction"] for p in plan.points])
    mu = np.array([p["mutation_rate"] for p in plan.points])
    assert len(plan.points) == 16
    assert ((kf >= 0.9) & (kf <= 0.999)).all() and ((mu >= 1e-9) & (mu <= 1e-5)).all()
    # log axis: every decade gets points (16 points over 4 decades, stratified)
    assert len(set(np.floor(np.log10(mu)).astype(int))) == 4
    # stratified in 1-d: one point per 1/16 slice of the linear range
    assert sorted(np.floor((kf - 0.9) / (0.099 / 16)).astype(int)) == list(range(16))
    again = plan_sweep(cfg, axes, 1, seed=3, design=design, points=16)
    other = plan_sweep(cfg, axes, 1, seed=4, design=design, points=16)
    assert again.points == plan.points and other.points != plan.points


def test_design_is_crossed_with_list_axes(cfg):
    plan = plan_sweep(cfg, ['therapy.lines=[["A", "B"], ["A+B"]]',
                            "mutation_rate=1e-8:1e-6:log"], 1, seed=1, design="lhs", points=5)
    assert len(plan.points) == 10
    assert [p["therapy.lines"] for p in plan.points] == [["A", "B"]] * 5 + [["A+B"]] * 5
    assert [c.therapy.lines for c in plan.configs[4:6]] == [(("A",), ("B",)), (("A", "B"),)]
    assert plan.dtypes()["therapy.lines"] == "str" and plan.n_lines == 2


# -- errors before any work ------------------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any patient is simulated."""
    def boom(*args, **kwargs):
        raise AssertionError("a patient ran")
    monkeypatch.setattr(sweep_run, "run_rows", boom)


def test_unknown_key_suggests_the_close_one(cfg, no_work, tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'mutation_rate'"):
        clonesim.sweep(cfg, ["mutation_rat=[1e-7, 1e-6]"], 2, seed=1, out=tmp_path / "o")
    with pytest.raises(ConfigError, match="no drug 'a'.*did you mean 'A'"):
        clonesim.sweep(cfg, ["drugs.a.kill_fraction=[0.9]"], 2, seed=1)
    assert not (tmp_path / "o").exists()


def test_value_failing_validation_names_axis_value_and_rule(cfg, no_work):
    with pytest.raises(ConfigError) as exc:
        clonesim.sweep(cfg, ["drugs.A.kill_fraction=0.9:1.5:3"], 2, seed=1)
    msg = str(exc.value)
    assert msg.startswith("axes entry 'drugs.A.kill_fraction=0.9:1.5:3': ")
    assert "drugs.A.kill_fraction = 1.2" in msg
    assert "must be a number in [0, 1]" in msg


def test_point_whose_keys_clash_names_the_point(cfg, no_work):
    axes = ["clinic.detection_cells=[1e9, 5e11]", "clinic.lethal_cells=[1e12, 1e11]"]
    with pytest.raises(ConfigError, match=r"sweep point 3 \(clinic.detection_cells = 5e\+11, "
                                          r"clinic.lethal_cells = 1e\+11\)"):
        clonesim.sweep(cfg, axes, 2, seed=1)


@pytest.mark.parametrize("n", [0, -3])
def test_zero_replicates_is_an_error(cfg, no_work, n):
    with pytest.raises(ConfigError, match=f"^replicates = {n}: must be at least 1"):
        clonesim.sweep(cfg, AXES, n, seed=1)


# Sizes that would allocate terabytes or plan for hours are refused at once,
# before any point is built.
def test_axis_count_above_the_cap_is_an_error(cfg, no_work):
    with pytest.raises(ConfigError, match=r"the count must be at most 100,000, "
                                          r"not 1,000,000,000,000"):
        clonesim.sweep(cfg, ["drugs.A.kill_fraction=0.1:0.9:1000000000000"], 1, seed=1)


def test_grid_of_too_many_points_is_an_error(cfg, no_work):
    with pytest.raises(ConfigError, match=r"1,000 x 1,000 = 1,000,000 sweep points; "
                                          r"at most 100,000"):
        clonesim.sweep(cfg, ["drugs.A.kill_fraction=0.1:0.9:1000",
                             "drugs.B.kill_fraction=0.1:0.9:1000"], 1, seed=1)


def test_design_of_too_many_points_is_an_error(cfg, no_work):
    with pytest.raises(ConfigError, match=r"^points = 1000000: must be at most 100,000"):
        clonesim.sweep(cfg, ["drugs.A.kill_fraction=0.1:0.9"], 1, seed=1, design="lhs",
                       points=1_000_000)


def test_too_many_rows_is_an_error(cfg, no_work):
    with pytest.raises(ConfigError, match=r"^replicates = 1000000000000: 2 points x "
                                          r"1,000,000,000,000 replicates"):
        clonesim.sweep(cfg, ["drugs.A.kill_fraction=[0.9, 0.99]"], 10**12, seed=1)


@pytest.mark.parametrize("workers", [-3, 10_000, 1.5, "2"])
def test_workers_out_of_range_is_an_error(cfg, no_work, workers):
    cap = 4 * (os.cpu_count() or 1)
    with pytest.raises(ConfigError, match=rf"^workers = {re.escape(repr(workers))}: must be "
                                          rf"a whole number from 0 \(one per core\) to {cap}"):
        clonesim.sweep(cfg, AXES, 1, seed=1, workers=workers)
    with pytest.raises(ConfigError, match=r"^workers = "):
        clonesim.simulate_many(cfg, 2, seed=1, workers=workers)


def test_workers_out_of_range_on_the_command_line(capsys, tmp_path):
    status = main(["sweep", str(CLASSIC), "--grid", "drugs.A.kill_fraction=[0.9]",
                   "--replicates", "1", "--workers", "-3", "--out", str(tmp_path / "o"),
                   "--no-progress"])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith("error: --workers -3: must be a whole number")
    assert not (tmp_path / "o").exists()


def test_output_path_that_is_a_file_is_an_error(cfg, no_work, tmp_path):
    f = tmp_path / "results.txt"
    f.write_text("keep me")
    with pytest.raises(ConfigError, match="is a file"):
        clonesim.sweep(cfg, AXES, 2, seed=1, out=f)
    assert f.read_text() == "keep me"


def test_folder_of_other_files_is_never_deleted(cfg, no_work, tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(ConfigError, match="no manifest.json"):
        clonesim.sweep(cfg, AXES, 2, seed=1, out=tmp_path, overwrite=True)
    assert (tmp_path / "thesis.tex").read_text() == "precious"


def test_cli_errors_exit_2_without_traceback(tmp_path, capsys):
    for argv in (["sweep", CLASSIC, "--grid", "drugs.A.kill_fraction=0.9:1.5:3",
                  "--replicates", "2", "--out", tmp_path / "a"],
                 ["sweep", CLASSIC, "--grid", "mutation_rate=[1e-7]", "--replicates", "0",
                  "--out", tmp_path / "b"],
                 ["sweep", CLASSIC, "--grid", "mutation_rate=[1e-7]", "--out", tmp_path / "c"]):
        assert main([str(a) for a in argv]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "Traceback" not in err
    assert not any(tmp_path.iterdir())


# -- one error, two wordings: keys in Python, flags on the command line ------------


@pytest.mark.parametrize("call, flags, param, python, cli", [
    (dict(axes=["mutation_rate=[1e-7]"], replicates=0, seed=1),
     ["--grid", "mutation_rate=[1e-7]", "--replicates", "0", "--seed", "1"], "replicates",
     "replicates = 0: must be at least 1 (virtual patients per point)",
     "--replicates 0: must be at least 1 (virtual patients per point)"),
    (dict(axes=["mutation_rate=1e-8:1e-6"], replicates=2, seed=1, design="lhs"),
     ["--grid", "mutation_rate=1e-8:1e-6", "--replicates", "2", "--seed", "1", "--design", "lhs"],
     "points",
     "points is missing: design = 'lhs' needs the number of design points, a whole number "
     ">= 1, e.g. points = 64",
     "--points is missing: --design lhs needs the number of design points, a whole number "
     ">= 1, e.g. --points 64"),
    (dict(axes=["mutation_rate=[1e-7, 1e-6]"], replicates=2, shard="0/2"),
     ["--grid", "mutation_rate=[1e-7, 1e-6]", "--replicates", "2", "--shard", "0/2"], "seed",
     "seed is missing: a sweep run in shards (shard = K/2) needs one root seed",
     "--seed is missing: a sweep run in shards (--shard K/2) needs one root seed"),
    (dict(axes=["mutation_rate=1:2:0"], replicates=2, seed=1),
     ["--grid", "mutation_rate=1:2:0", "--replicates", "2", "--seed", "1"], "axes",
     "axes entry 'mutation_rate=1:2:0': the count must be at least 1, not 0\n  write "
     "KEY=lo:hi:n (linear), KEY=lo:hi:n:log, KEY=[a, b, c] (a list), or KEY=lo:hi / "
     "KEY=lo:hi:log with design = lhs|sobol",
     "--grid mutation_rate=1:2:0: the count must be at least 1, not 0\n  write "
     "KEY=lo:hi:n (linear), KEY=lo:hi:n:log, KEY=[a, b, c] (a list), or KEY=lo:hi / "
     "KEY=lo:hi:log with --design lhs|sobol"),
])
def test_an_error_names_keys_in_python_and_flags_on_the_command_line(
        no_work, tmp_path, capsys, call, flags, param, python, cli):
    with pytest.raises(ConfigError) as exc:
        clonesim.sweep(CLASSIC, **call, out=tmp_path / "py")
    assert str(exc.value).startswith(python) and " --" not in str(exc.value)
    assert exc.value.param == param and exc.value.source is None
    assert main(["sweep", str(CLASSIC), *flags, "--out", str(tmp_path / "cli")]) == 2
    assert capsys.readouterr().err.startswith(f"error: {cli}")
    assert error_text(exc.value).startswith(cli)  # the same error, rendered by the CLI
    assert not any(tmp_path.iterdir())


def test_structured_error_fields_flags_and_pickling():
    exc = ConfigError(param="chunk_size", value=0, allowed="must be a whole number >= 1; "
                      "or leave out {chunk_size} and give {fmt='csv'}, {overwrite=True}")
    assert (exc.param, exc.value, exc.structured) == ("chunk_size", 0, True)
    assert str(exc) == ("chunk_size = 0: must be a whole number >= 1; or leave out chunk_size "
                        "and give fmt = 'csv', overwrite = True")
    assert error_text(exc) == ("--chunk-size 0: must be a whole number >= 1; or leave out "
                               "--chunk-size and give --format csv, --overwrite")
    missing = ConfigError(param="axes", allowed="give one, e.g. {axes='mutation_rate=[1, 2]'}")
    assert missing.value is MISSING
    assert str(missing) == "axes is missing: give one, e.g. axes entry 'mutation_rate=[1, 2]'"
    assert error_text(missing) == "--grid is missing: give one, e.g. --grid 'mutation_rate=[1, 2]'"
    again = pickle.loads(pickle.dumps(exc))
    assert str(again) == str(exc) and again.param == "chunk_size" and again.value == 0
    assert pickle.loads(pickle.dumps(missing)).value is MISSING
    plain = ConfigError("a.toml: tumour.birth_rate = -1 must be {a number}")
    assert not plain.structured and error_text(plain) == str(plain) == plain.render()


def test_resume_conflict_names_both_values_by_key_and_by_flag(tmp_path, capsys):
    out = tmp_path / "s"
    argv = ["sweep", str(CLASSIC), "--grid", "mutation_rate=[1e-7]", "--seed", "3", "--out",
            str(out), "--no-progress"]
    assert main([*argv, "--replicates", "1"]) == 0
    capsys.readouterr()
    assert main([*argv, "--replicates", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out {out}: already holds a different sweep")
    assert "it differs in --replicates: 1 -> 2" in err and "add --overwrite to delete it" in err
    with pytest.raises(ConfigError) as exc:
        clonesim.sweep(CLASSIC, ["mutation_rate=[1e-7]"], 2, seed=3, out=out)
    msg = str(exc.value)
    assert msg.startswith(f"out = {str(out)!r}: already holds a different sweep")
    assert "it differs in replicates: 1 -> 2" in msg and "add overwrite = True" in msg


@pytest.mark.parametrize("body, words", [
    ("replicates = 0\n[[axes]]\nkey = 'mutation_rate'\nvalues = [1e-7]\n",
     "replicates = 0: must be at least 1"),
    ("replicates = 2\nseed = -1\n[[axes]]\nkey = 'mutation_rate'\nvalues = [1e-7]\n",
     "seed = -1: a sweep's root seed is one whole number >= 0"),
    ('replicates = 2\ndesign = "lhx"\n[[axes]]\nkey = "mutation_rate"\nvalues = [1e-7]\n',
     'design = "lhx": must be one of lhs, sobol'),
    ("replicates = 2\n[[axes]]\nkey = 'mutation_rate'\nrange = [1e-8, 1e-6]\nn = 0\n",
     'axes[0] (key = "mutation_rate"): the count must be at least 1, not 0\n  an axis is '
     'key = "a.config.key" with values = [...], or range = [lo, hi] with n = N'),
    ("replicates = 2\n[[axes]]\nkey = 'drugs.A.kill_fraction'\nvalues = [0.9, 1.5]\n",
     'axes[0] (key = "drugs.A.kill_fraction"): the value drugs.A.kill_fraction = 1.5 is not '
     "allowed"),
    ('replicates = 2\ndesign = "lhs"\n[[axes]]\nkey = "mutation_rate"\nrange = [1e-8, 1e-6]\n',
     '--points is missing: design = "lhs" needs the number of design points'),
])
def test_sweep_file_error_names_the_file_and_its_key(tmp_path, capsys, no_work, body, words):
    f = tmp_path / "mine.toml"
    f.write_text(f'base = "{CLASSIC.as_posix()}"\n' + body)
    assert main(["sweep", str(f), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {f}: {words}"), err
    for flag in ("--replicates", "--seed", "--design", "--grid", "Traceback"):
        assert flag not in err
    assert not (tmp_path / "o").exists()


def test_load_sweep_file_errors_carry_the_file_and_the_key(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(f'base = "{CLASSIC.as_posix()}"\nreplicates = 0\n'
                 '[[axes]]\nkey = "mutation_rate"\nvalues = [1e-7]\n')
    with pytest.raises(ConfigError) as exc:
        load_sweep_file(f)
    assert (exc.value.param, exc.value.value, exc.value.source) == ("replicates", 0, str(f))
    assert str(exc.value).startswith(f"{f}: replicates = 0: must be at least 1")
    assert error_text(exc.value) == str(exc.value)  # a file's error keeps the file's words


# -- reproducibility ---------------------------------------------------------------


def test_table_has_one_row_per_point_and_replicate_with_its_columns(reference):
    t = reference
    assert len(t) == 6 * 3
    assert list(zip(t.point, t.replicate)) == [(p, r) for p in range(6) for r in range(3)]
    for col in ("drugs.A.kill_fraction", "mutation_rate", "seed", "cured", "died",
                "lines_used", "refractory", "survival_days", "days_to_lethal",
                "ttp_line1_days", "ttp_line3_days", "final_burden", "final_sensitive",
                "final_resistant"):
        assert col in t.columns
    assert (t.final_sensitive + t.final_resistant == t.final_burden).all()
    assert t.cured.dtype == bool and t.lines_used.dtype == np.int64
    assert set(t.seed) == {f"(11, {p}, {r})" for p in range(6) for r in range(3)}


def test_a_row_reruns_alone_from_its_seed(cfg, reference):
    row = reference.iloc[10]
    point_cfg = cfg.update({"drugs.A.kill_fraction": row["drugs.A.kill_fraction"],
                            "mutation_rate": row["mutation_rate"]})
    again = clonesim.simulate(point_cfg, seed=(11, int(row.point), int(row.replicate)))
    o = again.outcome_row()
    assert o["seed"] == row.seed and o["outcome"] == row.outcome
    assert o["survival_days"] == row.survival_days and o["final_burden"] == row.final_burden


def test_same_table_for_workers_and_chunk_sizes(cfg, reference, tmp_path):
    runs = {}
    for workers, chunk in [(1, 1), (2, 7), (2, 1)]:
        out = tmp_path / f"w{workers}c{chunk}"
        runs[out] = clonesim.sweep(cfg, AXES, 3, seed=11, workers=workers, chunk_size=chunk,
                                   out=out, progress=False)
    for out, table in runs.items():
        pd.testing.assert_frame_equal(table, reference, check_exact=True)
        pd.testing.assert_frame_equal(read_sweep(out), reference, check_exact=True)
    files = {(out / "results.csv").read_bytes() for out in runs}
    assert len(files) == 1  # bit for bit
    assert len(list((tmp_path / "w1c1" / "chunks").iterdir())) == 18
    assert len(list((tmp_path / "w2c7" / "chunks").iterdir())) == 3


def test_rerunning_a_finished_sweep_does_no_work(cfg, reference, tmp_path, monkeypatch):
    out = tmp_path / "s"
    clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=4, progress=False)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    stamps = {p: p.stat().st_mtime_ns for p in files}
    monkeypatch.setattr(sweep_run, "run_rows",
                        lambda *a: (_ for _ in ()).throw(AssertionError("work was done")))
    again = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, progress=False)  # chunk size reused
    assert {p: p.stat().st_mtime_ns for p in files} == stamps
    assert sorted(p for p in out.rglob("*") if p.is_file()) == files
    pd.testing.assert_frame_equal(again, reference, check_exact=True)


def test_changed_command_is_refused_unless_overwrite(cfg, tmp_path):
    out = tmp_path / "s"
    clonesim.sweep(cfg, AXES[:1], 2, seed=11, out=out, progress=False)
    with pytest.raises(ConfigError) as exc:
        clonesim.sweep(cfg, AXES[:1], 3, seed=11, out=out, progress=False)
    msg = str(exc.value)
    assert "already holds a different sweep" in msg and "replicates: 2 -> 3" in msg
    assert "add overwrite = True to delete it" in msg and "--" not in msg
    with pytest.raises(ConfigError, match="differs in axes: "):
        clonesim.sweep(cfg, ["drugs.A.kill_fraction=[0.9, 0.95]"], 2, seed=11, out=out,
                       progress=False)
    with pytest.raises(ConfigError, match="the base scenario"):
        clonesim.sweep(cfg.set("clinic.scan_interval_days", 56), AXES[:1], 2, seed=11,
                       out=out, progress=False)
    table = clonesim.sweep(cfg, AXES[:1], 3, seed=11, out=out, overwrite=True, progress=False)
    assert len(table) == 6 and json.loads((out / "manifest.json").read_text())[
        "signature"]["replicates"] == 3


def test_partial_sweep_reads_back_what_is_done(cfg, reference, tmp_path):
    out = tmp_path / "s"
    clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    (out / "results.csv").unlink()
    (out / "chunks" / "chunk-000001.csv").unlink()
    (out / "chunks" / ".chunk-000002.csv.123.tmp").write_text("half a fi")
    part = read_sweep(out)
    assert not part.attrs["complete"] and len(part) == 13
    full = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, progress=False)
    pd.testing.assert_frame_equal(full, reference, check_exact=True)
    assert not list((out / "chunks").glob("*.tmp"))


def test_kill_9_and_resume_gives_every_row_once(tmp_path):
    """A real `python -m clonesim sweep` with 2 workers, killed (SIGKILL, whole
    process group) once its first chunk is on disk, then rerun as is."""
    out = tmp_path / "killed"
    argv = [sys.executable, "-m", "clonesim", "sweep", str(CLASSIC), "--grid", AXES[0],
            "--grid", AXES[1], "--replicates", "14", "--seed", "11", "--out", str(out),
            "--workers", "2", "--chunk-size", "2", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while not list((out / "chunks").glob("chunk-*.csv")) if (out / "chunks").exists() \
                else True:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no chunk appeared"
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = list((out / "chunks").glob("chunk-*.csv"))
    assert 1 <= len(done) < 42 and not (out / "results.csv").exists()
    rerun = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    resumed = read_sweep(out)
    assert resumed.attrs["complete"]
    assert not resumed.duplicated(["point", "replicate"]).any()
    assert len(resumed) == 6 * 14
    whole = clonesim.sweep(CLASSIC, AXES, 14, seed=11, progress=False)
    pd.testing.assert_frame_equal(resumed, whole, check_exact=True)
    assert len(json.loads((out / "manifest.json").read_text())["resumed"]) == 1


# -- damaged folders: found, named, and mended by a rerun ----------------------------


def _folder(cfg, tmp_path, **kw):
    out = tmp_path / "s"
    clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False, **kw)
    return out


def _one_digit_changed(text: str) -> str:
    """The last digit of the first row, changed: a value off by a little."""
    end = text.index("\n", text.index("\n") + 1)
    i = max(text.rfind(d, 0, end) for d in "0123456789")
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:]


@pytest.mark.parametrize("damage, why", [
    (_one_digit_changed, "do not match their SHA-256"),
    (lambda t: t[: t.rindex("\n", 0, len(t) - 1) - 3] + "\n", "not a clonesim seal"),  # cut
    (lambda t: t.replace("\n", "\n\x00garble", 2), "do not match their SHA-256"),
])
def test_damaged_chunk_is_named_on_read_and_rerun_on_resume(cfg, reference, tmp_path, capsys,
                                                             damage, why):
    out = _folder(cfg, tmp_path)
    (out / "results.csv").unlink()
    chunk = out / "chunks" / "chunk-000002.csv"
    chunk.write_text(damage(chunk.read_text()))
    with pytest.raises(ConfigError) as exc:
        read_sweep(out)
    assert str(exc.value).startswith(f"{chunk}: chunk 2 is damaged") and why in str(exc.value)
    assert "rerun the sweep command" in str(exc.value)
    capsys.readouterr()
    table = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    assert f"{chunk}: chunk 2 was damaged" in capsys.readouterr().err
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    pd.testing.assert_frame_equal(read_sweep(out), reference, check_exact=True)


def test_damaged_results_file_is_named_and_rebuilt(cfg, reference, tmp_path, capsys):
    out = _folder(cfg, tmp_path)
    results = out / "results.csv"
    results.write_text(_one_digit_changed(results.read_text()))
    with pytest.raises(ConfigError, match="does not match the SHA-256 in manifest.json"):
        read_sweep(out)
    table = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    assert "it is rebuilt from the chunks" in capsys.readouterr().err
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


@pytest.mark.parametrize("text, why", [
    ("{}", "'signature' is missing"),
    ("[1, 2]", "it holds a list, not a table"),
    ('{"signature": {}, "dtypes": {}, "rows": 1, "n_chunks": 1, "points": []}',
     "its signature lacks 'seed'"),
    ("\x89PNG\x00\xff", "cannot be read as JSON"),
])
def test_garbage_manifest_is_named_everywhere_and_overwrite_mends_it(cfg, reference, tmp_path,
                                                                     text, why):
    out = _folder(cfg, tmp_path)
    (out / "manifest.json").write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError, match=f"not a clonesim sweep manifest: {re.escape(why)}"):
        read_sweep(out)
    with pytest.raises(ConfigError, match="add overwrite = True to start the sweep again"):
        clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    with pytest.raises(ConfigError, match="not a clonesim sweep manifest"):
        clonesim.merge_sweeps([out], tmp_path / "merged")
    status = main(["plot-sweep", str(out), "--x", "mutation_rate"])
    assert status == 2
    (out / "notes.txt").write_text("mine")  # overwrite deletes the sweep's files only
    table = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False,
                           overwrite=True)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    assert (out / "notes.txt").read_text() == "mine"


def test_first_write_cut_short_leaves_a_folder_that_resumes(cfg, reference, tmp_path):
    out = tmp_path / "s"
    (out / "chunks").mkdir(parents=True)
    (out / ".manifest.json.4242.tmp").write_text('{"clonesim_ver')  # killed mid-write
    table = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    assert not list(out.glob(".*.tmp"))


def test_full_disk_stops_with_what_was_kept_and_resumes(cfg, reference, tmp_path, monkeypatch):
    """The disk fills up at the third chunk: the error says so and how many
    chunks are kept, no temporary file is left, and a rerun finishes the sweep."""
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 4:  # the manifest, two chunks, then the disk is full
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    out = tmp_path / "s"
    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(ConfigError) as exc:
        clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    monkeypatch.undo()
    msg = str(exc.value)
    assert msg.startswith(f"out = {str(out)!r}: cannot write ")
    assert "No space left on device" in msg and "the 2 finished chunks of 4 are kept" in msg
    assert "rerun the same command to resume" in msg
    assert not list(out.rglob(".*.tmp"))
    table = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, chunk_size=5, progress=False)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_out_below_a_file_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    status = main(["sweep", str(CLASSIC), "--grid", "drugs.A.kill_fraction=[0.9]",
                   "--replicates", "1", "--seed", "1", "--no-progress",
                   "--out", str(tmp_path / "afile" / "sub")])
    err = capsys.readouterr().err
    assert status == 2 and f"{tmp_path / 'afile'} is a file" in err and "Traceback" not in err


# -- command line, sweep files, parquet ---------------------------------------------


def test_cli_sweep_writes_manifest_first_and_results(tmp_path, capsys, reference):
    out = tmp_path / "cli"
    argv = ["sweep", str(CLASSIC), "--grid", AXES[0], "--grid", AXES[1], "--replicates", "3",
            "--seed", "11", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "6 points x 3 replicates = 18 virtual patients" in text
    assert "not for clinical use" in text
    m = json.loads((out / "manifest.json").read_text())
    assert m["command"].startswith("clonesim sweep ") and m["finished"] >= m["started"]
    assert m["signature"]["seed"] == 11 and m["clonesim_version"] == clonesim.__version__
    assert m["signature"]["base_config"] == json.loads(json.dumps(reference.attrs[
        "manifest"]["signature"]["base_config"]))
    pd.testing.assert_frame_equal(read_sweep(out), reference, check_exact=True)
    assert main(argv) == 0
    assert "nothing to do" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["kill_vs_mutation.toml", "detection_size.toml"])
def test_shipped_sweep_files_are_valid(name):
    spec = load_sweep_file(ROOT / "configs" / "sweeps" / name)
    plan = plan_sweep(spec["config"], spec["axes"], spec["replicates"], spec.get("seed"),
                      design=spec.get("design"), points=spec.get("points"))
    assert plan.rows >= 100 and len(plan.axes) == 2


def test_sweep_file_runs_from_the_cli(tmp_path, capsys):
    f = tmp_path / "mine.toml"
    f.write_text(f'base = "{CLASSIC.as_posix()}"\nreplicates = 2\nseed = 4\n'
                 '[[axes]]\nkey = "mutation_rate"\nrange = [1e-8, 1e-6]\nn = 3\nscale = "log"\n')
    assert main(["sweep", str(f), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    table = read_sweep(tmp_path / "o")
    assert len(table) == 6 and sorted(table.mutation_rate.unique()) == pytest.approx(
        [1e-8, 1e-7, 1e-6])
    f.write_text('base = "nope.toml"\nreplicatse = 2\n')
    assert main(["sweep", str(f), "--out", str(tmp_path / "p")]) == 2
    assert "did you mean 'replicates'" in capsys.readouterr().err


def test_parquet_output_or_a_clear_message(cfg, reference, tmp_path):
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match=r"pip install 'clonesim\[parquet\]'"):
            clonesim.sweep(cfg, AXES, 3, seed=11, out=tmp_path / "p", fmt="parquet")
        assert not (tmp_path / "p").exists()
        return
    t = clonesim.sweep(cfg, AXES, 3, seed=11, out=tmp_path / "p", fmt="parquet",
                       progress=False)
    assert (tmp_path / "p" / "results.parquet").exists()
    pd.testing.assert_frame_equal(t, reference, check_exact=True)


# -- the figure -------------------------------------------------------------------


def test_plot_sweep_curves_one_per_y_value_with_bands(reference):
    fig = clonesim.plot_sweep(reference, "mutation_rate", "drugs.A.kill_fraction", "cured")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2  # curves and bands
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "mutation_rate"
    assert ax.get_ylabel() == "P(cured)" and "Wilson 95%" in ax.get_title()
    assert any("not for clinical use" in t.get_text() for t in fig.texts)
    # the band is the Wilson interval of the plotted proportion
    s = sweeps.summarise_sweep(reference, ["mutation_rate"], "cured")
    k = int(round(s.value.iloc[0] * s.n.iloc[0]))
    from scipy.stats import binomtest
    ci = binomtest(k, int(s.n.iloc[0])).proportion_ci(method="wilson")
    assert (s.low.iloc[0], s.high.iloc[0]) == pytest.approx((ci.low, ci.high))


def test_plot_sweep_heatmap_and_mean_metric(reference):
    fig = clonesim.plot_sweep(reference, "drugs.A.kill_fraction", "mutation_rate",
                              "lines_used", kind="heatmap")
    ax, cbar = fig.axes
    assert cbar.get_ylabel() == "mean lines used"
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "mutation_rate"
    mesh = ax.collections[0]
    expected = reference.groupby(["mutation_rate", "drugs.A.kill_fraction"]).lines_used.mean()
    assert np.allclose(np.asarray(mesh.get_array()).ravel(), expected.to_numpy())


def test_plot_sweep_unknown_metric_is_a_clear_error(reference):
    with pytest.raises(ConfigError, match="did you mean 'cured'"):
        clonesim.plot_sweep(reference, "mutation_rate", metric="curd")


def test_cli_plot_sweep_writes_a_png(cfg, tmp_path, capsys):
    out = tmp_path / "s"
    clonesim.sweep(cfg, AXES, 3, seed=11, out=out, progress=False)
    assert main(["plot-sweep", str(out), "--x", "mutation_rate", "--y",
                 "drugs.A.kill_fraction", "--metric", "refractory"]) == 0
    png = out / "sweep_refractory.png"
    assert png.exists() and png.read_bytes()[:4] == b"\x89PNG"
    assert main(["plot-sweep", str(out), "--x", "mutation_rat"]) == 2
    assert "did you mean 'mutation_rate'" in capsys.readouterr().err
