"""A gallery of named, lecture-ready figures, each built from simulations
with fixed seeds, so the same command always draws the same picture.

>>> from clonesim import gallery                               # doctest: +SKIP
>>> fig = gallery.figure("recurrence", style="lecture")       # doctest: +SKIP
>>> gallery.save(fig, "recurrence.svg")                       # doctest: +SKIP

``clonesim figure --list`` names them; ``clonesim figure NAME`` draws one.
Every figure carries the small "teaching simulation, not for clinical use"
mark unless ``mark=False``; :func:`save` stores the provenance (package
version, config hash, seed) in the file. The same cell type has the same
colour in every figure (:func:`clonesim.plots.type_style`).

Each figure keeps its compute small (a few seconds at most); ``n`` sets the
number of simulated tumours or patients where there are many.
Teaching model, not for clinical use.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from matplotlib.figure import Figure

from . import plots
from .config import Config, ConfigError, arm_config, load_config
from .provenance import TEACHING_NOTE, provenance
from .runners import simulate, simulate_cohort, simulate_many
from .theory import expected_mutations

__all__ = ["FIGURES", "STYLES", "figure", "save", "animate", "ffmpeg_path", "find_config",
           "apply_style",
           "fluctuation_data", "no_resistance_data", "sweep_data", "recurrence", "muller",
           "fluctuation", "no_resistance", "survival", "arms", "sites", "sweep"]

#: Figure styles: final size (inches), how much to scale text and lines.
STYLES = {
    "lecture": {"size": (13.333, 7.5), "font_scale": 1.75, "line_scale": 1.6},
    "paper": {"size": (7.2, 4.3), "font_scale": 1.0, "line_scale": 1.0},
}


# -- finding scenarios ----------------------------------------------------------


def find_config(name: str) -> Path:
    """The path of a scenario shipped in ``configs/``, by file stem or path.

    Looks in ``$CLONESIM_CONFIGS``, then the scenarios installed with the
    package (a wheel carries ``configs/`` as ``clonesim/scenarios/``), then
    the ``configs/`` folder next to the package (a source checkout or an
    editable install), then ``./configs`` and ``../configs``.

    Parameters
    ----------
    name
        ``"classic_98_2"``, ``"classic_98_2.toml"`` or a path to a file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigError
        If no such file is found (the message lists where it looked).
    """
    direct = Path(name)
    if direct.suffix == ".toml" and direct.is_file():
        return direct
    stem = direct.name if direct.suffix == ".toml" else f"{direct.name}.toml"
    places = _places()
    for place in places:
        if (place / stem).is_file():
            return place / stem
    raise ConfigError(f"no scenario {stem!r} found in " + ", ".join(str(p) for p in places)
                      + "; set CLONESIM_CONFIGS to the folder that holds the configs")


def _places() -> list[Path]:
    """Where :func:`find_config` looks, in order."""
    here = Path(__file__).resolve().parent
    env = [Path(os.environ["CLONESIM_CONFIGS"])] if os.environ.get("CLONESIM_CONFIGS") else []
    return env + [here / "scenarios", here.parent / "configs", Path("configs"),
                  Path("..") / "configs"]


def _load(config) -> Config:
    if isinstance(config, Config):
        return config
    return load_config(find_config(str(config)))


def _tag(fig: Figure, name: str, config: Config, seed) -> Figure:
    """Remember what drew a figure, so :func:`save` can write its provenance."""
    fig.clonesim = {"name": name, "config": config, "seed": seed}
    return fig


def _one_patient(plot, name: str, config, seed: int, mark: bool) -> Figure:
    """A figure of one simulated patient, tagged with its provenance."""
    cfg = _load(config)
    result = simulate(cfg, seed=seed)
    return _tag(plot(result, mark=mark), name, cfg, result.seed)


# -- the figures ----------------------------------------------------------------


def recurrence(*, seed: int = 3, config="classic_98_2", mark: bool = True) -> Figure:
    """Burden of one virtual patient over time (log axis), by cell type, with
    the detection threshold and the therapy lines shaded: the 98% and the 2%.

    Parameters
    ----------
    seed
        The patient.
    config
        A scenario name in ``configs/``, a path, or a :class:`Config`.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one_patient(plots.plot_burden, "recurrence", config, seed, mark)


