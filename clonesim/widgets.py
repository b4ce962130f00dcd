"""The notebooks' interactive panel as a widget: the sliders and menus that
``ipywidgets.interact`` builds, relabelled for a class, with each figure
drawn into an image widget that changes in place
(:func:`clonesim.classroom.panel` makes one).

Teaching model, not for clinical use.
"""

from __future__ import annotations

from ipywidgets import (Dropdown, FloatSlider, Image, IntSlider, Layout, SelectionSlider,
                        interactive)
from ipywidgets.widgets.interaction import empty
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .controls import DESCRIPTION_PX, SLIDER_PX, control, decimals, grid, readout
from .drawing import DRAWING, SCALE, css_width, png

__all__ = ["Panel", "readable"]

#: A float slider with more steps than this keeps ipywidgets' own slider
#: (its readout formatted to the step) instead of one option per step.
MAX_OPTIONS = 2001


def readable(name: str, widget):
    """The control a class reads for parameter ``name``, from the widget
    ``interact`` built for it: the label of :mod:`clonesim.controls`, wide
    enough to read whole, and each value read to the step.

    A float slider becomes a :class:`ipywidgets.SelectionSlider` over the
    same values, rounded to the step (0.999, not 0.9990000000000001), each
    shown by its readout ("99.9%", "1e-7", "10⁹"): the function still
    receives the fraction or the log10 it computes with. Its arrow keys move
    one step; the track is three times ipywidgets' default, so 99.5% to
    99.9% is a few pixels, not one. A menu shows its choices in words.

    Parameters
    ----------
    name
        The function's parameter.
    widget
        The widget ``ipywidgets.interactive`` made from the abbreviation.

    Returns
    -------
    ipywidgets.ValueWidget
        ``widget`` restyled, or a new widget with the same start value.
    """
    spec = control(name)
    style = {"description_width": f"{DESCRIPTION_PX}px"}
    common = dict(description=spec.label, tooltip=name, style=style, continuous_update=False)
    if isinstance(widget, FloatSlider):
        values = grid(widget.min, widget.max, widget.step, widget.value)
        if len(values) <= MAX_OPTIONS:
            step = widget.step
            # a default between steps (-3.7 on a 0.25 grid) reads to its own decimals
            labels = [readout(name, v, step if decimals(v) <= decimals(step)
                              else 10.0 ** -decimals(v)) for v in values]
            slider = SelectionSlider(options=list(zip(labels, values)),
                                     layout=Layout(width=f"{SLIDER_PX}px"), **common)
            # by index: SelectionSlider(value=<first option>) leaves its label empty
            slider.index = min(range(len(values)), key=lambda k: abs(values[k] - widget.value))
            return slider
        widget.readout_format = f".{decimals(widget.step)}f"
    if isinstance(widget, Dropdown) and all(isinstance(v, str) for v in widget.options):
        return Dropdown(options=[(spec.choices.get(v, v), v) for v in widget.options],
                        value=widget.value, layout=Layout(width=f"{DESCRIPTION_PX + 220}px"),
                        description=spec.label, tooltip=name, style=style)
    if hasattr(widget, "description"):
        widget.description = spec.label
        widget.tooltip = name
        widget.style.description_width = style["description_width"]
        widget.layout.width = f"{SLIDER_PX}px" if isinstance(widget, (IntSlider, FloatSlider)) \
            else f"{DESCRIPTION_PX + 220}px"
    if hasattr(widget, "continuous_update"):
        widget.continuous_update = False
    return widget


class Panel(interactive):
    """Controls that re-run a function, and the figures it shows.

    ``ipywidgets.interactive`` builds the controls from the same
    abbreviations as ``interact`` (:func:`readable` relabels them) and calls
    ``func`` on every change; its output area keeps what ``func`` prints.
    The figures ``func`` passes to :func:`clonesim.classroom.show` go
    instead to image widgets above that area, one per figure, whose PNG is
    replaced in place: the page does not jump as a cleared output would,
    the PNG travels as binary, and a test can read it (``images[k].value``)
    without a browser. Each PNG has :data:`clonesim.drawing.SCALE` times the
    pixels of its displayed width, sharp on a high-density screen. Sliders
    redraw when released, not at every step they pass, since each redraw
    runs a simulation.

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
    controls : dict
        Parameter name to its widget.
    """

    def __init__(self, func, **controls):
        self.images = []
        self._canvases = []  # one per image, kept across redraws
        self._shown = 0
        super().__init__(func, **controls)  # builds the controls and draws once
        self.controls = {w._kwarg: w for w in self.kwargs_widgets}
        for widget in self.kwargs_widgets:  # widgets passed in ready-made, too
            if hasattr(widget, "continuous_update"):
                widget.continuous_update = False

    def widgets_from_abbreviations(self, seq):
        """``interactive``'s widgets, each made :func:`readable` (the
        function's default stays the start value)."""
        made = []
        for name, abbrev, default in seq:
            widget = self.widget_from_abbrev(abbrev, default)
            if widget is not None and widget is not abbrev:  # built here, not passed in
                widget = readable(name, widget)
            made.append((name, widget if widget is not None else abbrev, empty))
        return super().widgets_from_abbreviations(made)

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
        """Draw ``fig`` into this redraw's next image widget: ``dpi`` CSS pixels
        per inch, rendered at :data:`~clonesim.drawing.SCALE` times as many."""
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
        data = png(fig, dpi * SCALE)
        image = self.images[k]
        image.layout.width = f"{css_width(data)}px"  # not stretched: SCALE pixels per CSS pixel
        image.value = data
        self._shown += 1
