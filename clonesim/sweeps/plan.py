"""The plan: every point of a sweep built and validated before any patient runs."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config import (MISSING, CohortSettings, Config, ConfigError, Verbatim, load_config,
                      spec_for, toml_text)
from ..runners import seed_sequence
from .axes import MAX_POINTS, Axis, axes_from, axis_error, is_int_key
from .table import BURDEN_COLUMNS, OUTCOME_COLUMNS


DESIGNS = ("lhs", "sobol")

#: The most rows (virtual patients) of one sweep: at ~1 ms a patient, a day of
#: a thousand cores; its chunk list must also fit in memory.
MAX_ROWS = 100_000_000



#: spawn key of the design sampler's generator; a 1-tuple never equals a
#: patient's (point, replicate) key.
_DESIGN_KEY = (2**31 - 1,)



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
        out.update(BURDEN_COLUMNS)
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



def _whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)



def valid_replicates(replicates: Any) -> int:
    """``replicates`` as an int, or a :class:`ConfigError` about it."""
    if not _whole(replicates):
        raise ConfigError(param="replicates", value=replicates,
                          allowed="must be a whole number >= 1 (virtual patients per point)")
    if replicates < 1:
        raise ConfigError(param="replicates", value=replicates,
                          allowed="must be at least 1 (virtual patients per point); a sweep "
                                  "of zero patients has nothing to show")
    return int(replicates)



def valid_seed(seed: Any) -> None:
    """Refuse a root seed that is not ``None``, a whole number >= 0 or a SeedSequence
    without a spawn key (a :class:`ConfigError` about ``seed``)."""
    if seed is None or (_whole(seed) and seed >= 0) or (
            isinstance(seed, np.random.SeedSequence) and isinstance(seed.entropy, int)
            and not seed.spawn_key):
        return
    raise ConfigError(param="seed", value=seed,
                      allowed="a sweep's root seed is one whole number >= 0")



def valid_design(design: Any) -> None:
    """Refuse a design that is not ``None`` or one of :data:`DESIGNS`."""
    if design is not None and design not in DESIGNS:
        raise ConfigError(param="design", value=design,
                          allowed="must be one of " + ", ".join(DESIGNS))



def valid_count(param: str, value: Any, what: str) -> None:
    """Refuse a count (``points``, ``chunk_size``) that is not ``None`` or a whole number >= 1."""
    if value is not None and (not _whole(value) or value < 1):
        raise ConfigError(param=param, value=value, allowed=f"must be a whole number >= 1 ({what})")



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
            row[a.key] = int(round(x)) if is_int_key(a.key) else float(x)
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
    base = config if isinstance(config, Config) else load_config(config)
    if base.cohort.vary or base.cohort.arms:
        base = dataclasses.replace(base, cohort=CohortSettings())
    replicates = valid_replicates(replicates)
    axes = axes_from(axes)
    if not axes:
        raise ConfigError(param="axes", allowed="a sweep needs at least one axis, e.g. "
                                                "{axes='drugs.A.kill_fraction=0.9:0.99:10'}")
    seen = set()
    for a in axes:
        if a.key in seen:
            raise axis_error(a.text, f"{a.key} is swept twice; give each key once", None)
        seen.add(a.key)
    ranges = [a for a in axes if a.kind == "range"]
    grids = [a for a in axes if a.kind != "range"]
    if design is not None:
        valid_design(design)
        if not ranges:
            raise ConfigError(param="design", value=design,
                              allowed="no range to sample; give at least one axis as "
                                      "KEY=lo:hi or KEY=lo:hi:log")
        if points is None:
            raise ConfigError(param="points", value=MISSING,
                              allowed=f"{{design={design!r}}} needs the number of design "
                                      "points, a whole number >= 1, e.g. {points=64}")
        valid_count("points", points, f"the number of points the {design} design samples")
        points = int(points)
    else:
        if ranges:
            raise axis_error(ranges[0].text, "a range without a count needs {design=lhs|sobol} "
                                             "and {points=N}; for a grid write lo:hi:n")
        if points is not None:
            raise ConfigError(param="points", value=points,
                              allowed="only used with {design=lhs|sobol}")
    valid_count("chunk_size", chunk_size, "rows per chunk")
    if shards > 1 and seed is None:
        raise ConfigError(param="seed", value=MISSING,
                          allowed=f"a sweep run in shards ({{shard=K/{shards}}}) needs one root "
                                  "seed: every shard must draw its patients from the same "
                                  "root seed, or the shards would not join into one sweep")
    valid_seed(seed)
    _, entropy = seed_sequence(seed) if not isinstance(seed, np.random.SeedSequence) else (
        seed, seed.entropy)

    # each value alone, so the error names the axis and the value
    for a in axes:
        probes = a.values if a.kind != "range" else (
            (int(round(a.lo)), int(round(a.hi))) if is_int_key(a.key) else (a.lo, a.hi))
        if a.kind == "range":
            spec = spec_for(a.key)
            if spec is not None and spec.kind not in ("float", "int"):
                raise axis_error(a.text, f"{a.key} is not a numeric key, so a design cannot "
                                          "sample it; give a list instead", None)
        for v in probes:
            try:
                base.set(a.key, v)
            except ConfigError as exc:
                raise axis_error(a.text, f"the value {a.key} = {toml_text(v)} is not "
                                          f"allowed:\n  {_inner(exc)}", None) from None

    if design and points > MAX_POINTS:
        raise ConfigError(param="points", value=points,
                          allowed=f"must be at most {MAX_POINTS:,} (each point is checked "
                                  "before any patient runs)")
    sizes = [len(a.values) for a in grids] + ([points] if design else [])
    if math.prod(sizes) > MAX_POINTS:
        raise ConfigError(f"the axes make {' x '.join(f'{n:,}' for n in sizes)} = "
                          f"{math.prod(sizes):,} sweep points; at most {MAX_POINTS:,} are "
                          "allowed (each is checked before any patient runs)\n  use fewer "
                          "values per axis, or sample ranges with a design")
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
            where = ", ".join(f"{k} = {toml_text(v)}" for k, v in changes.items())
            raise ConfigError(f"sweep point {i} ({where}) is not a valid scenario:\n  "
                              f"{_inner(exc)}") from None
    rows = len(point_list) * replicates
    if rows > MAX_ROWS:
        raise ConfigError(param="replicates", value=replicates,
                          allowed=f"{len(point_list):,} point{'s' if len(point_list) != 1 else ''} x "
                                  f"{replicates:,} replicates = "
                                  f"{rows:,} virtual patients; a sweep may have at most "
                                  f"{MAX_ROWS:,} (split it into several sweeps)")
    if rows < shards:
        raise ConfigError(param="shard", value=Verbatim(f"K/{shards}"),
                          allowed=f"the sweep has only {rows} rows; use at most {rows} shards")
    return SweepPlan(base=base, axes=axes, design=design, design_points=points,
                     points=point_list, configs=configs, replicates=replicates, seed=entropy,
                     chunk_size=int(chunk_size) if chunk_size else
                     default_chunk_size(rows, shards))



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
        raise ConfigError(param="shard", value=shard,
                          allowed="write K/N, two whole numbers: run shard K of N "
                                  "(K = 0 .. N-1), e.g. {shard='0/4'}")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or k >= n:
        raise ConfigError(
            param="shard", value=shard,
            allowed=f"K counts from 0, so with N = {n} it must be 0 .. {max(n - 1, 0)}; in a "
                    "SLURM job array use #SBATCH --array=0-(N-1) with "
                    "{shard=$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT}")
    return k, n
