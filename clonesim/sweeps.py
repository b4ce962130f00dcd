"""Parameter sweeps: many scenarios, many virtual patients each, one tidy table.

A sweep is a base scenario, a set of *axes* (config keys and the values they
take) and a number of *replicates* (virtual patients) per point. Every point's
scenario is validated before any patient runs. Patient ``r`` of point ``p``
runs on ``SeedSequence(root, spawn_key=(p, r))``: its result depends on
nothing but the root seed, the point and the replicate, so the table is the
same, bit for bit, for any number of workers, any chunk size and any number of
interruptions and resumes.

Written to a folder, a sweep is resumable and lossless::

    OUT/manifest.json          written first: base config, axes, points, seed, ...
    OUT/chunks/chunk-000000.csv  rows [0, chunk_size), written to a temporary
    OUT/chunks/chunk-000001.csv  name and renamed atomically when complete
    ...
    OUT/results.csv            all rows, once every chunk is done

Rerunning the same sweep against the folder runs only the missing chunks (and
nothing at all when it is finished); a different sweep against it is refused.

Chunks run in this process, on local processes or on a Dask cluster, all
through one ``concurrent.futures`` interface (:mod:`clonesim.executors`).
``shard=(K, N)`` runs chunks ``K, K + N, ...`` into a folder of their own,
for a batch cluster's job array; :mod:`clonesim.merge` joins the shards.

Teaching model, not for clinical use.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import math
import os
import re
import shutil
import tomllib
import warnings
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .config import Cohort, Config, ConfigError, _show, load_config, spec_for
from .provenance import TEACHING_NOTE, version

__all__ = ["Axis", "SweepPlan", "parse_axis", "parse_shard", "plan_sweep", "sweep", "run_sweep",
           "read_sweep", "load_sweep_file", "DESIGNS", "OUTCOME_COLUMNS"]

DESIGNS = ("lhs", "sobol")
MANIFEST = "manifest.json"
CHUNKS = "chunks"
RESULTS_CSV = "results.csv"
RESULTS_PARQUET = "results.parquet"
_CHUNK_NAME = re.compile(r"^chunk-(\d{6,})\.csv$")
#: spawn key of the design sampler's generator; a 1-tuple never equals a
#: patient's (point, replicate) key.
_DESIGN_KEY = (2**31 - 1,)

#: Outcome columns of every sweep row (after point, replicate, the axes and seed),
#: with their dtypes; ``ttp_lineK_days`` columns follow ``days_to_lethal``.
OUTCOME_COLUMNS: dict[str, str] = {
    "outcome": "str",
    "cured": "bool",
    "died": "bool",
    "refractory": "bool",
    "lines_used": "int64",
    "detection_day": "float64",
    "end_day": "float64",
    "survival_days": "float64",
    "days_to_lethal": "float64",
}
_BURDEN_COLUMNS: dict[str, str] = {
    "final_burden": "int64",
    "final_sensitive": "int64",
    "final_resistant": "int64",
}


# ----------------------------------------------------------------------------
# Axes
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    """One swept config key and the values it takes.

    Attributes
    ----------
    key
        A dotted config key, as for ``clonesim run --set`` (``drugs.A.kill_fraction``).
    kind
        ``"lin"`` (``lo:hi:n``), ``"log"`` (``lo:hi:n:log``), ``"list"``
        (``[a, b, c]``) or ``"range"`` (``lo:hi`` or ``lo:hi:log``, sampled by a
        Latin-hypercube or Sobol design).
    values
        The grid values (empty for a ``"range"``).
    lo, hi, n, log
        The range as written (``n`` only for lin/log grids).
    text
        The axis as the user wrote it, ``key=spec``.
    """

    key: str
    kind: str
    values: tuple = ()
    lo: float | None = None
    hi: float | None = None
    n: int | None = None
    log: bool = False
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description (stored in the manifest)."""
        d = dataclasses.asdict(self)
        d["values"] = list(self.values)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Axis":
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["values"] = tuple(d.get("values", ()))
        return cls(**d)


def _axis_error(text: str, why: str) -> ConfigError:
    return ConfigError(
        f"--grid {text}: {why}\n  write KEY=lo:hi:n (linear), KEY=lo:hi:n:log, "
        "KEY=[a, b, c] (a list), or KEY=lo:hi / KEY=lo:hi:log with --design lhs|sobol")


def _number(text: str, part: str) -> float:
    try:
        x = float(part)
    except ValueError:
        raise _axis_error(text, f"{part!r} is not a number") from None
    if not math.isfinite(x):
        raise _axis_error(text, f"{part!r} is not a finite number")
    return x


def _is_int_key(key: str) -> bool:
    spec = spec_for(key)
    return spec is not None and spec.kind == "int"


def _tidy_values(key: str, values: Iterable[Any]) -> tuple:
    """Grid values as plain Python scalars: whole numbers for integer keys,
    floats when a list mixes ints and floats (one dtype per column)."""
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    if _is_int_key(key):
        values = [int(round(v)) if isinstance(v, float) and math.isfinite(v) else v
                  for v in values]
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(nums) == len(values) and any(isinstance(v, float) for v in values) \
            and not _is_int_key(key):
        values = [float(v) for v in values]
    return tuple(values)