def muller(*, seed: int = 3, config="classic_98_2", mark: bool = True) -> Figure:
    """A Muller plot of one virtual patient: who makes up the tumour over
    time, each resistant clone drawn inside the clone it arose from.

    The fractions drawn are :func:`clonesim.plots.muller_fractions` of the
    same patient; they sum to 1 at every time.

    Parameters
    ----------
    seed, config, mark
        As in :func:`recurrence`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one_patient(plots.plot_muller, "muller", config, seed, mark)


#: The fluctuation experiment: pure growth from N0 cells to N_FINAL (as in
#: tests/verification/test_luria_delbruck.py, with a smaller final size).
LD_N0, LD_FINAL, LD_U = 100, 1e6, 1e-6


def fluctuation_config(n0: int = LD_N0, final_cells: float = LD_FINAL,
                       u: float = LD_U) -> Config:
    """The scenario of the fluctuation experiment: one drug never given,
    sensitive cells that divide once a day and never die, grown from ``n0``
    to ``final_cells`` (detection is out of reach, so every tumour grows
    for the same time, ln(final_cells / n0) days)."""
    return Config.from_dict({
        "title": "Fluctuation test on tumours",
        "mutation_rate": u,
        "tumour": {"initial_cells": n0, "birth_rate": 1.0, "death_rate": 0.0,
                   "condition_on_detection": False},
        "drugs": {"A": {"kill_fraction": 0.98}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": 1e14, "lethal_cells": 1e15},
        "simulation": {"horizon_days": math.log(final_cells / n0),
                       "record_interval_days": math.log(final_cells / n0)},
    }, source="<gallery: fluctuation>")


def fluctuation_data(n: int = 2000, seed: int = 1943, n0: int = LD_N0,
                     final_cells: float = LD_FINAL, u: float = LD_U
                     ) -> tuple[np.ndarray, float, Config]:
    """Grow ``n`` tumours side by side and count their resistant cells.

    Parameters
    ----------
    n
        Tumours.
    seed
        Root seed (tumour k uses child k).
    n0, final_cells, u
        Start size, final size (cells) and per-division resistance probability.

    Returns
    -------
    resistant : ndarray, shape (n,)
        Resistant cells in each tumour at the end.
    m : float
        Expected resistance mutations per tumour (the Luria-Delbrück parameter).
    config : Config
        The scenario that was run.
    """
    cfg = fluctuation_config(n0, final_cells, u)
    results = simulate_many(cfg, n, seed=seed)
    resistant = np.array([sum(int(c) for ty, c in zip(r.type_ids, r.counts[-1]) if int(ty) & 1)
                          for r in results], dtype=np.int64)
    return resistant, expected_mutations(u, n0, final_cells), cfg


def fluctuation(*, n: int = 2000, seed: int = 1943, mark: bool = True) -> Figure:
    """Luria and Delbrück's fluctuation test re-enacted on tumours: the
    histogram of resistant cells over ``n`` tumours, none of them treated,
    with the theoretical law (Ma-Sandri-Sarkar recursion) drawn over it.

    Parameters
    ----------
    n
        Tumours simulated.
    seed
        Root seed.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    resistant, m, cfg = fluctuation_data(n, seed)
    fig = plots.plot_fluctuation(resistant, m, mark=mark)
    return _tag(fig, "fluctuation", cfg, seed)


NR_U, NR_BIRTH = 1e-4, 1.0


