"""Figures: results in, ``matplotlib.figure.Figure`` out. Nothing here shows
or saves; :func:`save_figure` writes a figure with its provenance.

Colours are Okabe-Ito (colour-blind safe) with line styles as a second cue;
the same cell type keeps the same colour in every figure, because the colour
is chosen from the type's genotype, not from its column.

One module per job:

- :mod:`~clonesim.plots.style`: the palette, a cell type's colour and dash,
  new axes and the teaching mark, shared by every figure;
- :mod:`~clonesim.plots.patient`: one patient's burden, by cell type and by site;
- :mod:`~clonesim.plots.doses`: who is left after the first dose (the 98% and the 2%);
- :mod:`~clonesim.plots.labels`: line labels that never overlap;
- :mod:`~clonesim.plots.marker`: a blood marker beside the scans;
- :mod:`~clonesim.plots.muller`: the Muller plot and the fractions behind it;
- :mod:`~clonesim.plots.cohort`: many patients: times to progression,
  Kaplan-Meier curves of a cohort and of arms;
- :mod:`~clonesim.plots.experiments`: the fluctuation test and P(no
  resistant cell), with the theory drawn over them;
- :mod:`~clonesim.plots.sweep`: parameter grids and sweep tables;
- :mod:`~clonesim.plots.saving`: a figure written with its provenance.

Teaching model, not for clinical use.
"""

from .cohort import first_differing_line, plot_arms, plot_outcomes, plot_survival, time_origin
from .experiments import plot_fluctuation, plot_no_resistance, wilson_interval
from .marker import plot_marker
from .muller import MullerData, muller_fractions, plot_muller
from .doses import DoseCounts, first_dose_counts, plot_first_doses
from .patient import plot_burden, plot_site_panels, plot_sites
from .saving import save_figure
from .style import OKABE_ITO, type_style
from .sweep import plot_sweep, plot_sweep_heatmap

__all__ = ["plot_burden", "plot_outcomes", "plot_survival", "plot_arms", "plot_sites",
           "save_figure", "type_style", "muller_fractions", "plot_muller", "plot_fluctuation",
           "plot_no_resistance", "plot_sweep", "plot_sweep_heatmap", "wilson_interval",
           "MullerData", "OKABE_ITO", "plot_site_panels", "plot_first_doses",
           "first_dose_counts", "DoseCounts", "first_differing_line", "time_origin", "plot_marker"]
