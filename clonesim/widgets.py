"""The notebooks' interactive panel as a widget: the sliders and menus that
``ipywidgets.interact`` builds, with each figure drawn into an image widget
that changes in place (:func:`clonesim.classroom.panel` makes one).

Teaching model, not for clinical use.
"""

from __future__ import annotations

from ipywidgets import Image, interactive
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .drawing import DRAWING, png

__all__ = ["Panel"]


class Panel(interactive):
    """Controls that re-run a function, and the figures it shows.

    ``ipywidgets.interactive`` builds the controls from the same
    abbreviations as ``interact`` and calls ``func`` on every change; its
    output area keeps what ``func`` prints. The figures ``func`` passes to
    :func:`clonesim.classroom.show` go instead to image widgets above that
    area, one per figure, whose PNG is replaced in place: the page does not
    jump as a cleared output would, the PNG travels as binary, and a test
    can read it (``images[k].value``) without a browser. Sliders redraw when
    released, not at every step they pass (``continuous_update=False``),
    since each redraw runs a simulation.

    Parameters
    ----------
    func
        Draws from keyword arguments, each with a default.
    **controls
        One control per argument, as ``ipywidgets.interact`` takes them.

    Attributes
    ----------
    images : list of ipywidgets.Image
        The figures of the last redraw, in the order ``func`` showed them.
    """

    def __init__(self, func, **controls):
        self.images = []
        self._canvases = []  # one per image, kept across redraws
        self._shown = 0
        super().__init__(func, **controls)  # builds the controls and draws once
        for widget in self.kwargs_widgets:
            if hasattr(widget, "continuous_update"):
                widget.continuous_update = False

    def update(self, *args):
        """Re-run the function with the controls' values (``interactive.update``)."""
        self._shown = 0
        DRAWING.append(self)
        try:
            super().update(*args)
        finally:
            DRAWING.pop()
            for k, image in enumerate(self.images):
                image.layout.display = None if k < self._shown else "none"

    def show(self, fig, dpi: int = 80) -> None:
        """Draw ``fig`` into this redraw's next image widget."""
        k = self._shown
        if k == len(self.images):
            self.images.append(Image(format="png"))
            self.children = (*self.children[:-1], self.images[-1], self.out)
            self._canvases.append(FigureCanvasAgg(fig))
        else:
            # Draw on the canvas of the figure this image showed last: its
            # renderer remembers the size of every text and the layout of
            # every math label (10^6) it has drawn, which a new canvas would
            # measure again -- about a fifth of a redraw.
            canvas = self._canvases[k]
            canvas.figure = fig
            fig.set_canvas(canvas)
        self.images[k].value = png(fig, dpi)
        self._shown += 1
