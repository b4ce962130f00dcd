"""Parameter sweeps: many scenarios, many virtual patients each, one tidy table.

A sweep is a base scenario, a set of *axes* (config keys and the values they
take) and a number of *replicates* (virtual patients) per point. Every point's
scenario is validated before any patient runs. Patient ``r`` of point ``p``
runs on ``SeedSequence(root, spawn_key=(p, r))``: its result depends on
nothing but the root seed, the point and the replicate, so the table is the
same, bit for bit, for any number of workers, any chunk size and any number of
interruptions and resumes.

One module per job, in the order a sweep meets them:

- :mod:`~clonesim.sweeps.axes`: ``key=lo:hi:n`` and friends, parsed;
- :mod:`~clonesim.sweeps.files`: a sweep written down as TOML;
- :mod:`~clonesim.sweeps.plan`: every point built and validated first;
- :mod:`~clonesim.sweeps.tasks` and :mod:`~clonesim.sweeps.table`: a chunk of
  rows simulated, and the table's columns and CSV form;
- :mod:`~clonesim.sweeps.executors`: where chunks run (this process, local
  processes, Dask), all through ``concurrent.futures``;
- :mod:`~clonesim.sweeps.store`: the resumable, lossless output folder;
- :mod:`~clonesim.sweeps.run`: the loop that ties them, and :func:`sweep`;
- :mod:`~clonesim.sweeps.merge`: the shards of a job array joined;
- :mod:`~clonesim.sweeps.summary`: estimates and bands for figures.

Teaching model, not for clinical use.
"""

from .axes import Axis, parse_axis
from .files import load_sweep_file
from .merge import merge_sweeps
from .plan import DESIGNS, SweepPlan, default_chunk_size, parse_shard, plan_sweep
from .run import run_sweep, sweep
from .store import read_sweep
from .summary import metric_label, summarise_sweep
from .table import OUTCOME_COLUMNS

__all__ = ["Axis", "SweepPlan", "parse_axis", "parse_shard", "plan_sweep", "sweep", "run_sweep",
           "read_sweep", "load_sweep_file", "merge_sweeps", "metric_label", "summarise_sweep",
           "default_chunk_size", "DESIGNS", "OUTCOME_COLUMNS"]
