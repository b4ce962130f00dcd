"""Scenario files: a TOML file (and ``--set`` overrides) in, a checked
:class:`Config` out.

Only here does clonesim touch the file system for a scenario; file errors
become :class:`ConfigError` with the path, like every other bad input.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Mapping

from .keys import assign, check_existing_entry
from .schema import ConfigError
from .scenario import Config, build

__all__ = ["load_config", "parse_assignment"]


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """Read and validate a TOML scenario.

    Parameters
    ----------
    path
        A ``.toml`` file such as ``configs/classic_98_2.toml``.
    overrides
        Dotted keys to change before validation, as ``clonesim run --set`` does.

    Raises
    ------
    ConfigError
        If the file is missing, is not TOML, or holds a value the model cannot take.
    """
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot be read ({exc.strerror})") from None
    try:
        raw = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    for key, value in (overrides or {}).items():
        check_existing_entry(raw, key, source)
        assign(raw, key, value, source)
    return build(raw, source)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``key=value`` from the command line; the value is read as TOML when it can be."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected key=value, e.g. drugs.A.kill_fraction=0.95")
    key, value = text.split("=", 1)
    key = key.strip()
    try:
        parsed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return key, parsed
