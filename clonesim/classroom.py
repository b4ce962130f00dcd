"""Helpers for the notebooks in ``notebooks/``: interactive panels that also
run where widgets are unavailable, figures shown as plain images, and the
small-size switch the tests use.

Teaching model, not for clinical use.
"""

from __future__ import annotations

import io
import os
from typing import Any, Callable

__all__ = ["small", "size", "show", "panel", "in_notebook"]


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

    Parameters
    ----------
    fig
        A :class:`matplotlib.figure.Figure`.
    dpi
        Resolution of the image.
    """
    if not in_notebook():
        return
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    display(Image(data=buf.getvalue(), format="png"))


def panel(func: Callable[..., Any], **controls) -> Any:
    """An interactive panel: sliders and menus that re-run ``func``.

    With ipywidgets in a live notebook kernel this is ``ipywidgets.interact``
    (each control as ``interact`` reads it: ``(min, max, step)`` for a
    slider, a list for a menu, and the function's default as the start
    value). Anywhere else -- no ipywidgets, a plain Python run -- ``func`` is
    called once with its defaults, so a notebook still runs top to bottom.

    Parameters
    ----------
    func
        Draws something from keyword arguments, each with a default.
    **controls
        One control per argument, as ``ipywidgets.interact`` takes them.

    Under ``CLONESIM_NOTEBOOK_SMALL`` (the tests) the widgets are built, to
    check the controls, but ``func`` is then called directly: ``interact``
    would print an error inside the panel instead of failing the run.

    Returns
    -------
    The ``interact`` widget, or ``func``'s result when widgets are unavailable.
    """
    if in_notebook():
        try:
            from ipywidgets import interact, interactive
        except ImportError:
            pass
        else:
            if not small():
                return interact(func, **controls)
            interactive(func, {"manual": True}, **controls)
    return func()
