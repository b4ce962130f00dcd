"""Figures: results in, ``matplotlib.figure.Figure`` out. Nothing here shows
or saves; :func:`save_figure` writes a figure with its provenance.

Colours are Okabe-Ito (colour-blind safe) with line styles as a second cue;
the same cell type keeps the same colour in every figure, because the colour
is chosen from the type's genotype, not from its column.
"""

from __future__ import annotations

from pathlib import Path
import numpy as np
from matplotlib.figure import Figure

from .provenance import TEACHING_NOTE, provenance

__all__ = ["plot_burden", "plot_outcomes", "plot_survival", "plot_arms", "plot_sites",
           "plot_sweep", "save_figure", "type_style"]

OKABE_ITO = ("#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
             "#D55E00", "#CC79A7")
# Index 0 is the sensitive type; single resistances get the most distinct colours.
_GENOTYPE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00",
                     "#999999", "#000000")
_STYLES = ("-", "--", "-.", ":")
_LINE_SHADES = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2")


def type_style(type_id: int, n_drugs: int) -> dict:
    """Colour and dash for a cell type: stable across figures and runs."""
    geno = int(type_id) & ((1 << n_drugs) - 1)
    if geno == 0:
        return {"color": "#0072B2", "linestyle": "-"}
    return {"color": _GENOTYPE_COLOURS[1 + (geno - 1) % (len(_GENOTYPE_COLOURS) - 1)],
            "linestyle": _STYLES[1 + (geno.bit_count() - 1) % (len(_STYLES) - 1)]}


def _new_axes(ax, figsize=(9, 5)):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _mark(fig: Figure) -> None:
    fig.text(0.995, 0.005, TEACHING_NOTE, ha="right", va="bottom", fontsize=7, color="0.45")


