"""Figures of one virtual patient over time: the burden by cell type and the
burden by site, each with the therapy lines, progressions and local
therapies drawn on (the Muller plot has its own module).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..celltypes import CellTypes
from ..outcomes import EventKind
from .clear import label_hline
from .labels import stack_labels, wrap_drugs
from .style import (LINE_SHADES, OKABE_ITO, SITE_STYLES, add_mark, grouped_legend, new_axes,
                    type_style)

def plot_burden(result, ax=None, *, show_total: bool = True, mark: bool = True) -> Figure:
    """Burden per cell type over time, on a log axis, with the therapy lines.

    The line labels hang from the top, and the reference lines (diagnosis,
    imaging limit, lethal burden) are named where no curve passes: when the
    figure is drawn, the top of the y axis is raised as far as the labels
    need to clear the curves (:func:`clonesim.plots.labels.stack_labels`).

    Parameters
    ----------
    result
        A :class:`clonesim.Result`.
    ax
        Draw into this Axes instead of a new figure.
    show_total
        Also draw the total burden.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_axes(ax)
    cfg = result.config
    cell_types = result.cell_types
    t = result.times
    for j, (type_id, label) in enumerate(zip(result.type_ids, result.labels)):
        y = result.counts[:, j].astype(float)
        if not y.any():
            continue
        y[y == 0] = np.nan
        (line,) = ax.plot(t, y, label=label, lw=2, **type_style(type_id, cell_types))
        line._clonesim_type = int(type_id)
    if show_total:
        total = result.burden.astype(float)
        total[total == 0] = np.nan
        ax.plot(t, total, color="0.35", lw=1, alpha=0.8, label="total burden")
    ax.set_yscale("log")
    c = cfg.clinic
    # each named at a spot along it where no curve passes (no box over the data)
    ax.axhline(c.detection_cells, color="0.3", ls=":", lw=1.2)
    label_hline(ax, c.detection_cells, "diagnosis", fontsize=8, color="0.3")
    ax.axhline(c.imaging_limit, color="0.55", ls=(0, (1, 3)), lw=1.0)
    label_hline(ax, c.imaging_limit, "imaging limit", fontsize=8, color="0.4")
    ax.axhline(c.lethal_cells, color="#D55E00", ls=":", lw=1.2)
    label_hline(ax, c.lethal_cells, "lethal burden", fontsize=8, color="#D55E00")
    top = max(c.lethal_cells * 30, np.nanmax(result.burden) * 3 if result.burden.size else 10)
    ax.set_ylim(0.5, top)
    _shade_lines(ax, result)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells")
    title = cfg.title or "clonesim"
    ax.set_title(f"{title} \N{EM DASH} one virtual patient ({result.outcome}, day "
                 f"{result.end_time:.0f})",
                 fontsize=11)
    ax.plot([], [], marker="v", color="k", ls="none", label="progression called")
    grouped_legend(ax, cell_types)
    ax.grid(alpha=0.25, which="major")
    if mark:
        add_mark(fig)
    return fig


def _shade_lines(ax, result) -> None:
    """Shade each therapy line, mark progressions and local therapies; the
    labels of lines and local therapies hang from the top, stacked so that
    they touch neither one another nor the curves (:func:`stack_labels`)."""
    labels = []
    top = dict(xycoords=("data", "axes fraction"), xytext=(0, -4), textcoords="offset points",
               va="top", fontsize=8, annotation_clip=True)
    for k, line in enumerate(result.lines):
        ax.axvspan(line.start, line.end, color=LINE_SHADES[k % len(LINE_SHADES)], alpha=0.13,
                   lw=0)
        labels.append(ax.annotate(f"line {line.line}\n{wrap_drugs(line.drugs)}",
                                  ((line.start + line.end) / 2, 1), ha="center", **top))
    for e in result.events:
        if e.kind == EventKind.PROGRESSION:
            ax.plot([e.time], [max(e.burden, 1)], marker="v", color="k", ms=6, ls="none")
        elif e.kind in (EventKind.SURGERY, EventKind.RADIATION):
            ax.axvline(e.time, color="#CC79A7", lw=1.5, ls="--")
            # right of its dashed line, so the line does not cross the words
            labels.append(ax.annotate(f"{e.kind}\n{e.detail.split(':')[0]}", (e.time, 1),
                                      ha="left", color="#CC79A7", **{**top, "xytext": (3, -4)}))
        elif e.kind == EventKind.NO_LINE_LEFT:
            ax.axvspan(e.time, result.end_time, color="0.85", alpha=0.5, lw=0)
            labels.append(ax.annotate("no line\nleft", ((e.time + result.end_time) / 2, 1),
                                      ha="center", **top))
    stack_labels(ax, labels)