def parse_axis(text: str) -> Axis:
    """Parse one ``--grid`` argument.

    Parameters
    ----------
    text
        ``KEY=lo:hi:n`` (n values evenly spaced), ``KEY=lo:hi:n:log`` (evenly
        spaced in log), ``KEY=[a, b, c]`` (a TOML list: numbers, strings or
        booleans), a single ``KEY=value``, or ``KEY=lo:hi`` / ``KEY=lo:hi:log``
        (a range for a Latin-hypercube or Sobol design). Values of an integer
        key (such as ``tumour.initial_cells``) are rounded to whole numbers.

    Returns
    -------
    Axis

    Raises
    ------
    ConfigError
        If the text is not one of these forms.

    Examples
    --------
    >>> parse_axis("mutation_rate=1e-9:1e-5:5:log").values
    (1e-09, 1e-08, 1e-07, 1e-06, 1e-05)
    >>> parse_axis('therapy.policy=["sequence", "rebiopsy"]').values
    ('sequence', 'rebiopsy')
    """
    if "=" not in text:
        raise _axis_error(text, "expected KEY=SPEC, e.g. drugs.A.kill_fraction=0.9:0.99:10")
    key, spec = (s.strip() for s in text.split("=", 1))
    if not key or not re.match(r"^[A-Za-z_][\w\-+]*(\.[\w\-+]+)*$", key):
        raise _axis_error(text, f"{key!r} is not a config key such as drugs.A.kill_fraction")
    if not spec:
        raise _axis_error(text, "no values given")
    if spec.startswith("["):
        try:
            values = tomllib.loads(f"v = {spec}")["v"]
        except tomllib.TOMLDecodeError as exc:
            raise _axis_error(text, f"not a valid list ({exc})") from None
        if not values:
            raise _axis_error(text, "the list is empty")
        if any(isinstance(v, dict) for v in values):
            raise _axis_error(text, "list items must be numbers, strings, booleans or lists")
        if len(set(map(repr, values))) != len(values):
            raise _axis_error(text, "a value is listed twice")
        return Axis(key, "list", _tidy_values(key, values), text=text)
    parts = spec.split(":")
    if len(parts) == 1:
        try:
            value = tomllib.loads(f"v = {spec}")["v"]
        except tomllib.TOMLDecodeError:
            value = spec
        return Axis(key, "list", _tidy_values(key, [value]), text=text)
    log = parts[-1].strip().lower() == "log"
    if log:
        parts = parts[:-1]
    if len(parts) not in (2, 3):
        raise _axis_error(text, f"{spec!r} has {len(parts)} numbers; a range is lo:hi or lo:hi:n")
    lo, hi = _number(text, parts[0]), _number(text, parts[1])
    if log and (lo <= 0 or hi <= 0):
        raise _axis_error(text, "a log range needs lo > 0 and hi > 0")
    if len(parts) == 2:
        if lo == hi:
            raise _axis_error(text, "a design range needs lo != hi")
        return Axis(key, "range", (), lo, hi, None, log, text)
    try:
        n = int(parts[2])
    except ValueError:
        raise _axis_error(text, f"the count {parts[2]!r} is not a whole number") from None
    if n < 1:
        raise _axis_error(text, f"the count must be at least 1, not {n}")
    grid = np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)
    values = _tidy_values(key, grid.tolist())
    if len(set(values)) != len(values):
        raise _axis_error(text, f"{n} values of an integer key between {_show(lo)} and "
                                f"{_show(hi)} repeat after rounding; use fewer")
    return Axis(key, "log" if log else "lin", values, lo, hi, n, log, text)


def _axes_from(axes: Any) -> list[Axis]:
    """Axes given as ``["key=spec", ...]``, ``{key: spec or list}`` or Axis objects."""
    if axes is None:
        return []
    if isinstance(axes, str):
        axes = [axes]
    if isinstance(axes, Mapping):
        out = []
        for key, spec in axes.items():
            if isinstance(spec, Axis):
                out.append(spec)
            elif isinstance(spec, str):
                out.append(parse_axis(f"{key}={spec}"))
            elif isinstance(spec, (list, tuple, np.ndarray)):
                out.append(parse_axis(f"{key}={json.dumps(list(np.asarray(spec).tolist()))}")
                           if not isinstance(spec, (list, tuple)) else
                           _list_axis(key, list(spec)))
            else:
                out.append(_list_axis(key, [spec]))
        return out
    out = []
    for a in axes:
        out.append(a if isinstance(a, Axis) else parse_axis(str(a)))
    return out


def _list_axis(key: str, values: list) -> Axis:
    if not values:
        raise _axis_error(f"{key}=[]", "the list is empty")
    text = f"{key}=" + _show(list(values))
    values = _tidy_values(key, values)
    if len(set(map(repr, values))) != len(values):
        raise _axis_error(text, "a value is listed twice")
    return Axis(key, "list", values, text=text)


# ----------------------------------------------------------------------------
# The plan: every point, validated, before any work
# ----------------------------------------------------------------------------


