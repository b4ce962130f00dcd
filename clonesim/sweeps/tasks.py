"""What a worker runs: one chunk of rows, carrying everything it needs.

A task holds the scenarios of its own points, not the whole sweep's, so any
worker, local or on a cluster, runs it without state kept between tasks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import build_model
from ..runners import run_patient
from .plan import SweepPlan
from .table import table_row, to_csv


@dataclass(frozen=True)
class ChunkTask:
    """One chunk's work with all it needs (the scenarios of its points, not of
    the whole sweep): any worker, local or on a cluster, runs it without state
    kept between tasks. A scenario pickles to ~2 kB and builds in ~0.1 ms."""

    chunk: int
    start: int
    stop: int
    first_point: int
    configs: tuple
    params: tuple
    entropy: int
    replicates: int
    dtypes: dict



def chunk_task(plan: SweepPlan, chunk: int, dtypes: dict[str, str]) -> ChunkTask:
    start, stop = plan.chunk_bounds(chunk)
    p0, p1 = start // plan.replicates, (stop - 1) // plan.replicates + 1
    return ChunkTask(chunk, start, stop, p0, tuple(plan.configs[p0:p1]),
                      tuple(plan.points[p0:p1]), plan.seed, plan.replicates, dtypes)



def run_rows(task: ChunkTask) -> tuple[int, str]:
    """Simulate the task's rows and return ``(chunk, the rows as CSV text)``."""

    rows, models = [], {}
    for row in range(task.start, task.stop):
        p, r = divmod(row, task.replicates)
        i = p - task.first_point
        cfg = task.configs[i]
        if i not in models:
            models[i] = build_model(cfg)
        ss = np.random.SeedSequence(task.entropy, spawn_key=(p, r))
        result = run_patient(cfg, models[i], ss, (task.entropy, p, r))
        rows.append(table_row(p, r, task.params[i], result, task.dtypes))
    return task.chunk, to_csv(rows, task.dtypes)
