"""Command line: ``clonesim run``, ``cohort``, ``sweep``, ``merge``, ``plot-sweep``,
``figure``, ``validate``, ``present``. No model logic here."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from .config import (MISSING, ConfigError, Verbatim, arm_config, file_words, load_config,
                     parse_assignment, toml_text)
from .provenance import TEACHING_NOTE, version
from .runners import seed_sequence, simulate, simulate_cohort
from .sweeps import (load_sweep_file, merge_sweeps, parse_shard, plan_sweep, read_sweep,
                     run_sweep)
from .sweeps.store import resume_defaults

# plots and gallery are imported by the commands that draw: they load
# matplotlib (about half a second), which validate, sweep and merge never need.

__all__ = ["main", "flag", "flag_words", "error_text"]

#: The flags (or positional arguments) that name a parameter of the Python API
#: otherwise than "--" + its name with "-" for "_" (--chunk-size for chunk_size).
FLAGS = {"axes": "--grid", "fmt": "--format", "folders": "FOLDER"}


def flag(param: str) -> str:
    """The command line's name for a parameter of the Python API: ``--grid`` for ``axes``."""
    return FLAGS.get(param, "--" + param.replace("_", "-"))


def flag_words(param: str, value: Any = MISSING) -> str:
    """A parameter as the command line writes it: ``--replicates 0``, ``--overwrite``
    (for ``True``), ``--seed N``; a value as it is typed in a shell."""
    name = flag(param)
    if value is MISSING or value is True:
        return name
    text = value if isinstance(value, Verbatim) else shlex.quote(str(value))
    return f"{name} {text}" if name.startswith("-") else text


def error_text(exc: ConfigError, words=flag_words) -> str:
    """An error as the command line says it: the library's errors about a
    parameter name its flag (``--replicates 0: ...``); an error about a sweep
    file (``exc.source``) names the file and the key as the file writes it."""
    return exc.render() if exc.source else exc.render(words)


DESCRIPTION = f"""\
clonesim: how drug resistance wins, one virtual tumour at a time.

A drug kills 98% of a tumour; the resistant few survive, regrow, and the
next drug line meets a tumour made of survivors. clonesim simulates that
story cell by cell (stochastic, exact where it matters) so that it can be
taught, plotted and explored.

{TEACHING_NOTE.split(': ', 1)[1].upper()}: it teaches evolutionary ideas and
never predicts anything about a real patient or drug.
"""

RUN_EXAMPLES = """\
examples:
  clonesim run configs/classic_98_2.toml
  clonesim run configs/classic_98_2.toml --seed 7 --out my_run --format svg
  clonesim run configs/classic_98_2.toml --set drugs.A.kill_fraction=0.9 \\
      --set mutation_rate=1e-6
"""


TOP_EXAMPLES = """\
examples:
  clonesim validate configs/classic_98_2.toml
  clonesim run configs/classic_98_2.toml --seed 7
  clonesim run configs/classic_98_2.toml --set drugs.A.kill_fraction=0.9
  clonesim figure --list
  clonesim sweep configs/classic_98_2.toml --grid mutation_rate=1e-9:1e-5:9:log \\
      --replicates 100 --out runs/mu
  clonesim plot-sweep runs/mu --x mutation_rate --metric cured
  clonesim present 1            (a lesson's panel in a browser; needs clonesim[present])

Run 'clonesim COMMAND --help' for a command's options and more examples.
"""


COHORT_EXAMPLES = """\
examples:
  clonesim cohort configs/refractory_cohort.toml --n 1000 --seed 1
  clonesim cohort configs/receptor_switch.toml --n 300 --workers 2
  clonesim cohort configs/receptor_switch.toml --arm rebiopsy --n 300
"""


FIGURE_EXAMPLES = """\
examples:
  clonesim figure --list
  clonesim figure --all --out slides/
  clonesim figure recurrence --format svg --out fig/
  clonesim figure muller --style paper --format pdf
  clonesim figure recurrence --format gif
  clonesim figure fluctuation --n 5000 --seed 2 --dpi 200
"""


