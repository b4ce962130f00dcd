"""The figure gallery: every figure renders to every format without a
warning, the Muller fractions sum to 1, saved files carry provenance, the
``clonesim figure`` command works, MP4s are real videos, the panel widget
redraws in place and the wheel carries the scenarios.
Teaching model, not for clinical use."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import clonesim
from clonesim import classroom, gallery, plots
from clonesim.cli import main
from clonesim.gallery import captions
from clonesim.provenance import TEACHING_NOTE

from .test_plots import legends_outside_data

# Small sizes keep the suite quick; each figure's own default is checked by
# rendering it in test_every_figure_renders_in_every_format for one format.
SMALL = {"fluctuation": 200, "no_resistance": 40, "survival": 20, "arms": 10, "sweep": 2}


@pytest.mark.parametrize("name", list(gallery.FIGURES))
def test_every_figure_renders_in_every_format(name, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = gallery.figure(name, style="paper", n=SMALL.get(name))
        assert fig.clonesim["name"] == name
        assert any(t.get_text() == TEACHING_NOTE for t in fig.texts)
        for fmt in ("png", "svg", "pdf"):
            path = gallery.save(fig, tmp_path / f"{name}.{fmt}", dpi=60)
            assert path.stat().st_size > 1000
        # its caption and alt text fill from the run, and no legend covers data
        assert captions.caption(name, fig) and captions.alt_text(name, fig)
        legends_outside_data(fig)


def test_every_idea_has_a_figure_with_caption_and_alt_text():
    ideas = {entry.idea for entry in gallery.FIGURES.values()}
    assert ideas == set(captions.IDEAS)
    for name, entry in gallery.FIGURES.items():
        assert entry.caption == captions.TEXTS[name][1] and entry.alt == captions.TEXTS[name][2]
        assert len(entry.caption) > 100 and len(entry.alt) > 60


@pytest.mark.parametrize("name", list(gallery.FIGURES))
def test_captions_state_no_number_of_their_own(name):
    """Every number in a caption or alt text comes from the simulation: the
    templates hold no digit outside their {placeholders}."""
    for template in captions.TEXTS[name][1:]:
        bare = re.sub(r"\{[^}]*\}", "", template)
        assert not re.search(r"\d", bare), (name, bare)


def test_caption_claims_hold():
    """The comparisons the captions make in words, on the figures' own seeds."""
    two = gallery.figure("two_percent").clonesim["facts"]
    # the 2% left after one dose are nearly all sensitive; resistant ~1e-5 or less
    assert float(two["classic_susceptible_left"].rstrip("%")) > 99.9
    assert float(two["classic_resistant_at_diagnosis"]) < 1e-4
    assert two["really_resistant_at_diagnosis"] == "2.0%"
    assert float(two["really_susceptible_left"].rstrip("%")) < 60
    # "the resistant bar barely moves" after dose 1 where 2% resist
    really = plots.first_dose_counts(clonesim.simulate(
        gallery.load_scenario("two_percent_resistant"), seed=3))
    assert 0.8 < really.resistant[1] / really.resistant[0] < 1.5
    rec = gallery.figure("recurrence").clonesim["facts"]
    assert rec["nadir"] < gallery.load_scenario("classic_98_2").clinic.imaging_limit
    assert float(rec["resistant_at_failure"].rstrip("%")) > 50
    fl = gallery.figure("fluctuation", n=400).clonesim["facts"]
    assert fl["variance_to_mean"] > 10  # "far more than chance" (Poisson: 1)
    nr = gallery.figure("no_resistance", n=300).clonesim["facts"]
    assert nr["p_death"] < nr["p_pure"]  # the curve with death falls earlier
    rs = gallery.figure("receptor_switch").clonesim["facts"]
    assert rs["sequence_line2"] == "H2" and rs["rebiopsy_line2"] == "C"
    assert rs["rebiopsy_line2_days"] > rs["sequence_line2_days"]
    mk = gallery.figure("marker").clonesim["facts"]
    assert mk["lead_days"] > 0 and mk["burden_marker"] < mk["burden_scan"]


