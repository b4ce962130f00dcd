"""The sweep folder: manifest, chunk files, atomic writes, reading back, resuming.

::

    OUT/manifest.json            written first: base config, axes, points, seed, ...
    OUT/chunks/chunk-000000.csv  rows [0, chunk_size), written to a temporary
    OUT/chunks/chunk-000001.csv  name and renamed atomically when complete
    ...
    OUT/results.csv              all rows, once every chunk is done
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from ..config import ConfigError
from .plan import SweepPlan
from .table import read_csv, sorted_table


MANIFEST = "manifest.json"



CHUNKS = "chunks"



RESULTS_CSV = "results.csv"



RESULTS_PARQUET = "results.parquet"



CHUNK_NAME = re.compile(r"^chunk-(\d{6,})\.csv$")



def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")



def atomic_write(path: Path, text: str) -> None:
    """Write to a temporary name, flush to disk, then rename over ``path``: a
    reader (or a resume after ``kill -9``) sees the whole file or none."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)



def read_manifest(out: Path, param: str | None = None) -> dict[str, Any] | None:
    """The manifest of the sweep folder ``out``, or None. An unreadable one is an
    error; about the parameter ``param`` (``out``) when ``out`` is to be written."""
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        if param is None:
            raise ConfigError(f"{path}: cannot be read as a sweep manifest ({exc})") from None
        raise ConfigError(param=param, value=out,
                          allowed=f"its {MANIFEST} cannot be read as a sweep manifest ({exc}); "
                                  "use another {out} or {overwrite=True}") from None



