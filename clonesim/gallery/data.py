"""The simulations behind the gallery's many-tumour figures, as data: the
fluctuation experiment, the Goldie-Coldman experiment and a small grid of
kill fraction and mutation rate, with the scenarios they run. The notebooks
call these directly to redraw a figure at another size.
"""

from __future__ import annotations

import math

import numpy as np

from ..config import Config
from ..runners import simulate_many
from ..theory import expected_mutations
from .finder import load_scenario


#: The fluctuation experiment: pure growth from N0 cells to N_FINAL (as in
#: tests/verification/test_luria_delbruck.py, with a smaller final size).
LD_N0, LD_FINAL, LD_U = 100, 1e6, 1e-6


def fluctuation_config(n0: int = LD_N0, final_cells: float = LD_FINAL,
                       u: float = LD_U) -> Config:
    """The scenario of the fluctuation experiment: one drug never given,
    sensitive cells that divide once a day and never die, grown from ``n0``
    to ``final_cells`` (detection is out of reach, so every tumour grows
    for the same time, ln(final_cells / n0) days)."""
    return Config.from_dict({
        "title": "Fluctuation test on tumours",
        "mutation_rate": u,
        "tumour": {"initial_cells": n0, "birth_rate": 1.0, "death_rate": 0.0,
                   "condition_on_detection": False},
        "drugs": {"A": {"kill_fraction": 0.98}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": 1e14, "lethal_cells": 1e15},
        "simulation": {"horizon_days": math.log(final_cells / n0),
                       "record_interval_days": math.log(final_cells / n0)},
    }, source="<gallery: fluctuation>")


def fluctuation_data(n: int = 2000, seed: int = 1943, n0: int = LD_N0,
                     final_cells: float = LD_FINAL, u: float = LD_U
                     ) -> tuple[np.ndarray, float, Config]:
    """Grow ``n`` tumours side by side and count their resistant cells.

    Parameters
    ----------
    n
        Tumours.
    seed
        Root seed (tumour k uses child k).
    n0, final_cells, u
        Start size, final size (cells) and per-division resistance probability.

    Returns
    -------
    resistant : ndarray, shape (n,)
        Resistant cells in each tumour at the end.
    m : float
        Expected resistance mutations per tumour (the Luria-Delbrück parameter).
    config : Config
        The scenario that was run.
    """
    cfg = fluctuation_config(n0, final_cells, u)
    results = simulate_many(cfg, n, seed=seed)
    resistant = np.array([sum(int(c) for ty, c in zip(r.type_ids, r.counts[-1]) if int(ty) & 1)
                          for r in results], dtype=np.int64)
    return resistant, expected_mutations(u, n0, final_cells), cfg


NR_U, NR_BIRTH = 1e-4, 1.0


def no_resistance_config(death_rate: float, top_size: float, u: float = NR_U,
                         birth: float = NR_BIRTH) -> Config:
    """The scenario of the Goldie-Coldman experiment: one sensitive cell,
    grown (with or without cell death) until it is detected at ``top_size``
    cells; the trajectory is recorded finely enough to read the resistant
    cells at each smaller size on the way."""
    r = birth - death_rate
    return Config.from_dict({
        "title": "Goldie-Coldman: a resistant cell or none",
        "mutation_rate": u,
        "tumour": {"initial_cells": 1, "birth_rate": birth, "death_rate": death_rate,
                   "condition_on_detection": True},
        "drugs": {"A": {"kill_fraction": 0.0}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": top_size, "lethal_cells": 10 * top_size,
                   "scan_interval_days": 1.0},
        "simulation": {"horizon_days": 60.0 / r + 200.0, "record_interval_days": 0.02 / r},
    }, source=f"<gallery: no_resistance, death_rate={death_rate:g}>")


def no_resistance_data(n: int = 300, seed: int = 1979, sizes=None,
                       death_rates=(0.0, 0.5), u: float = NR_U, birth: float = NR_BIRTH):
    """Grow ``n`` tumours from one cell per death rate and record, at each
    size of ``sizes``, whether a resistant cell exists yet.

    Each tumour is looked at the first time its recorded burden reaches a
    size (so a little above it); the table holds the mean size seen.

    Parameters
    ----------
    n
        Tumours per death rate.
    seed
        Root seed.
    sizes
        Sizes (cells) to look at; default 10 sizes from 30 to 1e5.
    death_rates
        Death rates (per day) to compare; 0 is Goldie-Coldman's pure growth.
    u, birth
        Per-division resistance probability and division rate.

    Returns
    -------
    pandas.DataFrame
        Columns ``death_rate``, ``size``, ``tumours``, ``no_resistant``.
    """
    import pandas as pd

    sizes = np.geomspace(30, 1e5, 10) if sizes is None else np.asarray(sizes, float)
    rows = []
    for d in death_rates:
        cfg = no_resistance_config(d, float(sizes.max()), u, birth)
        for_size = {float(s): [] for s in sizes}
        none = {float(s): 0 for s in sizes}
        for r in simulate_many(cfg, n, seed=seed):
            burden = r.burden
            resistant = r.counts[:, (r.type_ids.astype(np.int64) & 1) == 1].sum(axis=1)
            for s in sizes:
                i = int(np.argmax(burden >= s))
                if burden[i] < s:  # pragma: no cover - detection guarantees the top size
                    continue
                for_size[float(s)].append(burden[i])
                none[float(s)] += int(resistant[i] == 0)
        for s in sizes:
            seen = for_size[float(s)]
            rows.append({"death_rate": d, "size": float(np.mean(seen)), "tumours": len(seen),
                         "no_resistant": none[float(s)]})
    return pd.DataFrame(rows)


SWEEP_KILL = (0.5, 0.8, 0.9, 0.98, 0.999)
SWEEP_U = (1e-9, 1e-8, 1e-7, 1e-6, 1e-5)


def sweep_data(n: int = 6, seed: int = 1, config="classic_98_2", kill=SWEEP_KILL,
               mutation=SWEEP_U):
    """Median days from detection to death over a grid of kill fraction (every
    pulsed drug) and mutation rate, ``n`` patients per cell; a cured patient
    counts as alive to the end of follow-up.

    Parameters
    ----------
    n
        Patients per grid cell.
    seed
        Root seed (the same seeds in every cell).
    config
        The scenario swept.
    kill, mutation
        The grid.

    Returns
    -------
    pandas.DataFrame
        Columns ``kill_fraction``, ``mutation_rate``, ``median_survival_days``,
        ``cured``.
    """
    import pandas as pd

    cfg = load_scenario(config)
    rows = []
    for k in kill:
        for u in mutation:
            changes = {"mutation_rate": u}
            changes.update({f"drugs.{d}.kill_fraction": k for d, drug in cfg.drugs.items()
                            if drug.kill == "pulsed"})
            many = simulate_many(cfg.update(changes), n, seed=seed)
            # a cured patient lives to the end of follow-up (its run stops at the cure)
            days = [cfg.simulation.horizon_days - r.detection_time if r.cured
                    else r.survival_days for r in many]
            rows.append({"kill_fraction": k, "mutation_rate": u,
                         "median_survival_days": float(np.median(days)),
                         "cured": sum(r.cured for r in many)})
    return pd.DataFrame(rows)
