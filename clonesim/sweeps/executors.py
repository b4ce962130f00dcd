"""Where a sweep's chunks run: this process, local processes, or a Dask cluster.

Every choice is a :class:`concurrent.futures.Executor` (or none: this process),
so a sweep has one code path whatever runs it. A chunk task carries all it
needs (:mod:`clonesim.sweeps.tasks`), so no worker keeps state between tasks and
any process on any machine that can import clonesim gives the same rows.

Dask is optional (``pip install "clonesim[dist]"``): ``distributed`` is
imported only when a sweep asks for it.

Teaching model, not for clinical use.
"""

from __future__ import annotations

import importlib
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..config import ConfigError
from ..provenance import version

__all__ = ["chunk_executor", "require_distributed", "DASK_MISSING"]

#: What a :class:`ConfigError` about ``dask`` or ``scheduler`` says when Dask is missing.
DASK_MISSING = (
    "runs the sweep on Dask's distributed scheduler, which is not installed here: "
    'pip install "clonesim[dist]" (it adds dask[distributed]); or leave out {dask} and '
    "{scheduler}, and {workers=N} runs the sweep on local processes with the same table")


def require_distributed(param: str = "dask", value: Any = True):
    """The ``distributed`` module, or a :class:`ConfigError` about ``param``
    (``dask`` or ``scheduler``, given as ``value``) saying how to install it.

    Called before a sweep writes anything, so a missing extra costs nothing.
    """
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise ConfigError(param=param, value=value, allowed=DASK_MISSING) from None


@contextmanager
def chunk_executor(workers: int, dask: bool = False, scheduler: Any = None
                   ) -> Iterator[tuple[Executor | None, Callable[[], int]]]:
    """Open the executor a sweep runs its chunks on.

    Parameters
    ----------
    workers
        Local processes (or Dask workers with ``dask``); 1 without Dask runs
        in this process.
    dask
        Start a local Dask cluster of ``workers`` single-threaded processes.
    scheduler
        A Dask scheduler address (``tcp://host:8786``), a cluster object
        (``LocalCluster``, dask-jobqueue's ``SLURMCluster``) or a
        ``distributed.Client``; its workers run the chunks and ``workers`` is
        not used.

    Yields
    ------
    executor, slots
        The executor (``None``: run in this process) and a function giving
        how many chunks to keep in flight now; a cluster's is read again
        as it grows or shrinks.

    Raises
    ------
    ConfigError
        If Dask is asked for but not installed, the scheduler cannot be
        reached, or its workers run another clonesim.
    """
    if dask or scheduler is not None:
        with _dask_executor(workers, scheduler) as pair:
            yield pair
    elif workers <= 1:
        yield None, lambda: 1
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool, lambda: 2 * workers


@contextmanager
def _dask_executor(workers: int, scheduler: Any):
    # what the user asked for, as an error names it
    param, value = ("dask", True) if scheduler is None else ("scheduler", scheduler)
    distributed = require_distributed(param, value)
    cluster = None
    if isinstance(scheduler, distributed.Client):
        client, own = scheduler, False
    else:
        own = True
        if scheduler is None:
            # one thread per worker process: the kernels hold the GIL
            # loopback only; ":0": a free port for the dashboard's web server
            cluster = distributed.LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                                               processes=True, host="127.0.0.1",
                                               dashboard_address=":0")
            scheduler = cluster
        try:
            client = distributed.Client(scheduler)
        except (OSError, TimeoutError, ValueError) as exc:
            if cluster is not None:
                cluster.close()
            raise ConfigError(
                param="scheduler", value=scheduler,
                allowed=f"cannot connect to a Dask scheduler there ({exc}); start one with "
                        "'dask scheduler' (and workers with 'dask worker ADDRESS') and give its "
                        "address as tcp://HOST:8786, or use {dask=True} for a cluster on this "
                        "machine") from None
    try:
        _check_workers(client, param, value)
        executor = client.get_executor(pure=False)  # pure=False: no hashing of the tasks
        yield executor, lambda: 2 * max(1, sum(client.nthreads().values()))
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def _check_workers(client, param: str, value: Any) -> None:
    """Refuse workers without this clonesim: their rows would differ, or fail
    with a traceback on the first chunk. The error is about ``param`` (``dask``
    or ``scheduler``, given as ``value``)."""
    mine = version()
    if mine == "unknown":  # a source tree without install: nothing to compare
        return
    found = client.get_versions(packages=["clonesim"])["workers"]
    wrong = {addr: info.get("packages", {}).get("clonesim") for addr, info in found.items()
             if isinstance(info, dict) and info.get("packages", {}).get("clonesim") != mine}
    if wrong:
        addr, theirs = next(iter(wrong.items()))
        raise ConfigError(
            param=param, value=value,
            allowed=f"{len(wrong)} of the cluster's {len(found)} Dask workers (e.g. {addr}) "
                    f"have clonesim {theirs or 'not installed'}, this machine {mine}; install "
                    "the same clonesim in every worker's environment so that every worker "
                    "computes the same rows")
