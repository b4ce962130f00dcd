"""The gallery's figures, one function each: the simulations run with fixed
seeds, drawn by :mod:`clonesim.plots`, and tagged with what drew them so that
saving writes their provenance.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import plots
from ..config import Config, ConfigError, arm_config
from ..runners import simulate, simulate_cohort
from .data import (NR_BIRTH, NR_U, fluctuation_data, no_resistance_config,
                   no_resistance_data, sweep_data)
from . import facts
from .finder import load_scenario


def _tag(fig: Figure, name: str, config: Config, seed, numbers: dict | None = None) -> Figure:
    """Remember what drew a figure, so that :func:`clonesim.gallery.save` can
    write its provenance, and the numbers its caption states (read from the
    simulation that drew it: :mod:`clonesim.gallery.facts`)."""
    fig.clonesim = {"name": name, "config": config, "seed": seed, "facts": dict(numbers or {})}
    return fig


def _one_patient(plot, name: str, config, seed: int, mark: bool, read=None) -> Figure:
    """A figure of one simulated patient, tagged with its provenance and the
    facts ``read(result)`` finds in it."""
    cfg = load_scenario(config)
    result = simulate(cfg, seed=seed)
    return _tag(plot(result, mark=mark), name, cfg, result.seed,
                read(result) if read else None)


def recurrence(*, seed: int = 3, config="classic_98_2", mark: bool = True) -> Figure:
    """Burden of one virtual patient over time (log axis), by cell type, with
    the diagnosis size, the imaging limit and the therapy lines shaded: the 98% and the 2%.

    Parameters
    ----------
    seed
        The patient.
    config
        A scenario name in ``configs/``, a path, or a :class:`Config`.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one_patient(plots.plot_burden, "recurrence", config, seed, mark, facts.recurrence)


def muller(*, seed: int = 3, config="classic_98_2", mark: bool = True) -> Figure:
    """A Muller plot of one virtual patient: who makes up the tumour over
    time, each resistant clone drawn inside the clone it arose from.

    The fractions drawn are :func:`clonesim.plots.muller_fractions` of the
    same patient; they sum to 1 at every time.

    Parameters
    ----------
    seed, config, mark
        As in :func:`recurrence`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one_patient(plots.plot_muller, "muller", config, seed, mark, facts.recurrence)


def fluctuation(*, n: int = 2000, seed: int = 1943, mark: bool = True) -> Figure:
    """Luria and Delbrück's fluctuation test re-enacted on tumours: the
    histogram of resistant cells over ``n`` tumours, none of them treated,
    with the theoretical law (Ma-Sandri-Sarkar recursion) drawn over it.

    Parameters
    ----------
    n
        Tumours simulated.
    seed
        Root seed.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    resistant, m, cfg = fluctuation_data(n, seed)
    fig = plots.plot_fluctuation(resistant, m, mark=mark)
    return _tag(fig, "fluctuation", cfg, seed, facts.fluctuation(resistant, m))


def no_resistance(*, n: int = 300, seed: int = 1979, mark: bool = True) -> Figure:
    """P(no resistant cell) against tumour size: simulated tumours with 95%
    binomial intervals, and the Goldie-Coldman (no death) and
    Iwasa-Nowak-Michor (with death) curves.

    Parameters
    ----------
    n
        Tumours per curve.
    seed
        Root seed.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = no_resistance_data(n, seed)
    fig = plots.plot_no_resistance(table, NR_U, NR_BIRTH, mark=mark)
    return _tag(fig, "no_resistance", no_resistance_config(0.5, 1e5), seed,
                facts.no_resistance(table, NR_U, NR_BIRTH))


def survival(*, n: int = 200, seed: int = 1, config="refractory_cohort",
             mark: bool = True) -> Figure:
    """Kaplan-Meier curves of a virtual cohort: overall survival and
    progression-free survival per line, with the refractory share.

    Parameters
    ----------
    n
        Patients.
    seed
        Root seed.
    config
        A scenario name, path or :class:`Config`.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    cohort = simulate_cohort(cfg, n, seed=seed)
    return _tag(plots.plot_survival(cohort, lines=2, mark=mark), "survival", cfg, seed,
                facts.survival(cohort))


def arms(*, n: int = 150, seed: int = 1, config="combination_vs_sequence",
         mark: bool = True) -> Figure:
    """Two treatment arms on the same virtual patients (Kaplan-Meier, overall
    and progression-free survival): combination versus sequence by default.

    Parameters
    ----------
    n
        Patients per arm.
    seed
        Root seed (the same patients in every arm).
    config
        A scenario with ``[cohort.arms]``.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    if not cfg.cohort.arms:
        raise ConfigError(f"{cfg.source}: has no [cohort.arms] to compare")
    cohorts = {arm: simulate_cohort(arm_config(cfg, arm), n, seed=seed) for arm in cfg.cohort.arms}
    return _tag(plots.plot_arms(cohorts, mark=mark), "arms", cfg, seed, facts.arms(cohorts))


def sites(*, seed: int = 2, config="her2_brain_sanctuary", mark: bool = True) -> Figure:
    """Burden at each site of one patient: the brain as a sanctuary that the
    anti-HER2 antibody barely reaches.

    Parameters
    ----------
    seed, config, mark
        As in :func:`recurrence`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one_patient(plots.plot_sites, "sites", config, seed, mark, facts.sites)


def sweep(*, n: int = 6, seed: int = 1, config="classic_98_2", mark: bool = True) -> Figure:
    """A sweep heatmap: median days from detection to death, by kill fraction
    per dose and mutation rate (``n`` patients per cell).

    Parameters
    ----------
    n
        Patients per cell of the grid.
    seed, config, mark
        As in :func:`survival`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    table = sweep_data(n, seed, cfg)
    fig = plots.plot_sweep_heatmap(table, "kill_fraction", "mutation_rate", "median_survival_days",
                           mark=mark, xlabel="fraction of susceptible cells killed per dose",
                           ylabel="mutation rate (per division, per drug)",
                           value_label="median days from detection to death",
                           title=f"{cfg.title} \N{EM DASH} survival by kill fraction and "
                                 f"mutation rate ({n} patients per cell)")
    return _tag(fig, "sweep", cfg, seed, facts.sweep(table, n))
