"""A blood tumour marker beside the scans: one patient's burden (top) and
marker readings at each visit (bottom, log axis), with the day each line
was called progressed, and, for comparison, the day scans alone called it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..outcomes import EventKind
from .patient import plot_burden
from .style import add_mark


def plot_marker(result, scan_only=None, *, mark: bool = True) -> Figure:
    """Burden and blood-marker readings of one patient, sharing a time axis.

    Parameters
    ----------
    result
        A :class:`clonesim.Result` of a scenario with ``clinic.marker_per_cell``.
    scan_only
        The same patient with the marker's progression rule off; its
        end of line 1 is drawn as a dashed line ("scans alone"; after line 1
        the two runs differ, so later lines are not compared).
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the run recorded no marker readings.
    """
    if not len(result.markers):
        raise ValueError("this run has no marker readings: set clinic.marker_per_cell")
    fig = Figure(figsize=(10, 6.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1.6, 1))
    plot_burden(result, ax=top, mark=False)
    top.set_xlabel("")
    days, reading = result.markers[:, 0], result.markers[:, 1]
    bottom.plot(days, reading, "o-", color="#CC79A7", ms=3, lw=1.2, label="marker reading")
    bottom.axhline(result.config.clinic.marker_background, color="0.5", ls=":", lw=1,
                   label="background (no tumour)")
    calls = [e for e in result.events if e.kind == EventKind.PROGRESSION]
    for i, e in enumerate(calls):
        for ax in (top, bottom):
            ax.axvline(e.time, color="#CC79A7", lw=1.2,
                       label="progression called" if ax is bottom and i == 0 else None)
    if scan_only is not None and scan_only.lines:
        # line 1 only: after it the two runs are different patients' stories
        first = scan_only.lines[0].end
        for ax in (top, bottom):
            ax.axvline(first, color="0.3", lw=1.2, ls="--",
                       label="scans alone would call\nline 1 here" if ax is bottom else None)
    bottom.set_yscale("log")
    bottom.set_ylabel("marker (units)")
    bottom.set_xlabel("time (days)")
    bottom.grid(alpha=0.25)
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    bottom.set_ylim(top=float(np.max(reading)) * 3)
    if mark:
        add_mark(fig)
    return fig
