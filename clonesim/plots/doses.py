"""The 98% and the 2%: who is left after the first dose of line 1, and who
makes up the tumour when line 1 fails, for one or more scenarios side by
side. A 98% kill leaves 2% of the cells; in the classic scenario nearly all
of them are still sensitive (resistant cells are about 1e-5 of the tumour),
and only repeated doses leave the resistant few.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .style import add_mark, type_style

#: The moments compared, in order.
MOMENTS = ("at diagnosis", "after dose 1", "when line 1 fails")


@dataclass(frozen=True)
class DoseCounts:
    """Cells susceptible and resistant to line 1 at the moments of :data:`MOMENTS`.

    Attributes
    ----------
    times : tuple of float
        Days of the three records used.
    susceptible, resistant : tuple of int
        Cells at those records: susceptible to every drug of line 1, and
        resistant to at least one of them.
    """

    times: tuple
    susceptible: tuple
    resistant: tuple

    @property
    def left_after_dose(self) -> float:
        """Fraction of the cells at diagnosis still there after dose 1."""
        return (self.susceptible[1] + self.resistant[1]) / (self.susceptible[0] + self.resistant[0])

    def resistant_share(self, k: int) -> float:
        """Resistant cells as a fraction of the tumour at moment ``k``."""
        total = self.susceptible[k] + self.resistant[k]
        return self.resistant[k] / total if total else float("nan")


def first_dose_counts(result) -> DoseCounts:
    """Count line 1's susceptible and resistant cells just before line 1
    starts, at the first record after its first dose, and at its end.

    Parameters
    ----------
    result
        A :class:`clonesim.Result` whose line 1 is a pulsed drug.

    Returns
    -------
    DoseCounts

    Raises
    ------
    ValueError
        If the patient never started line 1.
    """
    if not result.lines:
        raise ValueError("the patient never started line 1")
    line = result.lines[0]
    ct = result.cell_types
    ids = result.type_ids.astype(np.int64)
    resists = np.zeros(len(ids), bool)
    for drug in line.drugs:
        resists |= np.asarray(ct.resistant(ids, drug), bool)
    t = result.times
    before = int(np.flatnonzero(t < line.start)[-1])
    after = int(np.flatnonzero(t > line.start)[0])
    end = int(np.flatnonzero(t <= line.end)[-1])
    rows = (before, after, end)
    counts = result.counts
    return DoseCounts(tuple(float(t[i]) for i in rows),
                      tuple(int(counts[i, ~resists].sum()) for i in rows),
                      tuple(int(counts[i, resists].sum()) for i in rows))


def _short(v: int) -> str:
    """A count in few characters: 0, 950, 2.1e7."""
    if v < 1000:
        return f"{v:d}"
    mantissa, exp = f"{v:.1e}".split("e")
    return f"{mantissa}e{int(exp)}"


def percent(value: float) -> str:
    """A share as a percentage with as many decimals as it takes to tell it
    from 100% (99.998%), so "nearly all" never prints as "100.0%"."""
    if value != value:
        return "none"
    if value >= 1 or value <= 0:
        return f"{value:.0%}"
    gap = (1 - value) * 100  # percentage points short of 100%
    decimals = max(1, int(np.ceil(-np.log10(gap) - 1e-9)))
    return f"{value * 100:.{decimals}f}%"


def plot_first_doses(results, *, mark: bool = True) -> Figure:
    """Cells susceptible and resistant to line 1 at diagnosis, after the first
    dose and when line 1 fails: one panel per scenario (log axis).

    Parameters
    ----------
    results
        Panel title -> :class:`clonesim.Result`.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(5 * len(results), 5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(results), sharey=True))
    x = np.arange(len(MOMENTS))
    for ax, (title, result) in zip(axes, results.items()):
        counts = first_dose_counts(result)
        ct = result.cell_types
        drugs = "+".join(result.lines[0].drugs)
        colours = (type_style(0, ct)["color"],
                   type_style(ct.drug_mask(result.lines[0].drugs), ct)["color"])
        for offset, name, values, colour, hatch in (
                (-0.2, f"susceptible to {drugs}", counts.susceptible, colours[0], None),
                (0.2, f"resistant to {drugs}", counts.resistant, colours[1], "//")):
            shown = np.maximum(np.asarray(values, float), 0.5)
            ax.bar(x + offset, shown, width=0.38, color=colour, label=name, hatch=hatch,
                   edgecolor="white" if hatch else "none", lw=0)
            for xi, v in zip(x + offset, values):
                ax.annotate(_short(v), (xi, max(v, 0.5)), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7)
        ax.set_yscale("log")
        ax.set_xticks(x, [f"{m}\n(day {d:.0f})" for m, d in zip(MOMENTS, counts.times)])
        ax.set_title(f"{title}\nafter dose 1: {counts.left_after_dose:.1%} of the cells left,\n"
                     f"{percent(1 - counts.resistant_share(1))} of them susceptible", fontsize=10)
        ax.grid(alpha=0.25, axis="y")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=8, frameon=False,
                  ncols=2)
    axes[0].set_ylabel("cells")
    axes[0].set_ylim(bottom=0.5, top=max(a.get_ylim()[1] for a in axes) * 20)
    if mark:
        add_mark(fig)
    return fig