PRESENT_EXAMPLES = """\
examples:
  clonesim present                  the menu of lessons, in a browser tab
  clonesim present 7                lesson 7's panel
  clonesim present trial --port 8900 --no-browser

Needs Voila: python -m pip install "clonesim[present]" (in a copy of the
repository: python -m pip install -e ".[present]"). Serves on 127.0.0.1 only.
A teaching simulation, not for clinical use.
"""


SWEEP_EXAMPLES = """\
examples:
  clonesim sweep configs/classic_98_2.toml \\
      --grid drugs.A.kill_fraction=0.90:0.999:20 \\
      --grid mutation_rate=1e-9:1e-5:17:log \\
      --replicates 200 --out runs/kill_vs_mu --workers 2
  clonesim sweep configs/classic_98_2.toml --grid 'therapy.lines=[["A", "B"], ["A+B"]]' \\
      --grid clinic.detection_cells=1e8:1e10:5:log --replicates 100 --out runs/combo
  clonesim sweep configs/classic_98_2.toml --design lhs --points 64 \\
      --grid drugs.A.kill_fraction=0.9:0.999 --grid mutation_rate=1e-9:1e-5:log \\
      --replicates 50 --out runs/lhs
  clonesim sweep configs/sweeps/kill_vs_mutation.toml      (a sweep file)
  clonesim sweep configs/sweeps/kill_vs_mutation.toml --dask --workers 8
  clonesim sweep configs/sweeps/kill_vs_mutation.toml --scheduler tcp://head:8786
  clonesim sweep configs/sweeps/kill_vs_mutation.toml --seed 1 \
      --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT \
      --out runs/kvm/shard-$SLURM_ARRAY_TASK_ID        (one task of a job array)
  clonesim merge runs/kvm/shard-* --out runs/kvm/all

axes (--grid KEY=SPEC, KEY as for 'clonesim run --set'):
  lo:hi:n        n values evenly spaced from lo to hi
  lo:hi:n:log    n values evenly spaced in log (lo, hi > 0)
  [a, b, c]      a list (numbers, "strings", booleans or [lists])
  lo:hi, lo:hi:log   a range sampled by --design lhs|sobol --points N
Axes are crossed (every combination); a design's points are crossed with the
grid and list axes. Patient r of point p runs on SeedSequence(seed, (p, r)):
the table is the same for any --workers or --chunk-size, and after resumes.

output folder: manifest.json (written first), chunks/chunk-NNNNNN.csv
(each written whole, by atomic rename), results.csv when finished. Rerun the
same command to resume after an interruption (even kill -9); a finished sweep
is not run again; a different sweep into the same folder is refused unless
--overwrite. Read it back with clonesim.read_sweep(folder).

beyond one machine: --dask starts a local Dask cluster of --workers processes;
--scheduler tcp://HOST:8786 runs on an existing one (pip install
"clonesim[dist]"; the workers need the same clonesim). --shard K/N (K from 0)
runs chunks K, K+N, K+2N, ... into its own --out, needs --seed, and resumes
like a whole sweep; 'clonesim merge' joins the shards. The table is the same,
bit for bit, in every case. See docs/sweeps.md.

A teaching tool: these are virtual patients of a toy model, not for clinical use.
"""


PLOT_SWEEP_EXAMPLES = """\
examples:
  clonesim plot-sweep runs/kill_vs_mu --x drugs.A.kill_fraction --y mutation_rate
  clonesim plot-sweep runs/kill_vs_mu --x mutation_rate --metric lines_used
  clonesim plot-sweep runs/kill_vs_mu --x mutation_rate --y drugs.A.kill_fraction \\
      --kind curves --metric survival_days

Probabilities (cured, died, refractory) get Wilson 95% intervals
(scipy.stats.binomtest), means a normal-approximation interval. Other axes
are pooled. A teaching tool, not for clinical use.
"""


def _output_options(parser: argparse.ArgumentParser) -> None:
    """--out, --set and --format, as ``run`` and ``cohort`` share them."""
    parser.add_argument("--out", default="clonesim_out",
                        help="output folder (default: %(default)s)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change one config key, e.g. drugs.A.kill_fraction=0.95 "
                             "(repeatable)")
    parser.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                        help="figure format (default: %(default)s)")


