"""Sweep axes: a config key and the values it takes, parsed from
``key=lo:hi:n[:log]``, ``key=[a, b]`` or ``key=lo:hi[:log]`` (a design range)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

from ..config import ConfigError, toml_text, spec_for


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



#: The most points a sweep may have: planning checks each one (~0.3 ms a point
#: here, so this many take about half a minute) before any patient runs.
MAX_POINTS = 100_000

#: How an axis is written (the second line of an axis error).
AXIS_FORMS = ("write KEY=lo:hi:n (linear), KEY=lo:hi:n:log, KEY=[a, b, c] (a list), or "
              "KEY=lo:hi / KEY=lo:hi:log with {design=lhs|sobol}")


def axis_error(text: str, why: str, hint: str | None = AXIS_FORMS) -> ConfigError:
    """An error about the axis written ``text`` (``param="axes"``, the text as value)."""
    return ConfigError(param="axes", value=text, allowed=why, hint=hint)



def _number(text: str, part: str) -> float:
    try:
        x = float(part)
    except ValueError:
        raise axis_error(text, f"{part!r} is not a number") from None
    if not math.isfinite(x):
        raise axis_error(text, f"{part!r} is not a finite number")
    return x



def is_int_key(key: str) -> bool:
    spec = spec_for(key)
    return spec is not None and spec.kind == "int"



def _tidy_values(key: str, values: Iterable[Any]) -> tuple:
    """Grid values as plain Python scalars: whole numbers for integer keys,
    floats when a list mixes ints and floats (one dtype per column)."""
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    if is_int_key(key):
        values = [int(round(v)) if isinstance(v, float) and math.isfinite(v) else v
                  for v in values]
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(nums) == len(values) and any(isinstance(v, float) for v in values) \
            and not is_int_key(key):
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
        raise axis_error(text, "expected KEY=SPEC, e.g. drugs.A.kill_fraction=0.9:0.99:10")
    key, spec = (s.strip() for s in text.split("=", 1))
    if not key or not re.match(r"^[A-Za-z_][\w\-+]*(\.[\w\-+]+)*$", key):
        raise axis_error(text, f"{key!r} is not a config key such as drugs.A.kill_fraction")
    if not spec:
        raise axis_error(text, "no values given")
    if spec.startswith("["):
        try:
            values = tomllib.loads(f"v = {spec}")["v"]
        except tomllib.TOMLDecodeError as exc:
            raise axis_error(text, f"not a valid list ({exc})") from None
        if not values:
            raise axis_error(text, "the list is empty")
        if any(isinstance(v, dict) for v in values):
            raise axis_error(text, "list items must be numbers, strings, booleans or lists")
        if len(set(map(repr, values))) != len(values):
            raise axis_error(text, "a value is listed twice")
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
        raise axis_error(text, f"{spec!r} has {len(parts)} numbers; a range is lo:hi or lo:hi:n")
    lo, hi = _number(text, parts[0]), _number(text, parts[1])
    if log and (lo <= 0 or hi <= 0):
        raise axis_error(text, "a log range needs lo > 0 and hi > 0")
    if len(parts) == 2:
        if lo == hi:
            raise axis_error(text, "a design range needs lo != hi")
        return Axis(key, "range", (), lo, hi, None, log, text)
    try:
        n = int(parts[2])
    except ValueError:
        raise axis_error(text, f"the count {parts[2]!r} is not a whole number") from None
    if n < 1:
        raise axis_error(text, f"the count must be at least 1, not {n}")
    if n > MAX_POINTS:
        raise axis_error(text, f"the count must be at most {MAX_POINTS:,}, not {n:,}")
    grid = np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)
    values = _tidy_values(key, grid.tolist())
    if len(set(values)) != len(values):
        raise axis_error(text, f"{n} values of an integer key between {toml_text(lo)} and "
                                f"{toml_text(hi)} repeat after rounding; use fewer")
    return Axis(key, "log" if log else "lin", values, lo, hi, n, log, text)



def axes_from(axes: Any) -> list[Axis]:
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
                           list_axis(key, list(spec)))
            else:
                out.append(list_axis(key, [spec]))
        return out
    out = []
    for a in axes:
        out.append(a if isinstance(a, Axis) else parse_axis(str(a)))
    return out



def list_axis(key: str, values: list) -> Axis:
    if not values:
        raise axis_error(f"{key}=[]", "the list is empty")
    text = f"{key}=" + toml_text(list(values))
    values = _tidy_values(key, values)
    if len(set(map(repr, values))) != len(values):
        raise axis_error(text, "a value is listed twice")
    return Axis(key, "list", values, text=text)