def no_resistance_config(death_rate: float, top_size: float, u: float = NR_U,
                         birth: float = NR_BIRTH) -> Config:
    """The scenario of the Goldie-Coldman experiment: one sensitive cell,
    grown (with or without cell death) until it is detected at ``top_size``
    cells; the trajectory is recorded finely enough to read the resistant
    cells at each smaller size on the way."""
    r = birth - death_rate
    return Config.from_dict({
        "title": "Goldie-Coldman: a resistant cell or none",
        "mutation_rate": u,
        "tumour": {"initial_cells": 1, "birth_rate": birth, "death_rate": death_rate,
                   "condition_on_detection": True},
        "drugs": {"A": {"kill_fraction": 0.0}},
        "therapy": {"lines": ["A"]},
        "clinic": {"detection_cells": top_size, "lethal_cells": 10 * top_size,
                   "scan_interval_days": 1.0},
        "simulation": {"horizon_days": 60.0 / r + 200.0, "record_interval_days": 0.02 / r},
    }, source=f"<gallery: no_resistance, death_rate={death_rate:g}>")


def no_resistance_data(n: int = 300, seed: int = 1979, sizes=None,
                       death_rates=(0.0, 0.5), u: float = NR_U, birth: float = NR_BIRTH):
    """Grow ``n`` tumours from one cell per death rate and record, at each
    size of ``sizes``, whether a resistant cell exists yet.

    Each tumour is looked at the first time its recorded burden reaches a
    size (so a little above it); the table holds the mean size seen.

    Parameters
    ----------
    n
        Tumours per death rate.
    seed
        Root seed.
    sizes
        Sizes (cells) to look at; default 10 sizes from 30 to 1e5.
    death_rates
        Death rates (per day) to compare; 0 is Goldie-Coldman's pure growth.
    u, birth
        Per-division resistance probability and division rate.

    Returns
    -------
    pandas.DataFrame
        Columns ``death_rate``, ``size``, ``tumours``, ``no_resistant``.
    """
    import pandas as pd

    sizes = np.geomspace(30, 1e5, 10) if sizes is None else np.asarray(sizes, float)
    rows = []
    for d in death_rates:
        cfg = no_resistance_config(d, float(sizes.max()), u, birth)
        for_size = {float(s): [] for s in sizes}
        none = {float(s): 0 for s in sizes}
        for r in simulate_many(cfg, n, seed=seed):
            burden = r.burden
            resistant = r.counts[:, (r.type_ids.astype(np.int64) & 1) == 1].sum(axis=1)
            for s in sizes:
                i = int(np.argmax(burden >= s))
                if burden[i] < s:  # pragma: no cover - detection guarantees the top size
                    continue
                for_size[float(s)].append(burden[i])
                none[float(s)] += int(resistant[i] == 0)
        for s in sizes:
            seen = for_size[float(s)]
            rows.append({"death_rate": d, "size": float(np.mean(seen)), "tumours": len(seen),
                         "no_resistant": none[float(s)]})
    return pd.DataFrame(rows)


def no_resistance(*, n: int = 300, seed: int = 1979, mark: bool = True) -> Figure:
    """P(no resistant cell) against tumour size: simulated tumours with 95%
    binomial intervals, and the Goldie-Coldman (no death) and
    Iwasa-Nowak-Michor (with death) curves.

    Parameters
    ----------
    n
        Tumours per curve.
    seed
        Root seed.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = no_resistance_data(n, seed)
    fig = plots.plot_no_resistance(table, NR_U, NR_BIRTH, mark=mark)
    return _tag(fig, "no_resistance", no_resistance_config(0.5, 1e5), seed)


def survival(*, n: int = 200, seed: int = 1, config="refractory_cohort",
             mark: bool = True) -> Figure:
    """Kaplan-Meier curves of a virtual cohort: overall survival and
    progression-free survival per line, with the refractory share.

    Parameters
    ----------
    n
        Patients.
    seed
        Root seed.
    config
        A scenario name, path or :class:`Config`.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = _load(config)
    cohort = simulate_cohort(cfg, n, seed=seed)
    return _tag(plots.plot_survival(cohort, lines=2, mark=mark), "survival", cfg, seed)


