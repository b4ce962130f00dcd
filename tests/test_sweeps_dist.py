"""Sweeps beyond one process pool: a real Dask cluster (two worker processes on
loopback, started once for the module), ``--shard K/N`` and ``clonesim merge``.

Every check compares against the same small sweep run in this process: the
table must not depend on where or in how many pieces it was computed.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import clonesim
from clonesim import ConfigError
from clonesim.cli import main
from clonesim.sweeps import read_sweep
from clonesim.sweeps.store import seal

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "configs" / "classic_98_2.toml"
AXES = ["drugs.A.kill_fraction=[0.9, 0.99]", "mutation_rate=1e-8:1e-6:3:log"]
SWEEP_ARGS = ["sweep", str(CLASSIC), "--grid", AXES[0], "--grid", AXES[1], "--replicates", "3",
              "--seed", "11", "--no-progress"]


@pytest.fixture(scope="module")
def cfg():
    return clonesim.load_config(CLASSIC)


@pytest.fixture(scope="module")
def single(cfg, tmp_path_factory):
    """The reference: the sweep in one folder, this process, default chunks (1 row)."""
    out = tmp_path_factory.mktemp("single") / "s"
    clonesim.sweep(cfg, AXES, 3, seed=11, out=out, progress=False)
    return out


@pytest.fixture(scope="module")
def reference(single):
    return read_sweep(single)


def _same_files(a: Path, b: Path) -> None:
    """results.csv and every chunk file equal, byte for byte."""
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()
    chunks = sorted(p.name for p in (a / "chunks").iterdir())
    assert chunks == sorted(p.name for p in (b / "chunks").iterdir())
    for name in chunks:
        assert (a / "chunks" / name).read_bytes() == (b / "chunks" / name).read_bytes()


# -- a real Dask cluster ----------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cl:
        yield cl


@pytest.fixture(scope="module")
def client(cluster):
    import distributed

    with distributed.Client(cluster) as c:
        yield c


def test_dask_cluster_writes_the_local_table_bit_for_bit(cfg, single, reference, client,
                                                         tmp_path):
    from distributed import get_task_stream

    out = tmp_path / "dask"
    with get_task_stream(client) as stream:
        table = clonesim.sweep(cfg, AXES, 3, seed=11, out=out, scheduler=client, progress=False)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    _same_files(out, single)
    # the chunks really ran on the cluster, on both of its worker processes
    tasks = [t for t in stream.data if t["key"].startswith("run_rows")]
    assert len(tasks) == 18
    assert {t["worker"] for t in tasks} == set(client.nthreads())


def test_cli_scheduler_address_resumes_a_local_run(cluster, single, tmp_path):
    """Half a sweep run locally, the rest on the cluster: one table."""
    out = tmp_path / "mixed"
    assert main([*SWEEP_ARGS, "--out", str(out), "--workers", "2"]) == 0
    (out / "results.csv").unlink()
    for chunk in sorted((out / "chunks").iterdir())[::2]:
        chunk.unlink()
    assert main([*SWEEP_ARGS, "--out", str(out), "--scheduler", cluster.scheduler_address]) == 0
    _same_files(out, single)


def test_cli_dask_starts_and_stops_its_own_cluster(single, tmp_path, capsys, monkeypatch):
    from multiprocessing import active_children

    distributed = pytest.importorskip("distributed")
    made, real = [], distributed.LocalCluster
    monkeypatch.setattr(distributed, "LocalCluster", lambda **kw: made.append(kw) or real(**kw))
    before = len(active_children())
    out = tmp_path / "own"
    # one worker process keeps the test short; two are checked above
    assert main([*SWEEP_ARGS, "--out", str(out), "--dask", "--workers", "1",
                 "--chunk-size", "4"]) == 0
    assert "done: 18 virtual patients" in capsys.readouterr().out
    assert (out / "results.csv").read_bytes() == (single / "results.csv").read_bytes()
    assert len(made) == 1 and made[0]["n_workers"] == 1
    assert made[0]["threads_per_worker"] == 1 and made[0]["processes"]
    assert len(active_children()) == before  # its worker is gone


def test_workers_with_another_clonesim_are_refused(cfg, client, monkeypatch, tmp_path):
    import clonesim.sweeps.executors

    monkeypatch.setattr(clonesim.sweeps.executors, "version", lambda: "0.0.0-other")
    with pytest.raises(ConfigError, match="2 of the cluster's 2 Dask workers .* have clonesim "
                                          r"\S+, this machine 0.0.0-other"):
        clonesim.sweep(cfg, AXES, 3, seed=11, out=tmp_path / "o", scheduler=client)


def test_unreachable_scheduler_is_a_clear_error(tmp_path, capsys):
    dask = pytest.importorskip("dask")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main([*SWEEP_ARGS, "--out", str(tmp_path / "x"),
                     "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "--scheduler tcp://127.0.0.1:1: cannot connect to a Dask scheduler" in err


def test_dask_missing_says_how_to_install_it(cfg, monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    for flags in (["--dask"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        assert main([*SWEEP_ARGS, "--out", str(tmp_path / "x"), *flags]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1  # one paragraph
        assert 'pip install "clonesim[dist]"' in err and "Traceback" not in err
    with pytest.raises(ConfigError, match=r'pip install "clonesim\[dist\]"'):
        clonesim.sweep(cfg, AXES, 3, seed=11, dask=True, out=tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


# -- shards and merge -------------------------------------------------------------


@pytest.fixture(scope="module")
def shards(cfg, tmp_path_factory):
    """The sweep as shards 0/2 and 1/2, each in its own folder."""
    base = tmp_path_factory.mktemp("shards")
    folders = []
    for k in range(2):
        folders.append(base / f"shard-{k}")
        clonesim.sweep(cfg, AXES, 3, seed=11, out=folders[-1], shard=f"{k}/2", progress=False)
    return folders


def _copy(shards, tmp_path) -> list[Path]:
    """Private copies of the shard folders, for a test that changes them."""
    out = []
    for f in shards:
        out.append(tmp_path / f.name)
        shutil.copytree(f, out[-1])
    return out


def test_merged_shards_equal_the_single_run_bit_for_bit(shards, single, reference, tmp_path):
    parts = [read_sweep(f) for f in shards]
    assert [len(p) for p in parts] == [9, 9] and not parts[0].attrs["complete"]
    assert set(parts[0].point * 3 + parts[0].replicate) == set(range(0, 18, 2))  # chunks 0, 2, ..
    assert not (shards[0] / "results.csv").exists()
    merged = clonesim.merge_sweeps(shards[::-1], tmp_path / "all")
    pd.testing.assert_frame_equal(merged, reference, check_exact=True)
    assert merged.attrs["complete"]
    _same_files(tmp_path / "all", single)
    m = json.loads((tmp_path / "all" / "manifest.json").read_text())
    assert m["shard"] is None and m["finished"] and len(m["merged_from"]) == 2


def test_cli_shards_resume_and_merge(single, tmp_path, capsys):
    for k in range(3):
        assert main([*SWEEP_ARGS, "--shard", f"{k}/3", "--out", str(tmp_path / f"shard-{k}")]) == 0
    assert "clonesim merge" in capsys.readouterr().out
    # a shard is resumable: a lost chunk is redone, a finished shard does nothing
    lost = sorted((tmp_path / "shard-1" / "chunks").iterdir())[1]
    kept = lost.read_bytes()
    lost.unlink()
    assert main([*SWEEP_ARGS, "--shard", "1/3", "--out", str(tmp_path / "shard-1")]) == 0
    assert "done: 1 virtual patients" in capsys.readouterr().out and lost.read_bytes() == kept
    assert main([*SWEEP_ARGS, "--shard", "1/3", "--out", str(tmp_path / "shard-1")]) == 0
    assert "nothing to do" in capsys.readouterr().out
    folders = [str(tmp_path / f"shard-{k}") for k in range(3)]
    assert main(["merge", *folders, "--out", str(tmp_path / "all")]) == 0
    assert "18 rows, every (point, replicate) of the sweep once" in capsys.readouterr().out
    _same_files(tmp_path / "all", single)
    # the merged folder is an ordinary finished sweep: the whole command has nothing to do
    assert main([*SWEEP_ARGS, "--out", str(tmp_path / "all")]) == 0
    assert "nothing to do" in capsys.readouterr().out


def _refused(folders, out, *words):
    with pytest.raises(ConfigError) as exc:
        clonesim.merge_sweeps(folders, out)
    for w in words:
        assert w in str(exc.value)
    assert not Path(out).exists()


def test_merge_refuses_a_missing_shard(shards, tmp_path):
    _refused(shards[:1], tmp_path / "all", "9 of the sweep's 18 chunks are in none",
             "shard 1/2")


def test_merge_refuses_an_unfinished_shard(shards, tmp_path):
    folders = _copy(shards, tmp_path)
    next((folders[1] / "chunks").iterdir()).unlink()
    _refused(folders, tmp_path / "all", "(shard 1/2) is not finished", "1 of its 9 chunks",
             "shard='1/2'")  # its command, to rerun


def test_merge_refuses_a_shard_given_twice(shards, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(shards[0], twin)
    _refused([*shards, twin], tmp_path / "all", "chunk 0 is in both")


def test_merge_refuses_a_shard_of_another_sweep(cfg, shards, tmp_path):
    other = tmp_path / "other"
    clonesim.sweep(cfg, AXES, 3, seed=12, out=other, shard="1/2", progress=False)
    _refused([shards[0], other], tmp_path / "all", "is not a shard of the same sweep",
             "seed: 11 -> 12")
    _refused([shards[0], tmp_path], tmp_path / "all2", "not a sweep folder")


def test_merge_refuses_a_chunk_with_a_row_repeated(shards, tmp_path):
    # resealed, so that only the row check can see it: (0, 1) -> (0, 0)
    folders = _copy(shards, tmp_path)
    chunk = folders[1] / "chunks" / "chunk-000001.csv"
    head, row, _ = chunk.read_text().splitlines()
    chunk.write_bytes(seal(1, head + "\n" + row.replace("0,1,", "0,0,", 1) + "\n"))
    _refused(folders, tmp_path / "all", "every (point, replicate) of the sweep exactly once")


def test_merge_refuses_a_chunk_edited_by_hand(shards, tmp_path):
    folders = _copy(shards, tmp_path)
    chunk = folders[1] / "chunks" / "chunk-000001.csv"
    chunk.write_text(chunk.read_text().replace("0,1,", "0,0,", 1))
    _refused(folders, tmp_path / "all", "chunk 1 is damaged", "do not match their SHA-256")


def test_merge_never_writes_over_a_shard(shards, tmp_path):
    folders = _copy(shards, tmp_path)
    with pytest.raises(ConfigError, match="holds the shard folder"):
        clonesim.merge_sweeps(folders, tmp_path, overwrite=True)
    with pytest.raises(ConfigError, match="holds the shard folder"):
        clonesim.merge_sweeps(folders, folders[0], overwrite=True)
    assert read_sweep(folders[0]).attrs["manifest"]["shard"] == {"index": 0, "count": 2}


@pytest.mark.parametrize("shard, words", [
    ("2/2", "must be 0 .. 1"),
    ("0/0", "must be 0 .. 0"),
    ("one/2", "write K/N"),
    ("1", "write K/N"),
])
def test_bad_shard_is_a_clear_error(cfg, tmp_path, shard, words):
    with pytest.raises(ConfigError, match=f"^shard = '{shard}': ") as exc:
        clonesim.sweep(cfg, AXES, 3, seed=11, out=tmp_path / "o", shard=shard)
    assert words in str(exc.value) and not (tmp_path / "o").exists()


def test_shard_needs_a_seed_an_out_and_a_chunk(cfg, tmp_path):
    with pytest.raises(ConfigError, match=r"^seed is missing: a sweep run in shards "
                                          r"\(shard = K/2\) needs one root seed"):
        clonesim.sweep(cfg, AXES, 3, out=tmp_path / "o", shard="0/2")
    with pytest.raises(ConfigError, match=r"^out is missing: a shard \(shard = '0/2'\) needs "
                                          "an out folder"):
        clonesim.sweep(cfg, AXES, 3, seed=11, shard="0/2")
    with pytest.raises(ConfigError, match="so this shard has none; use a chunk_size of at most"):
        clonesim.sweep(cfg, AXES, 3, seed=11, out=tmp_path / "o", shard="1/2", chunk_size=18)
    with pytest.raises(ConfigError, match="only 18 rows"):
        clonesim.sweep(cfg, AXES, 3, seed=11, out=tmp_path / "o", shard="0/19")
    assert not (tmp_path / "o").exists()


def test_a_second_shard_into_the_same_folder_is_refused(shards, cfg, tmp_path):
    folder = _copy(shards[:1], tmp_path)[0]
    with pytest.raises(ConfigError, match="holds shard 0/2 of this sweep, not shard 1/2"):
        clonesim.sweep(cfg, AXES, 3, seed=11, out=folder, shard="1/2", progress=False)
    with pytest.raises(ConfigError, match="holds shard 0/2 of this sweep, not the whole sweep"):
        clonesim.sweep(cfg, AXES, 3, seed=11, out=folder, progress=False)
