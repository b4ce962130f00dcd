"""Figures of many virtual patients: time to progression per line, and
Kaplan-Meier curves of a cohort or of arms run on the same patients.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..results import km_band, km_median
from .style import GENOTYPE_COLOURS, LINE_SHADES, LINE_STYLES, add_mark


def plot_outcomes(results, ax=None, *, mark: bool = True) -> Figure:
    """Time to progression on each line across many patients (box plots).

    Parameters
    ----------
    results
        A :class:`clonesim.ResultSet` (or any sequence of results).
    """
    if ax is None:
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    by_line: dict[int, list[float]] = {}
    for r in results:
        for o in r.lines:
            if o.time_to_progression is not None:
                by_line.setdefault(o.line, []).append(o.time_to_progression)
    lines = sorted(by_line)
    if lines:
        ax.boxplot([by_line[k] for k in lines], positions=lines, widths=0.5)
        for k in lines:
            ax.annotate(f"n={len(by_line[k])}", (k, 1), xycoords=("data", "axes fraction"),
                        xytext=(0, -12), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xlabel("therapy line")
    ax.set_ylabel("time to progression (days)")
    ax.set_title(f"Time to progression per line, {len(results)} virtual patients", fontsize=11)
    ax.grid(alpha=0.25, axis="y")
    if mark:
        add_mark(fig)
    return fig


def plot_survival(cohort, ax=None, *, lines: int = 3, mark: bool = True) -> Figure:
    """Kaplan-Meier curves of a virtual cohort, one time origin per panel:
    overall survival in days from detection, then progression-free survival
    on each line in days from that line's start, with 95% bands.

    Parameters
    ----------
    cohort
        A :class:`clonesim.results.Cohort`.
    ax
        Ignored unless ``lines=0`` (overall survival only, drawn into ``ax``):
        the curves have different time origins, so they do not share an axis.
    lines
        PFS panels for lines 1..lines (those that any patient started).
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    started = [k for k in range(1, lines + 1) if cohort.endpoint_times("pfs", k) != ([], [])]
    if ax is not None and not started:
        fig = ax.figure
        axes = [ax]
    else:
        fig = Figure(figsize=(4 + 3.2 * len(started), 4.6), layout="constrained")
        axes = list(np.atleast_1d(fig.subplots(1, 1 + len(started), sharey=True)))
    _endpoint_panel(axes[0], cohort, "os", 1, "overall survival", "#000000", "-")
    dashes = ("--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
    for a, k in zip(axes[1:], started):
        _endpoint_panel(a, cohort, "pfs", k, f"progression-free on line {k}",
                        LINE_SHADES[(k - 1) % len(LINE_SHADES)], dashes[(k - 1) % len(dashes)])
    axes[0].set_ylabel("fraction of patients")
    rf = cohort.refractory_fraction
    title = (f"{cohort[0].config.title or 'clonesim'} \N{EM DASH} {len(cohort)} virtual patients"
             + (f", {rf:.0%} refractory to line 1" if rf == rf else ""))
    if len(axes) > 1:
        fig.suptitle(title, fontsize=11)
    else:
        axes[0].set_title(title, fontsize=11)
    if mark:
        add_mark(fig)
    return fig


def time_origin(endpoint: str, line: int) -> str:
    """The x-axis label of an endpoint: days counted from its time origin."""
    return "days from detection" if endpoint == "os" else f"days from start of line {line}"


def _endpoint_panel(ax, cohort, endpoint, line, title, colour, style, label=None) -> None:
    """One endpoint of one cohort in its own panel, its time origin named."""
    _endpoint_curve(ax, cohort, endpoint, line, colour, style, label)
    ax.set_title(title, fontsize=10)
    _finish_km_axes(ax, endpoint, line)


def _finish_km_axes(ax, endpoint, line) -> None:
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel(time_origin(endpoint, line))
    ax.grid(alpha=0.25)
    if ax.get_legend_handles_labels()[0]:
        # below the panel: a legend inside would cover the curves' tails
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, frameon=False)


