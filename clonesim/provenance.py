"""Enough to rerun any result: package version, config hash, seed."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

__all__ = ["version", "config_hash", "provenance"]

TEACHING_NOTE = "clonesim: a teaching simulation, not for clinical use"


@functools.cache
def version() -> str:
    """The installed clonesim version ("unknown" when run from a bare checkout).

    ``importlib.metadata`` is imported here, not with the module: it and the
    lookup cost some 40 ms of every ``import clonesim``."""
    from importlib import metadata

    try:
        return metadata.version("clonesim")
    except metadata.PackageNotFoundError:  # pragma: no cover - source tree without install
        return "unknown"


def config_hash(config) -> str:
    """A short, stable hash of a config's content (not of its file name)."""
    text = json.dumps(config.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def provenance(config, seed: Any) -> dict[str, str]:
    """Metadata to store with a saved result or figure."""
    return {
        "clonesim_version": version(),
        "config_source": str(config.source),
        "config_hash": config_hash(config),
        "seed": str(seed),
        "note": TEACHING_NOTE,
    }