def arms(*, n: int = 150, seed: int = 1, config="combination_vs_sequence",
         mark: bool = True) -> Figure:
    """Two treatment arms on the same virtual patients (Kaplan-Meier, overall
    and progression-free survival): combination versus sequence by default.

    Parameters
    ----------
    n
        Patients per arm.
    seed
        Root seed (the same patients in every arm).
    config
        A scenario with ``[cohort.arms]``.
    mark
        Add the "teaching simulation, not for clinical use" mark.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = _load(config)
    if not cfg.cohort.arms:
        raise ConfigError(f"{cfg.source}: has no [cohort.arms] to compare")
    cohorts = {arm: simulate_cohort(arm_config(cfg, arm), n, seed=seed) for arm in cfg.cohort.arms}
    return _tag(plots.plot_arms(cohorts, mark=mark), "arms", cfg, seed)


def sites(*, seed: int = 2, config="her2_brain_sanctuary", mark: bool = True) -> Figure:
    """Burden at each site of one patient: the brain as a sanctuary that the
    anti-HER2 antibody barely reaches.

    Parameters
    ----------
    seed, config, mark
        As in :func:`recurrence`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _one_patient(plots.plot_sites, "sites", config, seed, mark)


SWEEP_KILL = (0.5, 0.8, 0.9, 0.98, 0.999)
SWEEP_U = (1e-9, 1e-8, 1e-7, 1e-6, 1e-5)


def sweep_data(n: int = 6, seed: int = 1, config="classic_98_2", kill=SWEEP_KILL,
               mutation=SWEEP_U):
    """Median days from detection to death over a grid of kill fraction (every
    pulsed drug) and mutation rate, ``n`` patients per cell; a cured patient
    counts as alive to the end of follow-up.

    Parameters
    ----------
    n
        Patients per grid cell.
    seed
        Root seed (the same seeds in every cell).
    config
        The scenario swept.
    kill, mutation
        The grid.

    Returns
    -------
    pandas.DataFrame
        Columns ``kill_fraction``, ``mutation_rate``, ``median_survival_days``,
        ``cured``.
    """
    import pandas as pd

    cfg = _load(config)
    rows = []
    for k in kill:
        for u in mutation:
            changes = {"mutation_rate": u}
            changes.update({f"drugs.{d}.kill_fraction": k for d, drug in cfg.drugs.items()
                            if drug.kill == "pulsed"})
            many = simulate_many(cfg.update(changes), n, seed=seed)
            # a cured patient lives to the end of follow-up (its run stops at the cure)
            days = [cfg.simulation.horizon_days - r.detection_time if r.cured
                    else r.survival_days for r in many]
            rows.append({"kill_fraction": k, "mutation_rate": u,
                         "median_survival_days": float(np.median(days)),
                         "cured": sum(r.cured for r in many)})
    return pd.DataFrame(rows)


