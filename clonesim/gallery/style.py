"""Gallery styles: a figure resized, and its text and lines scaled, for a
slide (``lecture``) or a page (``paper``), keeping room for the teaching mark.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ..provenance import TEACHING_NOTE

#: Figure styles: final size (inches), how much to scale text and lines.
STYLES = {
    "lecture": {"size": (13.333, 7.5), "font_scale": 1.75, "line_scale": 1.6},
    "paper": {"size": (7.2, 4.3), "font_scale": 1.0, "line_scale": 1.0},
}


def apply_style(fig: Figure, style: str = "lecture") -> Figure:
    """Resize a figure and scale its text and lines for a slide or a page.

    The plots are drawn for a 10-point base; ``"lecture"`` makes a 16:9
    figure with text about 1.75 times larger and thicker lines, readable from
    the back of a lecture hall; ``"paper"`` a 7.2-inch-wide figure at the
    base sizes.

    Parameters
    ----------
    fig
        A figure from this module or :mod:`clonesim.plots`.
    style
        ``"lecture"`` or ``"paper"``.

    Returns
    -------
    matplotlib.figure.Figure
        The same figure, changed in place.
    """
    import matplotlib as mpl
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    spec = STYLES[style]
    fs, ls = spec["font_scale"], spec["line_scale"]
    fig.set_size_inches(*spec["size"])
    if fs != 1.0:
        for text in fig.findobj(Text):
            text.set_fontsize(text.get_fontsize() * fs)
    base = mpl.font_manager.FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size()
    for ax in fig.axes:
        ax.tick_params(labelsize=base * fs, width=0.8 * ls, length=3.5 * ls)
        ax.tick_params(which="minor", width=0.6 * ls, length=2 * ls)
        for spine in ax.spines.values():
            spine.set_linewidth(0.8 * ls)
    _room_for_mark(fig)
    if ls != 1.0:
        for line in fig.findobj(Line2D):
            line.set_linewidth(line.get_linewidth() * ls)
            line.set_markersize(line.get_markersize() * math.sqrt(ls))
        for coll in fig.findobj(LineCollection):
            coll.set_linewidths(np.asarray(coll.get_linewidths()) * ls)
    _wrap_titles(fig)
    return fig


def _wrap_titles(fig: Figure) -> None:
    """Break titles that the larger lecture text makes wider than the figure
    (or than their axes) onto more lines, instead of letting them run off
    the slide."""
    import textwrap

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    titles = [(ax.title, ax) for ax in fig.axes if ax.get_title()]
    if fig._suptitle is not None:
        titles.append((fig._suptitle, None))
    if not titles:
        return
    canvas = FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # a layout pass: where the axes really are
    renderer = canvas.get_renderer()
    fig_width = fig.bbox.width
    for text, ax in titles:
        # an axes title is centred on its axes: it may overhang a little
        room = 0.96 * fig_width if ax is None else 1.15 * ax.get_position().width * fig_width
        room = min(room, 0.96 * fig_width)
        lines = text.get_text().split("\n")
        width = text.get_window_extent(renderer).width
        widest = max(len(line) for line in lines)
        if width <= room or not widest:
            continue
        chars = max(int(widest * room / width), 10)
        text.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def _room_for_mark(fig: Figure) -> None:
    """Keep a strip at the bottom for the teaching mark, so that the layout
    engine does not put an axis label under it."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    marks = [t for t in fig.texts if t.get_text() == TEACHING_NOTE]
    engine = fig.get_layout_engine()
    if not marks or not isinstance(engine, ConstrainedLayoutEngine):
        return
    height_pt = fig.get_size_inches()[1] * 72
    strip = 1.5 * max(t.get_fontsize() for t in marks) / height_pt
    engine.set(rect=(0, strip, 1, 1 - strip))
