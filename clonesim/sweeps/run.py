"""Running a sweep: the plan's missing chunks on an executor, into a folder or memory;
and :func:`sweep`, the Python twin of ``clonesim sweep``."""

from __future__ import annotations

import io
import itertools
import sys
from concurrent.futures import FIRST_COMPLETED, wait
from pathlib import Path
from typing import Any

from ..config import MISSING, Config, ConfigError
from ..provenance import TEACHING_NOTE, version
from ..runners import workers_for
from .executors import chunk_executor, require_distributed
from .plan import SweepPlan, parse_shard, plan_sweep
from .store import (CHUNKS, SEAL_KIND, atomic_write, check_out, check_same_sweep, chunk_path,
                    concat_chunks, done_chunks, is_sealed, need_pyarrow, now, read_sweep,
                    resume_defaults, results_path, results_problem, seal, shard_dict,
                    write_manifest, write_results)
from .table import read_csv, sorted_table
from .tasks import chunk_task, run_rows


def run_sweep(plan: SweepPlan, out: str | Path | None = None, *, workers: int = 1,
              overwrite: bool = False, progress: bool = True, command: str = "",
              fmt: str = "csv", shard: Any = None, dask: bool = False, scheduler: Any = None):
    """Run a planned sweep, resuming whatever an earlier run of it left in ``out``.

    Parameters
    ----------
    plan
        From :func:`plan_sweep`.
    out
        Output folder (see the module docstring), or ``None`` to keep the
        table in memory only.
    workers
        Processes (``0``: one per core), or Dask workers with ``dask``. The
        table does not depend on it.
    overwrite
        Delete an earlier, different sweep in ``out`` instead of refusing.
    progress
        Show a progress bar (tqdm; the notebook's bar in Jupyter).
    command
        The command line, recorded in the manifest.
    fmt
        ``"csv"`` or ``"parquet"`` (needs pyarrow) for the merged results file.
    shard
        ``"K/N"`` or ``(K, N)``: run only chunks ``K, K + N, K + 2N, ...`` into
        ``out`` (each shard its own folder), to be joined by
        :func:`clonesim.merge_sweeps`. No results file is written for a shard.
    dask, scheduler
        Run the chunks on a local Dask cluster of ``workers`` processes, or on
        the cluster at ``scheduler`` (an address, a cluster object or a
        ``distributed.Client``). See :func:`clonesim.executors.chunk_executor`.

    Returns
    -------
    pandas.DataFrame
        One row per (point, replicate) (of the shard's chunks, for a shard), sorted.

    Raises
    ------
    ConfigError
        If ``out`` is a file, holds something else, or holds a different
        sweep or shard (unless ``overwrite``); if Dask is asked for but not
        installed.
    """
    if fmt not in ("csv", "parquet"):
        raise ConfigError(param="fmt", value=fmt, allowed="must be 'csv' or 'parquet'")
    if fmt == "parquet":
        need_pyarrow()
    if dask or scheduler is not None:
        require_distributed(*(("dask", True) if dask else ("scheduler", scheduler)))
    # an existing Dask cluster (scheduler) brings its own workers
    workers = workers_for(workers) if scheduler is None else max(1, int(workers or 1))
    shard = parse_shard(shard)
    dtypes = plan.dtypes()
    todo = plan.shard_chunks(shard)
    if shard is not None:
        if out is None:
            raise ConfigError(param="out", value=MISSING,
                              allowed=f"a shard ({{shard='{shard[0]}/{shard[1]}'}}) needs an "
                                      "{out} folder, to be merged with the other shards")
        if not todo:
            raise ConfigError(
                param="shard", value=f"{shard[0]}/{shard[1]}",
                allowed=f"the sweep has {plan.n_chunks} chunks of {plan.chunk_size} rows, so "
                        "this shard has none; use a {chunk_size} of at most "
                        f"{max(1, plan.rows // shard[1])} (or leave it out), or fewer shards")
    if out is None:
        texts: dict[int, str] = {}
        _execute(plan, todo, plan.rows, workers, progress, texts.__setitem__, dtypes, dask,
                 scheduler)
        import pandas as pd

        frames = [read_csv(io.StringIO(texts[c]), dtypes) for c in range(plan.n_chunks)]
        table = sorted_table(pd.concat(frames, ignore_index=True))
        table.attrs["complete"] = True
        table.attrs["manifest"] = {"signature": plan.signature(), "points": plan.points,
                                   "dtypes": dtypes, "rows": plan.rows}
        return table
    out = Path(out)
    try:
        return _run_into(out, plan, todo, shard, overwrite, command, fmt,
                         lambda todo, rows, finished: _execute(
                             plan, todo, rows, workers, progress, finished, dtypes, dask,
                             scheduler))
    except OSError as exc:
        raise storage_error(out, plan, exc) from None


