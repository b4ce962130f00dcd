"""Join the shards of a sweep (``clonesim sweep --shard K/N``) into one sweep folder.

A batch cluster without Dask runs a sweep as a job array, each task one
shard into a folder of its own; ``clonesim merge`` then checks that the
folders are shards of one sweep (equal manifest signatures, the same
clonesim), that each shard is finished, and that every (point, replicate)
is there exactly once, and writes an ordinary sweep folder whose table is,
bit for bit, the one a single run would have written.

Teaching model, not for clinical use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from ..config import MISSING, ConfigError
from .store import (CHUNK_NAME, CHUNKS, MANIFEST, atomic_write, check_out, chunk_path,
                    differences, need_pyarrow, now, read_chunks, read_manifest, read_sweep,
                    shard_text, write_manifest, write_results)

__all__ = ["merge_sweeps"]


def merge_sweeps(folders: Iterable[str | Path], out: str | Path, *, fmt: str | None = None,
                 overwrite: bool = False, command: str = ""):
    """Join the folders of a sharded sweep into one sweep folder.

    Parameters
    ----------
    folders
        The ``--out`` folders of ``clonesim sweep --shard K/N`` (any order);
        a finished unsharded sweep folder counts as the one shard of itself.
    out
        A new (or empty) folder for the merged sweep: ``manifest.json``,
        ``chunks/`` (copied) and ``results.csv`` (or ``.parquet``), as a
        single run writes them.
    fmt
        ``"csv"`` or ``"parquet"``; default: the format the shards were run with.
    overwrite
        Replace a sweep already in ``out``.
    command
        The command line, recorded in the manifest.

    Returns
    -------
    pandas.DataFrame
        The whole sweep, as :func:`clonesim.read_sweep` reads it.

    Raises
    ------
    ConfigError
        If a folder is not a sweep, belongs to another sweep, is an unfinished
        shard, a chunk is in two folders or in none, or a row is missing or
        repeated; nothing is written then.

    Examples
    --------
    >>> clonesim.merge_sweeps(["runs/x/shard-0", "runs/x/shard-1"], "runs/x/all")  # doctest: +SKIP
    """
    folders = [Path(f) for f in folders]
    out = Path(out)
    if not folders:
        raise ConfigError(param="folders", value=MISSING,
                          allowed="give the folders of the shards to join")
    manifests = [_shard_manifest(f) for f in folders]
    _check_one_sweep(folders, manifests)
    first = manifests[0]
    sig = first["signature"]
    files = _chunk_owners(folders, manifests)
    table = read_chunks(files, first)
    _check_every_row_once(table, first["rows"], sig["replicates"])

    fmt = fmt or first.get("format", "csv")
    if fmt not in ("csv", "parquet"):
        raise ConfigError(param="fmt", value=fmt, allowed="must be 'csv' or 'parquet'")
    if fmt == "parquet":
        need_pyarrow()
    for f in folders:
        if f.resolve() == out.resolve() or out.resolve() in f.resolve().parents:
            raise ConfigError(param="out", value=out,
                              allowed=f"holds the shard folder {f}; write the merged sweep to "
                                      "a folder of its own, e.g. {out='runs/NAME/all'}")
    if check_out(out, overwrite) is not None:
        raise ConfigError(param="out", value=out,
                          allowed="already holds a sweep; choose another {out}, or add "
                                  "{overwrite=True} to replace it")
    manifest = {**first, "command": command, "started": min(m["started"] for m in manifests),
                "finished": None, "resumed": [], "format": fmt, "shard": None,
                "merged_from": [{"folder": str(f), "shard": m.get("shard"),
                                 "command": m.get("command"), "started": m.get("started"),
                                 "finished": m.get("finished")}
                                for f, m in zip(folders, manifests)]}
    manifest.pop("results", None)
    (out / CHUNKS).mkdir(parents=True, exist_ok=True)
    write_manifest(out, manifest)
    for c, src in files.items():
        atomic_write(chunk_path(out, c), src.read_bytes())  # checked by read_chunks above
    write_results(out, manifest, table)
    manifest["finished"] = now()
    write_manifest(out, manifest)
    return read_sweep(out)


def _shard_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise ConfigError(f"merge: {folder}: no such folder")
    manifest = read_manifest(folder)
    if manifest is None:
        raise ConfigError(f"merge: {folder}: not a sweep folder (no {MANIFEST})")
    return manifest


def _check_one_sweep(folders: list[Path], manifests: list[Mapping[str, Any]]) -> None:
    """Every folder a part of the first one's sweep, made by the same clonesim."""
    f0, m0 = folders[0], manifests[0]
    for f, m in zip(folders[1:], manifests[1:]):
        diff = differences(m0["signature"], m["signature"])
        if diff:
            raise ConfigError(allowed=(
                f"merge: {f} is not a shard of the same sweep as {f0}: it differs in "
                + "; ".join(diff) + "\n  the shards of one sweep are made by one command that "
                "differs only in {shard=K/N} (and {out}), with the same {seed}"))
        if m.get("clonesim_version") != m0.get("clonesim_version"):
            raise ConfigError(
                f"merge: {f} was made by clonesim {m.get('clonesim_version')} and {f0} by "
                f"{m0.get('clonesim_version')}; rows of different versions may differ, so "
                "rerun every shard with one clonesim")