def resume_defaults(out: str | Path | None, overwrite: bool, seed: Any,
                    chunk_size: int | None) -> tuple[Any, int | None]:
    """The seed and chunk size to plan with: when ``out`` holds a sweep that
    will be resumed, the recorded ones stand in for those not given, so an
    unseeded rerun resumes instead of starting another sweep."""
    if out is None or overwrite or not Path(out).is_dir():
        return seed, chunk_size
    old = read_manifest(Path(out), "out")
    if not old:
        return seed, chunk_size
    sig = old["signature"]
    return (sig["seed"] if seed is None else seed,
            sig["chunk_size"] if chunk_size is None else chunk_size)


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two signatures, as ``{replicates}: 2 -> 3`` (the
    parameters written as a :class:`ConfigError` refers to them)."""
    names = {"base_config": "the base scenario", "axes": "{axes}", "design": "{design}",
             "design_points": "{points}", "replicates": "{replicates}", "seed": "{seed}",
             "chunk_size": "{chunk_size}"}
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



def check_out(out: Path, overwrite: bool) -> dict[str, Any] | None:
    """The existing manifest (to resume) or None (a new folder). Refuses files and
    folders that are not sweeps; ``overwrite`` deletes an earlier sweep only."""
    if out.exists() and not out.is_dir():
        raise ConfigError(param="out", value=out,
                          allowed="is a file; give a folder to write the sweep into")
    if not out.exists():
        return None
    manifest = read_manifest(out, "out")
    if manifest is None:
        if any(out.iterdir()):
            raise ConfigError(param="out", value=out,
                              allowed=f"is a folder that holds other files and no {MANIFEST}; "
                                      "give a new or empty folder for the sweep")
        return None
    if overwrite:
        shutil.rmtree(out)
        return None
    return manifest



def done_chunks(out: Path, plan: SweepPlan) -> set[int]:
    """Finished chunk files; stray temporary files of a killed run are removed."""
    folder = out / CHUNKS
    done = set()
    if not folder.exists():
        return done
    for f in folder.iterdir():
        m = CHUNK_NAME.match(f.name)
        if m and int(m.group(1)) < plan.n_chunks:
            done.add(int(m.group(1)))
        elif f.name.endswith(".tmp"):
            f.unlink(missing_ok=True)
    return done



def chunk_path(out: Path, chunk: int) -> Path:
    return out / CHUNKS / f"chunk-{chunk:06d}.csv"



def shard_dict(shard: tuple[int, int] | None) -> dict[str, int] | None:
    return None if shard is None else {"index": shard[0], "count": shard[1]}



def shard_text(shard: Mapping[str, int] | None) -> str:
    return "the whole sweep" if not shard else f"shard {shard['index']}/{shard['count']}"



def check_same_sweep(out: Path, old: Mapping[str, Any], sig: Mapping[str, Any],
                      shard: tuple[int, int] | None) -> None:
    """Refuse to resume into a folder of another sweep, or of another shard."""
    diff = differences(old.get("signature", {}), sig)
    if diff:
        raise ConfigError(
            param="out", value=out,
            allowed=f"already holds a different sweep, started {old.get('started', '?')} by"
                    f"\n    {old.get('command', '?')}\n  it differs in " + "; ".join(diff)
                    + "\n  rerun that command to resume it, choose another {out}, or add "
                    "{overwrite=True} to delete it and start again")
    if old.get("shard") != shard_dict(shard):
        raise ConfigError(
            param="out", value=out,
            allowed=f"holds {shard_text(old.get('shard'))} of this sweep, not "
                    f"{shard_text(shard_dict(shard))}; give every shard its own {{out}} (e.g. "
                    "runs/NAME/shard-K), then join them with clonesim merge "
                    "(clonesim.merge_sweeps)")



def results_path(out: Path, manifest: Mapping[str, Any]) -> Path:
    return out / (RESULTS_PARQUET if manifest.get("format") == "parquet" else RESULTS_CSV)



def write_results(out: Path, manifest: Mapping[str, Any], table) -> None:
    """The merged results file, whole or not at all."""
    results = results_path(out, manifest)
    if results.suffix == ".parquet":
        tmp = results.with_name(f".{results.name}.tmp")
        table.to_parquet(tmp, index=False)
        os.replace(tmp, results)
    else:
        atomic_write(results, table.to_csv(index=False, lineterminator="\n"))



def need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError(param="fmt", value="parquet",
                          allowed="needs pyarrow: pip install 'clonesim[parquet]'") from None



def concat_chunks(out: Path, n_chunks: int, dtypes: dict[str, str], rows: int,
                   chunk_size: int):
    """All chunk files of a sweep folder as one table; checks that each has its rows."""
    files = {c: chunk_path(out, c) for c in range(n_chunks)}
    return read_chunks({c: f for c, f in files.items() if f.exists()}, dtypes, rows,
                        chunk_size)



def read_chunks(files: Mapping[int, Path], dtypes: dict[str, str], rows: int,
                 chunk_size: int):
    """Chunk files (chunk number -> path) as one sorted table; checks that each
    holds its rows."""
    import pandas as pd

    frames = []
    for c, path in sorted(files.items()):
        frame = read_csv(path, dtypes)
        expected = min(chunk_size, rows - c * chunk_size)
        if len(frame) != expected:
            raise ConfigError(f"{path}: holds {len(frame)} rows, not {expected}; delete it and "
                              "rerun the sweep command to redo it")
        frames.append(frame)
    if not frames:
        return pd.DataFrame({k: pd.Series(dtype=t) for k, t in dtypes.items()})
    return sorted_table(pd.concat(frames, ignore_index=True))



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
    manifest = read_manifest(out)
    if manifest is None:
        raise ConfigError(f"{out}: not a sweep folder (no {MANIFEST})")
    dtypes = manifest["dtypes"]
    sig = manifest["signature"]
    rows, chunk = manifest["rows"], sig["chunk_size"]
    parquet, csv = out / RESULTS_PARQUET, out / RESULTS_CSV
    if parquet.exists():
        table = pd.read_parquet(parquet).astype(dtypes)
    elif csv.exists():
        table = read_csv(csv, dtypes)
    else:
        table = concat_chunks(out, manifest["n_chunks"], dtypes, rows, chunk)
    table.attrs["complete"] = len(table) == rows
    table.attrs["manifest"] = manifest
    return table