@dataclass
class SweepPlan:
    """Everything a sweep will run, validated.

    Attributes
    ----------
    base
        The base scenario (its ``[cohort]`` tables removed: each point is a
        plain scenario).
    axes
        The swept keys.
    design, design_points
        ``"lhs"`` or ``"sobol"`` and its number of points, or ``None``.
    points
        One dict of key -> value per point, in point order.
    configs
        The validated scenario of each point.
    replicates
        Virtual patients per point.
    seed
        The root entropy: patient ``r`` of point ``p`` runs on
        ``SeedSequence(seed, spawn_key=(p, r))``.
    chunk_size
        Rows per output chunk.
    """

    base: Config
    axes: list[Axis]
    design: str | None
    design_points: int | None
    points: list[dict[str, Any]]
    configs: list[Config]
    replicates: int
    seed: int
    chunk_size: int

    @property
    def rows(self) -> int:
        """Total rows: points x replicates."""
        return len(self.points) * self.replicates

    @property
    def n_chunks(self) -> int:
        """Number of output chunks."""
        return -(-self.rows // self.chunk_size)

    def chunk_bounds(self, chunk: int) -> tuple[int, int]:
        """First row and one past the last row of a chunk."""
        start = chunk * self.chunk_size
        return start, min(start + self.chunk_size, self.rows)

    def shard_chunks(self, shard: tuple[int, int] | None = None) -> list[int]:
        """The chunks of shard ``(K, N)``: ``K, K + N, K + 2N, ...`` (all without
        a shard). Dealt in turn, so every shard gets points from all over the
        grid and the shards take about equally long."""
        k, n = shard or (0, 1)
        return list(range(k, self.n_chunks, n))

    @property
    def n_lines(self) -> int:
        """The most therapy lines any point has (one ttp column each)."""
        return max(len(c.therapy.lines) for c in self.configs)

    @property
    def param_keys(self) -> list[str]:
        return [a.key for a in self.axes]

    def dtypes(self) -> dict[str, str]:
        """Column name -> dtype of the sweep table."""
        out = {"point": "int64", "replicate": "int64"}
        for key in self.param_keys:
            out[key] = _column_dtype([p[key] for p in self.points])
        out["seed"] = "str"
        out.update(OUTCOME_COLUMNS)
        for k in range(1, self.n_lines + 1):
            out[f"ttp_line{k}_days"] = "float64"
        out.update(_BURDEN_COLUMNS)
        return out

    def signature(self) -> dict[str, Any]:
        """What defines the table: two runs with equal signatures write the same rows."""
        return {
            "base_config": json.loads(json.dumps(self.base.to_dict(), default=str)),
            "axes": [a.to_dict() for a in self.axes],
            "design": self.design,
            "design_points": self.design_points,
            "replicates": self.replicates,
            "seed": self.seed,
            "chunk_size": self.chunk_size,
        }


def _column_dtype(values: list) -> str:
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int64"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "float64"
    return "str"


def _valid_replicates(replicates: Any) -> int:
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)):
        raise ConfigError(f"--replicates {replicates!r}: must be a whole number >= 1 "
                          "(virtual patients per point)")
    if replicates < 1:
        raise ConfigError(f"--replicates {replicates}: must be at least 1 (virtual patients "
                          "per point); a sweep of zero patients has nothing to show")
    return int(replicates)


def _design_rows(ranges: list[Axis], design: str, n: int, entropy: int) -> list[dict]:
    """``n`` points of a Latin-hypercube or scrambled Sobol design over the
    range axes, drawn from the root seed (so the design is reproducible)."""
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=_DESIGN_KEY))
    cls = qmc.LatinHypercube if design == "lhs" else qmc.Sobol
    try:
        sampler = cls(d=len(ranges), rng=rng)
    except TypeError:  # scipy < 1.15 calls it seed
        sampler = cls(d=len(ranges), seed=rng)
    with warnings.catch_warnings():
        # Sobol prefers powers of two; other counts are still a valid sample
        warnings.simplefilter("ignore", UserWarning)
        u = sampler.random(n)
    rows = []
    for i in range(n):
        row = {}
        for j, a in enumerate(ranges):
            if a.log:
                x = math.exp(math.log(a.lo) + u[i, j] * (math.log(a.hi) - math.log(a.lo)))
            else:
                x = a.lo + u[i, j] * (a.hi - a.lo)
            row[a.key] = int(round(x)) if _is_int_key(a.key) else float(x)
        rows.append(row)
    return rows