def test_cli_figure_all_writes_every_figure_and_captions(tmp_path, capsys):
    status, out, _ = cli(["figure", "--all", "--out", tmp_path, "--style", "paper",
                          "--dpi", "40"], capsys)
    assert status == 0
    text = (tmp_path / "captions.md").read_text(encoding="utf-8")
    for name in gallery.FIGURES:
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
        assert f"## {name}" in text and f"clonesim figure {name} --seed" in text
    assert text.count("- alt text: ") == len(gallery.FIGURES)
    assert text.count(f"- note: {TEACHING_NOTE}") == len(gallery.FIGURES)
    assert "{" not in text  # every template filled
    status, _, err = cli(["figure", "--all", "--format", "gif", "--out", tmp_path], capsys)
    assert status == 2 and "--all" in err


def test_lecture_style_is_16_by_9_with_large_text():
    fig = gallery.figure("sites", style="lecture")
    w, h = fig.get_size_inches()
    assert w / h == pytest.approx(16 / 9, rel=1e-3)
    ax = fig.axes[0]
    assert ax.xaxis.label.get_fontsize() >= 16
    paper = gallery.figure("sites", style="paper")
    assert paper.axes[0].xaxis.label.get_fontsize() < ax.xaxis.label.get_fontsize()


def test_no_mark_leaves_the_mark_out():
    fig = gallery.figure("sites", mark=False)
    assert not any(t.get_text() == TEACHING_NOTE for t in fig.texts)


def test_unknown_figure_and_style():
    with pytest.raises(KeyError, match="choose one of"):
        gallery.figure("mullr")
    with pytest.raises(ValueError, match="lecture"):
        gallery.figure("sites", style="poster")
    with pytest.raises(ValueError, match="takes no n"):
        gallery.figure("sites", n=5)


