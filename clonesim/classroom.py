"""Helpers for the notebooks in ``notebooks/``: interactive panels that also
run where widgets are unavailable, figures shown as plain images, and the
small-size switch the tests use.

Teaching model, not for clinical use.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from .controls import CONTROLS, control, readout
from .drawing import DRAWING, SCALE, css_width, png

__all__ = ["small", "size", "show", "png", "panel", "in_notebook", "CONTROLS", "control",
           "readout"]

def small() -> bool:
    """True when ``CLONESIM_NOTEBOOK_SMALL`` is set (to anything but ``0``):
    the notebooks then shrink their cohorts so a test runs them quickly."""
    return os.environ.get("CLONESIM_NOTEBOOK_SMALL", "0") not in ("", "0")


def size(full: int, reduced: int) -> int:
    """``full`` normally, ``reduced`` under ``CLONESIM_NOTEBOOK_SMALL``.

    Parameters
    ----------
    full, reduced
        The two sizes (patients, tumours, ...).

    Returns
    -------
    int
    """
    return reduced if small() else full


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, Notebook, VS Code, Colab)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with jupyter
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(fig, dpi: int = 80) -> None:
    """Show a matplotlib Figure as a PNG image in a notebook (any front end,
    no backend set-up needed); outside a notebook, do nothing.

    Inside a :func:`panel`'s function the figure goes to the panel's image,
    which is replaced in place at every redraw.

    Parameters
    ----------
    fig
        A :class:`matplotlib.figure.Figure`.
    dpi
        Displayed size: CSS pixels per inch of the figure. The PNG has
        :data:`~clonesim.drawing.SCALE` times as many pixels, so it is sharp
        on a high-density screen and not stretched.
    """
    if DRAWING:
        DRAWING[-1].show(fig, dpi)
        return
    if not in_notebook():
        return
    from IPython.display import Image, display

    data = png(fig, dpi * SCALE)
    display(Image(data=data, format="png", width=css_width(data)))


def panel(func: Callable[..., Any], **controls) -> Any:
    """An interactive panel: sliders and menus that re-run ``func``.

    In a live notebook kernel with ipywidgets this is a
    :class:`clonesim.widgets.Panel`: the controls of ``ipywidgets.interact``
    (each as ``interact`` reads it: ``(min, max, step)`` for a slider, a
    list for a menu, and the function's default as the start value),
    labelled for a class from :data:`clonesim.controls.CONTROLS` ("kill per
    dose 99.9%", not "kill_fraction 1.00"), with the figures ``func`` passes
    to :func:`show` redrawn in place when a slider is released. Before the
    first draw it says, on the cell's own output, when the simulation
    kernels are about to compile (a cold cache): the panel's output area
    is not on the page until the panel is, so a message printed there
    would appear only after the wait it announces. Anywhere else -- no
    ipywidgets, a plain Python run -- ``func`` is called once with its
    defaults, so a notebook still runs top to bottom.

    Parameters
    ----------
    func
        Draws something from keyword arguments, each with a default.
    **controls
        One control per argument, as ``ipywidgets.interact`` takes them.

    Returns
    -------
    The panel widget (a notebook shows it when the call is the last line of
    a cell), or ``func``'s result when widgets are unavailable.
    """
    if in_notebook():
        from .engine import announce_compile

        announce_compile()  # before the Panel captures the output
        try:
            from .widgets import Panel
        except ImportError:  # no ipywidgets: draw once, below
            pass
        else:
            return Panel(func, **controls)
    return func()
