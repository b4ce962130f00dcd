"""Figures: results in, ``matplotlib.figure.Figure`` out. Nothing here shows
or saves; :func:`save_figure` writes a figure with its provenance.

Colours are Okabe-Ito (colour-blind safe) with line styles as a second cue;
the same cell type keeps the same colour in every figure, because the colour
is chosen from the type's genotype, not from its column.
"""

from __future__ import annotations

from pathlib import Path
import numpy as np
from matplotlib.figure import Figure

from .celltypes import CellTypes
from .config import ConfigError
from .outcomes import EventKind
from .provenance import TEACHING_NOTE, provenance
from .results import km_band, km_median
from .sweeps import metric_label, summarise_sweep
from .theory import (luria_delbruck_pmf, p_no_resistant_goldie_coldman,
                     p_no_resistant_iwasa_nowak_michor)

__all__ = ["plot_burden", "plot_outcomes", "plot_survival", "plot_arms", "plot_sites",
           "save_figure", "type_style", "muller_fractions", "plot_muller", "plot_fluctuation",
           "plot_no_resistance", "plot_sweep", "plot_sweep_heatmap", "wilson_interval",
           "MullerData"]

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
             "#D55E00", "#CC79A7")
# Index 0 is the sensitive type; single resistances get the most distinct colours.
_GENOTYPE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00",
                     "#999999", "#000000")
_STYLES = ("-", "--", "-.", ":")
_LINE_SHADES = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2")


_LABEL_BOX = dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.75)

def type_style(type_id: int, cell_types: CellTypes) -> dict:
    """Colour and dash for a cell type's genotype: stable across figures and runs."""
    geno = int(cell_types.genotype(int(type_id)))
    if geno == 0:
        return {"color": "#0072B2", "linestyle": "-"}
    return {"color": _GENOTYPE_COLOURS[1 + (geno - 1) % (len(_GENOTYPE_COLOURS) - 1)],
            "linestyle": _STYLES[1 + (geno.bit_count() - 1) % (len(_STYLES) - 1)]}