def _run_into(out: Path, plan: SweepPlan, todo: list[int], shard, overwrite: bool,
              command: str, fmt: str, execute):
    """The folder side of :func:`run_sweep`: manifest, resume, chunks, results."""
    old = check_out(out, overwrite)
    sig = plan.signature()
    if old is not None:
        check_same_sweep(out, old, sig, shard)
        manifest = old
    else:
        manifest = {
            "clonesim_version": version(), "note": TEACHING_NOTE, "command": command,
            "started": now(), "finished": None, "resumed": [],
            "signature": sig, "config_source": str(plan.base.source),
            "points": plan.points, "n_points": len(plan.points), "rows": plan.rows,
            "n_chunks": plan.n_chunks, "dtypes": plan.dtypes(), "format": fmt,
            "shard": shard_dict(shard), "chunk_seal": SEAL_KIND,
        }
        out.mkdir(parents=True, exist_ok=True)
        write_manifest(out, manifest)
    (out / CHUNKS).mkdir(exist_ok=True)
    done, damaged = done_chunks(out, plan, sealed=is_sealed(manifest))
    for exc in damaged:
        say(f"{exc.path}: chunk {exc.chunk} was damaged ({exc.why}); it is run again")
    todo = [c for c in todo if c not in done]
    if todo and old is not None:
        manifest["resumed"].append(now())
        write_manifest(out, manifest)

    def finished(chunk: int, text: str) -> None:
        atomic_write(chunk_path(out, chunk), seal(chunk, text) if is_sealed(manifest)
                     else text)

    if todo:
        execute(todo, sum(b - a for a, b in map(plan.chunk_bounds, plan.shard_chunks(shard))),
                finished)
    if shard is None:
        problem = results_problem(out, manifest)
        if problem:
            say(f"{problem}; it is rebuilt from the chunks")
            results_path(out, manifest).unlink()
    if shard is None and not results_path(out, manifest).exists():
        write_results(out, manifest, concat_chunks(out, manifest))
    elif shard is None or manifest.get("finished") is not None:
        return read_sweep(out)  # nothing new: leave the manifest as it is
    manifest["finished"] = now()
    write_manifest(out, manifest)
    return read_sweep(out)


def say(message: str) -> None:
    """A line for the user on stderr, beside the progress bar: what was found and done."""
    print(message, file=sys.stderr, flush=True)


def storage_error(out: Path, plan: SweepPlan, exc: OSError) -> ConfigError:
    """A file-system failure (full disk, read-only folder, ...) as what failed and what was kept."""
    kept = len(list((out / CHUNKS).glob("chunk-*.csv"))) if (out / CHUNKS).is_dir() else 0
    what = exc.filename or out
    return ConfigError(param="out", value=out,
                       allowed=f"cannot write {what} ({exc.strerror or exc}); the {kept} "
                               f"finished chunks of {plan.n_chunks} are kept\n  free space "
                               "or fix the folder, then rerun the same command to resume")


def _execute(plan: SweepPlan, todo: list[int], rows: int, workers: int, progress: bool,
             finished, dtypes: dict[str, str], dask: bool = False, scheduler: Any = None) -> None:
    """Run the chunks in ``todo``, calling ``finished(chunk, csv_text)`` for each,
    on whatever :func:`~clonesim.executors.chunk_executor` opens; ``rows`` is the
    progress bar's total (the sweep's, or its shard's)."""
    from tqdm.auto import tqdm

    done_rows = rows - sum(b - a for a, b in map(plan.chunk_bounds, todo))
    bar = tqdm(total=rows, initial=done_rows, unit="patient", disable=not progress,
               desc="sweep", smoothing=0.1, dynamic_ncols=True)

    def done(chunk: int, text: str) -> None:
        finished(chunk, text)
        a, b = plan.chunk_bounds(chunk)
        bar.update(b - a)

    try:
        with chunk_executor(min(workers, len(todo)), dask, scheduler) as (pool, slots):
            if pool is None:
                for c in todo:
                    done(*run_rows(chunk_task(plan, c, dtypes)))
                return
            # a bounded number in flight, so a Ctrl-C or kill leaves little queued
            pending: set = set()
            queue = iter(todo)
            try:
                while True:
                    for c in itertools.islice(queue, max(0, slots() - len(pending))):
                        pending.add(pool.submit(run_rows, chunk_task(plan, c, dtypes)))
                    if not pending:
                        break
                    ready, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in ready:
                        done(*fut.result())
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise
    finally:
        bar.close()



