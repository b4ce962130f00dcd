"""The gallery's figures that set two runs of the same virtual patient side
by side (a scenario and its comparator, or two arms with the same seed):
the 98% and the 2%, the receptor switch, local therapy, adaptive therapy,
and each site over time. Fixed seeds; captions filled from the runs
(:mod:`clonesim.gallery.facts`).
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import plots
from ..plots.style import add_mark, grouped_legend
from ..config import ConfigError, arm_config
from ..runners import simulate
from . import facts
from .figures import _tag
from .finder import load_scenario


def two_percent(*, seed: int = 3, mark: bool = True) -> Figure:
    """The seeds' "98% killed, 2% left" set beside the model: after one dose
    the 2% left are nearly all still sensitive (classic_98_2), unless 2% of
    the cells really resist at diagnosis (two_percent_resistant).

    Parameters
    ----------
    seed
        The patient (the same seed in both scenarios).
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    classic, really = load_scenario("classic_98_2"), load_scenario("two_percent_resistant")
    runs = {"classic": simulate(classic, seed=seed), "really": simulate(really, seed=seed)}
    fig = plots.plot_first_doses({"classic_98_2": runs["classic"],
                                  "two_percent_resistant": runs["really"]}, mark=mark)
    return _tag(fig, "two_percent", classic, seed, facts.first_doses(runs))


