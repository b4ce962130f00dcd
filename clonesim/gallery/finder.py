"""Finding the shipped scenarios by name, wherever the package was installed
from: a wheel (``clonesim/scenarios/``), a source checkout or an editable
install (``configs/``), or a folder named by ``$CLONESIM_CONFIGS``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Config, ConfigError, load_config


def find_config(name: str) -> Path:
    """The path of a scenario shipped in ``configs/``, by file stem or path.

    Looks in ``$CLONESIM_CONFIGS``, then the scenarios installed with the
    package (a wheel carries ``configs/`` as ``clonesim/scenarios/``), then
    the ``configs/`` folder next to the package (a source checkout or an
    editable install), then ``./configs`` and ``../configs``.

    Parameters
    ----------
    name
        ``"classic_98_2"``, ``"classic_98_2.toml"`` or a path to a file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigError
        If no such file is found (the message lists where it looked).
    """
    direct = Path(name)
    if direct.suffix == ".toml" and direct.is_file():
        return direct
    stem = direct.name if direct.suffix == ".toml" else f"{direct.name}.toml"
    places = scenario_places()
    for place in places:
        if (place / stem).is_file():
            return place / stem
    raise ConfigError(f"no scenario {stem!r} found in " + ", ".join(str(p) for p in places)
                      + "; set CLONESIM_CONFIGS to the folder that holds the configs")


def scenario_places() -> list[Path]:
    """Where :func:`find_config` looks, in order.

    Returns
    -------
    list of pathlib.Path
        ``$CLONESIM_CONFIGS`` (when set), the package's ``scenarios/`` (the
        wheel's copy of ``configs/``), the ``configs/`` folder next to the
        package, then ``./configs`` and ``../configs``.
    """
    here = Path(__file__).resolve().parents[1]  # clonesim/, not this subpackage
    env = [Path(os.environ["CLONESIM_CONFIGS"])] if os.environ.get("CLONESIM_CONFIGS") else []
    return env + [here / "scenarios", here.parent / "configs", Path("configs"),
                  Path("..") / "configs"]


def load_scenario(config) -> Config:
    """A :class:`Config` as it is, or the shipped scenario of that name or path."""
    if isinstance(config, Config):
        return config
    return load_config(find_config(str(config)))