def sweep(*, n: int = 6, seed: int = 1, config="classic_98_2", mark: bool = True) -> Figure:
    """A sweep heatmap: median days from detection to death, by kill fraction
    per dose and mutation rate (``n`` patients per cell).

    Parameters
    ----------
    n
        Patients per cell of the grid.
    seed, config, mark
        As in :func:`survival`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    cfg = _load(config)
    table = sweep_data(n, seed, cfg)
    fig = plots.plot_sweep_heatmap(table, "kill_fraction", "mutation_rate", "median_survival_days",
                           mark=mark, xlabel="fraction of susceptible cells killed per dose",
                           ylabel="mutation rate (per division, per drug)",
                           value_label="median days from detection to death",
                           title=f"{cfg.title}: survival by kill fraction and mutation rate "
                                 f"({n} patients per cell)")
    return _tag(fig, "sweep", cfg, seed)


@dataclass(frozen=True)
class GalleryFigure:
    """One entry of the gallery: how to draw it and what it shows."""

    build: Callable[..., Figure]
    about: str
    animated: bool  # has a time axis in days that an animation can unfold
    sized: bool  # takes ``n`` (many tumours or patients)


FIGURES: dict[str, GalleryFigure] = {
    "recurrence": GalleryFigure(recurrence, "one patient's burden by cell type, log axis, "
                                "detection threshold, therapy lines (classic_98_2)", True, False),
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


# -- styles, saving, animation --------------------------------------------------


def apply_style(fig: Figure, style: str = "lecture") -> Figure:
    """Resize a figure and scale its text and lines for a slide or a page.

    The plots are drawn for a 10-point base; ``"lecture"`` makes a 16:9
    figure with text about 1.75 times larger and thicker lines, readable from
    the back of a lecture hall; ``"paper"`` a 7.2-inch-wide figure at the
    base sizes.

    Parameters
    ----------
    fig
        A figure from this module or :mod:`clonesim.plots`.
    style
        ``"lecture"`` or ``"paper"``.

    Returns
    -------
    matplotlib.figure.Figure
        The same figure, changed in place.
    """
    import matplotlib as mpl
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
    spec = STYLES[style]
    fs, ls = spec["font_scale"], spec["line_scale"]
    fig.set_size_inches(*spec["size"])
    if fs != 1.0:
        for text in fig.findobj(Text):
            text.set_fontsize(text.get_fontsize() * fs)
    base = mpl.font_manager.FontProperties(size=mpl.rcParams["xtick.labelsize"]).get_size()
    for ax in fig.axes:
        ax.tick_params(labelsize=base * fs, width=0.8 * ls, length=3.5 * ls)
        ax.tick_params(which="minor", width=0.6 * ls, length=2 * ls)
        for spine in ax.spines.values():
            spine.set_linewidth(0.8 * ls)
    _room_for_mark(fig)
    if ls != 1.0:
        for line in fig.findobj(Line2D):
            line.set_linewidth(line.get_linewidth() * ls)
            line.set_markersize(line.get_markersize() * math.sqrt(ls))
        for coll in fig.findobj(LineCollection):
            coll.set_linewidths(np.asarray(coll.get_linewidths()) * ls)
    return fig


def _room_for_mark(fig: Figure) -> None:
    """Keep a strip at the bottom for the teaching mark, so that the layout
    engine does not put an axis label under it."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    marks = [t for t in fig.texts if t.get_text() == TEACHING_NOTE]
    engine = fig.get_layout_engine()
    if not marks or not isinstance(engine, ConstrainedLayoutEngine):
        return
    height_pt = fig.get_size_inches()[1] * 72
    strip = 1.5 * max(t.get_fontsize() for t in marks) / height_pt
    engine.set(rect=(0, strip, 1, 1 - strip))


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


def _metadata_text(fig: Figure) -> str:
    info = getattr(fig, "clonesim", None)
    if not info:
        return TEACHING_NOTE
    meta = {"figure": info["name"], **provenance(info["config"], info["seed"])}
    return "; ".join(f"{k}={v}" for k, v in meta.items())


def save(fig: Figure, path, dpi: int = 150) -> Path:
    """Save a gallery figure (png, svg or pdf) with its provenance in the
    file's metadata (:func:`clonesim.plots.save_figure`).

    Parameters
    ----------
    fig
        A figure from :func:`figure`.
    path
        File name; the suffix chooses the format.
    dpi
        Resolution of raster output.

    Returns
    -------
    pathlib.Path
    """
    info = getattr(fig, "clonesim", None) or {}
    return plots.save_figure(fig, path, info.get("config"), info.get("seed"), dpi=dpi)


MP4_HELP = ("MP4 animations need ffmpeg, and none was found: neither the imageio-ffmpeg "
            "package, which ships an ffmpeg binary (pip install \"clonesim[video]\"), nor an "
            "ffmpeg program on the PATH. GIF animations (--format gif, or a .gif file name) "
            "need no ffmpeg.")


