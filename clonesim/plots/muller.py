"""The Muller plot: who makes up one patient's tumour over time, each clone
drawn inside the clone it arose from, and the numbers behind it
(:func:`muller_fractions`).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..celltypes import CellTypes
from .labels import stack_labels
from .style import add_mark, grouped_legend, type_style

_HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")
#: The thinnest band drawn, as a share of the tumour (under half a pixel of
#: the composition panel at the sizes the gallery and notebooks use).
MIN_SHARE = 1e-3


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


def _fill_style(type_id: int, cell_types: CellTypes) -> dict:
    """How a clone's band is filled: the type's colour (paler for later
    phenotype states) and, for every state or site but the first, a hatch in
    an explicit colour: the full hue on a pale fill, white on a full one.
    Matplotlib >= 3.10 takes the hatch colour from ``hatchcolor`` (left
    unset, ``fill_between(color=...)`` makes it the fill colour, and the
    hatch vanishes); older versions take it from the edge colour."""
    import matplotlib

    style = type_style(type_id, cell_types)
    cls = int(cell_types.phenotype_class(type_id))
    hatch = _HATCHES[cls % len(_HATCHES)]
    fill = {"facecolor": style["color"], "edgecolor": "none", "lw": 0}
    if not hatch:
        return fill
    geno, site = int(cell_types.genotype(type_id)), int(cell_types.site(type_id))
    state = int(cell_types.state(type_id))
    full = type_style(cell_types.encode(geno, 0, site), cell_types)["color"]
    ink = full if state > 0 else "white"
    if tuple(int(v) for v in matplotlib.__version__.split(".")[:2]) >= (3, 10):
        return {**fill, "hatch": hatch, "hatchcolor": ink}
    return {**fill, "hatch": hatch, "edgecolor": ink}  # pragma: no cover - old mpl


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
    painted = np.zeros(len(t), bool)
    labelled = set()
    for (j, _), h in zip(data.layers, stack.T):
        type_id = int(data.type_ids[j])
        label = data.labels[j] if j not in labelled else None
        labelled.add(j)
        # each band is painted from its base to the top and the next band
        # paints over it: no seam between bands needs an edge stroke. A band
        # thinner than MIN_SHARE is left to its parent's paint: drawn, its
        # antialiased edge would tint a whole pixel row (a "seam" for a
        # clone of a few cells)
        alive = h >= MIN_SHARE
        alive[1:] |= h[:-1] >= MIN_SHARE  # and the step after: no gap when one clone
        alive[:-1] |= h[1:] >= MIN_SHARE  # replaces another between two samples
        # from 0 where no band below it is painted: no sliver of background
        band = ax.fill_between(t, np.where(painted, base, 0.0), 1.0, where=alive,
                               interpolate=False, label=label, **_fill_style(type_id, cell_types))
        painted = painted | alive
        band._clonesim_type = type_id
        band._clonesim_column = j
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
    # 3 points right of its line, 5 points kept between labels: a label that
    # would come within 2 points of the next line drops a row instead
    stack_labels(label_ax, [label_ax.annotate(
        f"line {line.line}: {'+'.join(line.drugs)}", (line.start, 1),
        xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
        ha="left", va="top", fontsize=8, annotation_clip=True) for line in result.lines],
        gap=5.0)
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
        top.set_title(f"{cfg.title or 'clonesim'} \N{EM DASH} who makes up the tumour, one "
                      f"virtual patient (seed {result.seed})", fontsize=11)
    else:
        ax.set_title(f"{cfg.title or 'clonesim'} \N{EM DASH} who makes up the tumour",
                     fontsize=11)
    grouped_legend(ax, cell_types)
    if mark:
        add_mark(fig)
    return fig
