"""The sweep folder: manifest, chunk files, atomic writes, reading back, resuming.

::

    OUT/manifest.json            written first: base config, axes, points, seed, ...
    OUT/chunks/chunk-000000.csv  rows [0, chunk_size), written to a temporary
    OUT/chunks/chunk-000001.csv  name and renamed atomically when complete
    ...
    OUT/results.csv              all rows, once every chunk is done
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
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
#: The last line of a chunk file.
SEAL = re.compile(rb"^# clonesim chunk (\d+) rows (\d+) sha256 ([0-9a-f]{64})$")
#: A manifest's ``"chunk_seal"`` when its chunks are sealed (older folders are not).
SEAL_KIND = "sha256-last-line"
#: What a manifest must hold to be read (key: type).
MANIFEST_KEYS = {"signature": dict, "dtypes": dict, "rows": int, "n_chunks": int,
                 "points": list}
SIGNATURE_KEYS = ("seed", "chunk_size", "replicates")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary name, flush to disk, then rename over ``path``: a
    reader (or a resume after ``kill -9``) sees the whole file or none. A
    failed write (a full disk) leaves no temporary file behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(tmp, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> None:
    atomic_write(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal(chunk: int, text: str) -> bytes:
    """A chunk's CSV text with its seal line (see the module docstring)."""
    body = text.encode("utf-8")
    rows = body.count(b"\n") - 1  # one row a line, after the header
    return body + f"# clonesim chunk {chunk} rows {rows} sha256 {sha256(body)}\n".encode()


def unseal(path: Path, chunk: int, rows: int) -> bytes:
    """The CSV bytes of a sealed chunk file, or a ConfigError naming what is wrong."""
    data = path.read_bytes()
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    m = SEAL.match(last)
    why = None
    if m is None:
        why = "its last line is not a clonesim seal: the file was cut short or edited"
    elif int(m[1]) != chunk:
        why = f"it is sealed as chunk {int(m[1])}"
    elif sha256(body + b"\n") != m[3].decode():
        why = "its rows do not match their SHA-256: a value was changed or garbled"
    elif int(m[2]) != rows:
        why = f"it holds {int(m[2])} rows, not {rows}"
    if why:
        raise DamagedChunk(path, chunk, why)
    return body + b"\n"


class DamagedChunk(ConfigError):
    """A chunk file that fails its seal; rerunning the sweep recomputes it."""

    def __init__(self, path: Path, chunk: int, why: str):
        self.path, self.chunk, self.why = path, chunk, why
        super().__init__(f"{path}: chunk {chunk} is damaged ({why})\n  rerun the sweep command "
                         "(the same one, in the same folder): it recomputes this chunk, "
                         "row for row, and keeps the others")


def read_manifest(out: Path, param: str | None = None) -> dict[str, Any] | None:
    """The manifest of the sweep folder ``out``, or None. An unreadable or
    malformed one is an error; about the parameter ``param`` (``out``) when
    ``out`` is to be written."""
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
        problem = manifest_problem(manifest)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = f"cannot be read as JSON ({exc})"
    if problem is None:
        return manifest
    if param is None:
        raise ConfigError(f"{path}: not a clonesim sweep manifest: {problem}")
    raise ConfigError(param=param, value=out,
                      allowed=f"its {MANIFEST} is not a clonesim sweep manifest: {problem}; "
                              "add {overwrite=True} to start the sweep again there (only the "
                              "sweep's own files are deleted), or use another {out}")