def receptor_switch(*, seed: int = 4, config="receptor_switch", mark: bool = True) -> Figure:
    """A Muller plot of one patient whose ER+ tumour switches to ER- cells:
    hormone therapy selects them, so the recurrence is a different tumour.
    The caption compares the same patient with a re-biopsy before each line.

    Parameters
    ----------
    seed
        The patient (the same seed in both arms).
    config
        A scenario with two arms: one with ``therapy.policy = "rebiopsy"``.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    listed, rebiopsied = _arms_by_policy(cfg, "rebiopsy")
    by_arm = {"sequence": simulate(listed, seed=seed), "rebiopsy": simulate(rebiopsied, seed=seed)}
    fig = plots.plot_muller(by_arm["sequence"], mark=mark)
    switched = list(cfg.states)[-1]  # the state the tumour switches to
    return _tag(fig, "receptor_switch", listed, seed, facts.receptor_switch(by_arm, switched))


def _arms_by_policy(cfg, policy: str):
    """The scenario's arm without ``policy`` and the arm with it (whatever
    the arms are called).

    Raises
    ------
    ConfigError
        If the scenario has no such pair of arms.
    """
    arms = {arm: arm_config(cfg, arm) for arm in cfg.cohort.arms}
    with_it = [c for c in arms.values() if c.therapy.policy == policy]
    without = [c for c in arms.values() if c.therapy.policy != policy]
    if not with_it or not without:
        raise ConfigError(f"{cfg.source}: needs one [cohort.arms] entry with therapy.policy = "
                          f"{policy!r} and one without; arms: {', '.join(arms) or 'none'}")
    return without[0], with_it[0]


def local_therapy(*, seed: int = 1, config="local_therapy", mark: bool = True) -> Figure:
    """Burden by site of one patient with the scenario's surgery and
    radiation (left) and without them (right, the same seed).

    Parameters
    ----------
    seed
        The patient.
    config
        A scenario with ``[[therapy.local]]``.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    with_local = simulate(cfg, seed=seed)
    without = simulate(cfg.update({"therapy.local": []}), seed=seed)
    fig = Figure(figsize=(14, 5), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    plots.plot_sites(with_local, ax=left, mark=False)
    plots.plot_sites(without, ax=right, mark=False)
    left.set_title("with the local therapies", fontsize=10)
    right.set_title("without them (the same patient)", fontsize=10)
    left.get_legend().remove()
    right.set_ylabel("")
    fig.suptitle(f"{cfg.title} \N{EM DASH} one virtual patient (seed {seed})", fontsize=11)
    if mark:
        add_mark(fig)
    return _tag(fig, "local_therapy", cfg, seed, facts.local_therapy(with_local, without))


def adaptive(*, seed: int = 1, config="adaptive_vs_continuous", mark: bool = True) -> Figure:
    """One patient's burden by cell type under continuous therapy (left) and
    adaptive therapy, paused when the burden halves (right, the same seed).

    Parameters
    ----------
    seed
        The patient.
    config
        A scenario with two arms: one with ``therapy.policy = "adaptive"``.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    continuous, adaptive_cfg = _arms_by_policy(cfg, "adaptive")
    by_arm = {"continuous": simulate(continuous, seed=seed),
              "adaptive": simulate(adaptive_cfg, seed=seed)}
    fig = Figure(figsize=(14, 5), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (arm, r) in zip(axes, by_arm.items()):
        plots.plot_burden(r, ax=ax, mark=False)
        _shade_pauses(ax, r)
        ax.set_title(f"{arm}: line 1 ends on day {r.lines[0].end:.0f}\n"
                     f"({r.lines[0].ended_by})", fontsize=10)
    # the adaptive story is a factor of two: a log axis down to one cell hides it
    top = max(float(r.burden.max()) for r in by_arm.values())
    axes[0].set_ylim(top / 1e4, top * 3)
    # and the story is line 1: after it, no line is left
    for ax in axes:
        ax.set_xlim(0, 2 * max(r.lines[0].end for r in by_arm.values()))
    grouped_legend(axes[1], by_arm["adaptive"].cell_types)
    axes[0].get_legend().remove()
    axes[1].set_ylabel("")
    fig.suptitle(f"{cfg.title} \N{EM DASH} one virtual patient (seed {seed}) in each arm",
                 fontsize=11)
    if mark:
        add_mark(fig)
    return _tag(fig, "adaptive", cfg, seed, facts.adaptive(by_arm))


def _shade_pauses(ax, result, begins=("pause",), ends=("resume", "progression"),
                  label="drug paused") -> None:
    """Hatch the days off the drug (adaptive pauses, or planned holidays)."""
    start = None
    for e in result.events:
        if str(e.kind) in begins:
            start = e.time
        elif str(e.kind) in ends and start is not None:
            ax.axvspan(start, e.time, facecolor="none", hatch="..", edgecolor="0.6", lw=0,
                       label=None if label in ax.get_legend_handles_labels()[1] else label)
            start = None


def holiday(*, seed: int = 1, mark: bool = True) -> Figure:
    """The same patient treated without breaks (classic_98_2) and with
    planned drug holidays (drug_holiday), burden by cell type.

    Parameters
    ----------
    seed
        The patient (the same seed in both).
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    runs = {"without breaks (classic_98_2)": simulate(load_scenario("classic_98_2"), seed=seed),
            "with drug holidays (drug_holiday)": simulate(load_scenario("drug_holiday"),
                                                          seed=seed)}
    fig = Figure(figsize=(14, 5), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (title, r) in zip(axes, runs.items()):
        plots.plot_burden(r, ax=ax, mark=False)
        _shade_pauses(ax, r, ("holiday starts",), ("holiday ends", "progression"),
                      "drug holiday")
        ax.set_title(title, fontsize=10)
    axes[0].get_legend().remove()
    axes[1].set_ylabel("")
    grouped_legend(axes[1], runs["with drug holidays (drug_holiday)"].cell_types)
    fig.suptitle(f"Drug holidays \N{EM DASH} one virtual patient (seed {seed}), the same in both",
                 fontsize=11)
    if mark:
        add_mark(fig)
    plain, breaks = runs.values()
    return _tag(fig, "holiday", breaks.config, seed, facts.holiday(plain, breaks))


def marker(*, seed: int = 1, config="tumour_marker", mark: bool = True) -> Figure:
    """A blood marker at every visit calls progression before the scan does:
    burden and marker readings of one patient, with the days scans alone
    would have called it (the same patient, marker rule off).

    Parameters
    ----------
    seed, config, mark
        The patient, a scenario with a marker, the teaching mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    result = simulate(cfg, seed=seed)
    scan_only = simulate(cfg.update({"clinic.marker_progression": 0}), seed=seed)
    fig = plots.plot_marker(result, scan_only, mark=mark)
    return _tag(fig, "marker", cfg, seed, facts.marker(result, scan_only))


def sites_over_time(*, seed: int = 2, config="her2_brain_sanctuary", mark: bool = True) -> Figure:
    """One panel per site: each site's cell types over time, so the
    sanctuary's own clones are seen growing while the drug clears the others.

    Parameters
    ----------
    seed, config, mark
        The patient, a scenario with [sites], the teaching mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = load_scenario(config)
    result = simulate(cfg, seed=seed)
    return _tag(plots.plot_site_panels(result, mark=mark), "sites_over_time", cfg, seed,
                facts.sites(result))
