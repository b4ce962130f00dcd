"""Figures of parameter grids: a heatmap of any (x, y) table, and a sweep
table's metric against one or two of its axes with confidence bands
(``clonesim plot-sweep``).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..config import ConfigError
from ..sweeps import metric_label, summarise_sweep
from .style import GENOTYPE_COLOURS, LINE_STYLES, add_mark, new_axes


def plot_sweep_heatmap(table, x: str, y: str, value: str, ax=None, *, mark: bool = True,
               xlabel: str | None = None, ylabel: str | None = None,
               value_label: str | None = None, title: str | None = None) -> Figure:
    """A sweep heatmap: one cell per (x, y) pair of parameter values, coloured
    by ``value`` (e.g. the median days to progression), with the number written in.

    Parameters
    ----------
    table
        A DataFrame with one row per (x, y) pair.
    x, y, value
        Column names.
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.
    xlabel, ylabel, value_label, title
        Replace the default texts (the column names).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = new_axes(ax, figsize=(8, 5.5))
    grid = table.pivot(index=y, columns=x, values=value).sort_index()
    im = ax.imshow(grid.to_numpy(float), origin="lower", aspect="auto", cmap="cividis")
    ax.set_xticks(np.arange(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(np.arange(grid.shape[0]), [f"{v:g}" for v in grid.index])
    vals = grid.to_numpy(float)
    finite = vals[np.isfinite(vals)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0
    for (i, j), v in np.ndenumerate(vals):
        ax.text(j, i, "-" if not np.isfinite(v) else f"{v:.0f}", ha="center", va="center",
                fontsize=8, color="black" if np.isfinite(v) and v > mid else "white")
    fig.colorbar(im, ax=ax, label=value_label or value)
    ax.set_xlabel(xlabel or x)
    ax.set_ylabel(ylabel or y)
    ax.set_title(title or f"{value} by {x} and {y}", fontsize=11)
    if mark:
        add_mark(fig)
    return fig


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted grid centres (geometric midpoints on a log axis)."""
    c = np.log(centres) if log else centres.astype(float)
    if len(c) == 1:
        mid = np.array([c[0] - 0.5, c[0] + 0.5]) if not log else np.array([c[0] - 0.1, c[0] + 0.1])
    else:
        inner = (c[:-1] + c[1:]) / 2
        mid = np.concatenate([[c[0] - (inner[0] - c[0])], inner, [c[-1] + (c[-1] - inner[-1])]])
    return np.exp(mid) if log else mid


def _axis_is_log(table, key: str) -> bool:
    """Log scale for an axis swept in log, or spanning three decades or more."""
    for a in _sweep_info(table).get("axes", []):
        if a.get("key") == key:
            return bool(a.get("log"))
    v = table[key]
    if v.dtype.kind not in "if":
        return False
    v = v.to_numpy(dtype=float)
    return bool((v > 0).all() and v.max() / v.min() >= 1e3)


def plot_sweep(table, x: str, y: str | None = None, metric: str = "cured", *,
               kind: str = "auto", level: float = 0.95, ax=None, mark: bool = True) -> Figure:
    """A sweep's metric against one or two of its axes.

    With one axis: a curve with its confidence band. With two: a family of
    curves (one per value of ``y``) or a heatmap (``kind="heatmap"``, the
    default when ``y`` has more than five values). Points of a Latin-hypercube
    or Sobol design (not on a grid) are drawn as points with error bars, or as
    a scatter coloured by the metric. Other axes are pooled, and the title
    says so.

    Probabilities (cured, died, refractory) get Wilson 95% intervals, means a
    normal-approximation interval (see :func:`clonesim.sweeps.summarise_sweep`).

    Parameters
    ----------
    table
        A sweep table (:func:`clonesim.read_sweep` or :func:`clonesim.sweep`).
    x, y
        Axis columns, e.g. ``"drugs.A.kill_fraction"`` and ``"mutation_rate"``.
    metric
        An outcome column: ``cured``, ``died``, ``refractory``, ``lines_used``,
        ``survival_days``, ``ttp_line1_days``, ``final_resistant``, ...
    kind
        ``"auto"``, ``"curves"`` or ``"heatmap"``.
    level
        Confidence level of the bands.
    ax
        Draw into this Axes instead of a new figure.
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    clonesim.ConfigError
        For a column that is not in the table, or ``x == y``.
    """
    if kind not in ("auto", "curves", "heatmap"):
        raise ConfigError(param="kind", value=kind, allowed="must be 'auto', 'curves' or 'heatmap'")
    if y is not None and y == x:
        raise ConfigError(param="y", value=y, allowed="must differ from {x}")
    by = [x] if y is None else [x, y]
    s = summarise_sweep(table, by, metric, level)
    prob = bool(s["probability"].iloc[0]) if len(s) else False
    label = metric_label(metric)
    band = f"Wilson {level:.0%} interval" if prob else f"{level:.0%} normal interval"
    log_x = _axis_is_log(table, x)
    log_y = y is not None and _axis_is_log(table, y)
    # design (range) axes scatter their points; grid and list axes repeat values
    kinds = {a["key"]: a["kind"] for a in _sweep_info(table).get("axes", [])}
    on_grid = all(kinds.get(c, "list") != "range" for c in by)
    if kind == "auto":
        kind = "heatmap" if y is not None and s[y].nunique() > 5 else "curves"
    fig, ax = new_axes(ax, figsize=(8, 5))
    per = int(s["n"].median()) if len(s) else 0
    if y is not None and kind == "heatmap" and on_grid:
        xs, ys = np.sort(s[x].unique()), np.sort(s[y].unique())
        grid = s.pivot(index=y, columns=x, values="value").reindex(index=ys, columns=xs)
        mesh = ax.pcolormesh(_edges(xs, log_x), _edges(ys, log_y), grid.to_numpy(float),
                             cmap="viridis", vmin=0 if prob else None, vmax=1 if prob else None)
        fig.colorbar(mesh, ax=ax, label=label)
        worst = float(np.nanmax(s["high"] - s["low"])) / 2 if len(s) else np.nan
        ax.set_title(f"{label}\n{per} virtual patients per cell; {band} half-width at most "
                     f"{worst:.2g}", fontsize=10)
        if len(xs) * len(ys) <= 100:
            for _, r in s.iterrows():
                v = r["value"]
                if v == v:
                    ax.annotate(f"{v:.2f}" if prob else f"{v:.3g}", (r[x], r[y]), ha="center",
                                va="center", fontsize=7,
                                color="black" if mesh.norm(v) > 0.55 else "white")
    elif y is not None and not on_grid:
        pts = ax.scatter(s[x], s[y], c=s["value"], cmap="viridis", s=30,
                         vmin=0 if prob else None, vmax=1 if prob else None, edgecolors="0.3",
                         linewidths=0.4)
        fig.colorbar(pts, ax=ax, label=label)
        ax.set_title(f"{label}: {len(s)} design points, {per} virtual patients each",
                     fontsize=10)
    else:
        groups = [(None, s)] if y is None else list(s.groupby(y, sort=True))
        for i, (yv, g) in enumerate(groups):
            g = g.sort_values(x)
            colour = GENOTYPE_COLOURS[i % len(GENOTYPE_COLOURS)] if y is not None else "#0072B2"
            name = None if y is None else f"{y} = {_fmt(yv)}"
            if on_grid:
                ax.plot(g[x], g["value"], color=colour, ls=LINE_STYLES[i % len(LINE_STYLES)], lw=2,
                        marker="o", ms=4, label=name)
                ax.fill_between(g[x], g["low"], g["high"], color=colour, alpha=0.15, lw=0)
            else:
                ax.errorbar(g[x], g["value"], yerr=[g["value"] - g["low"], g["high"] - g["value"]],
                            fmt="o", ms=3, color=colour, ecolor=colour, elinewidth=0.8,
                            alpha=0.8, label=name)
        ax.set_ylabel(label)
        if prob:
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{label}, with {band}s ({per} virtual patients per point)", fontsize=10)
        if y is not None:
            ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if log_x:
        ax.set_xscale("log")
    if log_y and kind == "heatmap" or (log_y and not on_grid):
        ax.set_yscale("log")
    ax.set_xlabel(x)
    if y is not None and (kind == "heatmap" or not on_grid):
        ax.set_ylabel(y)
    pooled = [c for c in _sweep_axes(table) if c not in by]
    if pooled:
        fig.suptitle("pooled over " + ", ".join(pooled), fontsize=8, color="0.35")
    if not (y is not None and kind == "heatmap" and on_grid):
        ax.grid(alpha=0.25)
    if mark:
        add_mark(fig)
    return fig


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v)


def _sweep_info(table) -> dict:
    return table.attrs.get("manifest", {}).get("signature", {})


def _sweep_axes(table) -> list[str]:
    axes = _sweep_info(table).get("axes")
    if axes:
        return [a["key"] for a in axes]
    cols = list(table.columns)
    return cols[cols.index("replicate") + 1: cols.index("seed")]