def _chunk_owners(folders: list[Path], manifests: list[Mapping[str, Any]]) -> dict[int, Path]:
    """Chunk number -> its file, from folders that are each a finished shard;
    a chunk in two folders or in none is refused."""
    n_chunks = manifests[0]["n_chunks"]
    owner: dict[int, Path] = {}
    where: dict[int, Path] = {}
    for f, m in zip(folders, manifests):
        shard = m.get("shard")
        k, n = (shard["index"], shard["count"]) if shard else (0, 1)
        expected = range(k, n_chunks, n)
        have = {int(x.group(1)) for x in (CHUNK_NAME.match(p.name)
                                          for p in (f / CHUNKS).glob("chunk-*.csv")) if x}
        missing = [c for c in expected if c not in have]
        if missing:
            raise ConfigError(
                f"merge: {f} ({shard_text(shard)}) is not finished: {len(missing)} of its "
                f"{len(expected)} chunks are missing; rerun its command to finish it, then "
                f"merge again:\n    {m.get('command', '?')}")
        for c in sorted(have):
            if c in owner:
                raise ConfigError(
                    f"merge: chunk {c} is in both {where[c]} and {f}; give each shard's folder "
                    "once (a whole run and a shard of it, or one shard run twice into two "
                    "folders, hold the same rows)")
            owner[c], where[c] = chunk_path(f, c), f
    absent = [c for c in range(n_chunks) if c not in owner]
    if absent:
        counts = {m["shard"]["count"] for m in manifests if m.get("shard")}
        hint = ""
        if len(counts) == 1:
            n = counts.pop()
            hint = " (not among the folders: shard " + ", ".join(
                f"{k}/{n}" for k in sorted({c % n for c in absent})) + ")"
        raise ConfigError(f"merge: {len(absent)} of the sweep's {n_chunks} chunks are in none of "
                          f"the folders{hint}; run the missing shards, then merge again")
    return owner


def _check_every_row_once(table, rows: int, replicates: int) -> None:
    """The joined table holds (point, replicate) = every row number once."""
    index = table["point"].to_numpy() * replicates + table["replicate"].to_numpy()
    if len(index) != rows or not np.array_equal(index, np.arange(rows)):
        raise ConfigError(f"merge: the chunk files do not hold every (point, replicate) of the "
                          f"sweep exactly once ({len(index)} rows for {rows}); was a chunk file "
                          "changed by hand? Delete it and rerun its shard's command")
