"""The gallery's catalogue: every figure by name, what it shows and what it
takes, and :func:`figure`, which draws one by name in a style.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from matplotlib.figure import Figure

from .captions import TEXTS
from .figures import arms, fluctuation, muller, no_resistance, recurrence, sites, survival, sweep
from .stories import (adaptive, holiday, local_therapy, marker, receptor_switch,
                      sites_over_time, two_percent)
from .style import apply_style


@dataclass(frozen=True)
class GalleryFigure:
    """One entry of the gallery: how to draw it, what it shows, which of the
    course's ideas it teaches (:data:`clonesim.gallery.captions.IDEAS`), and
    its caption and alt text as templates filled from the simulation."""

    build: Callable[..., Figure]
    about: str
    animated: bool  # has a time axis in days that an animation can unfold
    sized: bool  # takes ``n`` (many tumours or patients)
    idea: int = 0
    caption: str = ""
    alt: str = ""


def _entry(name: str, build, about: str, animated: bool, sized: bool) -> GalleryFigure:
    idea, caption, alt = TEXTS[name]
    return GalleryFigure(build, about, animated, sized, idea, caption, alt)


FIGURES: dict[str, GalleryFigure] = {
    "two_percent": _entry("two_percent", two_percent, "the 2% left after one dose are mostly "
                          "sensitive: classic_98_2 beside two_percent_resistant", False, False),
    "recurrence": _entry("recurrence", recurrence, "one patient's burden by cell type, log "
                         "axis, diagnosis size, imaging limit, therapy lines (classic_98_2)",
                         True, False),
    "muller": _entry("muller", muller, "Muller plot: clone composition over time, nested by "
                     "lineage, with the total burden (classic_98_2)", True, False),
    "fluctuation": _entry("fluctuation", fluctuation, "Luria-Delbrück fluctuation histogram of "
                          "resistant cells, theory overlaid", False, True),
    "no_resistance": _entry("no_resistance", no_resistance, "P(no resistant cell) against "
                            "tumour size, Goldie-Coldman and Iwasa-Nowak-Michor curves",
                            False, True),
    "survival": _entry("survival", survival, "Kaplan-Meier curves of a virtual cohort, one "
                       "time origin per panel, refractory share (refractory_cohort)", True, True),
    "receptor_switch": _entry("receptor_switch", receptor_switch, "Muller plot of ER+ cells "
                              "switching to ER-, hatched; re-biopsy compared in the caption "
                              "(receptor_switch)", True, False),
    "sites": _entry("sites", sites, "burden by site: the brain as a sanctuary "
                    "(her2_brain_sanctuary)", True, False),
    "sites_over_time": _entry("sites_over_time", sites_over_time, "one panel per site, cell "
                              "types over time (her2_brain_sanctuary)", True, False),
    "local_therapy": _entry("local_therapy", local_therapy, "one patient with and without "
                            "surgery and radiation, burden by site (local_therapy)", True, False),
    "arms": _entry("arms", arms, "arms on the same patients, compared on OS and on PFS of the "
                   "line where they differ (combination_vs_sequence)", True, True),
    "adaptive": _entry("adaptive", adaptive, "one patient under continuous and adaptive "
                       "therapy (adaptive_vs_continuous)", True, False),
    "holiday": _entry("holiday", holiday, "one patient without and with planned drug "
                      "holidays (classic_98_2, drug_holiday)", True, False),
    "marker": _entry("marker", marker, "burden and blood-marker readings: progression called "
                     "before the scan (tumour_marker)", True, False),
    "sweep": _entry("sweep", sweep, "heatmap of median survival by kill fraction and mutation "
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
        With ``fig.clonesim`` holding the name, config and seed, and the
        ``facts`` its caption is filled from (:func:`clonesim.gallery.caption`).

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