def plot_burden(result, ax=None, *, show_total: bool = True, mark: bool = True) -> Figure:
    """Burden per cell type over time, on a log axis, with the therapy lines.

    Parameters
    ----------
    result
        A :class:`clonesim.Result`.
    ax
        Draw into this Axes instead of a new figure.
    show_total
        Also draw the total burden (what a scan sees).
    mark
        Add the small "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    cfg = result.config
    n_drugs = len(cfg.drug_names)
    t = result.times
    for j, (type_id, label) in enumerate(zip(result.type_ids, result.labels)):
        y = result.counts[:, j].astype(float)
        if not y.any():
            continue
        y[y == 0] = np.nan
        ax.plot(t, y, label=label, lw=2, **type_style(type_id, n_drugs))
    if show_total:
        total = result.burden.astype(float)
        total[total == 0] = np.nan
        ax.plot(t, total, color="0.35", lw=1, alpha=0.8, label="total (what a scan sees)")
    ax.set_yscale("log")
    c = cfg.clinic
    ax.axhline(c.detection_cells, color="0.3", ls=":", lw=1.2)
    ax.annotate("detection threshold", (0, c.detection_cells), xycoords=("axes fraction", "data"),
                xytext=(4, 3), textcoords="offset points", fontsize=8, color="0.3")
    ax.axhline(c.lethal_cells, color="#D55E00", ls=":", lw=1.2)
    ax.annotate("lethal burden", (0, c.lethal_cells), xycoords=("axes fraction", "data"),
                xytext=(4, 3), textcoords="offset points", fontsize=8, color="#D55E00")
    top = max(c.lethal_cells * 30, np.nanmax(result.burden) * 3 if result.burden.size else 10)
    ax.set_ylim(0.5, top)
    _shade_lines(ax, result)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells")
    title = cfg.title or "clonesim"
    ax.set_title(f"{title}: one virtual patient ({result.outcome}, day {result.end_time:.0f})",
                 fontsize=11)
    ax.plot([], [], marker="v", color="k", ls="none", label="progression (scan)")
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.25, which="major")
    if mark:
        _mark(fig)
    return fig


def _shade_lines(ax, result) -> None:
    """Shade each therapy line, mark progressions and local therapies."""
    for k, line in enumerate(result.lines):
        ax.axvspan(line.start, line.end, color=_LINE_SHADES[k % len(_LINE_SHADES)], alpha=0.13,
                   lw=0)
        ax.annotate(f"line {line.line}\n{'+'.join(line.drugs)}", ((line.start + line.end) / 2, 1),
                    xycoords=("data", "axes fraction"), xytext=(0, -4),
                    textcoords="offset points", ha="center", va="top", fontsize=8)
    for e in result.events:
        if e.kind == "progression":
            ax.plot([e.time], [max(e.burden, 1)], marker="v", color="k", ms=6, ls="none")
        elif e.kind in ("surgery", "radiation"):
            ax.axvline(e.time, color="#CC79A7", lw=1.5, ls="--")
            ax.annotate(f"{e.kind}\n{e.detail.split(':')[0]}", (e.time, 0.02),
                        xycoords=("data", "axes fraction"), xytext=(3, 0),
                        textcoords="offset points", fontsize=8, color="#CC79A7")
        elif e.kind == "no line left":
            ax.axvspan(e.time, result.end_time, color="0.85", alpha=0.5, lw=0)
            ax.annotate("no line\nleft", ((e.time + result.end_time) / 2, 1),
                        xycoords=("data", "axes fraction"), xytext=(0, -4),
                        textcoords="offset points", ha="center", va="top", fontsize=8)


def plot_outcomes(results, ax=None, *, mark: bool = True) -> Figure:
    """Time to progression on each line across many patients (box plots).

    Parameters
    ----------
    results
        A :class:`clonesim.ResultSet` (or any sequence of results).
    """
    if ax is None:
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    by_line: dict[int, list[float]] = {}
    for r in results:
        for o in r.lines:
            if o.time_to_progression is not None:
                by_line.setdefault(o.line, []).append(o.time_to_progression)
    lines = sorted(by_line)
    if lines:
        ax.boxplot([by_line[k] for k in lines], positions=lines, widths=0.5)
        for k in lines:
            ax.annotate(f"n={len(by_line[k])}", (k, 1), xycoords=("data", "axes fraction"),
                        xytext=(0, -12), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xlabel("therapy line")
    ax.set_ylabel("time to progression (days)")
    ax.set_title(f"Time to progression per line, {len(results)} virtual patients", fontsize=11)
    ax.grid(alpha=0.25, axis="y")
    if mark:
        _mark(fig)
    return fig


def plot_survival(cohort, ax=None, *, lines: int = 3, mark: bool = True) -> Figure:
    """Kaplan-Meier curves of a virtual cohort: overall survival and
    progression-free survival on each line, with 95% bands.

    Parameters
    ----------
    cohort
        A :class:`clonesim.results.Cohort`.
    lines
        PFS curves for lines 1..lines (those that any patient started).
    """
    from .results import _band

    fig, ax = _new_axes(ax, figsize=(9, 5))
    curves = [("os", 1, "overall survival (from detection)", "#000000", "-")]
    dashes = ("--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
    for k in range(1, lines + 1):
        colour = _LINE_SHADES[(k - 1) % len(_LINE_SHADES)]
        curves.append(("pfs", k, f"progression-free on line {k} (from its start)", colour,
                       dashes[(k - 1) % len(dashes)]))
    for endpoint, line, label, colour, style in curves:
        events, censored = cohort.endpoint_times(endpoint, line)
        km = cohort.survival(endpoint, line)
        if km is None:
            continue
        t = np.concatenate([[0.0], km.sf.quantiles])
        p = np.concatenate([[1.0], km.sf.probabilities])
        ax.step(t, p, where="post", color=colour, ls=style, lw=2,
                label=f"{label} (n={len(events) + len(censored)})")
        band = _band(km)
        # the band is undefined where the curve is still 1 (or already 0): it
        # collapses onto the curve there
        lo = np.concatenate([[1.0], np.where(np.isnan(band.low.probabilities),
                                             km.sf.probabilities, band.low.probabilities)])
        hi = np.concatenate([[1.0], np.where(np.isnan(band.high.probabilities),
                                             km.sf.probabilities, band.high.probabilities)])
        ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.12, lw=0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("fraction of patients")
    rf = cohort.refractory_fraction
    ax.set_title(f"{cohort[0].config.title or 'clonesim'}: {len(cohort)} virtual patients"
                 + (f", {rf:.0%} refractory to line 1" if rf == rf else ""), fontsize=11)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(alpha=0.25)
    if mark:
        _mark(fig)
    return fig


def plot_arms(cohorts, *, mark: bool = True) -> Figure:
    """Compare arms run on the same virtual patients: overall survival (left)
    and progression-free survival on line 1 (right), one curve per arm."""
    from .results import _band

    fig = Figure(figsize=(11, 4.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (endpoint, title) in zip(axes, [("os", "overall survival (from detection)"),
                                            ("pfs", "progression-free on line 1")]):
        for i, (arm, cohort) in enumerate(cohorts.items()):
            km = cohort.survival(endpoint, 1)
            if km is None:
                continue
            colour = _GENOTYPE_COLOURS[i % len(_GENOTYPE_COLOURS)]
            t = np.concatenate([[0.0], km.sf.quantiles])
            p = np.concatenate([[1.0], km.sf.probabilities])
            med = cohort.summary_table().set_index("endpoint")["median_days"]
            key = "overall survival" if endpoint == "os" else "PFS line 1"
            ax.step(t, p, where="post", color=colour, lw=2, ls=_STYLES[i % len(_STYLES)],
                    label=f"{arm} (median {med[key]:.0f} d)")
            band = _band(km)
            lo = np.concatenate([[1.0], np.where(np.isnan(band.low.probabilities),
                                                 km.sf.probabilities, band.low.probabilities)])
            hi = np.concatenate([[1.0], np.where(np.isnan(band.high.probabilities),
                                                 km.sf.probabilities, band.high.probabilities)])
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.12, lw=0)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("time (days)")
        ax.set_xlim(left=0)
        ax.grid(alpha=0.25)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    axes[0].set_ylabel("fraction of patients")
    first = next(iter(cohorts.values()))
    fig.suptitle(f"{first[0].config.title or 'clonesim'}: {len(first)} virtual patients per "
                 "arm, the same patients in each", fontsize=11)
    if mark:
        _mark(fig)
    return fig


def plot_sites(result, ax=None, *, mark: bool = True) -> Figure:
    """Burden at each site over time (log axis), with the therapy lines and
    local therapies: where the drug reaches, and where it does not."""
    fig, ax = _new_axes(ax)
    model_sites = list(result.config.sites)
    by_site = result.site_burden()
    for i, site in enumerate(model_sites):
        y = by_site[:, i].astype(float)
        if not y.any():
            continue
        y[y == 0] = np.nan
        ax.plot(result.times, y, lw=2, label=site, color=OKABE_ITO[(i + 5) % len(OKABE_ITO)],
                ls=_STYLES[i % len(_STYLES)])
    ax.set_yscale("log")
    ax.axhline(result.config.clinic.site_detection_cells, color="0.3", ls=":", lw=1.2)
    ax.annotate("a site is seen on a scan", (0, result.config.clinic.site_detection_cells),
                xycoords=("axes fraction", "data"), xytext=(4, 3), textcoords="offset points",
                fontsize=8, color="0.3")
    _shade_lines(ax, result)
    ax.set_ylim(bottom=0.5)
    ax.set_xlabel("time (days)")
    ax.set_ylabel("cells at the site")
    ax.set_title(f"{result.config.title or 'clonesim'}: burden by site", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False, bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.25)
    if mark:
        _mark(fig)
    return fig


def save_figure(fig: Figure, path: str | Path, result_or_config=None, seed=None,
                dpi: int = 150) -> Path:
    """Save a figure with provenance (version, config hash, seed) in its metadata.

    PNG gets text chunks, PDF the Keywords/Subject fields, SVG a ``<metadata>``
    description; in each the same ``key=value`` pairs.
    """
    path = Path(path)
    meta = {}
    if result_or_config is not None:
        cfg = getattr(result_or_config, "config", result_or_config)
        s = getattr(result_or_config, "seed", seed)
        meta = provenance(cfg, s)
    text = "; ".join(f"{k}={v}" for k, v in meta.items()) or TEACHING_NOTE
    fmt = path.suffix.lstrip(".").lower()
    if fmt == "png":
        md = {"Software": "clonesim", "Description": text}
        md.update({k: v for k, v in meta.items()})
    elif fmt == "pdf":
        md = {"Creator": "clonesim", "Subject": TEACHING_NOTE, "Keywords": text}
    elif fmt == "svg":
        md = {"Creator": "clonesim", "Description": text}
    else:
        raise ValueError(f"unsupported figure format {fmt!r}: use png, svg or pdf")
    fig.savefig(path, dpi=dpi, metadata=md)
    return path




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
    from .config import ConfigError
    from .sweeps import metric_label, summarise_sweep

    if kind not in ("auto", "curves", "heatmap"):
        raise ConfigError(f"--kind {kind!r}: must be 'auto', 'curves' or 'heatmap'")
    if y is not None and y == x:
        raise ConfigError(f"--y {y}: must differ from --x")
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
    fig, ax = _new_axes(ax, figsize=(8, 5))
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
            colour = _GENOTYPE_COLOURS[i % len(_GENOTYPE_COLOURS)] if y is not None else "#0072B2"
            name = None if y is None else f"{y} = {_fmt(yv)}"
            if on_grid:
                ax.plot(g[x], g["value"], color=colour, ls=_STYLES[i % len(_STYLES)], lw=2,
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
            ax.legend(fontsize=8, frameon=False, loc="best")
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
        _mark(fig)
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