def test_muller_fractions_sum_to_one_at_every_time():
    cfg = clonesim.load_config(gallery.find_config("classic_98_2"))
    result = clonesim.simulate(cfg, seed=3)
    data = plots.muller_fractions(result)
    assert data.fractions.shape == (len(data.times), len(data.type_ids))
    np.testing.assert_allclose(data.fractions.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(data.stacked().sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (data.fractions >= 0).all()
    # nesting: every resistant type is drawn inside a type it carries all
    # resistances of, one fewer
    for child, parent in data.parents.items():
        if child and parent is not None:
            assert child & parent == parent and (child ^ parent).bit_count() == 1
    # the layers of a parent surround those of its children
    order = [int(data.type_ids[j]) for j, _ in data.layers]
    for child, parent in data.parents.items():
        if parent is not None:
            pos = [i for i, t in enumerate(order) if t == parent]
            assert min(pos) < order.index(child) < max(pos)


def test_muller_fractions_with_phenotype_states():
    cfg = clonesim.load_config(gallery.find_config("receptor_switch"))
    data = plots.muller_fractions(clonesim.simulate(cfg, seed=4))
    np.testing.assert_allclose(data.fractions.sum(axis=1), 1.0, atol=1e-12)
    assert any("ER-" in label for label in data.labels)


def test_provenance_in_saved_files(tmp_path):
    fig = gallery.figure("recurrence", style="paper")
    png = gallery.save(fig, tmp_path / "r.png")
    info = Image.open(png).text
    assert info["seed"] == "3"
    assert info["config_hash"] == clonesim.provenance.config_hash(fig.clonesim["config"])
    assert info["clonesim_version"] == clonesim.__version__
    assert "not for clinical use" in info["note"]
    svg = gallery.save(fig, tmp_path / "r.svg").read_text(encoding="utf-8")
    assert "config_hash=" in svg and "seed=3" in svg
    pdf = gallery.save(fig, tmp_path / "r.pdf").read_bytes()
    assert b"config_hash=" in pdf


def test_gif_animation_carries_provenance(tmp_path):
    fig = gallery.figure("sites", style="paper")
    path = gallery.animate(fig, tmp_path / "s.gif", frames=4, dpi=40)
    im = Image.open(path)
    assert im.n_frames == 4
    assert b"config_hash=" in im.info["comment"]


def test_animation_needs_a_time_axis(tmp_path):
    fig = gallery.figure("fluctuation", style="paper", n=50)
    with pytest.raises(ValueError, match="time axis"):
        gallery.animate(fig, tmp_path / "f.gif", frames=2)


def test_theory_overlays():
    from clonesim import theory

    p = theory.luria_delbruck_pmf(1.5, 400)
    assert p[0] == pytest.approx(np.exp(-1.5))
    assert 0.9 < p.sum() <= 1.0  # the rest is the heavy tail beyond 399
    assert theory.p_no_resistant_iwasa_nowak_michor(1e4, 1e-4, 1.0, 1e-9) == pytest.approx(
        theory.p_no_resistant_goldie_coldman(1e4, 1e-4), rel=1e-3)  # N vs N - 1
    assert theory.p_no_resistant_iwasa_nowak_michor(1e4, 1e-4, 1.0, 0.5) < \
        theory.p_no_resistant_goldie_coldman(1e4, 1e-4)


def test_fluctuation_data_matches_p0():
    """P(R = 0) = exp(-m) within 5 binomial standard errors (400 tumours)."""
    resistant, m, _ = gallery.fluctuation_data(n=400, seed=5)
    p0 = np.exp(-m)
    assert abs((resistant == 0).mean() - p0) < 5 * np.sqrt(p0 * (1 - p0) / 400)


def cli(argv, capsys):
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_figure_list(capsys):
    status, out, _ = cli(["figure", "--list"], capsys)
    assert status == 0
    for name in gallery.FIGURES:
        assert name in out


def test_cli_figure_writes_svg_with_provenance(tmp_path, capsys):
    status, out, _ = cli(["figure", "sites", "--format", "svg", "--out", tmp_path,
                          "--style", "paper", "--no-mark"], capsys)
    assert status == 0
    text = (tmp_path / "sites.svg").read_text(encoding="utf-8")
    assert "config_hash=" in text
    assert "wrote" in out


def test_cli_figure_mistakes_exit_2(tmp_path, capsys):
    status, _, err = cli(["figure", "mullr", "--out", tmp_path], capsys)
    assert status == 2 and "did you mean 'muller'" in err
    status, _, err = cli(["figure", "fluctuation", "--format", "gif", "--out", tmp_path], capsys)
    assert status == 2 and "no time axis" in err
    status, _, err = cli(["figure", "sites", "--n", "5", "--out", tmp_path], capsys)
    assert status == 2 and "takes no --n" in err
    status, _, err = cli(["figure", "--out", tmp_path], capsys)
    assert status == 2 and "--list" in err


def test_mp4_animation_is_a_real_video(tmp_path):
    """imageio-ffmpeg (the test extra) supplies ffmpeg: the file is an MP4
    (an ISO 'ftyp' box) with every frame, and carries the provenance."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    fig = gallery.figure("sites", style="paper")
    path = gallery.animate(fig, tmp_path / "s.mp4", frames=5, fps=5, dpi=40)
    data = path.read_bytes()
    assert data[4:8] == b"ftyp" and len(data) > 1000
    assert b"config_hash=" in data
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == 5


def _no_ffmpeg(monkeypatch):
    import shutil
    import sys

    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails
    monkeypatch.setattr(shutil, "which", lambda name: None)


def test_mp4_without_ffmpeg_says_how_to_get_it(tmp_path, monkeypatch):
    _no_ffmpeg(monkeypatch)
    fig = gallery.figure("sites", style="paper")
    with pytest.raises(RuntimeError) as info:
        gallery.animate(fig, tmp_path / "s.mp4", frames=2)
    text = str(info.value)
    assert 'pip install "clonesim[video]"' in text and "GIF" in text and "PATH" in text
    assert not (tmp_path / "s.mp4").exists()


def test_cli_mp4_without_ffmpeg(tmp_path, capsys, monkeypatch):
    _no_ffmpeg(monkeypatch)
    status, _, err = cli(["figure", "sites", "--format", "mp4", "--out", tmp_path], capsys)
    assert status == 2 and "clonesim[video]" in err and "--format gif" in err


def test_panel_without_widgets_calls_once():
    calls = []

    def draw(x=2):
        calls.append(x)
        return x

    assert classroom.panel(draw, x=(0, 5, 1)) == 2
    assert calls == [2]


def test_panel_widget_redraws_its_image_in_place():
    """The widget itself, headless: built from interact's abbreviations,
    drawn once, and each control moved redraws the figure into the same
    image widget; sliders wait for release."""
    from matplotlib.figure import Figure

    from clonesim.widgets import Panel

    calls = []

    def draw(height=1.0, colour="C0"):
        calls.append((height, colour))
        fig = Figure(figsize=(2, 1.5))
        fig.add_subplot().bar([0], [height], color=colour)
        classroom.show(fig, dpi=30)

    panel = Panel(draw, height=(0.5, 2.0, 0.5), colour=["C0", "C1"])
    assert calls == [(1.0, "C0")]
    (image,) = panel.images
    assert bytes(image.value[:4]) == b"\x89PNG" and image in panel.children
    slider, menu = panel.kwargs_widgets
    assert slider.continuous_update is False
    before = image.value
    slider.value = 2.0
    menu.value = "C1"
    assert calls[-2:] == [(2.0, "C0"), (2.0, "C1")]
    assert panel.images == [image] and image.value != before
    assert not classroom.DRAWING  # after a redraw, show() no longer goes to the panel


def test_wheel_carries_the_scenarios(tmp_path):
    """A non-editable install (Colab, a student's laptop) finds the scenarios:
    the wheel built from this checkout, as ``pip wheel .`` builds it (which
    fetches the build backend, setuptools, like any install from source),
    holds every .toml of configs/ as clonesim/scenarios/, sweeps included,
    where find_config looks."""
    import shutil
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    src = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    for name in ("clonesim", "configs"):
        shutil.copytree(root / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, src / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path / "dist"), str(src)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("clonesim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"clonesim/scenarios/{p.relative_to(root / 'configs').as_posix()}"
               for p in (root / "configs").rglob("*.toml")}
    assert len(shipped) >= 10 and shipped <= names
    # pyproject lists the packages by hand (for the scenarios' mapping): every
    # module of the source tree must be in the wheel, or a new subpackage was
    # left out of that list
    modules = {p.relative_to(root).as_posix() for p in (root / "clonesim").rglob("*.py")}
    assert modules <= names, sorted(modules - names)
    assert not any("__pycache__" in n for n in names)
    assert (Path(clonesim.__file__).parent / "scenarios") in gallery.scenario_places()


def test_cured_patients_are_censored_at_the_end_of_follow_up():
    """A cure ends the run early, but the patient is alive to the horizon:
    Kaplan-Meier must censor there, so a cohort with cures levels off."""
    from clonesim.config import arm_config

    cfg = clonesim.load_config(gallery.find_config("combination_vs_sequence"))
    cohort = clonesim.simulate_cohort(arm_config(cfg, "combination"), 20, seed=1)
    cured = [r for r in cohort if r.cured]
    assert cured
    events, censored = cohort.endpoint_times("os")
    horizon = cfg.simulation.horizon_days
    for r in cured:
        assert horizon - r.detection_time in censored
    km = cohort.survival("os")
    assert km.sf.probabilities[-1] == pytest.approx(len(cured) / len(cohort))


@pytest.mark.parametrize("name", ["receptor_switch", "muller", "recurrence", "local_therapy",
                                  "sites", "sites_over_time", "holiday", "adaptive"])
def test_labels_keep_off_each_other_and_the_data(name):
    """In the lecture style (large text, where labels collided): line and
    local-therapy labels keep a point apart and hide no curve, and the
    reference-line labels (diagnosis, imaging limit, lethal burden) hide
    none either."""
    from .test_plots import labels_clear

    assert labels_clear(gallery.figure(name, style="lecture")) >= 3


@pytest.mark.parametrize("name", ["receptor_switch", "sites_over_time", "local_therapy",
                                  "adaptive", "holiday", "arms"])
def test_titles_read_as_one_phrase(name):
    """The scenario's title (itself "X: Y") and what the figure shows are
    joined by a dash, not by a second colon."""
    fig = gallery.figure(name, style="paper", n=SMALL.get(name))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if fig._suptitle is not None:
        titles.append(fig._suptitle.get_text())
    main_title = max(titles, key=len).replace("\n", " ")
    assert "\N{EM DASH}" in main_title and main_title.count(":") <= 1, main_title