def ffmpeg_path() -> str:
    """The ffmpeg program that MP4 animations use.

    imageio-ffmpeg's own binary when that package is installed (``pip install
    "clonesim[video]"``; it also honours ``IMAGEIO_FFMPEG_EXE`` and falls
    back to a system ffmpeg), otherwise an ``ffmpeg`` on the PATH: so a pip
    install is all a student's laptop or a hosted Jupyter needs.

    Returns
    -------
    str
        The program's path.

    Raises
    ------
    RuntimeError
        If neither is found (:data:`MP4_HELP` says what to do).
    """
    import shutil

    try:
        import imageio_ffmpeg
    except ImportError:
        found = shutil.which("ffmpeg")
    else:
        try:
            found = imageio_ffmpeg.get_ffmpeg_exe()
        except RuntimeError:  # no binary for this platform and none on the system
            found = None
    if not found:
        raise RuntimeError(MP4_HELP)
    return found


class _PillowWithComment:
    """Factory for a PillowWriter that stores the provenance as the GIF comment."""

    @staticmethod
    def make(fps: int, comment: str):
        from matplotlib.animation import PillowWriter

        class Writer(PillowWriter):
            def finish(self):
                self._frames[0].save(self.outfile, save_all=True,
                                     append_images=self._frames[1:],
                                     duration=int(1000 / self.fps), loop=0,
                                     comment=comment.encode("utf-8"))

        return Writer(fps=fps)


def animate(fig: Figure, path, *, frames: int = 40, fps: int = 8, dpi: int = 72) -> Path:
    """Save an animation of a figure with a time axis in days unfolding from
    left to right (GIF with pillow; MP4 with ffmpeg, see :func:`ffmpeg_path`).

    Each frame hides what lies to the right of "now" and draws a cursor with
    the day, so the burden and the clone composition appear as they happen.

    Parameters
    ----------
    fig
        A figure whose axes share a time axis in days (``recurrence``,
        ``muller``, ``sites``, ``survival``, ``arms``).
    path
        ``.gif`` or ``.mp4``.
    frames, fps, dpi
        Frames, frames per second, resolution.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    RuntimeError
        For ``.mp4`` when no ffmpeg is found (:func:`ffmpeg_path`).
    """
    import matplotlib as mpl
    from matplotlib.patches import Rectangle

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    comment = _metadata_text(fig)
    rc = {}
    if fmt == "gif":
        writer = _PillowWithComment.make(fps, comment)
    elif fmt == "mp4":
        from matplotlib.animation import FFMpegWriter

        rc["animation.ffmpeg_path"] = ffmpeg_path()
        writer = FFMpegWriter(fps=fps, metadata={"comment": comment})
    else:
        raise ValueError(f"animation format must be gif or mp4, not {fmt!r}")
    axes = [ax for ax in fig.axes if "days" in ax.get_xlabel() or ax.get_shared_x_axes()
            .get_siblings(ax) != [ax]]
    axes = [ax for ax in axes if ax.get_label() != "<colorbar>"]
    if not axes:
        raise ValueError("this figure has no time axis in days to unfold")
    # Lay the figure out once: the frames differ only inside the axes, and a
    # layout pass per frame would triple the time to write the animation.
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    lo = min(ax.get_xlim()[0] for ax in axes)
    hi = max(ax.get_xlim()[1] for ax in axes)
    covers, cursors = [], []
    for ax in axes:
        x0, x1 = ax.get_xlim()
        rect = Rectangle((x0, 0), x1 - x0, 1, transform=ax.get_xaxis_transform(),
                         facecolor=ax.get_facecolor(), edgecolor="none", zorder=4.5)
        ax.add_patch(rect)
        covers.append((ax, rect))
        cursors.append(ax.axvline(x0, color="0.2", lw=1.5, zorder=4.6))
    # bottom right: the teaching mark sits bottom left
    clock = fig.text(0.99, 0.01, "", ha="right", va="bottom",
                     fontsize=10 * (fig.get_size_inches()[0] / 9) ** 0.5, color="0.2")
    with mpl.rc_context(rc), writer.saving(fig, str(path), dpi):
        for now in np.linspace(lo, hi, frames):
            for ax, rect in covers:
                x1 = ax.get_xlim()[1]
                rect.set_x(now)
                rect.set_width(max(x1 - now, 0))
            for cursor in cursors:
                cursor.set_xdata([now, now])
            clock.set_text(f"day {now:.0f}")
            writer.grab_frame()
    return path