def _inner(exc: ConfigError) -> str:
    """A config error's message without the leading file name."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and (head.endswith(".toml") or head.startswith("<")) else text


def default_chunk_size(rows: int, shards: int = 1) -> int:
    """Rows per chunk when none is given: about 32 chunks, at most 200 rows each
    (a few seconds of work, so an interruption loses little), and at least one
    chunk for each of ``shards`` shards."""
    return max(1, min(200, -(-rows // 32), rows // shards))


def plan_sweep(config: Config | str | Path, axes: Any, replicates: int, seed: Any = None, *,
               design: str | None = None, points: int | None = None,
               chunk_size: int | None = None, shards: int = 1) -> SweepPlan:
    """Check a sweep and build every point's scenario, before any patient runs.

    Parameters
    ----------
    config
        The base scenario, or the path of its TOML file.
    axes
        ``["drugs.A.kill_fraction=0.9:0.99:10", "mutation_rate=[1e-7, 1e-6]"]``
        (see :func:`parse_axis`), or a dict ``{key: spec string or list of values}``.
    replicates
        Virtual patients per point (at least 1).
    seed
        Root seed (a whole number >= 0); ``None`` draws fresh entropy, recorded
        in the plan and the manifest.
    design, points
        ``"lhs"`` or ``"sobol"`` and the number of design points, sampled over
        the range axes (``key=lo:hi`` or ``key=lo:hi:log``); grid and list axes
        are crossed with the design.
    chunk_size
        Rows per output chunk (default :func:`default_chunk_size`).
    shards
        The ``N`` of ``--shard K/N``: the default chunk size leaves every shard
        at least one chunk, and the seed must be given (every shard must
        draw from the same root).

    Returns
    -------
    SweepPlan

    Raises
    ------
    ConfigError
        For an unknown key (with a close match), a value the key does not
        accept (naming the axis, the value and the rule), zero replicates, a
        bad design, or a point whose keys do not fit together.
    """
    from .runners import seed_sequence

    base = config if isinstance(config, Config) else load_config(config)
    if base.cohort.vary or base.cohort.arms:
        base = dataclasses.replace(base, cohort=Cohort())
    replicates = _valid_replicates(replicates)
    axes = _axes_from(axes)
    if not axes:
        raise ConfigError("a sweep needs at least one axis, e.g. "
                          "--grid drugs.A.kill_fraction=0.9:0.99:10")
    seen = set()
    for a in axes:
        if a.key in seen:
            raise ConfigError(f"--grid {a.text}: {a.key} is swept twice; give each key once")
        seen.add(a.key)
    ranges = [a for a in axes if a.kind == "range"]
    grids = [a for a in axes if a.kind != "range"]
    if design is not None:
        if design not in DESIGNS:
            raise ConfigError(f"--design {design!r}: must be one of " + ", ".join(DESIGNS))
        if not ranges:
            raise ConfigError(f"--design {design}: no range to sample; give at least one axis "
                              "as KEY=lo:hi or KEY=lo:hi:log")
        if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 1:
            raise ConfigError(f"--points {points!r}: --design {design} needs the number of "
                              "design points, a whole number >= 1 (e.g. --points 64)")
        points = int(points)
    else:
        if ranges:
            raise _axis_error(ranges[0].text, "a range without a count needs --design lhs|sobol "
                                              "--points N; for a grid write lo:hi:n")
        if points is not None:
            raise ConfigError(f"--points {points}: only used with --design lhs|sobol")
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(
            chunk_size, (int, np.integer)) or chunk_size < 1):
        raise ConfigError(f"--chunk-size {chunk_size!r}: must be a whole number >= 1")
    if shards > 1 and seed is None:
        raise ConfigError(f"--shard K/{shards} needs --seed: every shard must draw its patients "
                          "from the same root seed, or the shards would not join into one sweep")
    ss, entropy = seed_sequence(seed) if not isinstance(seed, np.random.SeedSequence) else (
        seed, seed.entropy)
    if not isinstance(entropy, int) or ss.spawn_key:
        raise ConfigError(f"--seed {seed!r}: a sweep's root seed is one whole number >= 0")

    # each value alone, so the error names the axis and the value
    for a in axes:
        probes = a.values if a.kind != "range" else (
            (int(round(a.lo)), int(round(a.hi))) if _is_int_key(a.key) else (a.lo, a.hi))
        if a.kind == "range":
            spec = spec_for(a.key)
            if spec is not None and spec.kind not in ("float", "int"):
                raise _axis_error(a.text, f"{a.key} is not a numeric key, so a design cannot "
                                          "sample it; give a list instead")
        for v in probes:
            try:
                base.set(a.key, v)
            except ConfigError as exc:
                raise ConfigError(f"--grid {a.text}: the value {a.key} = {_show(v)} is not "
                                  f"allowed:\n  {_inner(exc)}") from None

    design_rows = _design_rows(ranges, design, points, entropy) if design else [{}]
    point_list = []
    for combo in itertools.product(*(a.values for a in grids)):
        fixed = dict(zip((a.key for a in grids), combo))
        for row in design_rows:
            merged = {**fixed, **row}
            point_list.append({a.key: merged[a.key] for a in axes})
    configs = []
    for i, changes in enumerate(point_list):
        try:
            configs.append(base.update(changes))
        except ConfigError as exc:
            where = ", ".join(f"{k} = {_show(v)}" for k, v in changes.items())
            raise ConfigError(f"sweep point {i} ({where}) is not a valid scenario:\n  "
                              f"{_inner(exc)}") from None
    rows = len(point_list) * replicates
    if rows < shards:
        raise ConfigError(f"--shard K/{shards}: the sweep has only {rows} rows; use at most "
                          f"{rows} shards")
    return SweepPlan(base=base, axes=axes, design=design, design_points=points,
                     points=point_list, configs=configs, replicates=replicates, seed=entropy,
                     chunk_size=int(chunk_size) if chunk_size else
                     default_chunk_size(rows, shards))


# ----------------------------------------------------------------------------
# Running rows (in this process or a worker)
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _ChunkTask:
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


def _task(plan: SweepPlan, chunk: int, dtypes: dict[str, str]) -> _ChunkTask:
    start, stop = plan.chunk_bounds(chunk)
    p0, p1 = start // plan.replicates, (stop - 1) // plan.replicates + 1
    return _ChunkTask(chunk, start, stop, p0, tuple(plan.configs[p0:p1]),
                      tuple(plan.points[p0:p1]), plan.seed, plan.replicates, dtypes)


def _run_rows(task: _ChunkTask) -> tuple[int, str]:
    """Simulate the task's rows and return ``(chunk, the rows as CSV text)``."""
    from .model import build_model
    from .runners import run_patient

    rows, models = [], {}
    for row in range(task.start, task.stop):
        p, r = divmod(row, task.replicates)
        i = p - task.first_point
        cfg = task.configs[i]
        if i not in models:
            models[i] = build_model(cfg)
        ss = np.random.SeedSequence(task.entropy, spawn_key=(p, r))
        result = run_patient(cfg, models[i], ss, (task.entropy, p, r))
        rows.append(_row(p, r, task.params[i], result, task.dtypes))
    return task.chunk, _to_csv(rows, task.dtypes)


