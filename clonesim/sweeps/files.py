"""Sweep files: a sweep written down as TOML (base scenario, axes, replicates, seed)."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from ..config import ConfigError, file_words, load_config, toml_text
from .axes import list_axis, parse_axis
from .plan import valid_count, valid_design, valid_replicates, valid_seed

#: How an [[axes]] entry is written (the second line of an error about one).
AXIS_ENTRY = ('an axis is key = "a.config.key" with values = [...], or range = [lo, hi] with '
              'n = N for a grid (no n for a design) and scale = "linear" or "log"')


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
        Naming the file and the key or entry that is wrong, in the file's words
        (``replicates = 0``, ``axes[1]``); an error about one of the top-level
        values carries it as ``param`` and ``value``, with ``source`` the file.
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
    try:  # each value alone, so that the error names this file and its key
        if "replicates" in raw:
            valid_replicates(raw["replicates"])
        if "seed" in raw:
            valid_seed(raw["seed"])
        if "design" in raw:
            valid_design(raw["design"])
        if "points" in raw:
            valid_count("points", raw["points"], "the number of design points")
        if "chunk_size" in raw:
            valid_count("chunk_size", raw["chunk_size"], "rows per chunk")
    except ConfigError as exc:
        raise exc.in_file(path) from None
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
        if "values" in e and not isinstance(e["values"], list):
            raise ConfigError(f"{where}: values must be a list")
        if "values" not in e and "range" not in e:
            raise ConfigError(f"{where}: give values = [...] or range = [lo, hi]")
        if "values" not in e:
            r = e["range"]
            if not (isinstance(r, list) and len(r) == 2):
                raise ConfigError(f"{where}: range must be [lo, hi]")
            scale = e.get("scale", "linear")
            if scale not in ("linear", "log"):
                raise ConfigError(f"{where}: scale = {toml_text(scale)} must be \"linear\" "
                                  'or "log"')
        try:
            if "values" in e:
                axes.append(list_axis(key, e["values"]))
            else:
                spec = f"{r[0]}:{r[1]}" + (f":{e['n']}" if "n" in e else "") + \
                    (":log" if scale == "log" else "")
                axes.append(parse_axis(f"{key}={spec}"))
        except ConfigError as exc:  # in the file's words: no axis text, no flags
            raise ConfigError(f"{where} (key = {toml_text(key)}): {exc.reason(file_words)}"
                              f"\n  {AXIS_ENTRY}") from None
    out = {"config": config, "axes": axes}
    for k in ("replicates", "seed", "design", "points", "chunk_size"):
        if k in raw:
            out[k] = raw[k]
    return out