def _positive(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _count(text: str) -> int:
    """argparse type for --replicates: a whole number (0 is refused later, clearly)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _seed(text: str) -> int:
    """argparse type for --seed: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative; give a whole number >= 0")
    return value


def _dpi(text: str) -> int:
    """argparse type for --dpi: 1 to 1200 (a 16:9 lecture figure at 1200 dpi is
    already some 150 megapixels)."""
    value = _positive(text)
    if value > 1200:
        raise argparse.ArgumentTypeError(f"{value} is above 1200; 150 suits a screen, 300 print")
    return value


def _port(text: str) -> int:
    """argparse type for --port: 1024 to 65535 (lower ports need root)."""
    value = _positive(text)
    if not 1024 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port from 1024 to 65535")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clonesim", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=TOP_EXAMPLES)
    p.add_argument("--version", action="version", version=f"clonesim {version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="simulate one virtual patient: print the story, write tables and a figure",
        description="Simulate one virtual patient of a scenario. Prints a short story, writes "
                    "the trajectory, the events and the lines as CSV tables and a figure of the "
                    "burden over time into --out. " + TEACHING_NOTE + ".",
        epilog=RUN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("config", help="scenario file (.toml), e.g. configs/classic_98_2.toml")
    run.add_argument("--seed", type=_seed, default=None,
                     help="random seed (default: fresh entropy, printed so you can repeat it)")
    _output_options(run)

    coh = sub.add_parser(
        "cohort", help="simulate a virtual cohort: survival curves, refractory fraction",
        description="Simulate a virtual cohort of a scenario (patients differ by the draws of "
                    "[cohort] vary). Prints a summary table (median survival with 95%% bands, "
                    "refractory fraction, lines used), writes one row per patient and a figure "
                    "of Kaplan-Meier curves. If the scenario defines [cohort.arms], every arm "
                    "runs on the same virtual patients (same seeds) and is compared. "
                    + TEACHING_NOTE + ".",
        epilog=COHORT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    coh.add_argument("config", help="scenario file (.toml)")
    coh.add_argument("--n", type=_positive, default=200, help="patients (default: %(default)s)")
    coh.add_argument("--seed", type=_seed, default=None, help="root seed (default: fresh)")
    coh.add_argument("--workers", type=int, default=0,
                     help="processes (default 0: one per core); results do not depend on it")
    coh.add_argument("--arm", default=None, help="run only this arm of [cohort.arms]")
    _output_options(coh)

    fig = sub.add_parser(
        "figure", help="draw a named lecture figure from the gallery (--list names them)",
        description="Draw one figure of the gallery: fixed seeds, so the same command always "
                    "draws the same picture. Saved files carry their provenance (version, "
                    "config hash, seed) in their metadata. " + TEACHING_NOTE + ".",
        epilog=FIGURE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    fig.add_argument("name", nargs="?", help="figure name (see --list)")
    fig.add_argument("--list", action="store_true", help="list the figures and what they show")
    fig.add_argument("--all", action="store_true",
                     help="draw every figure into --out, with captions.md (caption, alt text "
                          "and the command that redraws each)")
    fig.add_argument("--format", choices=("png", "svg", "pdf", "gif", "mp4"), default="png",
                     help="png, svg, pdf; gif (an animation, no ffmpeg needed) or mp4 (needs "
                          "ffmpeg: pip install 'clonesim[video]') for figures with a time axis "
                          "(default: %(default)s)")
    fig.add_argument("--dpi", type=_dpi, default=150,
                     help="resolution of png, gif and mp4 (default: %(default)s)")
    fig.add_argument("--style", choices=("lecture", "paper"), default="lecture",
                     help="lecture: 16:9, large text; paper: 7.2 in wide (default: %(default)s)")
    fig.add_argument("--out", default="fig", help="output folder (default: %(default)s)")
    fig.add_argument("--seed", type=_seed, default=None,
                     help="replace the figure's fixed seed")
    fig.add_argument("--n", type=_positive, default=None,
                     help="tumours or patients, for figures that simulate many")
    fig.add_argument("--no-mark", action="store_true",
                     help='leave out the small "not for clinical use" mark')
    sw = sub.add_parser(
        "sweep", help="a parameter sweep: many scenarios x many virtual patients, one table",
        description="Run a grid (or Latin-hypercube / Sobol design) of scenarios, --replicates "
                    "virtual patients each, into a resumable output folder: one row per (point, "
                    "replicate) with the parameters, the seed and the outcomes (cured, lines "
                    "used, time to progression per line, days to lethal burden, refractory, "
                    "final burden of sensitive and resistant cells). CONFIG is a scenario "
                    "(with --grid axes) or a sweep file (base = ..., [[axes]]). "
                    + TEACHING_NOTE + ".",
        epilog=SWEEP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sw.add_argument("config", help="scenario (.toml) or sweep file (.toml with base = ...)")
    sw.add_argument("--grid", action="append", default=[], metavar="KEY=SPEC",
                    help="an axis, e.g. drugs.A.kill_fraction=0.9:0.999:20 (repeatable)")
    sw.add_argument("--design", choices=("lhs", "sobol"), default=None,
                    help="sample the KEY=lo:hi axes by a Latin hypercube or a Sobol sequence")
    sw.add_argument("--points", type=_positive, default=None,
                    help="number of design points (with --design; Sobol likes powers of 2)")
    sw.add_argument("--replicates", type=_count, default=None,
                    help="virtual patients per point (required unless the sweep file sets it)")
    sw.add_argument("--out", default=None,
                    help="output folder (default: runs/NAME of the config file)")
    sw.add_argument("--workers", type=int, default=1,
                    help="processes, or Dask workers with --dask (0: one per core; default "
                         "%(default)s); the table does not depend on it")
    sw.add_argument("--seed", type=_seed, default=None,
                    help="root seed (default: fresh, recorded in the manifest and reused on "
                         "resume)")
    sw.add_argument("--chunk-size", type=_positive, default=None,
                    help="rows per chunk file (default: about 32 chunks, at most 200 rows)")
    sw.add_argument("--overwrite", action="store_true",
                    help="delete a different sweep already in --out and start again")
    sw.add_argument("--format", choices=("csv", "parquet"), default="csv",
                    help="merged results file (parquet needs pyarrow: clonesim[parquet])")
    sw.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="change a key of the base scenario (repeatable)")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument("--dask", action="store_true",
                    help="run on a local Dask cluster of --workers processes "
                         "(pip install 'clonesim[dist]')")
    sw.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="run on the Dask cluster at this address, e.g. tcp://head:8786 "
                         "(its workers; --workers is not used)")
    sw.add_argument("--shard", default=None, metavar="K/N",
                    help="run only shard K (0 .. N-1) of N into --out (default "
                         "runs/NAME/shard-K); needs --seed; join with clonesim merge")

    mg = sub.add_parser(
        "merge", help="join the shards of a sweep (clonesim sweep --shard K/N) into one",
        description="Join the output folders of 'clonesim sweep --shard K/N' into one sweep "
                    "folder, as a single run would have written it. Refuses folders of "
                    "different sweeps, unfinished shards, and chunks that are missing or "
                    "present twice. " + TEACHING_NOTE + ".",
        epilog="example:\n  clonesim merge runs/kvm/shard-* --out runs/kvm/all",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    mg.add_argument("folders", nargs="+", metavar="FOLDER", help="the shards' --out folders")
    mg.add_argument("--out", required=True, help="a new folder for the merged sweep")
    mg.add_argument("--format", choices=("csv", "parquet"), default=None,
                    help="merged results file (default: as the shards were run)")
    mg.add_argument("--overwrite", action="store_true",
                    help="replace a sweep already in --out")

    ps = sub.add_parser(
        "plot-sweep", help="draw a sweep: curves with confidence bands, or a heatmap",
        description="Draw one outcome of a finished (or partial) sweep against one or two of "
                    "its axes and save the figure into the sweep folder. "
                    + TEACHING_NOTE + ".",
        epilog=PLOT_SWEEP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    ps.add_argument("folder", help="the --out folder of clonesim sweep")
    ps.add_argument("--x", required=True, help="axis on the horizontal, e.g. mutation_rate")
    ps.add_argument("--y", default=None, help="a second axis: one curve per value, or a heatmap")
    ps.add_argument("--metric", default="cured",
                    help="cured, died, refractory, lines_used, survival_days, days_to_lethal, "
                         "ttp_line1_days, final_resistant, ... (default: %(default)s)")
    ps.add_argument("--kind", choices=("auto", "curves", "heatmap"), default="auto",
                    help="with --y: curves or heatmap (auto: heatmap above 5 y values)")
    ps.add_argument("--output", default=None,
                    help="figure file (default: FOLDER/sweep_METRIC.png)")

    pr = sub.add_parser(
        "present", help="show the lessons' panels in a browser, for a classroom screen",
        description="Serve each lesson's interactive panel as a web page on this machine "
                    "(Voila on 127.0.0.1): large labelled controls, figures at their own "
                    "resolution, no code, and a menu of the lessons. " + TEACHING_NOTE + ".",
        epilog=PRESENT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    pr.add_argument("lesson", nargs="?", default=None,
                    help="open this lesson: its number (7), its notebook's name, or a word "
                         "of its title (default: the menu)")
    pr.add_argument("--port", type=_port, default=8866, help="port (default: %(default)s)")
    pr.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    pr.add_argument("--notebooks", default=None, metavar="FOLDER",
                    help="the lesson notebooks (default: the repository's notebooks/)")

    val = sub.add_parser(
        "validate", help="check a scenario file and say what is wrong with it",
        description="Check a scenario file without running it. Every problem is reported with "
                    "the key, the value and what is allowed.",
        epilog="example:\n  clonesim validate configs/classic_98_2.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    val.add_argument("config", help="scenario file (.toml)")
    val.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="check with this key changed (repeatable)")
    return p


def _load(args):
    overrides = dict(parse_assignment(a) for a in args.set)
    return load_config(args.config, overrides)


def _cmd_validate(args) -> int:
    cfg = _load(args)
    lines = ", then ".join("+".join(line) for line in cfg.therapy.lines)
    print(f"{args.config}: OK: {len(cfg.drugs)} drug(s) ({', '.join(cfg.drugs)}); "
          f"lines: {lines}")
    return 0


def _cmd_run(args) -> int:
    cfg = _load(args)
    out = Path(args.out)
    _prepare_out(out)
    from .plots import plot_burden, save_figure

    result = simulate(cfg, seed=args.seed)
    print(result.summary())
    stem = Path(args.config).stem
    written = []
    for name, table in (("trajectory", result.to_dataframe()),
                        ("events", result.events_dataframe()),
                        ("lines", result.lines_dataframe())):
        path = out / f"{stem}_{name}.csv"
        table.to_csv(path, index=False)
        written.append(path)
    manifest = out / f"{stem}_provenance.json"
    manifest.write_text(json.dumps(result.provenance(), indent=2) + "\n", encoding="utf-8")
    written.append(manifest)
    fig = plot_burden(result)
    written.append(save_figure(fig, out / f"{stem}_burden.{args.format}", result))
    print("\nwrote " + ", ".join(str(p) for p in written))
    print(f"repeat with: clonesim run {args.config} --seed {result.seed}"
          + "".join(f" --set {a}" for a in args.set))
    return 0


def _prepare_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: is a file; give a folder to write results into")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out}: cannot create this folder ({exc.strerror})") from None


def _cmd_cohort(args) -> int:
    import pandas as pd

    from .plots import plot_arms, plot_survival, save_figure
    from .results import format_summary_table

    cfg = _load(args)
    out = Path(args.out)
    _prepare_out(out)
    _, seed = seed_sequence(args.seed)
    arms = [args.arm] if args.arm else list(cfg.cohort.arms) or [None]
    cohorts = {}
    for arm in arms:
        arm_cfg = arm_config(cfg, arm) if arm else cfg
        cohorts[arm] = simulate_cohort(arm_cfg, args.n, seed=seed, workers=args.workers)
    stem = Path(args.config).stem
    tables, written = [], []
    for arm, cohort in cohorts.items():
        title = f"arm: {arm}" if arm else (cfg.title or stem)
        print(f"{title}\n  {cohort.summary().replace(chr(10), chr(10) + '  ')}")
        print(format_summary_table(cohort.summary_table(), indent="  "))
        table = cohort.to_dataframe()
        table.insert(0, "arm", arm or "")
        tables.append(table)
    patients = out / f"{stem}_patients.csv"
    pd.concat(tables, ignore_index=True).to_csv(patients, index=False)
    written.append(patients)
    if len(cohorts) > 1:
        fig = plot_arms(cohorts)
    else:
        fig = plot_survival(next(iter(cohorts.values())))
    written.append(save_figure(fig, out / f"{stem}_survival.{args.format}", cfg, seed))
    print(f"\n{TEACHING_NOTE}.\nwrote " + ", ".join(str(p) for p in written))
    print(f"repeat with: clonesim cohort {args.config} --n {args.n} --seed {seed}"
          + (f" --arm {args.arm}" if args.arm else "") + "".join(f" --set {a}" for a in args.set))
    return 0


def _cmd_figure(args) -> int:
    from . import gallery

    if args.list:
        width = max(len(name) for name in gallery.FIGURES)
        for name, entry in gallery.FIGURES.items():
            extra = [x for x, on in (("gif, mp4", entry.animated), ("--n", entry.sized)) if on]
            print(f"{name:<{width}}  {entry.about}" + (f" [{', '.join(extra)}]" if extra else ""))
        return 0
    if args.all:
        return _figure_all(args)
    if not args.name:
        raise ConfigError("figure: give a figure name, --all, or --list to see them")
    if args.name not in gallery.FIGURES:
        import difflib

        hint = difflib.get_close_matches(args.name, list(gallery.FIGURES), n=1)
        raise ConfigError(f"figure: no figure named {args.name!r}"
                          + (f"; did you mean {hint[0]!r}?" if hint else "")
                          + "\n  choose one of " + ", ".join(gallery.FIGURES))
    entry = gallery.FIGURES[args.name]
    animated = args.format in ("gif", "mp4")
    if animated and not entry.animated:
        raise ConfigError(f"figure {args.name}: has no time axis to animate; use png, svg or "
                          "pdf (animated figures: " + ", ".join(
                              n for n, e in gallery.FIGURES.items() if e.animated) + ")")
    if args.format == "mp4":
        try:
            gallery.ffmpeg_path()  # before any simulation runs
        except RuntimeError as exc:
            raise ConfigError(f"figure {args.name}: {exc}") from None
    if args.n is not None and not entry.sized:
        raise ConfigError(f"figure {args.name}: draws one patient and takes no --n")
    out = Path(args.out)
    _prepare_out(out)
    fig = gallery.figure(args.name, style=args.style, mark=not args.no_mark, seed=args.seed,
                         n=args.n)
    path = out / f"{args.name}.{args.format}"
    if animated:
        try:
            gallery.animate(fig, path, dpi=min(args.dpi, 100))
        except RuntimeError as exc:
            raise ConfigError(f"figure {args.name}: {exc}") from None
    else:
        gallery.save(fig, path, dpi=args.dpi)
    info = fig.clonesim
    print(f"wrote {path} (seed {info['seed']}; {TEACHING_NOTE})")
    return 0


def _figure_all(args) -> int:
    """Every gallery figure into ``--out``, and ``captions.md`` beside them."""
    from . import gallery
    from .gallery.captions import captions_markdown

    if args.name:
        raise ConfigError("figure: give a figure name or --all, not both")
    if args.format in ("gif", "mp4") or args.n is not None or args.seed is not None:
        raise ConfigError("figure --all: draws each figure with its own seed and size as a "
                          "still image; --format png, svg or pdf, and no --n or --seed")
    out = Path(args.out)
    _prepare_out(out)
    entries = []
    for name in gallery.FIGURES:
        fig = gallery.figure(name, style=args.style, mark=not args.no_mark)
        path = gallery.save(fig, out / f"{name}.{args.format}", dpi=args.dpi)
        command = (f"clonesim figure {name} --seed {fig.clonesim['seed']} --style {args.style}"
                   f" --format {args.format}")
        entries.append((name, path.name, fig, command))
        print(f"wrote {path}")
    captions = out / "captions.md"
    captions.write_text(captions_markdown(entries) + "\n", encoding="utf-8")
    print(f"wrote {captions} ({len(entries)} figures; {TEACHING_NOTE})")
    return 0


def _cmd_present(args) -> int:
    from .present import serve

    return serve(args.lesson, port=args.port, open_browser=not args.no_browser,
                 notebooks=args.notebooks)


def _sweep_file_error(exc: ConfigError, path: Path, given: set[str],
                      file_axes: dict[str, int]) -> ConfigError:
    """An error of a sweep read from the sweep file ``path``, as the command line
    says it: what the file gave (the keys ``given``, the axes ``file_axes``:
    text -> entry) is named as the file writes it, and then the file first;
    everything else by its flag."""
    if exc.source or not exc.structured:
        return exc
    used = []

    def words(param: str, value: Any = MISSING) -> str:
        if param == "axes" and value is not MISSING:
            if not (isinstance(value, str) and value in file_axes):
                return flag_words(param, value)
            used.append(param)
            return f"axes[{file_axes[value]}] (key = {toml_text(value.split('=', 1)[0])})"
        if param not in given:
            return flag_words(param, value)
        used.append(param)
        return file_words(param, value)

    text = exc.render(words)
    return ConfigError(f"{path}: {text}" if used else text)


def _cmd_sweep(args, argv: list[str]) -> int:
    path = Path(args.config)
    spec = _read_sweep_file(path)
    given = {k for k in ("replicates", "seed", "design", "points", "chunk_size")
             if k in spec and getattr(args, k) is None}
    if spec and not args.grid:
        given.add("axes")
    file_axes = {a.text: i for i, a in enumerate(spec.get("axes", []))}
    try:
        return _sweep(args, argv, path, spec)
    except ConfigError as exc:
        if not spec:
            raise
        raise _sweep_file_error(exc, path, given, file_axes) from None


def _read_sweep_file(path: Path) -> dict:
    """The sweep file CONFIG (see :func:`load_sweep_file`), or {} for a scenario."""
    if path.suffix == ".toml" and path.is_file():
        import tomllib

        try:
            is_sweep_file = "base" in tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            is_sweep_file = False  # load_config says what is wrong
        if is_sweep_file:
            return load_sweep_file(path)
    return {}


def _sweep(args, argv: list[str], path: Path, spec: dict) -> int:
    import time

    if spec:
        cfg = spec["config"]
        if args.set:
            cfg = cfg.update(dict(parse_assignment(a) for a in args.set))
        axes = spec["axes"] + list(args.grid)
    else:
        cfg = _load(args)
        axes = list(args.grid)
    replicates = args.replicates if args.replicates is not None else spec.get("replicates")
    if replicates is None:
        raise ConfigError(param="replicates", value=MISSING,
                          allowed="give the virtual patients per point, e.g. {replicates=200}"
                                  + (" (or replicates = 200 in the sweep file)" if spec else ""))
    shard = parse_shard(args.shard)
    out = Path(args.out) if args.out else Path("runs") / path.stem / (
        f"shard-{shard[0]}" if shard else "")
    seed = args.seed if args.seed is not None else spec.get("seed")
    chunk = args.chunk_size if args.chunk_size is not None else spec.get("chunk_size")
    seed, chunk = resume_defaults(out, args.overwrite, seed, chunk)
    plan = plan_sweep(cfg, axes, replicates, seed,
                      design=args.design or spec.get("design"),
                      points=args.points if args.points is not None else spec.get("points"),
                      chunk_size=chunk, shards=shard[1] if shard else 1)
    command = "clonesim " + shlex.join(argv)
    print(f"{len(plan.points)} points x {plan.replicates} replicates = {plan.rows} virtual "
          f"patients in {plan.n_chunks} chunks of {plan.chunk_size}; seed {plan.seed}; -> {out}")
    if shard:
        mine = plan.shard_chunks(shard)
        print(f"  shard {shard[0]}/{shard[1]}: {len(mine)} of the chunks "
              f"({sum(b - a for a, b in map(plan.chunk_bounds, mine))} patients)")
    for a in plan.axes:
        vals = (f"{len(a.values)} values, {toml_text(a.values[0])} .. {toml_text(a.values[-1])}"
                if a.values else f"{plan.design} over [{toml_text(a.lo)}, {toml_text(a.hi)}]"
                + (" (log)" if a.log else ""))
        print(f"  {a.key}: {vals}")
    t0 = time.perf_counter()
    had = 0
    if (out / "manifest.json").exists() and not args.overwrite:
        try:
            had = len(read_sweep(out))
        except ConfigError:
            had = 0  # run_sweep says what is wrong with the folder
    table = run_sweep(plan, out, workers=args.workers, overwrite=args.overwrite,
                      progress=not args.no_progress, command=command, fmt=args.format,
                      shard=shard, dask=args.dask, scheduler=args.scheduler)
    dt = time.perf_counter() - t0
    if had == len(table):
        print(f"nothing to do: the {'shard' if shard else 'sweep'} in {out} is already "
              f"complete ({len(table)} rows)")
    else:
        ran = len(table) - had
        print(f"done: {ran} virtual patients in {dt:.1f} s ({ran / max(dt, 1e-9):.1f} patients/s)"
              + (f"; {had} rows were already there" if had else ""))
    again = argv if args.seed is not None else [*argv, "--seed", str(plan.seed)]
    if shard:
        print(f"wrote {out / 'manifest.json'}, {out / 'chunks'}/ (shard {shard[0]}/{shard[1]})")
        folders = (f"{out.parent / 'shard-*'} --out {out.parent / 'all'}"
                   if out.name.startswith("shard-") else "FOLDER... --out MERGED")
        print(f"when every shard is done, join them with: clonesim merge {folders}")
        print("resume or repeat with: clonesim " + shlex.join(again))
        print(f"{TEACHING_NOTE}.")
        return 0
    results = out / ("results.parquet" if (out / "results.parquet").exists() else "results.csv")
    print(f"wrote {out / 'manifest.json'}, {out / 'chunks'}/, {results}")
    print(f"read it with: clonesim.read_sweep({str(out)!r}); draw it with: clonesim plot-sweep "
          f"{out} --x {plan.axes[0].key}" + (f" --y {plan.axes[1].key}" if len(plan.axes) > 1
                                              else ""))
    print("resume or repeat with: clonesim " + shlex.join(again))
    print(f"{TEACHING_NOTE}.")
    return 0


def _cmd_merge(args, argv: list[str]) -> int:
    table = merge_sweeps(args.folders, args.out, fmt=args.format, overwrite=args.overwrite,
                         command="clonesim " + shlex.join(argv))
    m = table.attrs["manifest"]
    results = Path(args.out) / ("results.parquet" if m["format"] == "parquet" else "results.csv")
    print(f"joined {len(args.folders)} folders: {len(table)} rows, every (point, replicate) "
          f"of the sweep once; wrote {results}")
    print(f"read it with: clonesim.read_sweep({args.out!r})")
    print(f"{TEACHING_NOTE}.")
    return 0


def _cmd_plot_sweep(args) -> int:
    from .plots import plot_sweep, save_figure

    table = read_sweep(args.folder)
    fig = plot_sweep(table, args.x, args.y, args.metric, kind=args.kind)
    out = Path(args.output) if args.output else Path(args.folder) / f"sweep_{args.metric}.png"
    if out.suffix.lstrip(".").lower() not in ("png", "svg", "pdf"):
        raise ConfigError(f"--output {out}: give a .png, .svg or .pdf file")
    m = table.attrs["manifest"]
    save_figure(fig, out)
    print(f"wrote {out}" + ("" if table.attrs["complete"] else
                            f" (partial sweep: {len(table)} of {m['rows']} rows)"))
    print(f"{TEACHING_NOTE}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "sweep":
            return _cmd_sweep(args, argv)
        if args.command == "merge":
            return _cmd_merge(args, argv)
        return {"run": _cmd_run, "validate": _cmd_validate, "cohort": _cmd_cohort,
                "figure": _cmd_figure, "plot-sweep": _cmd_plot_sweep,
                "present": _cmd_present}[args.command](args)
    except ConfigError as exc:
        print(f"error: {error_text(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file the command writes or reads (full disk, read-only, ...)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; nothing after it was written",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