def _row(p: int, r: int, params: dict, result, dtypes: dict[str, str]) -> dict[str, Any]:
    o = result.outcome_row()
    row: dict[str, Any] = {"point": p, "replicate": r, **{k: _cell(v) for k, v in params.items()},
                           "seed": o["seed"]}
    for k in OUTCOME_COLUMNS:
        row[k] = o.get(k)
    row["days_to_lethal"] = result.survival_days if result.died else None
    for line in result.lines:
        row[f"ttp_line{line.line}_days"] = line.time_to_progression
    final = result.counts[-1]
    geno = result.cell_types.genotype(result.type_ids)
    row["final_burden"] = int(final.sum())
    row["final_sensitive"] = int(final[geno == 0].sum())
    row["final_resistant"] = int(final[geno != 0].sum())
    return row


def _cell(value: Any) -> Any:
    """A parameter as a table cell: a list (such as therapy.lines) as its TOML text."""
    return _show(value) if isinstance(value, (list, tuple)) else value


def _to_csv(rows: list[dict], dtypes: dict[str, str]) -> str:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(dtypes)).to_csv(index=False, lineterminator="\n")


def _read_csv(source, dtypes: dict[str, str]):
    """Read a chunk or results CSV with the sweep's dtypes; floats round-trip exactly."""
    import pandas as pd

    # pandas 3 parses floats exactly by default (and deprecates the option);
    # older pandas needs float_precision="round_trip" for bit-exact floats
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(source, dtype=dtypes, **exact,
                       keep_default_na=False, na_values={k: [""] for k, t in dtypes.items()
                                                         if t == "float64"})


# ----------------------------------------------------------------------------
# The output folder
# ----------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _atomic_write(path: Path, text: str) -> None:
    """Write to a temporary name, flush to disk, then rename over ``path``: a
    reader (or a resume after ``kill -9``) sees the whole file or none."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as a sweep manifest ({exc}); "
                          "use another --out or --overwrite") from None


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    names = {"base_config": "the base scenario", "axes": "the axes (--grid)",
             "design": "--design", "design_points": "--points", "replicates": "--replicates",
             "seed": "--seed", "chunk_size": "--chunk-size"}
    out = []
    for k, label in names.items():
        a, b = old.get(k), new.get(k)
        if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
            if k == "base_config":
                out.append(label)
            elif k == "axes":
                out.append(f"{label}: " + " ".join(x["text"] for x in a or []) + "  ->  "
                           + " ".join(x["text"] for x in b or []))
            else:
                out.append(f"{label}: {a} -> {b}")
    return out


def _check_out(out: Path, overwrite: bool) -> dict[str, Any] | None:
    """The existing manifest (to resume) or None (a new folder). Refuses files and
    folders that are not sweeps; ``overwrite`` deletes an earlier sweep only."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file; give a folder to write the sweep into")
    if not out.exists():
        return None
    manifest = _read_manifest(out)
    if manifest is None:
        if any(out.iterdir()):
            raise ConfigError(f"--out {out}: is a folder that holds other files and no "
                              f"{MANIFEST}; give a new or empty folder for the sweep")
        return None
    if overwrite:
        shutil.rmtree(out)
        return None
    return manifest


def _done_chunks(out: Path, plan: SweepPlan) -> set[int]:
    """Finished chunk files; stray temporary files of a killed run are removed."""
    folder = out / CHUNKS
    done = set()
    if not folder.exists():
        return done
    for f in folder.iterdir():
        m = _CHUNK_NAME.match(f.name)
        if m and int(m.group(1)) < plan.n_chunks:
            done.add(int(m.group(1)))
        elif f.name.endswith(".tmp"):
            f.unlink(missing_ok=True)
    return done


