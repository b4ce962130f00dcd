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
from .errors import ConfigError
from .scenario import Config, build

__all__ = ["load_config", "read_toml", "parse_assignment"]


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
    raw = read_toml(path)
    for key, value in (overrides or {}).items():
        check_existing_entry(raw, key, source)
        assign(raw, key, value, source)
    return build(raw, source)


def read_toml(path: str | Path) -> dict[str, Any]:
    """The tables of a TOML file, or a :class:`ConfigError` that says what is
    wrong with the file: missing, unreadable, not UTF-8 text, or not TOML.

    A UTF-8 byte-order mark (which some Windows editors write) is accepted.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {_not_utf8(data, exc)}") from None
    if "\x00" in text:
        raise ConfigError(f"{path}: {_NOT_TEXT}") from None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # ValueError: an int of 4300+ digits
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


_NOT_TEXT = ("is not a text file (it holds zero bytes: binary data, or text saved as "
             "UTF-16); a scenario is TOML text saved as UTF-8")


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:1024]:
        return _NOT_TEXT
    line = data[:exc.start].count(b"\n") + 1
    return (f"is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it as "
            "UTF-8, the encoding TOML requires (in most editors: Save As, encoding UTF-8)")


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``key=value`` from the command line; the value is read as TOML when it can be."""
    if "=" not in text:
        raise ConfigError(param="set", value=text,
                          allowed="expected key=value, e.g. drugs.A.kill_fraction=0.95")
    if "\n" in text or "\r" in text:
        raise ConfigError(param="set", value=text,
                          allowed="holds a line break; give one key=value each time")
    key, value = text.split("=", 1)
    key = key.strip()
    try:
        parsed = tomllib.loads(f"v = {value}")
    except tomllib.TOMLDecodeError:
        return key, value.strip()
    if set(parsed) != {"v"}:  # e.g. 'x=1 # a comment' is fine, 'x=1 y=2' is not TOML
        raise ConfigError(param="set", value=text, allowed="expected one key=value")
    return key, parsed["v"]
