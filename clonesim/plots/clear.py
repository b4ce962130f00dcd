"""Labels that never hide data: where a drawn curve (or marker) passes,
measured in display coordinates at draw time, so a resize, another panel
layout or the larger lecture font cannot put a label over a curve.

:func:`covers_data` is the test; :func:`label_hline` names a horizontal
reference line (diagnosis, imaging limit, lethal burden) at the first spot
along it that no curve crosses.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.path import Path
from matplotlib.transforms import Bbox

from .arrange import register


def data_lines(ax):
    """The Line2D artists of ``ax`` that show data (drawn in data coordinates,
    visible); reference lines (axhline, axvline) are left out."""
    return [ln for ln in ax.get_lines()
            if ln.get_visible() and ln.get_transform() == ax.transData
            and len(ln.get_xdata()) > 0]


def _pieces(xy: np.ndarray, good: np.ndarray) -> list[Path]:
    """The drawn polyline through the finite points of ``xy``, one Path per
    run of them: a gap (NaN, inf) breaks the line, as matplotlib draws it
    (``Path.intersects_bbox`` would join a MOVETO to the point before it)."""
    edges = np.flatnonzero(np.diff(np.r_[False, good, False].astype(np.int8)))
    return [Path(xy[i:j]) for i, j in zip(edges[::2], edges[1::2]) if j - i >= 2]


def covers_data(ax, box: Bbox, renderer, pad: float = 1.0) -> bool:
    """Whether the display-space ``box`` (grown by ``pad`` points) covers any
    drawn data of ``ax``: a line segment crossing it, or a marker in it."""
    grow = renderer.points_to_pixels(pad)
    for line in data_lines(ax):
        xy = line.get_transform().transform(
            np.column_stack([np.asarray(line.get_xdata(), float),
                             np.asarray(line.get_ydata(), float)]))
        r = grow + (renderer.points_to_pixels(line.get_markersize()) / 2
                    if line.get_marker() not in (None, "", "None", " ") else 0.0)
        r += renderer.points_to_pixels(line.get_linewidth()) / 2
        b = Bbox.from_extents(box.x0 - r, box.y0 - r, box.x1 + r, box.y1 + r)
        good = np.isfinite(xy).all(axis=1)
        pts = xy[good]
        if len(pts) and np.any((pts[:, 0] >= b.x0) & (pts[:, 0] <= b.x1)
                               & (pts[:, 1] >= b.y0) & (pts[:, 1] <= b.y1)):
            return True
        if line.get_linestyle() in ("None", "none", "", " ") or len(pts) < 2:
            continue
        if any(piece.intersects_bbox(b, filled=False) for piece in _pieces(xy, good)):
            return True
    return False


def data_top(ax, x0: float, x1: float, renderer):
    """The highest display y of the drawn data between display x0 and x1
    (None if no data there)."""
    top = None
    for line in data_lines(ax):
        xy = line.get_transform().transform(
            np.column_stack([np.asarray(line.get_xdata(), float),
                             np.asarray(line.get_ydata(), float)]))
        xy = xy[np.isfinite(xy).all(axis=1)]
        if not len(xy):
            continue
        ys = list(xy[(xy[:, 0] >= x0) & (xy[:, 0] <= x1), 1])
        if line.get_linestyle() not in ("None", "none", "", " "):
            order = np.argsort(xy[:, 0], kind="stable")
            xs_sorted, ys_sorted = xy[order, 0], xy[order, 1]
            if xs_sorted[0] <= x0 <= xs_sorted[-1]:
                ys.append(float(np.interp(x0, xs_sorted, ys_sorted)))
            if xs_sorted[0] <= x1 <= xs_sorted[-1]:
                ys.append(float(np.interp(x1, xs_sorted, ys_sorted)))
        r = renderer.points_to_pixels(line.get_linewidth()) / 2
        if line.get_marker() not in (None, "", "None", " "):
            r += renderer.points_to_pixels(line.get_markersize()) / 2
        if ys:
            top = max(top if top is not None else -np.inf, max(ys) + r)
    return top


#: Where along a reference line its label may go: (x in axes fraction, ha).
_SPOTS = ((0.0, "left"), (1.0, "right"), (0.25, "center"), (0.5, "center"),
          (0.75, "center"), (0.12, "center"), (0.38, "center"), (0.62, "center"),
          (0.88, "center"))


class _HLinePlacer(Artist):
    """Drawn first in its axes (after the line labels are stacked): moves
    each reference-line label to the first spot, above or below its line,
    inside the axes, that covers no data and no other label."""

    order = 1

    def __init__(self, ax, texts):
        super().__init__()
        self.ax, self.texts = ax, list(texts)
        self.set_zorder(-9)

    def arrange(self, renderer):
        ax = self.ax
        inside = ax.get_window_extent(renderer)
        taken = [t.get_window_extent(renderer)
                 for t in getattr(ax, "_clonesim_stacked_labels", []) if t.get_visible()]
        for text in self.texts:
            value = text.xy[1]
            lo, hi = sorted(ax.get_ylim())
            if not lo <= value <= hi:
                text.set_visible(False)
                continue
            text.set_visible(True)
            words = getattr(text, "_clonesim_words", None) or text.get_text()
            text._clonesim_words = words
            if not self._first_clear(text, (words, words.replace(" ", "\n")), inside, taken,
                                     renderer):
                # nowhere inside is clear: outside, right of the axes
                text.set_text(words)
                text.xy = (1.0, value)
                text.set_ha("left")
                text.set_va("center")
                text.xyann = (4, 0)
            taken.append(text.get_window_extent(renderer))

    def _first_clear(self, text, wordings, inside, taken, renderer) -> bool:
        """Move ``text`` to the first clear spot, trying each wording (one
        line, then a word a line); False if none is clear."""
        value = text.xy[1]
        for words in dict.fromkeys(wordings):
            text.set_text(words)
            for x, ha in _SPOTS:
                for side in (1, -1):
                    text.xy = (x, value)
                    text.set_ha(ha)
                    text.set_va("bottom" if side > 0 else "top")
                    text.xyann = ({"left": 4, "right": -4, "center": 0}[ha], 2 * side)
                    box = text.get_window_extent(renderer)
                    if (box.x0 >= inside.x0 - 0.5 and box.x1 <= inside.x1 + 0.5
                            and box.y0 >= inside.y0 and box.y1 <= inside.y1
                            and not any(box.overlaps(b) for b in taken)
                            and not covers_data(self.ax, box, renderer)):
                        return True
        return False

    def get_tightbbox(self, renderer=None):
        self.arrange(renderer)
        return Bbox.null()

    def draw(self, renderer):
        self.arrange(renderer)
        self.stale = False


def label_hline(ax, value: float, text: str, **kwargs):
    """Name the horizontal reference line at ``value`` of ``ax``: the label
    sits on the line, at the first spot (left end, right end, then along it)
    where it covers no curve, no marker and no other label; no opaque box.

    Returns the annotation; keyword arguments go to ``Axes.annotate``
    (colour, font size).
    """
    ann = ax.annotate(text, (0.0, value), xycoords=("axes fraction", "data"), xytext=(4, 2),
                      textcoords="offset points", va="bottom", **kwargs)
    placer = getattr(ax, "_clonesim_hline_placer", None)
    if placer is None:
        placer = _HLinePlacer(ax, [])
        ax._clonesim_hline_placer = placer
        register(ax, placer)
    placer.texts.append(ann)
    ax._clonesim_hline_labels = placer.texts  # for tests: the labels that must not hide data
    return ann