def _chunk_path(out: Path, chunk: int) -> Path:
    return out / CHUNKS / f"chunk-{chunk:06d}.csv"


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
        raise ConfigError(f"--format {fmt!r}: must be 'csv' or 'parquet'")
    if fmt == "parquet":
        _need_pyarrow()
    if dask or scheduler is not None:
        from .executors import require_distributed

        require_distributed()
    if not workers:
        workers = os.cpu_count() or 1
    workers = max(1, int(workers))
    shard = parse_shard(shard)
    dtypes = plan.dtypes()
    todo = plan.shard_chunks(shard)
    if shard is not None:
        if out is None:
            raise ConfigError(f"--shard {shard[0]}/{shard[1]}: a shard needs an --out folder, "
                              "for clonesim merge to join it with the others")
        if not todo:
            raise ConfigError(
                f"--shard {shard[0]}/{shard[1]}: the sweep has {plan.n_chunks} chunks of "
                f"{plan.chunk_size} rows, so this shard has none; use a --chunk-size of at most "
                f"{max(1, plan.rows // shard[1])} (or leave it out), or fewer shards")
    texts: dict[int, str] = {}
    manifest = None
    if out is not None:
        out = Path(out)
        old = _check_out(out, overwrite)
        sig = plan.signature()
        if old is not None:
            _check_same_sweep(out, old, sig, shard)
            manifest = old
        else:
            manifest = {
                "clonesim_version": version(), "note": TEACHING_NOTE, "command": command,
                "started": _now(), "finished": None, "resumed": [],
                "signature": sig, "config_source": str(plan.base.source),
                "points": plan.points, "n_points": len(plan.points), "rows": plan.rows,
                "n_chunks": plan.n_chunks, "dtypes": dtypes, "format": fmt,
                "shard": _shard_dict(shard),
            }
            out.mkdir(parents=True, exist_ok=True)
            _atomic_write(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")
        (out / CHUNKS).mkdir(exist_ok=True)
        done = _done_chunks(out, plan)
        todo = [c for c in todo if c not in done]
        if todo and old is not None:
            manifest["resumed"].append(_now())
            _atomic_write(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")

    def finished(chunk: int, text: str) -> None:
        if out is None:
            texts[chunk] = text
        else:
            _atomic_write(_chunk_path(out, chunk), text)

    if todo:
        rows = sum(b - a for a, b in map(plan.chunk_bounds, plan.shard_chunks(shard)))
        _execute(plan, todo, rows, workers, progress, finished, dtypes, dask, scheduler)
    if out is None:
        import pandas as pd

        frames = [_read_csv(io.StringIO(texts[c]), dtypes) for c in range(plan.n_chunks)]
        table = _sorted(pd.concat(frames, ignore_index=True))
        table.attrs["complete"] = True
        table.attrs["manifest"] = {"signature": plan.signature(), "points": plan.points,
                                   "dtypes": dtypes, "rows": plan.rows}
        return table
    if shard is None and not _results_path(out, manifest).exists():
        _write_results(out, manifest,
                       _concat_chunks(out, plan.n_chunks, dtypes, plan.rows, plan.chunk_size))
    elif shard is None or manifest.get("finished") is not None:
        return read_sweep(out)  # nothing new: leave the manifest as it is
    manifest["finished"] = _now()
    _atomic_write(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    return read_sweep(out)


def parse_shard(shard: Any) -> tuple[int, int] | None:
    """``"K/N"`` or ``(K, N)`` as a checked pair, or ``None``.

    Shards count from 0, as a SLURM job array does with ``--array=0-(N-1)``:
    ``--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT``.

    Parameters
    ----------
    shard
        ``"K/N"``, ``(K, N)`` or ``None``.

    Returns
    -------
    tuple of int, or None
        ``(K, N)``.

    Raises
    ------
    ConfigError
        If it is not two whole numbers with ``0 <= K < N``.
    """
    if shard is None:
        return None
    text = shard if isinstance(shard, str) else "/".join(map(str, shard)) \
        if isinstance(shard, (tuple, list)) else repr(shard)
    m = re.match(r"^\s*(\d+)\s*/\s*(\d+)\s*$", text)
    if not m:
        raise ConfigError(f"--shard {text}: write K/N, two whole numbers: run shard K of N "
                          "(K = 0 .. N-1), e.g. --shard 0/4")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or k >= n:
        raise ConfigError(
            f"--shard {text}: K counts from 0, so with N = {n} it must be 0 .. {max(n - 1, 0)}; "
            "in a SLURM job array use #SBATCH --array=0-(N-1) with "
            "--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT")
    return k, n


def _shard_dict(shard: tuple[int, int] | None) -> dict[str, int] | None:
    return None if shard is None else {"index": shard[0], "count": shard[1]}


def _shard_text(shard: Mapping[str, int] | None) -> str:
    return "the whole sweep" if not shard else f"shard {shard['index']}/{shard['count']}"


def _check_same_sweep(out: Path, old: Mapping[str, Any], sig: Mapping[str, Any],
                      shard: tuple[int, int] | None) -> None:
    """Refuse to resume into a folder of another sweep, or of another shard."""
    diff = _differences(old.get("signature", {}), sig)
    if diff:
        raise ConfigError(
            f"--out {out}: already holds a different sweep, started "
            f"{old.get('started', '?')} by\n    {old.get('command', '?')}\n  "
            "it differs in " + "; ".join(diff) + "\n  rerun that command to resume it, "
            "choose another --out, or add --overwrite to delete it and start again")
    if old.get("shard") != _shard_dict(shard):
        raise ConfigError(
            f"--out {out}: holds {_shard_text(old.get('shard'))} of this sweep, not "
            f"{_shard_text(_shard_dict(shard))}; give every shard its own --out (e.g. "
            f"runs/NAME/shard-K), then join them with clonesim merge")


def _results_path(out: Path, manifest: Mapping[str, Any]) -> Path:
    return out / (RESULTS_PARQUET if manifest.get("format") == "parquet" else RESULTS_CSV)


def _write_results(out: Path, manifest: Mapping[str, Any], table) -> None:
    """The merged results file, whole or not at all."""
    results = _results_path(out, manifest)
    if results.suffix == ".parquet":
        tmp = results.with_name(f".{results.name}.tmp")
        table.to_parquet(tmp, index=False)
        os.replace(tmp, results)
    else:
        _atomic_write(results, table.to_csv(index=False, lineterminator="\n"))


def _execute(plan: SweepPlan, todo: list[int], rows: int, workers: int, progress: bool,
             finished, dtypes: dict[str, str], dask: bool = False, scheduler: Any = None) -> None:
    """Run the chunks in ``todo``, calling ``finished(chunk, csv_text)`` for each,
    on whatever :func:`~clonesim.executors.chunk_executor` opens; ``rows`` is the
    progress bar's total (the sweep's, or its shard's)."""
    from tqdm.auto import tqdm

    from .executors import chunk_executor

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
                    done(*_run_rows(_task(plan, c, dtypes)))
                return
            # a bounded number in flight, so a Ctrl-C or kill leaves little queued
            pending: set = set()
            queue = iter(todo)
            try:
                while True:
                    for c in itertools.islice(queue, max(0, slots() - len(pending))):
                        pending.add(pool.submit(_run_rows, _task(plan, c, dtypes)))
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


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError("--format parquet needs pyarrow: pip install 'clonesim[parquet]'"
                          ) from None


def _sorted(table):
    return table.sort_values(["point", "replicate"], ignore_index=True, kind="stable")


def _concat_chunks(out: Path, n_chunks: int, dtypes: dict[str, str], rows: int,
                   chunk_size: int):
    """All chunk files of a sweep folder as one table; checks that each has its rows."""
    files = {c: _chunk_path(out, c) for c in range(n_chunks)}
    return _read_chunks({c: f for c, f in files.items() if f.exists()}, dtypes, rows,
                        chunk_size)


def _read_chunks(files: Mapping[int, Path], dtypes: dict[str, str], rows: int,
                 chunk_size: int):
    """Chunk files (chunk number -> path) as one sorted table; checks that each
    holds its rows."""
    import pandas as pd

    frames = []
    for c, path in sorted(files.items()):
        frame = _read_csv(path, dtypes)
        expected = min(chunk_size, rows - c * chunk_size)
        if len(frame) != expected:
            raise ConfigError(f"{path}: holds {len(frame)} rows, not {expected}; delete it and "
                              "rerun the sweep command to redo it")
        frames.append(frame)
    if not frames:
        return pd.DataFrame({k: pd.Series(dtype=t) for k, t in dtypes.items()})
    return _sorted(pd.concat(frames, ignore_index=True))


def read_sweep(folder: str | Path):
    """Read a sweep folder back as one table.

    Parameters
    ----------
    folder
        The ``--out`` folder of ``clonesim sweep`` (or of :func:`sweep`).

    Returns
    -------
    pandas.DataFrame
        One row per (point, replicate) done so far, sorted by point and
        replicate, with the sweep's dtypes. ``table.attrs["complete"]`` says
        whether every row is there; ``table.attrs["manifest"]`` holds the
        manifest (axes, base config, seed, times, and ``"shard"`` for the
        folder of one shard).

    Raises
    ------
    ConfigError
        If the folder holds no sweep.
    """
    import pandas as pd

    out = Path(folder)
    if not out.is_dir():
        raise ConfigError(f"{out}: no such folder")
    manifest = _read_manifest(out)
    if manifest is None:
        raise ConfigError(f"{out}: not a sweep folder (no {MANIFEST})")
    dtypes = manifest["dtypes"]
    sig = manifest["signature"]
    rows, chunk = manifest["rows"], sig["chunk_size"]
    parquet, csv = out / RESULTS_PARQUET, out / RESULTS_CSV
    if parquet.exists():
        table = pd.read_parquet(parquet).astype(dtypes)
    elif csv.exists():
        table = _read_csv(csv, dtypes)
    else:
        table = _concat_chunks(out, manifest["n_chunks"], dtypes, rows, chunk)
    table.attrs["complete"] = len(table) == rows
    table.attrs["manifest"] = manifest
    return table


# ----------------------------------------------------------------------------
# The Python twin of `clonesim sweep`, and sweep files
# ----------------------------------------------------------------------------


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
    if out is not None and not overwrite and Path(out).is_dir():
        # resuming: an unseeded call reuses the recorded seed, and the chunk layout
        m = _read_manifest(Path(out))
        if m:
            seed = m["signature"]["seed"] if seed is None else seed
            chunk_size = m["signature"]["chunk_size"] if chunk_size is None else chunk_size
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


def load_sweep_file(path: str | Path) -> dict[str, Any]:
    """Read a sweep TOML file.

    The format::

        base = "classic_98_2.toml"   # the scenario, relative to this file
        replicates = 200
        seed = 1                     # optional
        design = "lhs"               # optional, with points = N
        points = 64
        set = { "clinic.scan_interval_days" = 56 }   # optional base changes

        [[axes]]
        key = "drugs.A.kill_fraction"
        range = [0.9, 0.999]         # with n = 20 for a grid; without n for a design
        n = 20
        scale = "linear"             # or "log"

        [[axes]]
        key = "therapy.policy"
        values = ["sequence", "rebiopsy"]

    Returns
    -------
    dict
        ``config`` (a validated :class:`Config`), ``axes`` (list of :class:`Axis`),
        and ``replicates``, ``seed``, ``design``, ``points``, ``chunk_size``
        when the file gives them.

    Raises
    ------
    ConfigError
        Naming the file and the entry that is wrong.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    known = {"base", "replicates", "seed", "design", "points", "chunk_size", "axes", "set",
             "title", "description"}
    for k in raw:
        if k not in known:
            import difflib

            hint = difflib.get_close_matches(k, sorted(known), n=1)
            raise ConfigError(f"{path}: unknown key {k!r} in a sweep file"
                              + (f"; did you mean {hint[0]!r}?" if hint else "")
                              + "\n  known keys: " + ", ".join(sorted(known)))
    if not isinstance(raw.get("base"), str):
        raise ConfigError(f'{path}: base = "SCENARIO.toml" is missing (the scenario to sweep, '
                          "relative to this file)")
    overrides = raw.get("set", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f'{path}: set must be a table of dotted keys to values')
    config = load_config(path.parent / raw["base"], overrides)
    entries = raw.get("axes")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[axes]]; add at least one, e.g.\n  [[axes]]\n  "
                          'key = "drugs.A.kill_fraction"\n  range = [0.9, 0.999]\n  n = 20')
    axes = []
    for i, e in enumerate(entries):
        where = f"{path}: axes[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("key"), str):
            raise ConfigError(f'{where}: needs key = "a.config.key"')
        extra = set(e) - {"key", "values", "range", "n", "scale"}
        if extra:
            raise ConfigError(f"{where}: unknown entry {sorted(extra)[0]!r}; an axis has key "
                              "and either values = [...] or range = [lo, hi] (n, scale)")
        key = e["key"]
        try:
            if "values" in e:
                if not isinstance(e["values"], list):
                    raise ConfigError(f"{where}: values must be a list")
                axes.append(_list_axis(key, e["values"]))
            elif "range" in e:
                r = e["range"]
                if not (isinstance(r, list) and len(r) == 2):
                    raise ConfigError(f"{where}: range must be [lo, hi]")
                scale = e.get("scale", "linear")
                if scale not in ("linear", "log"):
                    raise ConfigError(f"{where}: scale = {scale!r} must be 'linear' or 'log'")
                spec = f"{r[0]}:{r[1]}" + (f":{e['n']}" if "n" in e else "") + \
                    (":log" if scale == "log" else "")
                axes.append(parse_axis(f"{key}={spec}"))
            else:
                raise ConfigError(f"{where}: give values = [...] or range = [lo, hi]")
        except ConfigError as exc:
            msg = str(exc)
            raise ConfigError(msg if msg.startswith(str(path)) else f"{where}: {msg}") from None
    out = {"config": config, "axes": axes}
    for k in ("replicates", "seed", "design", "points", "chunk_size"):
        if k in raw:
            out[k] = raw[k]
    return out


# ----------------------------------------------------------------------------
# Summaries for figures
# ----------------------------------------------------------------------------

#: How figures name a metric; ttp_lineK_days is named on the fly.
METRIC_LABELS = {
    "cured": "P(cured)",
    "died": "P(died)",
    "refractory": "P(refractory to line 1)",
    "lines_used": "mean lines used",
    "survival_days": "mean survival (days from detection, censored at follow-up)",
    "days_to_lethal": "mean days to lethal burden (among those who died)",
    "detection_day": "mean day of detection",
    "end_day": "mean last day",
    "final_burden": "mean final burden (cells)",
    "final_sensitive": "mean final sensitive cells",
    "final_resistant": "mean final resistant cells",
}


def metric_label(metric: str) -> str:
    """A reader's name for a sweep column."""
    m = re.match(r"^ttp_line(\d+)_days$", metric)
    if m:
        return f"mean time to progression on line {m.group(1)} (days, among progressed)"
    return METRIC_LABELS.get(metric, f"mean {metric}")


def summarise_sweep(table, by: Sequence[str], metric: str, level: float = 0.95):
    """Per group of ``by`` values: patients, estimate and a confidence band.

    A true/false metric (``cured``, ``died``, ``refractory``) is a probability
    with a Wilson score interval (``scipy.stats.binomtest(...).proportion_ci``);
    a numeric one is a mean with a normal-approximation interval
    (mean +/- z * standard error), over the rows where it is defined (a time to
    progression only where the line progressed).

    Parameters
    ----------
    table
        A sweep table (:func:`read_sweep`, :func:`sweep`).
    by
        Columns to group by (axes of the sweep).
    metric
        An outcome column.
    level
        Confidence level of the band.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``value``, ``low``, ``high`` and
        ``probability`` (whether the metric is a proportion).

    Raises
    ------
    ConfigError
        If a column is not in the table.
    """
    import pandas as pd
    from scipy import stats

    for col in [*by, metric]:
        if col not in table.columns:
            axes = [c for c in table.columns if c not in ("point", "replicate", "seed")
                    and c not in OUTCOME_COLUMNS and c not in _BURDEN_COLUMNS
                    and not c.startswith("ttp_line")]
            outcomes = [c for c in table.columns if c not in axes
                        and c not in ("point", "replicate", "seed", "outcome")]
            import difflib

            hint = difflib.get_close_matches(col, list(table.columns), n=1)
            raise ConfigError(f"no column {col!r} in this sweep"
                              + (f"; did you mean {hint[0]!r}?" if hint else "")
                              + f"\n  axes: {', '.join(axes)}\n  metrics: {', '.join(outcomes)}")
    probability = table[metric].dtype == bool
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for keys, group in table.groupby(list(by), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        vals = group[metric].dropna()
        n = len(vals)
        row = dict(zip(by, keys), n=n)
        if n == 0:
            row.update(value=np.nan, low=np.nan, high=np.nan)
        elif probability:
            k = int(vals.sum())
            ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
            row.update(value=k / n, low=ci.low, high=ci.high)
        else:
            x = vals.to_numpy(dtype=float)
            mean = float(x.mean())
            half = z * x.std(ddof=1) / math.sqrt(n) if n > 1 else np.nan
            row.update(value=mean, low=mean - half, high=mean + half)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["probability"] = probability
    return out