def _new_axes(ax, figsize=(9, 5)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _mark(fig: Figure) -> None:
    # bottom left: under the y tick labels, where no x label reaches
    fig.text(0.005, 0.005, TEACHING_NOTE, ha="left", va="bottom", fontsize=7, color="0.45")


def plot_burden(result, ax=None, *, show_total: bool = True, mark: bool = True) -> Figure:
    """Burden per cell type over time, on a log axis, with the therapy lines.

    Parameters
    ----------
    result
        A :class:`clonesim.Result`.
    ax
        Draw into this Axes instead of a new figure.
    show_total
        Also draw the total burden (what a scan sees).
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    cfg = result.config
    cell_types = result.cell_types
    t = result.times
    for j, (type_id, label) in enumerate(zip(result.type_ids, result.labels)):
        y = result.counts[:, j].astype(float)
        if not y.any():
            continue
        y[y == 0] = np.nan
        ax.plot(t, y, label=label, lw=2, **type_style(type_id, cell_types))
    if show_total:
        total = result.burden.astype(float)
        total[total == 0] = np.nan
        ax.plot(t, total, color="0.35", lw=1, alpha=0.8, label="total (what a scan sees)")
    ax.set_yscale("log")
    c = cfg.clinic
    ax.axhline(c.detection_cells, color="0.3", ls=":", lw=1.2)
    ax.annotate("detection threshold", (0, c.detection_cells), xycoords=("axes fraction", "data"),
                xytext=(4, 3), textcoords="offset points", fontsize=8, color="0.3",
                bbox=_LABEL_BOX)  # readable where a curve crosses it
    ax.axhline(c.lethal_cells, color="#D55E00", ls=":", lw=1.2)
    # below its line: above it, the line labels hang from the top of the axes
    ax.annotate("lethal burden", (0, c.lethal_cells), xycoords=("axes fraction", "data"),
                xytext=(4, -3), textcoords="offset points", va="top", fontsize=8,
                color="#D55E00", bbox=_LABEL_BOX)
    top = max(c.lethal_cells * 30, np.nanmax(result.burden) * 3 if result.burden.size else 10)
    ax.set_ylim(0.5, top)
    _shade_lines(ax, result)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells")
    title = cfg.title or "clonesim"
    ax.set_title(f"{title}: one virtual patient ({result.outcome}, day {result.end_time:.0f})",
                 fontsize=11)
    ax.plot([], [], marker="v", color="k", ls="none", label="progression (scan)")
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.25, which="major")
    if mark:
        _mark(fig)
    return fig


def _shade_lines(ax, result) -> None:
    """Shade each therapy line, mark progressions and local therapies."""
    for k, line in enumerate(result.lines):
        ax.axvspan(line.start, line.end, color=_LINE_SHADES[k % len(_LINE_SHADES)], alpha=0.13,
                   lw=0)
        ax.annotate(f"line {line.line}\n{'+'.join(line.drugs)}", ((line.start + line.end) / 2, 1),
                    xycoords=("data", "axes fraction"), xytext=(0, -4),
                    textcoords="offset points", ha="center", va="top", fontsize=8)
    for e in result.events:
        if e.kind == EventKind.PROGRESSION:
            ax.plot([e.time], [max(e.burden, 1)], marker="v", color="k", ms=6, ls="none")
        elif e.kind in (EventKind.SURGERY, EventKind.RADIATION):
            ax.axvline(e.time, color="#CC79A7", lw=1.5, ls="--")
            ax.annotate(f"{e.kind}\n{e.detail.split(':')[0]}", (e.time, 0.02),
                        xycoords=("data", "axes fraction"), xytext=(3, 0),
                        textcoords="offset points", fontsize=8, color="#CC79A7")
        elif e.kind == EventKind.NO_LINE_LEFT:
            ax.axvspan(e.time, result.end_time, color="0.85", alpha=0.5, lw=0)
            ax.annotate("no line\nleft", ((e.time + result.end_time) / 2, 1),
                        xycoords=("data", "axes fraction"), xytext=(0, -4),
                        textcoords="offset points", ha="center", va="top", fontsize=8)


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
        _mark(fig)
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
    fig, ax = _new_axes(ax, figsize=(9, 5))
    curves = [("os", 1, "overall survival (from detection)", "#000000", "-")]
    dashes = ("--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
    for k in range(1, lines + 1):
        colour = _LINE_SHADES[(k - 1) % len(_LINE_SHADES)]
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
        _mark(fig)
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


def plot_arms(cohorts, *, mark: bool = True) -> Figure:
    """Compare arms run on the same virtual patients: overall survival (left)
    and progression-free survival on line 1 (right), one curve per arm."""
    fig = Figure(figsize=(11, 4.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (endpoint, title) in zip(axes, [("os", "overall survival (from detection)"),
                                            ("pfs", "progression-free on line 1")]):
        for i, (arm, cohort) in enumerate(cohorts.items()):
            km = cohort.survival(endpoint, 1)
            if km is None:
                continue
            med = km_median(km.sf)
            median = f"median {med:.0f} d" if np.isfinite(med) else "median not reached"
            _km_curve(ax, km, _GENOTYPE_COLOURS[i % len(_GENOTYPE_COLOURS)],
                      _STYLES[i % len(_STYLES)], f"{arm} ({median})")
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
        _mark(fig)
    return fig


def plot_sites(result, ax=None, *, mark: bool = True) -> Figure:
    """Burden at each site over time (log axis), with the therapy lines and
    local therapies: where the drug reaches, and where it does not."""
    fig, ax = _new_axes(ax)
    model_sites = list(result.config.sites)
    by_site = result.site_burden()
    for i, site in enumerate(model_sites):
        y = by_site[:, i].astype(float)
        if not y.any():
            continue
        y[y == 0] = np.nan
        ax.plot(result.times, y, lw=2, label=site, color=OKABE_ITO[(i + 5) % len(OKABE_ITO)],
                ls=_STYLES[i % len(_STYLES)])
    ax.set_yscale("log")
    ax.axhline(result.config.clinic.site_detection_cells, color="0.3", ls=":", lw=1.2)
    ax.annotate("a site is seen on a scan", (0, result.config.clinic.site_detection_cells),
                xycoords=("axes fraction", "data"), xytext=(4, 3), textcoords="offset points",
                fontsize=8, color="0.3")
    _shade_lines(ax, result)
    ax.set_ylim(bottom=0.5)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells at the site")
    ax.set_title(f"{result.config.title or 'clonesim'}: burden by site", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.25)
    if mark:
        _mark(fig)
    return fig


def save_figure(fig: Figure, path: str | Path, result_or_config=None, seed=None,
                dpi: int = 150) -> Path:
    """Save a figure with provenance (version, config hash, seed) in its metadata.

    PNG gets text chunks, PDF the Keywords/Subject fields, SVG a ``<metadata>``
    description; in each the same ``key=value`` pairs.
    """
    path = Path(path)
    meta = {}
    if result_or_config is not None:
        cfg = getattr(result_or_config, "config", result_or_config)
        s = getattr(result_or_config, "seed", seed)
        meta = provenance(cfg, s)
    text = "; ".join(f"{k}={v}" for k, v in meta.items()) or TEACHING_NOTE
    fmt = path.suffix.lstrip(".").lower()
    if fmt == "png":
        md = {"Software": "clonesim", "Description": text}
        md.update({k: v for k, v in meta.items()})
    elif fmt == "pdf":
        md = {"Creator": "clonesim", "Subject": TEACHING_NOTE, "Keywords": text}
    elif fmt == "svg":
        md = {"Creator": "clonesim", "Description": text}
    else:
        raise ValueError(f"unsupported figure format {fmt!r}: use png, svg or pdf")
    fig.savefig(path, dpi=dpi, metadata=md)
    return path




# ----------------------------------------------------------------------------
# Muller plot, fluctuation histogram, P(no resistant cell): the classroom figures
# ----------------------------------------------------------------------------

_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")


class MullerData:
    """Clone composition over time, as :func:`muller_fractions` returns it.

    Attributes
    ----------
    times : ndarray, shape (T,)
        Days (only times when at least one cell is alive).
    type_ids : ndarray, shape (C,)
        Cell types, one per column.
    labels : list of str
        A reader's name for each type.
    fractions : ndarray, shape (T, C)
        Fraction of the tumour of each type; every row sums to 1.
    parents : dict
        Type id -> the type id it is drawn inside (None for a root).
    layers : list of (column, weight)
        Stacking order from the bottom: a parent appears twice (half of its
        fraction below its descendants, half above), so descendants are drawn
        inside the band of the clone they came from.
    """

    def __init__(self, times, type_ids, labels, fractions, parents, layers):
        self.times, self.type_ids, self.labels = times, type_ids, labels
        self.fractions, self.parents, self.layers = fractions, parents, layers

    def stacked(self) -> np.ndarray:
        """Layer heights, shape (T, len(layers)); each row sums to 1."""
        return np.column_stack([self.fractions[:, j] * w for j, w in self.layers])


def _parent_type(type_id: int, present: set[int], cell_types: CellTypes) -> int | None:
    """The clone a type is drawn inside: the genotype without its highest
    resistance (then the next) among the types present, else the sensitive
    cell of the first state and site. The engine does not record which clone
    a mutant came from; this is the usual picture (a new resistance is
    gained on top of the ones a cell already has)."""
    g = cell_types.genotype(type_id)
    cls_bits = type_id ^ g
    while g:
        g &= ~(1 << (g.bit_length() - 1))
        if (cls_bits | g) in present:
            return cls_bits | g
    if cls_bits and 0 in present:
        return 0
    return None


def muller_fractions(result) -> MullerData:
    """Clone composition of one patient over time: the numbers behind a Muller plot.

    Parameters
    ----------
    result
        A :class:`clonesim.Result`.

    Returns
    -------
    MullerData
        Times with at least one live cell, and each type's fraction of the
        tumour at those times (rows sum to 1), with the nesting used to draw it.
    """
    burden = result.burden
    keep = burden > 0
    counts = result.counts[keep].astype(float)
    fractions = counts / burden[keep, None].astype(float)
    type_ids = [int(t) for t in result.type_ids]
    cell_types = result.cell_types
    seen = [j for j in range(len(type_ids)) if counts[:, j].any()]
    present = {type_ids[j] for j in seen}
    parents = {type_ids[j]: _parent_type(type_ids[j], present, cell_types) for j in seen}
    children: dict[int | None, list[int]] = {}
    for j in seen:
        children.setdefault(parents[type_ids[j]], []).append(j)
    def order(j: int) -> list[tuple[int, float]]:
        kids = sorted(children.get(type_ids[j], []), key=lambda k: type_ids[k])
        if not kids:
            return [(j, 1.0)]
        inner = [layer for k in kids for layer in order(k)]
        return [(j, 0.5)] + inner + [(j, 0.5)]

    layers = [layer for j in sorted(children.get(None, []), key=lambda k: type_ids[k])
              for layer in order(j)]
    return MullerData(result.times[keep], result.type_ids, list(result.labels), fractions,
                      parents, layers)


def plot_muller(result, *, mark: bool = True, burden_panel: bool = True) -> Figure:
    """A Muller plot: the clone composition of one patient over time, each
    clone drawn inside the clone it arose from, with the total burden above.

    Parameters
    ----------
    result
        A :class:`clonesim.Result`.
    mark
        Add the small "teaching simulation, not for clinical use" mark.
    burden_panel
        Draw the total burden (log axis) above the composition.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = muller_fractions(result)
    cfg = result.config
    cell_types = result.cell_types
    fig = Figure(figsize=(9, 5.5), layout="constrained")
    if burden_panel:
        top, ax = fig.subplots(2, 1, sharex=True, height_ratios=(1, 2.4))
    else:
        top, ax = None, fig.add_subplot()
    t = data.times
    stack = data.stacked()
    base = np.zeros(len(t))
    labelled = set()
    for (j, _), h in zip(data.layers, stack.T):
        type_id = int(data.type_ids[j])
        style = type_style(type_id, cell_types)
        hatch = _HATCHES[cell_types.phenotype_class(type_id) % len(_HATCHES)]
        label = data.labels[j] if j not in labelled else None
        labelled.add(j)
        ax.fill_between(t, base, base + h, color=style["color"], lw=0, label=label,
                        hatch=hatch or None, edgecolor="white" if hatch else None)
        base = base + h
    ax.set_ylim(0, 1)
    ax.set_xlim(t[0], t[-1])
    ax.set_ylabel("share of the tumour")
    ax.set_xlabel("time (days)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    for axis in (ax, top):
        if axis is None:
            continue
        if result.detection_time is not None:
            axis.axvline(result.detection_time, color="0.2", ls=":", lw=1.2)
        for line in result.lines:
            axis.axvline(line.start, color="0.1", lw=1.0)
    label_ax = top if top is not None else ax
    for line in result.lines:
        label_ax.annotate(f"line {line.line}: {'+'.join(line.drugs)}", (line.start, 1),
                          xycoords=("data", "axes fraction"), xytext=(3, -3),
                          textcoords="offset points", ha="left", va="top", fontsize=8)
    if result.detection_time is not None:
        label_ax.annotate("detection", (result.detection_time, 0),
                          xycoords=("data", "axes fraction"), xytext=(-3, 3),
                          textcoords="offset points", ha="right", va="bottom", fontsize=8,
                          color="0.2")
    if top is not None:
        total = result.burden.astype(float)
        total[total == 0] = np.nan
        top.plot(result.times, total, color="0.25", lw=1.5)
        top.set_yscale("log")
        top.axhline(cfg.clinic.detection_cells, color="0.3", ls=":", lw=1.0)
        top.set_ylabel("cells")
        top.set_ylim(0.5, max(cfg.clinic.lethal_cells * 3, np.nanmax(total) * 3))
        top.grid(alpha=0.25)
        top.set_title(f"{cfg.title or 'clonesim'}: who makes up the tumour "
                      f"(one virtual patient, seed {result.seed})", fontsize=11)
    else:
        ax.set_title(f"{cfg.title or 'clonesim'}: who makes up the tumour", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    if mark:
        _mark(fig)
    return fig


def _log2_bins(top: int) -> list[tuple[int, int]]:
    """Bins 0, 1, 2, 3-4, 5-8, ... up to ``top`` (inclusive ranges)."""
    bins = [(0, 0), (1, 1), (2, 2)]
    lo = 3
    while lo <= top:
        hi = 2 * (lo - 1)
        bins.append((lo, hi))
        lo = hi + 1
    return bins


def plot_fluctuation(resistant, m: float, ax=None, *, mark: bool = True,
                     title: str | None = None) -> Figure:
    """The fluctuation histogram: resistant cells per tumour over many
    tumours, with the Luria-Delbrück law and, for contrast, a Poisson law of
    the same mean (what resistance caused by the drug would give).

    Parameters
    ----------
    resistant
        Resistant cells in each simulated tumour (integers).
    m
        Expected number of resistance mutations per tumour (the law's parameter).
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.
    title
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from scipy import stats

    r = np.asarray(resistant, dtype=np.int64)
    n = r.size
    top = max(int(r.max()) if n else 2, 2)
    bins = _log2_bins(top)
    edges_hi = bins[-1][1]
    pmf = luria_delbruck_pmf(m, edges_hi + 1)
    observed = np.array([np.mean((r >= lo) & (r <= hi)) for lo, hi in bins])
    theory = np.array([pmf[lo:hi + 1].sum() for lo, hi in bins])
    mean = float(r.mean()) if n else 0.0
    lo, hi = np.array(bins).T
    poisson = stats.poisson.cdf(hi, mean) - stats.poisson.cdf(lo - 1, mean)
    fig, ax = _new_axes(ax, figsize=(9, 5))
    x = np.arange(len(bins))
    ax.bar(x, observed, width=0.75, color="#56B4E9", edgecolor="#0072B2",
           label=f"simulated tumours (n={n})")
    ax.plot(x, theory, "o-", color="#D55E00", lw=2, ms=6,
            label=f"Luria-Delbrück law (expected mutations per tumour m = {m:.2g})")
    shown = poisson > 1e-6
    ax.plot(x[shown], poisson[shown], "s--", color="0.4", lw=1.5, ms=5,
            label=f"Poisson, same mean ({mean:.3g}): if the drug caused resistance")
    ax.set_yscale("log")
    floor = 0.5 / max(n, 1)
    ax.set_ylim(floor, 1.5)
    ax.set_xticks(x, [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in bins],
                  rotation=45 if len(bins) > 10 else 0, ha="right" if len(bins) > 10 else "center")
    ax.set_xlabel("resistant cells per tumour, before any treatment")
    ax.set_ylabel("fraction of tumours")
    var = float(r.var()) if n > 1 else 0.0
    ax.annotate(f"variance / mean = {var / mean if mean else float('nan'):.3g}\n"
                "(1 for Poisson): rare early mutants\nmake jackpots",
                (0.98, 0.72), xycoords="axes fraction", ha="right", va="top", fontsize=8)
    ax.set_title(title or "Was the resistance already there? The fluctuation test on tumours",
                 fontsize=11)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(alpha=0.25, axis="y")
    if mark:
        _mark(fig)
    return fig


def wilson_interval(k, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions ``k / n`` (scipy's
    ``binomtest(...).proportion_ci(method="wilson")``, element by element).

    Parameters
    ----------
    k, n
        Successes and trials (scalars or arrays of the same shape).
    level
        Confidence level.

    Returns
    -------
    low, high : ndarray
    """
    from scipy.stats import binomtest

    k, n = np.broadcast_arrays(np.asarray(k, dtype=int), np.asarray(n, dtype=int))
    cis = [binomtest(int(ki), int(ni)).proportion_ci(confidence_level=level, method="wilson")
           for ki, ni in zip(k.ravel(), n.ravel())]
    low = np.array([c.low for c in cis]).reshape(k.shape)
    high = np.array([c.high for c in cis]).reshape(k.shape)
    return low, high


def plot_no_resistance(table, u: float, birth: float, ax=None, *, mark: bool = True) -> Figure:
    """P(no resistant cell) against tumour size: simulated tumours (points
    with 95% binomial intervals) and the Goldie-Coldman / Iwasa-Nowak-Michor
    curves.

    Parameters
    ----------
    table
        A DataFrame with columns ``death_rate``, ``size`` (mean size at which
        the tumours were looked at, cells), ``tumours`` and ``no_resistant``
        (how many had no resistant cell), as
        :func:`clonesim.gallery.no_resistance_data` returns it.
    u
        Per-division probability that a newborn is resistant.
    birth
        Division rate (per day) of the simulated tumours.
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax, figsize=(9, 5))
    sizes = np.geomspace(table["size"].min() / 2, table["size"].max() * 2, 200)
    for i, (d, group) in enumerate(table.groupby("death_rate", sort=True)):
        colour = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")[i % 4]
        if d == 0:
            curve = p_no_resistant_goldie_coldman(sizes, u)
            name = "Goldie-Coldman, no cell death: exp(-u N)"
        else:
            curve = p_no_resistant_iwasa_nowak_michor(sizes, u, birth, d)
            name = (f"Iwasa-Nowak-Michor, death/birth = {d / birth:.2g}: "
                    "exp(-u N (b/d) ln(b/(b-d)))")
        ax.plot(sizes, curve, color=colour, lw=2, ls=_STYLES[i % len(_STYLES)], label=name)
        k, n = group["no_resistant"].to_numpy(), group["tumours"].to_numpy()
        lo, hi = wilson_interval(k, n)
        p = k / n
        ax.errorbar(group["size"], p, yerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)], fmt="o", color=colour, ms=6,
                    capsize=3, label=f"simulated, death/birth = {d / birth:.2g} ({int(n[0])} "
                                     "tumours per point, 95% interval)")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("tumour size (cells)")
    ax.set_ylabel("P(no resistant cell)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_title(f"The bigger the tumour, the surer a resistant cell is in it (u = {u:g} "
                 "per division)", fontsize=11)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.grid(alpha=0.25, which="both")
    if mark:
        _mark(fig)
    return fig


def plot_sweep_heatmap(table, x: str, y: str, value: str, ax=None, *, mark: bool = True,
               xlabel: str | None = None, ylabel: str | None = None,
               value_label: str | None = None, title: str | None = None) -> Figure:
    """A sweep heatmap: one cell per (x, y) pair of parameter values, coloured
    by ``value`` (e.g. the median days to progression), with the number written in.

    Parameters
    ----------
    table
        A DataFrame with one row per (x, y) pair.
    x, y, value
        Column names.
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.
    xlabel, ylabel, value_label, title
        Replace the default texts (the column names).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax, figsize=(8, 5.5))
    grid = table.pivot(index=y, columns=x, values=value).sort_index()
    im = ax.imshow(grid.to_numpy(float), origin="lower", aspect="auto", cmap="cividis")
    ax.set_xticks(np.arange(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(np.arange(grid.shape[0]), [f"{v:g}" for v in grid.index])
    vals = grid.to_numpy(float)
    finite = vals[np.isfinite(vals)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0
    for (i, j), v in np.ndenumerate(vals):
        ax.text(j, i, "-" if not np.isfinite(v) else f"{v:.0f}", ha="center", va="center",
                fontsize=8, color="black" if np.isfinite(v) and v > mid else "white")
    fig.colorbar(im, ax=ax, label=value_label or value)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    ax.set_title(title or f"{value} by {x} and {y}", fontsize=11)
    if mark:
        _mark(fig)
    return fig


# ----------------------------------------------------------------------------
# Sweep results (clonesim sweep / plot-sweep)
# ----------------------------------------------------------------------------


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted grid centres (geometric midpoints on a log axis)."""
    c = np.log(centres) if log else centres.astype(float)
    if len(c) == 1:
        mid = np.array([c[0] - 0.5, c[0] + 0.5]) if not log else np.array([c[0] - 0.1, c[0] + 0.1])
    else:
        inner = (c[:-1] + c[1:]) / 2
        mid = np.concatenate([[c[0] - (inner[0] - c[0])], inner, [c[-1] + (c[-1] - inner[-1])]])
    return np.exp(mid) if log else mid


def _axis_is_log(table, key: str) -> bool:
    """Log scale for an axis swept in log, or spanning three decades or more."""
    for a in _sweep_info(table).get("axes", []):
        if a.get("key") == key:
            return bool(a.get("log"))
    v = table[key]
    if v.dtype.kind not in "if":
        return False
    v = v.to_numpy(dtype=float)
    return bool((v > 0).all() and v.max() / v.min() >= 1e3)


def plot_sweep(table, x: str, y: str | None = None, metric: str = "cured", *,
               kind: str = "auto", level: float = 0.95, ax=None, mark: bool = True) -> Figure:
    """A sweep's metric against one or two of its axes.

    With one axis: a curve with its confidence band. With two: a family of
    curves (one per value of ``y``) or a heatmap (``kind="heatmap"``, the
    default when ``y`` has more than five values). Points of a Latin-hypercube
    or Sobol design (not on a grid) are drawn as points with error bars, or as
    a scatter coloured by the metric. Other axes are pooled, and the title
    says so.

    Probabilities (cured, died, refractory) get Wilson 95% intervals, means a
    normal-approximation interval (see :func:`clonesim.sweeps.summarise_sweep`).

    Parameters
    ----------
    table
        A sweep table (:func:`clonesim.read_sweep` or :func:`clonesim.sweep`).
    x, y
        Axis columns, e.g. ``"drugs.A.kill_fraction"`` and ``"mutation_rate"``.
    metric
        An outcome column: ``cured``, ``died``, ``refractory``, ``lines_used``,
        ``survival_days``, ``ttp_line1_days``, ``final_resistant``, ...
    kind
        ``"auto"``, ``"curves"`` or ``"heatmap"``.
    level
        Confidence level of the bands.
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    clonesim.ConfigError
        For a column that is not in the table, or ``x == y``.
    """
    if kind not in ("auto", "curves", "heatmap"):
        raise ConfigError(param="kind", value=kind, allowed="must be 'auto', 'curves' or 'heatmap'")
    if y is not None and y == x:
        raise ConfigError(param="y", value=y, allowed="must differ from {x}")
    by = [x] if y is None else [x, y]
    s = summarise_sweep(table, by, metric, level)
    prob = bool(s["probability"].iloc[0]) if len(s) else False
    label = metric_label(metric)
    band = f"Wilson {level:.0%} interval" if prob else f"{level:.0%} normal interval"
    log_x = _axis_is_log(table, x)
    log_y = y is not None and _axis_is_log(table, y)
    # design (range) axes scatter their points; grid and list axes repeat values
    kinds = {a["key"]: a["kind"] for a in _sweep_info(table).get("axes", [])}
    on_grid = all(kinds.get(c, "list") != "range" for c in by)
    if kind == "auto":
        kind = "heatmap" if y is not None and s[y].nunique() > 5 else "curves"
    fig, ax = _new_axes(ax, figsize=(8, 5))
    per = int(s["n"].median()) if len(s) else 0
    if y is not None and kind == "heatmap" and on_grid:
        xs, ys = np.sort(s[x].unique()), np.sort(s[y].unique())
        grid = s.pivot(index=y, columns=x, values="value").reindex(index=ys, columns=xs)
        mesh = ax.pcolormesh(_edges(xs, log_x), _edges(ys, log_y), grid.to_numpy(float),
                             cmap="viridis", vmin=0 if prob else None, vmax=1 if prob else None)
        fig.colorbar(mesh, ax=ax, label=label)
        worst = float(np.nanmax(s["high"] - s["low"])) / 2 if len(s) else np.nan
        ax.set_title(f"{label}\n{per} virtual patients per cell; {band} half-width at most "
                     f"{worst:.2g}", fontsize=10)
        if len(xs) * len(ys) <= 100:
            for _, r in s.iterrows():
                v = r["value"]
                if v == v:
                    ax.annotate(f"{v:.2f}" if prob else f"{v:.3g}", (r[x], r[y]), ha="center",
                                va="center", fontsize=7,
                                color="black" if mesh.norm(v) > 0.55 else "white")
    elif y is not None and not on_grid:
        pts = ax.scatter(s[x], s[y], c=s["value"], cmap="viridis", s=30,
                         vmin=0 if prob else None, vmax=1 if prob else None, edgecolors="0.3",
                         linewidths=0.4)
        fig.colorbar(pts, ax=ax, label=label)
        ax.set_title(f"{label}: {len(s)} design points, {per} virtual patients each",
                     fontsize=10)
    else:
        groups = [(None, s)] if y is None else list(s.groupby(y, sort=True))
        for i, (yv, g) in enumerate(groups):
            g = g.sort_values(x)
            colour = _GENOTYPE_COLOURS[i % len(_GENOTYPE_COLOURS)] if y is not None else "#0072B2"
            name = None if y is None else f"{y} = {_fmt(yv)}"
            if on_grid:
                ax.plot(g[x], g["value"], color=colour, ls=_STYLES[i % len(_STYLES)], lw=2,
                        marker="o", ms=4, label=name)
                ax.fill_between(g[x], g["low"], g["high"], color=colour, alpha=0.15, lw=0)
            else:
                ax.errorbar(g[x], g["value"], yerr=[g["value"] - g["low"], g["high"] - g["value"]],
                            fmt="o", ms=3, color=colour, ecolor=colour, elinewidth=0.8,
                            alpha=0.8, label=name)
        ax.set_ylabel(label)
        if prob:
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{label}, with {band}s ({per} virtual patients per point)", fontsize=10)
        if y is not None:
            ax.legend(fontsize=8, frameon=False, loc="best")
    if log_x:
        ax.set_xscale("log")
    if log_y and kind == "heatmap" or (log_y and not on_grid):
        ax.set_yscale("log")
    ax.set_xlabel(x)
    if y is not None and (kind == "heatmap" or not on_grid):
        ax.set_ylabel(y)
    pooled = [c for c in _sweep_axes(table) if c not in by]
    if pooled:
        fig.suptitle("pooled over " + ", ".join(pooled), fontsize=8, color="0.35")
    if not (y is not None and kind == "heatmap" and on_grid):
        ax.grid(alpha=0.25)
    if mark:
        _mark(fig)
    return fig


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def _sweep_info(table) -> dict:
    return table.attrs.get("manifest", {}).get("signature", {})


def _sweep_axes(table) -> list[str]:
    axes = _sweep_info(table).get("axes")
    if axes:
        return [a["key"] for a in axes]
    cols = list(table.columns)
    return cols[cols.index("replicate") + 1: cols.index("seed")]
