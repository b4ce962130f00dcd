"""Figures of many virtual patients: time to progression per line, and
Kaplan-Meier curves of a cohort or of arms run on the same patients.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..results import km_band, km_median
from .style import GENOTYPE_COLOURS, LINE_SHADES, LINE_STYLES, add_mark, new_axes


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
    """Kaplan-Meier curves of a virtual cohort: overall survival and
    progression-free survival on each line, with 95% bands.

    Parameters
    ----------
    cohort
        A :class:`clonesim.results.Cohort`.
    lines
        PFS curves for lines 1..lines (those that any patient started).
    """
    fig, ax = new_axes(ax, figsize=(9, 5))
    curves = [("os", 1, "overall survival (from detection)", "#000000", "-")]
    dashes = ("--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
    for k in range(1, lines + 1):
        colour = LINE_SHADES[(k - 1) % len(LINE_SHADES)]
        curves.append(("pfs", k, f"progression-free on line {k} (from its start)", colour,
                       dashes[(k - 1) % len(dashes)]))
    for endpoint, line, label, colour, style in curves:
        events, censored = cohort.endpoint_times(endpoint, line)
        km = cohort.survival(endpoint, line)
        if km is None:
            continue
        _km_curve(ax, km, colour, style, f"{label} (n={len(events) + len(censored)})")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("fraction of patients")
    rf = cohort.refractory_fraction
    ax.set_title(f"{cohort[0].config.title or 'clonesim'}: {len(cohort)} virtual patients"
                 + (f", {rf:.0%} refractory to line 1" if rf == rf else ""), fontsize=11)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(alpha=0.25)
    if mark:
        add_mark(fig)
    return fig


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


def plot_arms(cohorts, *, line: int = 1, mark: bool = True) -> Figure:
    """Compare arms run on the same virtual patients: overall survival (left)
    and progression-free survival on ``line`` (right; pick the line where the
    arms differ), one curve per arm."""
    fig = Figure(figsize=(11, 4.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    pfs_title = f"progression-free on line {line}" + (" (from its start)" if line > 1 else "")
    for ax, (endpoint, title) in zip(axes, [("os", "overall survival (from detection)"),
                                            ("pfs", pfs_title)]):
        for i, (arm, cohort) in enumerate(cohorts.items()):
            km = cohort.survival(endpoint, line)
            if km is None:
                continue
            med = km_median(km.sf)
            median = f"median {med:.0f} d" if np.isfinite(med) else "median not reached"
            _km_curve(ax, km, GENOTYPE_COLOURS[i % len(GENOTYPE_COLOURS)],
                      LINE_STYLES[i % len(LINE_STYLES)], f"{arm} ({median})")
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("time (days)")
        ax.set_xlim(left=0)
        ax.grid(alpha=0.25)
        if ax.get_legend_handles_labels()[0]:  # no curve when no patient had the event
            ax.legend(loc="upper right", fontsize=8, frameon=False)
    axes[0].set_ylabel("fraction of patients")
    first = next(iter(cohorts.values()))
    fig.suptitle(f"{first[0].config.title or 'clonesim'}: {len(first)} virtual patients per "
                 "arm, the same patients in each", fontsize=11)
    if mark:
        add_mark(fig)
    return fig
