"""Labels that hang from the top of an axes (therapy lines, local
therapies) and never overlap one another or the data: each is moved down a
row, at draw time, while it would touch a label already placed, and the top
of the y axis is raised until the curves pass below the lowest label. So a
resize or a larger lecture font cannot make "line 1" and "line 2" run into
each other, or put a label over a curve.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.transforms import Bbox

from .arrange import register
from .clear import data_top

#: Points kept free between two labels, and between a label and the data.
GAP = 2.0


class _LabelStacker(Artist):
    """Places the labels in rows, then makes room above the data for them:
    before the figure draws its axes (:mod:`.arrange`), at layout, and again
    first in its axes (a no-op once the room is made)."""

    order = 0

    def __init__(self, ax, texts, top_offset: float = -4.0, gap: float = GAP):
        super().__init__()
        self.ax, self.gap = ax, gap
        self.texts = list(texts)
        self.top_offset = top_offset
        self.set_zorder(-10)

    def _stack(self, renderer) -> list:
        placed = []
        gap = renderer.points_to_pixels(self.gap)
        per_point = renderer.points_to_pixels(1.0)
        for text in self.texts:
            if not shown(text, renderer):
                continue
            x_off = text.xyann[0]
            text.xyann = (x_off, self.top_offset)
            box = text.get_window_extent(renderer)
            step = box.height / per_point + self.gap
            rows = 0
            while any(_near(box, b, gap) for b in placed) and rows < 12:
                rows += 1
                text.xyann = (x_off, self.top_offset - rows * step)
                box = text.get_window_extent(renderer)
            placed.append(box)
        return placed

    def _make_room(self, boxes, renderer) -> None:
        """Raise the top of the y axis so that the data under each label ends
        GAP points below it (log or linear axis)."""
        ax = self.ax
        if not boxes or ax.get_yscale() not in ("log", "linear"):
            return
        inside = ax.get_window_extent(renderer)
        height = inside.height
        gap = renderer.points_to_pixels(GAP)
        need = 1.0  # the largest share of the axes height the data may use
        for box in boxes:
            top = data_top(ax, box.x0, box.x1, renderer)
            if top is None:
                continue
            if top > box.y0 - gap:
                data_frac = (top - inside.y0) / height
                room = (box.y0 - gap - inside.y0) / height
                if room <= 0.05 or data_frac <= 0:
                    continue
                need = min(need, room / data_frac)
        if need >= 1.0:
            return
        lo, hi = ax.get_ylim()
        f = (lambda v: np.log10(v), lambda v: 10 ** v) if ax.get_yscale() == "log" else (
            lambda v: v, lambda v: v)
        ax.set_ylim(lo, f[1](f[0](lo) + (f[0](hi) - f[0](lo)) / need))

    def arrange(self, renderer) -> list:
        boxes = self._stack(renderer)
        self._make_room(boxes, renderer)
        return boxes

    def get_tightbbox(self, renderer=None):
        boxes = self.arrange(renderer)
        return Bbox.union(boxes) if boxes else Bbox.null()

    def draw(self, renderer):
        self.arrange(renderer)
        self.stale = False


def _near(a, b, gap: float) -> bool:
    """Whether boxes ``a`` and ``b`` are closer than ``gap`` pixels."""
    return (a.x0 < b.x1 + gap and b.x0 < a.x1 + gap
            and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap)


def shown(text, renderer) -> bool:
    """Whether a label is drawn: visible, and (an annotation clipped to its
    axes) with its anchor inside the axes' limits."""
    check = getattr(text, "_check_xy", None)  # Annotation: honours annotation_clip
    return text.get_visible() and (check is None or bool(check(renderer)))


def stack_labels(ax, texts, gap: float = GAP) -> None:
    """Keep ``texts`` (annotations offset in points from the top of ``ax``)
    from overlapping one another or the curves of ``ax``, however the figure
    is later sized: they are stacked in rows, and the y axis is raised so
    the data pass below them.

    Parameters
    ----------
    ax
        The Axes the texts belong to.
    texts
        Annotations with ``textcoords="offset points"``, in the order they
        should claim the top row (left to right).
    gap
        Points kept free between two labels (and between the labels and
        the data).
    """
    texts = list(texts)
    if not texts:
        return
    ax._clonesim_stacked_labels = texts  # for tests: the labels that must not overlap
    register(ax, _LabelStacker(ax, texts, gap=gap))


def wrap_drugs(drugs, width: int = 10) -> str:
    """A line's drugs joined by "+", broken after a "+" where the name runs
    past ``width`` characters, so a combination fits a narrow shaded band."""
    out, row = [], ""
    for name in drugs:
        piece = name if not row else "+" + name
        if row and len(row) + len(piece) > width:
            out.append(row + "+")
            row = name
        else:
            row += piece
    out.append(row)
    return "\n".join(out)
