"""Dotted keys (``drugs.A.kill_fraction``) in the nested dicts a scenario is
read into: set, read, and refuse a change that names no defined entry.

Shared by :meth:`Config.update` and :func:`load_config`'s overrides, so that
``--set`` and Python change a scenario in the same way.
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

from .checks import drug_hint
from .errors import ConfigError

__all__ = ["check_existing_entry", "assign", "lookup"]


def check_existing_entry(raw: Mapping[str, Any], key: str, source: str) -> None:
    """A change under drugs.NAME, states.NAME or sites.NAME must name an entry
    the scenario defines: a typo must not quietly add a drug or a site."""
    parts = key.split(".")
    if len(parts) < 2 or parts[0] not in ("drugs", "states", "sites"):
        return
    table = raw.get(parts[0])
    names = list(table) if isinstance(table, dict) else []
    if parts[1] in names:
        return
    kind = parts[0][:-1]
    hint = drug_hint(parts[1], names) if names else None
    msg = f"{source}: {key}: no {kind} {parts[1]!r} in this scenario"
    msg += f"; did you mean {hint!r}?" if hint else ""
    msg += (f"\n  defined {parts[0]}: " + (", ".join(names) or "none")
            + f" (a new {kind} needs its own [{parts[0]}.NAME] table in the file)")
    raise ConfigError(msg)


def assign(raw: dict[str, Any], key: str, value: Any, source: str = "<config>") -> None:
    """Set a dotted key in a nested dict, creating tables on the way."""
    parts = key.split(".")
    node = raw
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(
                f"{source}: {'.'.join(parts[: i + 1])} is a value, not a table, "
                f"so {key} cannot be set")
        node = child
    node[parts[-1]] = copy.deepcopy(value)


def lookup(raw: Mapping[str, Any], key: str) -> Any:
    """Read a dotted key from a nested dict (``None`` where it is missing):
    the reading twin of :func:`assign`."""
    node: Any = raw
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node
