"""Labels that hang from the top of an axes (therapy lines) and never
overlap: each is moved down a row, at draw time, while it would overlap a
label already placed, so a resize or a larger lecture font cannot make
"line 1" and "line 2" run into each other.
"""

from __future__ import annotations

from matplotlib.artist import Artist


class _LabelStacker(Artist):
    """Drawn before the labels (zorder below theirs): moves each one down
    until it clears the labels placed before it."""

    def __init__(self, texts, top_offset: float = -4.0):
        super().__init__()
        self.texts = list(texts)
        self.top_offset = top_offset
        self.set_zorder(min((t.get_zorder() for t in self.texts), default=3) - 0.01)

    def draw(self, renderer):
        placed = []
        per_point = renderer.points_to_pixels(1.0)
        for text in self.texts:
            if not shown(text, renderer):
                continue
            x_off = text.xyann[0]
            text.xyann = (x_off, self.top_offset)
            box = text.get_window_extent(renderer)
            step = box.height / per_point + 2.0
            rows = 0
            while any(box.overlaps(b) for b in placed) and rows < 12:
                rows += 1
                text.xyann = (x_off, self.top_offset - rows * step)
                box = text.get_window_extent(renderer)
            placed.append(box)
        self.stale = False


def shown(text, renderer) -> bool:
    """Whether a label is drawn: visible, and (an annotation clipped to its
    axes) with its anchor inside the axes' limits."""
    check = getattr(text, "_check_xy", None)  # Annotation: honours annotation_clip
    return text.get_visible() and (check is None or bool(check(renderer)))


def stack_labels(ax, texts) -> None:
    """Keep ``texts`` (annotations offset in points from the top of ``ax``)
    from overlapping one another, however the figure is later sized.

    Parameters
    ----------
    ax
        The Axes the texts belong to.
    texts
        Annotations with ``textcoords="offset points"``, in the order they
        should claim the top row (left to right).
    """
    texts = list(texts)
    if not texts:
        return
    ax._clonesim_stacked_labels = texts  # for tests: the labels that must not overlap
    ax.add_artist(_LabelStacker(texts))
