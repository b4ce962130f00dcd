"""Command line: ``clonesim run``, ``cohort``, ``figure``, ``validate``. No model logic here."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import ConfigError, load_config, parse_assignment
from .provenance import TEACHING_NOTE, version

__all__ = ["main"]

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
  clonesim figure recurrence --format svg --out fig/
  clonesim figure muller --style paper --format pdf
  clonesim figure recurrence --format gif
  clonesim figure fluctuation --n 5000 --seed 2 --dpi 200
"""


def _positive(text: str) -> int:
    """argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _seed(text: str) -> int:
    """argparse type for --seed: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative; give a whole number >= 0")
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
    run.add_argument("--out", default="clonesim_out", help="output folder (default: %(default)s)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="change one config key, e.g. drugs.A.kill_fraction=0.95 (repeatable)")
    run.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                     help="figure format (default: %(default)s)")

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
    coh.add_argument("--out", default="clonesim_out", help="output folder (default: %(default)s)")
    coh.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="change one config key (repeatable)")
    coh.add_argument("--format", choices=("png", "svg", "pdf"), default="png",
                     help="figure format (default: %(default)s)")

    fig = sub.add_parser(
        "figure", help="draw a named lecture figure from the gallery (--list names them)",
        description="Draw one figure of the gallery: fixed seeds, so the same command always "
                    "draws the same picture. Saved files carry their provenance (version, "
                    "config hash, seed) in their metadata. " + TEACHING_NOTE + ".",
        epilog=FIGURE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    fig.add_argument("name", nargs="?", help="figure name (see --list)")
    fig.add_argument("--list", action="store_true", help="list the figures and what they show")
    fig.add_argument("--format", choices=("png", "svg", "pdf", "gif", "mp4"), default="png",
                     help="png, svg, pdf; gif (an animation, no ffmpeg needed) or mp4 (needs "
                          "ffmpeg) for figures with a time axis (default: %(default)s)")
    fig.add_argument("--dpi", type=_positive, default=150,
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
    from .runners import simulate

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

    from .config import arm_config
    from .plots import plot_arms, plot_survival, save_figure
    from .runners import seed_sequence, simulate_cohort

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
        with pd.option_context("display.width", 120, "display.precision", 0):
            print("  " + cohort.summary_table().to_string(index=False).replace("\n", "\n  "))
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
            extra = [x for x, on in (("gif", entry.animated), ("--n", entry.sized)) if on]
            print(f"{name:<{width}}  {entry.about}" + (f" [{', '.join(extra)}]" if extra else ""))
        return 0
    if not args.name:
        raise ConfigError("figure: give a figure name, or --list to see them")
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
        import shutil

        if shutil.which("ffmpeg") is None:
            raise ConfigError(f"figure {args.name}: MP4 needs ffmpeg on the PATH; use --format "
                              "gif (no ffmpeg needed) or install ffmpeg")
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


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return {"run": _cmd_run, "validate": _cmd_validate,
                "cohort": _cmd_cohort, "figure": _cmd_figure}[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
