"""The gallery's catalogue: every figure by name, what it shows and what it
takes, and :func:`figure`, which draws one by name in a style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from matplotlib.figure import Figure

from .figures import arms, fluctuation, muller, no_resistance, recurrence, sites, survival, sweep
from .style import apply_style


@dataclass(frozen=True)
class GalleryFigure:
    """One entry of the gallery: how to draw it and what it shows."""

    build: Callable[..., Figure]
    about: str
    animated: bool  # has a time axis in days that an animation can unfold
    sized: bool  # takes ``n`` (many tumours or patients)


FIGURES: dict[str, GalleryFigure] = {
    "recurrence": GalleryFigure(recurrence, "one patient's burden by cell type, log axis, "
                                "diagnosis size, imaging limit, therapy lines (classic_98_2)",
                                True, False),
    "muller": GalleryFigure(muller, "Muller plot: clone composition over time, nested by "
                            "lineage, with the total burden (classic_98_2)", True, False),
    "fluctuation": GalleryFigure(fluctuation, "Luria-Delbrück fluctuation histogram of "
                                 "resistant cells, theory overlaid", False, True),
    "no_resistance": GalleryFigure(no_resistance, "P(no resistant cell) against tumour size, "
                                   "Goldie-Coldman and Iwasa-Nowak-Michor curves", False, True),
    "survival": GalleryFigure(survival, "Kaplan-Meier curves of a virtual cohort, refractory "
                              "share (refractory_cohort)", True, True),
    "arms": GalleryFigure(arms, "two arms on the same patients: combination versus sequence "
                          "(combination_vs_sequence)", True, True),
    "sites": GalleryFigure(sites, "burden by site: the brain as a sanctuary "
                           "(her2_brain_sanctuary)", True, False),
    "sweep": GalleryFigure(sweep, "heatmap of median survival by kill fraction and mutation "
                           "rate (classic_98_2)", False, True),
}


def figure(name: str, *, style: str = "lecture", mark: bool = True, seed: int | None = None,
           n: int | None = None) -> Figure:
    """Draw one gallery figure by name.

    Parameters
    ----------
    name
        One of :data:`FIGURES` (``clonesim figure --list``).
    style
        ``"lecture"`` (16:9, large text) or ``"paper"``.
    mark
        Add the "teaching simulation, not for clinical use" mark.
    seed
        Replace the figure's fixed seed.
    n
        Replace the number of tumours or patients (figures that simulate many).

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.clonesim`` holding the name, config and seed.

    Raises
    ------
    KeyError
        For an unknown name (the message lists the names).
    """
    if name not in FIGURES:
        raise KeyError(f"no gallery figure {name!r}; choose one of {', '.join(FIGURES)}")
    entry = FIGURES[name]
    kwargs = {"mark": mark}
    if seed is not None:
        kwargs["seed"] = seed
    if n is not None:
        if not entry.sized:
            raise ValueError(f"figure {name!r} draws one patient; it takes no n")
        kwargs["n"] = n
    fig = entry.build(**kwargs)
    return apply_style(fig, style)