def _endpoint_curve(ax, cohort, endpoint, line, colour, style, label=None) -> None:
    """A Kaplan-Meier curve with its median in the label; when no patient
    had the event, a flat line at 1 to the last follow-up, saying so (an
    empty panel would read as missing data)."""
    events, censored = cohort.endpoint_times(endpoint, line)
    n = len(events) + len(censored)
    if not n:
        return
    km = cohort.survival(endpoint, line)
    name = f"{label}: " if label else ""
    if km is None:
        ax.step([0, max(censored)], [1, 1], where="post", color=colour, ls=style, lw=2,
                label=f"{name}no events among {n} patients (followed to day "
                      f"{max(censored):.0f})")
        return
    med = km_median(km.sf)
    median = f"median {med:.0f} d" if np.isfinite(med) else "median not reached"
    _km_curve(ax, km, colour, style, f"{name}{median}, n={n}")

def _km_curve(ax, km, colour, style, label) -> None:
    """One Kaplan-Meier curve (a step from 1 at day 0) with its 95% band."""
    t = np.concatenate([[0.0], km.sf.quantiles])
    p = np.concatenate([[1.0], km.sf.probabilities])
    ax.step(t, p, where="post", color=colour, ls=style, lw=2, label=label)
    band = km_band(km)
    # the band is undefined where the curve is still 1 (or already 0): it
    # collapses onto the curve there
    lo = np.concatenate([[1.0], np.where(np.isnan(band.low.probabilities),
                                         km.sf.probabilities, band.low.probabilities)])
    hi = np.concatenate([[1.0], np.where(np.isnan(band.high.probabilities),
                                         km.sf.probabilities, band.high.probabilities)])
    ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.12, lw=0)


def plot_arms(cohorts, *, endpoint: str = "auto", line: int | None = None,
              mark: bool = True) -> Figure:
    """Compare arms run on the same virtual patients, on the endpoint where
    they differ: one curve per arm.

    Arms that share their first lines (a re-biopsy that only changes line 2)
    have identical line-1 PFS; comparing it says nothing. So by default the
    figure shows overall survival and PFS on the first line whose times
    differ between the arms.

    Parameters
    ----------
    cohorts
        Arm name -> :class:`clonesim.results.Cohort` (the same seeds).
    endpoint
        ``"auto"`` (overall survival and PFS on ``line``), ``"os"`` or ``"pfs"``.
    line
        The line whose PFS is compared; default the first where the arms differ
        (:func:`first_differing_line`), else line 1.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if endpoint not in ("auto", "os", "pfs"):
        raise ValueError(f"endpoint must be 'auto', 'os' or 'pfs', not {endpoint!r}")
    if line is None:
        line = first_differing_line(cohorts) or 1
    panels = {"auto": [("os", 1), ("pfs", line)], "os": [("os", 1)],
              "pfs": [("pfs", line)]}[endpoint]
    fig = Figure(figsize=(5.5 * len(panels), 5.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels), sharey=True))
    for ax, (ep, k) in zip(axes, panels):
        for i, (arm, cohort) in enumerate(cohorts.items()):
            _endpoint_curve(ax, cohort, ep, k, GENOTYPE_COLOURS[i % len(GENOTYPE_COLOURS)],
                            LINE_STYLES[i % len(LINE_STYLES)], label=arm)
        same = "" if ep == "os" or k == 1 else f" (the arms are the same before line {k})"
        ax.set_title(("overall survival" if ep == "os" else f"progression-free on line {k}")
                     + same, fontsize=10)
        _finish_km_axes(ax, ep, k)
    axes[0].set_ylabel("fraction of patients")
    first = next(iter(cohorts.values()))
    fig.suptitle(f"{first[0].config.title or 'clonesim'} \N{EM DASH} {len(first)} virtual "
                 "patients per arm, the same patients in each", fontsize=11)
    if mark:
        add_mark(fig)
    return fig


def first_differing_line(cohorts) -> int | None:
    """The first therapy line whose progression-free times differ between
    arms (None if no line does).

    Parameters
    ----------
    cohorts
        Arm name -> :class:`clonesim.results.Cohort`.

    Returns
    -------
    int or None
    """
    arms = list(cohorts.values())
    deepest = max((len(r.lines) for c in arms for r in c), default=0)
    for k in range(1, deepest + 1):
        times = [tuple(map(sorted, c.endpoint_times("pfs", k))) for c in arms]
        if any(t != times[0] for t in times[1:]):
            return k
    return None
