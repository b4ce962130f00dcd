"""The classic experiments re-enacted on simulated tumours: Luria and
Delbrück's fluctuation histogram, and P(no resistant cell) against tumour
size with the Goldie-Coldman and Iwasa-Nowak-Michor curves (with the Wilson
intervals its points carry).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..theory import (luria_delbruck_pmf, p_no_resistant_goldie_coldman,
                      p_no_resistant_iwasa_nowak_michor)
from .style import LINE_STYLES, add_mark, new_axes


def _log2_bins(top: int) -> list[tuple[int, int]]:
    """Bins 0, 1, 2, 3-4, 5-8, ... up to ``top`` (inclusive ranges)."""
    bins = [(0, 0), (1, 1), (2, 2)]
    lo = 3
    while lo <= top:
        hi = 2 * (lo - 1)
        bins.append((lo, hi))
        lo = hi + 1
    return bins


def plot_fluctuation(resistant, m: float, ax=None, *, mark: bool = True,
                     title: str | None = None) -> Figure:
    """The fluctuation histogram: resistant cells per tumour over many
    tumours, with the Luria-Delbrück law and, for contrast, a Poisson law of
    the same mean (what resistance caused by the drug would give).

    Parameters
    ----------
    resistant
        Resistant cells in each simulated tumour (integers).
    m
        Expected number of resistance mutations per tumour (the law's parameter).
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.
    title
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from scipy import stats

    r = np.asarray(resistant, dtype=np.int64)
    n = r.size
    top = max(int(r.max()) if n else 2, 2)
    bins = _log2_bins(top)
    edges_hi = bins[-1][1]
    pmf = luria_delbruck_pmf(m, edges_hi + 1)
    observed = np.array([np.mean((r >= lo) & (r <= hi)) for lo, hi in bins])
    theory = np.array([pmf[lo:hi + 1].sum() for lo, hi in bins])
    mean = float(r.mean()) if n else 0.0
    lo, hi = np.array(bins).T
    poisson = stats.poisson.cdf(hi, mean) - stats.poisson.cdf(lo - 1, mean)
    fig, ax = new_axes(ax, figsize=(9, 5))
    x = np.arange(len(bins))
    ax.bar(x, observed, width=0.75, color="#56B4E9", edgecolor="#0072B2",
           label=f"simulated tumours\n(n={n})")
    ax.plot(x, theory, "o-", color="#D55E00", lw=2, ms=6,
            label=f"Luria-Delbrück law\n(m = {m:.2g} expected\nmutations per tumour)")
    shown = poisson > 1e-6
    ax.plot(x[shown], poisson[shown], "s--", color="0.4", lw=1.5, ms=5,
            label=f"Poisson, same mean ({mean:.3g}):\nif the drug caused\nresistance")
    ax.set_yscale("log")
    floor = 0.5 / max(n, 1)
    ax.set_ylim(floor, 1.5)
    ax.set_xticks(x, [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in bins],
                  rotation=45 if len(bins) > 10 else 0, ha="right" if len(bins) > 10 else "center")
    ax.set_xlabel("resistant cells per tumour, before any treatment")
    ax.set_ylabel("fraction of tumours")
    var = float(r.var()) if n > 1 else 0.0
    ratio = f"{var / mean if mean else float('nan'):.3g}"
    ax.set_title(title or "Was the resistance already there? The fluctuation test on tumours",
                 fontsize=11)
    # outside the axes: inside, it would hide the Poisson peak (at m >= 3 it
    # sits in the upper middle)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title=f"variance / mean = {ratio}\n(1 for Poisson): rare\nearly mutants make\n"
                    "jackpots", title_fontsize=8, alignment="left")
    ax.grid(alpha=0.25, axis="y")
    if mark:
        add_mark(fig)
    return fig


def wilson_interval(k, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for binomial proportions ``k / n`` (scipy's
    ``binomtest(...).proportion_ci(method="wilson")``, element by element).

    Parameters
    ----------
    k, n
        Successes and trials (scalars or arrays of the same shape).
    level
        Confidence level.

    Returns
    -------
    low, high : ndarray
    """
    from scipy.stats import binomtest

    k, n = np.broadcast_arrays(np.asarray(k, dtype=int), np.asarray(n, dtype=int))
    cis = [binomtest(int(ki), int(ni)).proportion_ci(confidence_level=level, method="wilson")
           for ki, ni in zip(k.ravel(), n.ravel())]
    low = np.array([c.low for c in cis]).reshape(k.shape)
    high = np.array([c.high for c in cis]).reshape(k.shape)
    return low, high


def plot_no_resistance(table, u: float, birth: float, ax=None, *, mark: bool = True) -> Figure:
    """P(no resistant cell) against tumour size: simulated tumours (points
    with 95% binomial intervals) and the Goldie-Coldman / Iwasa-Nowak-Michor
    curves.

    Parameters
    ----------
    table
        A DataFrame with columns ``death_rate``, ``size`` (mean size at which
        the tumours were looked at, cells), ``tumours`` and ``no_resistant``
        (how many had no resistant cell), as
        :func:`clonesim.gallery.no_resistance_data` returns it.
    u
        Per-division probability that a newborn is resistant.
    birth
        Division rate (per day) of the simulated tumours.
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_axes(ax, figsize=(9, 5))
    sizes = np.geomspace(table["size"].min() / 2, table["size"].max() * 2, 200)
    for i, (d, group) in enumerate(table.groupby("death_rate", sort=True)):
        colour = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")[i % 4]
        if d == 0:
            curve = p_no_resistant_goldie_coldman(sizes, u)
            name = "Goldie-Coldman, no cell death:\nexp(-u N)"
        else:
            curve = p_no_resistant_iwasa_nowak_michor(sizes, u, birth, d)
            name = (f"Iwasa-Nowak-Michor, death/birth = {d / birth:.2g}:\n"
                    "exp(-u N (b/d) ln(b/(b-d)))")
        ax.plot(sizes, curve, color=colour, lw=2, ls=LINE_STYLES[i % len(LINE_STYLES)], label=name)
        k, n = group["no_resistant"].to_numpy(), group["tumours"].to_numpy()
        lo, hi = wilson_interval(k, n)
        p = k / n
        ax.errorbar(group["size"], p, yerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)], fmt="o", color=colour, ms=6,
                    capsize=3, label=f"simulated, death/birth = {d / birth:.2g}\n({int(n[0])} "
                                     "tumours per point,\n95% interval)")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("tumour size (cells)")
    ax.set_ylabel("P(no resistant cell)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_title(f"The bigger the tumour, the surer a resistant cell is in it (u = {u:g} "
                 "per division)", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.grid(alpha=0.25, which="both")
    if mark:
        add_mark(fig)
    return fig
