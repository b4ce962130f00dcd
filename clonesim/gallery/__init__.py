"""A gallery of named, lecture-ready figures, each built from simulations
with fixed seeds, so the same command always draws the same picture.

>>> from clonesim import gallery                               # doctest: +SKIP
>>> fig = gallery.figure("recurrence", style="lecture")       # doctest: +SKIP
>>> gallery.save(fig, "recurrence.svg")                       # doctest: +SKIP

``clonesim figure --list`` names them; ``clonesim figure NAME`` draws one;
``clonesim figure --all --out DIR`` draws them all, with ``DIR/captions.md``.
Each figure teaches one of the course's nine ideas (:data:`IDEAS`) and has
a caption and alt text whose every number is read from the simulation that
drew it (:func:`caption`, :func:`alt_text`).
Every figure carries the small "teaching simulation, not for clinical use"
mark unless ``mark=False``; :func:`save` stores the provenance (package
version, config hash, seed) in the file. The same cell type has the same
colour in every figure (:func:`clonesim.plots.type_style`).

Each figure keeps its compute small (a few seconds at most); ``n`` sets the
number of simulated tumours or patients where there are many.

One module per job:

- :mod:`~clonesim.gallery.finder`: the shipped scenarios found by name;
- :mod:`~clonesim.gallery.data`: the many-tumour simulations behind some
  figures, as data (the notebooks call them);
- :mod:`~clonesim.gallery.figures`: one function per figure, fixed seeds;
- :mod:`~clonesim.gallery.stories`: figures that set two runs of one patient
  side by side (the 2%, receptor switch, local and adaptive therapy, sites);
- :mod:`~clonesim.gallery.facts`: the numbers each caption states, read from
  the simulation that drew the figure;
- :mod:`~clonesim.gallery.captions`: the nine ideas, captions and alt text,
  and ``captions.md`` (``clonesim figure --all``);
- :mod:`~clonesim.gallery.catalogue`: :data:`FIGURES` by name, and :func:`figure`;
- :mod:`~clonesim.gallery.style`: the ``lecture`` and ``paper`` styles;
- :mod:`~clonesim.gallery.output`: saving and animating, with provenance.

Teaching model, not for clinical use.
"""

from .catalogue import FIGURES, GalleryFigure, figure
from .data import (LD_FINAL, LD_N0, LD_U, NR_BIRTH, NR_U, SWEEP_KILL, SWEEP_U,
                   fluctuation_config, fluctuation_data, no_resistance_config,
                   no_resistance_data, sweep_data)
from .figures import (arms, fluctuation, muller, no_resistance, recurrence, sites, survival,
                      sweep)
from .finder import find_config, load_scenario, scenario_places
from .output import MP4_HELP, animate, ffmpeg_path, save
from .style import STYLES, apply_style

__all__ = ["FIGURES", "STYLES", "figure", "save", "animate", "ffmpeg_path", "find_config",
           "apply_style",
           "fluctuation_data", "no_resistance_data", "sweep_data", "recurrence", "muller",
           "fluctuation", "no_resistance", "survival", "arms", "sites", "sweep",
           "two_percent", "receptor_switch", "local_therapy", "adaptive", "sites_over_time",
           "holiday", "marker",
           "IDEAS", "caption", "alt_text", "captions_markdown",
           # besides: the catalogue's entry type, the experiments' scenarios and
           # constants (the notebooks use NR_U, NR_BIRTH), where scenarios are found
           "GalleryFigure", "MP4_HELP", "LD_N0", "LD_FINAL", "LD_U", "NR_U", "NR_BIRTH",
           "SWEEP_KILL", "SWEEP_U", "fluctuation_config", "no_resistance_config",
           "scenario_places", "load_scenario"]
