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
    """Colour and dash of a cell type: stable across figures and runs.

    The hue is the genotype's. The phenotype state sets the lightness
    (state 0 full colour, later states paler), so "sensitive, ER+" and
    "sensitive, ER-" are told apart; the dash is the site when the scenario
    has several, else the state when it has several, else the number of
    resistances (a second cue besides colour).
    """
    type_id = int(type_id)
    geno = int(cell_types.genotype(type_id))
    colour = "#0072B2" if geno == 0 else GENOTYPE_COLOURS[1 + (geno - 1)
                                                          % (len(GENOTYPE_COLOURS) - 1)]
    state = int(cell_types.state(type_id))
    if cell_types.n_sites > 1:
        dash = SITE_STYLES[int(cell_types.site(type_id)) % len(SITE_STYLES)]
    elif cell_types.n_states > 1:
        dash = SITE_STYLES[state % len(SITE_STYLES)]
    else:
        dash = "-" if geno == 0 else LINE_STYLES[1 + (geno.bit_count() - 1)
                                                 % (len(LINE_STYLES) - 1)]
    return {"color": state_shade(colour, state, cell_types.n_states), "linestyle": dash}


#: Dashes of the sites (or of the states, in a scenario with one site).
SITE_STYLES = ("-", (0, (6, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (3, 3)))


def state_shade(colour: str, state: int, n_states: int) -> str:
    """``colour`` for phenotype state 0, mixed with white for later states (at
    most 55% white), so a state change reads as a paler shade of the same hue."""
    from matplotlib.colors import to_hex, to_rgb

    if n_states <= 1 or state == 0:
        return colour
    mix = 0.55 * state / (n_states - 1)
    return to_hex(tuple(c + (1 - c) * mix for c in to_rgb(colour)))


def grouped_legend(ax, cell_types: CellTypes | None = None, **kwargs):
    """A legend outside the axes (right), its entries sorted by site, then
    genotype, then state, with a header per site when there are several.

    Entries whose handle carries ``_clonesim_type`` (a type id) are grouped;
    the others (total burden, markers) follow at the end.
    """
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    typed = [(getattr(h, "_clonesim_type", None), h, lab) for h, lab in zip(handles, labels)]
    other = [(h, lab) for t, h, lab in typed if t is None]
    typed = [x for x in typed if x[0] is not None]
    if cell_types is not None:
        typed.sort(key=lambda x: (int(cell_types.site(x[0])), int(cell_types.genotype(x[0])),
                                  int(cell_types.state(x[0]))))
    out_h, out_l = [], []
    site = None
    for t, h, lab in typed:
        if cell_types is not None and cell_types.n_sites > 1:
            s = int(cell_types.site(t))
            if s != site:
                site = s
                out_h.append(Line2D([], [], ls="none"))
                out_l.append(f"at {cell_types.site_names[s]}:")
            lab = lab.replace(f", {cell_types.site_names[s]}", "")
        out_h.append(h)
        out_l.append(lab)
    for h, lab in other:
        out_h.append(h)
        out_l.append(lab)
    opts = dict(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    opts.update(kwargs)
    return ax.legend(out_h, out_l, **opts)


def new_axes(ax, figsize=(9, 5)):
    """The figure and Axes to draw into: ``ax``'s own, or a new figure of ``figsize``."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def add_mark(fig: Figure) -> None:
    """Add the small "teaching simulation, not for clinical use" mark, and
    keep a strip for it at the bottom so that no legend or label below the
    axes runs into it."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    # bottom left: under the y tick labels, where no x label reaches
    fig.text(0.005, 0.005, TEACHING_NOTE, ha="left", va="bottom", fontsize=7, color="0.45")
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        strip = 1.6 * 7 / (fig.get_size_inches()[1] * 72)
        engine.set(rect=(0, strip, 1, 1 - strip))
