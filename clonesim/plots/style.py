"""The look every figure shares: the Okabe-Ito palette, a colour and dash
per cell type (chosen from its genotype, so the same type looks the same in
every figure and run), the line styles and shades of therapy lines, a new
Axes when none is given, and the teaching mark.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..celltypes import CellTypes
from ..provenance import TEACHING_NOTE

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
             "#D55E00", "#CC79A7")
# Index 0 is the sensitive type; single resistances get the most distinct colours.
GENOTYPE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00",
                    "#999999", "#000000")
#: Dashes, a second cue besides colour.
LINE_STYLES = ("-", "--", "-.", ":")
#: Shades of the therapy lines (line k gets LINE_SHADES[k - 1]).
LINE_SHADES = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2")


def type_style(type_id: int, cell_types: CellTypes) -> dict:
    """Colour and dash for a cell type's genotype: stable across figures and runs."""
    geno = int(cell_types.genotype(int(type_id)))
    if geno == 0:
        return {"color": "#0072B2", "linestyle": "-"}
    return {"color": GENOTYPE_COLOURS[1 + (geno - 1) % (len(GENOTYPE_COLOURS) - 1)],
            "linestyle": LINE_STYLES[1 + (geno.bit_count() - 1) % (len(LINE_STYLES) - 1)]}


def new_axes(ax, figsize=(9, 5)):
    """The figure and Axes to draw into: ``ax``'s own, or a new figure of ``figsize``."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def add_mark(fig: Figure) -> None:
    """Add the small "teaching simulation, not for clinical use" mark."""
    # bottom left: under the y tick labels, where no x label reaches
    fig.text(0.005, 0.005, TEACHING_NOTE, ha="left", va="bottom", fontsize=7, color="0.45")