def plot_sites(result, ax=None, *, mark: bool = True) -> Figure:
    """Burden at each site over time (log axis), with the therapy lines and
    local therapies: where the drug reaches, and where it does not."""
    fig, ax = new_axes(ax)
    model_sites = list(result.config.sites)
    by_site = result.site_burden()
    for i, site in enumerate(model_sites):
        y = by_site[:, i].astype(float)
        if not y.any():
            continue
        y[y == 0] = np.nan
        ax.plot(result.times, y, lw=2, label=site, color=OKABE_ITO[(i + 5) % len(OKABE_ITO)],
                ls=SITE_STYLES[i % len(SITE_STYLES)])
    ax.set_yscale("log")
    ax.axhline(result.config.clinic.imaging_limit, color="0.3", ls=":", lw=1.2)
    label_hline(ax, result.config.clinic.imaging_limit, "imaging limit", fontsize=8, color="0.3")
    _shade_lines(ax, result)
    ax.set_ylim(bottom=0.5)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells at the site")
    ax.set_title(f"{result.config.title or 'clonesim'} \N{EM DASH} burden by site", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.25)
    if mark:
        add_mark(fig)
    return fig


def plot_site_panels(result, *, mark: bool = True) -> Figure:
    """One panel per site (log axis, shared): the cells of each type living
    there over time, with the therapy lines, so a sanctuary's own clones and
    states are seen growing while the other sites shrink.

    Parameters
    ----------
    result
        A :class:`clonesim.Result` of a scenario with [sites].
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ct = result.cell_types
    sites = list(result.config.sites) or ["primary"]
    fig = Figure(figsize=(4 + 3.3 * len(sites), 5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(sites), sharey=True, sharex=True))
    ids = result.type_ids.astype(np.int64)
    one_site = CellTypes(ct.drug_names, ct.state_names, protect=ct.protect)
    for s, (ax, site) in enumerate(zip(axes, sites)):
        for j in np.flatnonzero(np.asarray(ct.site(ids)) == s):
            y = result.counts[:, j].astype(float)
            if not y.any():
                continue
            y[y == 0] = np.nan
            label = result.labels[j].replace(f", {site}", "")
            # the panel is the site: style the type as if there were one site,
            # so the legend's look holds in every panel
            here = int(one_site.encode(ct.genotype(int(ids[j])), ct.state(int(ids[j]))))
            (line,) = ax.plot(result.times, y, lw=2, label=label, **type_style(here, one_site))
            line._clonesim_type = here
        ax.set_yscale("log")
        ax.axhline(result.config.clinic.imaging_limit, color="0.3", ls=":", lw=1.2)
        _shade_lines(ax, result)
        ax.set_title(f"at the {site}" if site != "primary" else "tumour", fontsize=10)
        ax.set_xlabel("time (days)")
        ax.grid(alpha=0.25)
    axes[0].set_ylim(bottom=0.5, top=result.config.clinic.lethal_cells * 30)
    axes[0].set_ylabel("cells at the site")
    for ax in axes:
        label_hline(ax, result.config.clinic.imaging_limit, "imaging limit", fontsize=8,
                    color="0.3")
    # one legend for all panels: the same type has the same look at every site
    handles = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    order = sorted(handles, key=lambda lab: (
        int(one_site.genotype(handles[lab]._clonesim_type)),
        int(one_site.state(handles[lab]._clonesim_type))))
    axes[-1].legend([handles[lab] for lab in order], order, loc="upper left", fontsize=8,
                    frameon=False, bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(f"{result.config.title or 'clonesim'} \N{EM DASH} each site over time, one "
                 f"virtual patient (seed {result.seed}, {result.outcome})", fontsize=11)
    if mark:
        add_mark(fig)
    return fig
