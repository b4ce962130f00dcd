"""Labels arranged once the figure's size and fonts are final, before any
axes is drawn: stacking a label row may raise a y axis, and with shared y
axes every panel must be drawn with the raised limits (a panel drawn first
would otherwise keep the old ones).
"""

from __future__ import annotations

from matplotlib.artist import Artist


class _FigureArranger(Artist):
    """A figure-level artist drawn before the axes (lowest zorder): runs each
    registered arranger, the line-label stackers before the reference-line
    placers, which need the final limits."""

    def __init__(self):
        super().__init__()
        self.arrangers = []
        self.set_zorder(-100)
        self.set_in_layout(False)

    def draw(self, renderer):
        for arranger in sorted(self.arrangers, key=lambda a: a.order):
            if arranger.ax.get_visible() and arranger.ax.figure is not None:
                arranger.arrange(renderer)
        self.stale = False


def register(ax, arranger: Artist) -> None:
    """Add ``arranger`` (an artist with ``ax``, ``order`` and ``arrange(renderer)``)
    to ``ax``, and to its figure's list of what to arrange before drawing."""
    ax.add_artist(arranger)
    fig = ax.get_figure(root=True)
    first = getattr(fig, "_clonesim_arranger", None)
    if first is None:
        first = _FigureArranger()
        fig._clonesim_arranger = first
        fig.add_artist(first)
    first.arrangers.append(arranger)