def manifest_problem(manifest: Any) -> str | None:
    """What is wrong with a manifest read from JSON, or None."""
    if not isinstance(manifest, dict):
        return f"it holds a {type(manifest).__name__}, not a table"
    for key, kind in MANIFEST_KEYS.items():
        if not isinstance(manifest.get(key), kind) or isinstance(manifest.get(key), bool):
            return f"{key!r} is missing or not a {kind.__name__}"
    missing = [k for k in SIGNATURE_KEYS if k not in manifest["signature"]]
    if missing:
        return f"its signature lacks {', '.join(map(repr, missing))}"
    if not isinstance(manifest["signature"]["chunk_size"], int):
        return "its chunk_size is not a whole number"
    return None


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
    folders that are not sweeps; ``overwrite`` deletes an earlier sweep's own
    files (manifest, chunks, results, even when its manifest is damaged),
    never anything else."""
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            raise ConfigError(param="out", value=out,
                              allowed=("is a file" if folder == out else f"{folder} is a file")
                              + "; give a folder to write the sweep into")
    if not out.exists():
        return None
    if overwrite and (out / MANIFEST).exists():  # a sweep's folder, readable or not
        remove_sweep_files(out)  # the user's own files in it stay
        return None
    manifest = read_manifest(out, "out")
    if manifest is not None:
        return manifest
    remove_leftovers(out)
    others = sorted(p.name for p in out.iterdir())
    if others:
        raise ConfigError(param="out", value=out,
                          allowed=f"is a folder that holds other files ({', '.join(others[:3])}"
                                  f"{', ...' if len(others) > 3 else ''}) and no {MANIFEST}; "
                                  "give a new or empty folder for the sweep")
    return None


def _is_leftover(name: str) -> bool:
    """A temporary file of a write that did not finish (kill -9, a full disk)."""
    return name.startswith(".") and name.endswith(".tmp")


def remove_leftovers(out: Path) -> None:
    """Temporary files of an interrupted first write, and an empty chunks folder:
    what a sweep killed (or out of disk) before its manifest leaves."""
    for f in out.iterdir():
        if f.is_file() and _is_leftover(f.name):
            f.unlink(missing_ok=True)
    chunks = out / CHUNKS
    if chunks.is_dir() and not (out / MANIFEST).exists():
        for f in chunks.iterdir():
            if f.is_file() and _is_leftover(f.name):
                f.unlink(missing_ok=True)
        if not any(chunks.iterdir()):
            chunks.rmdir()


def remove_sweep_files(out: Path) -> None:
    """Delete what a sweep writes in ``out`` (for ``overwrite``), and nothing else."""
    for name in (MANIFEST, RESULTS_CSV, RESULTS_PARQUET):
        (out / name).unlink(missing_ok=True)
    chunks = out / CHUNKS
    if chunks.is_dir():
        for f in chunks.iterdir():
            if f.is_file() and (CHUNK_NAME.match(f.name) or _is_leftover(f.name)):
                f.unlink()
        if not any(chunks.iterdir()):
            chunks.rmdir()
    remove_leftovers(out)


def done_chunks(out: Path, plan: SweepPlan, sealed: bool = True
                ) -> tuple[set[int], list[DamagedChunk]]:
    """Finished chunk files, and those that fail their seal (deleted, to be
    run again); stray temporary files of a killed run are removed."""
    folder = out / CHUNKS
    done: set[int] = set()
    damaged: list[DamagedChunk] = []
    if not folder.exists():
        return done, damaged
    for f in folder.iterdir():
        m = CHUNK_NAME.match(f.name)
        if m and int(m.group(1)) < plan.n_chunks:
            c = int(m.group(1))
            if sealed:
                a, b = plan.chunk_bounds(c)
                try:
                    unseal(f, c, b - a)
                except DamagedChunk as exc:
                    damaged.append(exc)
                    f.unlink()
                    continue
            done.add(c)
        elif _is_leftover(f.name):
            f.unlink(missing_ok=True)
    return done, sorted(damaged, key=lambda e: e.chunk)


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


def write_results(out: Path, manifest: dict[str, Any], table) -> None:
    """The merged results file, whole or not at all; its SHA-256 and rows go
    into ``manifest["results"]`` (written by the caller)."""
    results = results_path(out, manifest)
    if results.suffix == ".parquet":
        buf = io.BytesIO()
        table.to_parquet(buf, index=False)
        data = buf.getvalue()
    else:
        data = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    atomic_write(results, data)
    manifest["results"] = {"file": results.name, "rows": len(table), "sha256": sha256(data)}


def results_problem(out: Path, manifest: Mapping[str, Any]) -> str | None:
    """What is wrong with the merged results file, or None (also when the
    manifest predates results checksums)."""
    record = manifest.get("results")
    path = results_path(out, manifest)
    if not isinstance(record, dict) or not path.exists():
        return None
    if sha256(path.read_bytes()) != record.get("sha256"):
        return (f"{path}: does not match the SHA-256 in {MANIFEST} (cut short, edited or "
                "garbled)")
    return None


def need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError(param="fmt", value="parquet",
                          allowed="needs pyarrow: pip install 'clonesim[parquet]'") from None


def is_sealed(manifest: Mapping[str, Any]) -> bool:
    return manifest.get("chunk_seal") == SEAL_KIND


def concat_chunks(out: Path, manifest: Mapping[str, Any]):
    """All chunk files of a sweep folder as one table; checks each one."""
    files = {c: chunk_path(out, c) for c in range(manifest["n_chunks"])}
    return read_chunks({c: f for c, f in files.items() if f.exists()}, manifest)


def read_chunks(files: Mapping[int, Path], manifest: Mapping[str, Any]):
    """Chunk files (chunk number -> path) of the sweep of ``manifest`` as one
    sorted table; checks the seal and the rows of each."""
    import pandas as pd

    dtypes, rows = manifest["dtypes"], manifest["rows"]
    chunk_size = manifest["signature"]["chunk_size"]
    frames = []
    for c, path in sorted(files.items()):
        expected = min(chunk_size, rows - c * chunk_size)
        source = io.BytesIO(unseal(path, c, expected)) if is_sealed(manifest) else path
        try:
            frame = read_csv(source, dtypes)
        except (ValueError, pd.errors.ParserError) as exc:
            raise DamagedChunk(path, c, f"it cannot be read as the sweep's table: {exc}") from None
        if len(frame) != expected:
            raise DamagedChunk(path, c, f"it holds {len(frame)} rows, not {expected}")
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
        If the folder holds no sweep, or a file of it is damaged (named, with
        what to do: rerunning the sweep command recomputes a damaged chunk).
    """
    import pandas as pd

    out = Path(folder)
    if not out.is_dir():
        raise ConfigError(f"{out}: no such folder")
    manifest = read_manifest(out)
    if manifest is None:
        raise ConfigError(f"{out}: not a sweep folder (no {MANIFEST})")
    dtypes = manifest["dtypes"]
    results = results_path(out, manifest)
    if results.exists():
        problem = results_problem(out, manifest)
        if problem:
            raise ConfigError(f"{problem}\n  delete it and rerun the sweep command: it is "
                              "rebuilt from the chunks")
        try:
            table = (pd.read_parquet(results).astype(dtypes) if results.suffix == ".parquet"
                     else read_csv(results, dtypes))
        except (ValueError, OSError, pd.errors.ParserError) as exc:
            raise ConfigError(f"{results}: cannot be read ({exc})\n  delete it and rerun the "
                              "sweep command: it is rebuilt from the chunks") from None
    else:
        table = concat_chunks(out, manifest)
    table.attrs["complete"] = len(table) == manifest["rows"]
    table.attrs["manifest"] = manifest
    return table