def sweep(config: Config | str | Path, axes: Any, replicates: int, seed: Any = None, *,
          workers: int = 1, out: str | Path | None = None, design: str | None = None,
          points: int | None = None, chunk_size: int | None = None, overwrite: bool = False,
          progress: bool = True, fmt: str = "csv", dask: bool = False, scheduler: Any = None,
          shard: Any = None):
    """Run a parameter sweep: every point of a grid (or design), ``replicates``
    virtual patients each. The Python twin of ``clonesim sweep``.

    Parameters
    ----------
    config
        The base scenario (a :class:`~clonesim.Config` or a TOML path).
    axes
        ``["drugs.A.kill_fraction=0.9:0.999:20", "mutation_rate=1e-9:1e-5:17:log"]``,
        or ``{"drugs.A.kill_fraction": [0.9, 0.95, 0.99]}``; keys are addressed
        as for :meth:`Config.set`. See :func:`parse_axis`.
    replicates
        Virtual patients per point.
    seed
        Root seed; ``None`` draws fresh entropy (recorded in
        ``table.attrs["manifest"]`` when written to a folder, and in the seed column).
    workers
        Processes (0: one per core), or Dask workers with ``dask=True``. The
        table is identical for any value.
    out
        A folder to write a resumable sweep into (rerunning the same call
        resumes it), or ``None``.
    design, points
        ``"lhs"``/``"sobol"`` with ``points`` samples over ``key=lo:hi[:log]`` axes.
    chunk_size
        Rows per chunk; the table does not depend on it.
    overwrite
        Replace a different sweep already in ``out``.
    progress
        Show a progress bar.
    fmt
        Merged results as ``"csv"`` or ``"parquet"``.
    dask
        Start a local Dask cluster of ``workers`` processes for this sweep (and
        close it after). Needs ``pip install "clonesim[dist]"``.
    scheduler
        Run on an existing Dask cluster: its address (``"tcp://host:8786"``),
        a cluster object (``LocalCluster``, dask-jobqueue's ``SLURMCluster``)
        or your ``distributed.Client``, which is left open. Its workers need
        the same clonesim installed. The table is the same as a local run's.
    shard
        ``"K/N"`` or ``(K, N)``: run only shard ``K`` (from 0) of ``N`` into
        ``out`` (needs ``out`` and ``seed``); join the shards'
        folders with :func:`merge_sweeps`.

    Returns
    -------
    pandas.DataFrame
        One row per (point, replicate) (only the shard's, for a shard): ``point``, ``replicate``, one column
        per axis, ``seed`` (``simulate(cfg, seed=...)`` reruns the patient on
        the point's scenario), then ``outcome``, ``cured``, ``died``,
        ``refractory``, ``lines_used``, ``detection_day``, ``end_day``,
        ``survival_days``, ``days_to_lethal``, ``ttp_lineK_days``,
        ``final_burden``, ``final_sensitive`` and ``final_resistant``
        (resistant to any drug).

    Examples
    --------
    >>> import clonesim                                                   # doctest: +SKIP
    >>> table = clonesim.sweep("configs/classic_98_2.toml",               # doctest: +SKIP
    ...                        ["drugs.A.kill_fraction=0.9:0.999:5"], 50, seed=1)
    >>> table.groupby("drugs.A.kill_fraction")["cured"].mean()            # doctest: +SKIP

    On a Dask cluster (the same table)::

        from distributed import Client
        client = Client("tcp://scheduler-host:8786")      # or Client(SLURMCluster(...))
        table = clonesim.sweep(cfg, axes, 200, seed=1, scheduler=client, out="runs/x")
    """
    seed, chunk_size = resume_defaults(out, overwrite, seed, chunk_size)
    shard = parse_shard(shard)
    plan = plan_sweep(config, axes, replicates, seed, design=design, points=points,
                      chunk_size=chunk_size, shards=shard[1] if shard else 1)
    return run_sweep(plan, out, workers=workers, overwrite=overwrite, progress=progress,
                     command=f"clonesim.sweep({_describe_call(config, plan, shard)})", fmt=fmt,
                     shard=shard, dask=dask, scheduler=scheduler)



def _describe_call(config, plan: SweepPlan, shard: tuple[int, int] | None = None) -> str:
    src = config if not isinstance(config, Config) else config.source
    return (f"{str(src)!r}, {[a.text for a in plan.axes]!r}, {plan.replicates}, "
            f"seed={plan.seed}" + (f", shard='{shard[0]}/{shard[1]}'" if shard else ""))
