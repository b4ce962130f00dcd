"""clonesim present (#13) without a browser: which lessons it finds and how a
lesson is named, what it builds for Voila, the panel it draws, and the
command's errors (no traceback). The browser itself: tests/test_browser.py.
Teaching model, not for clinical use."""

from __future__ import annotations

import io
import json
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure
from PIL import Image

from clonesim import classroom, present
from clonesim.cli import main
from clonesim.config import ConfigError

ROOT = Path(__file__).resolve().parents[1]
TAGGED = [p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
          if any("present" in c.metadata.get("tags", []) for c in nbformat.read(p, 4).cells)]


def cli(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def test_the_lessons_are_the_notebooks_with_a_present_cell():
    lessons = present.find_lessons()
    assert [x.name for x in lessons] == TAGGED and len(TAGGED) >= 5
    first = lessons[0]
    assert (first.number, first.title) == ("01", "1. The 98% and the 2%")
    assert len(first.cells) == 1 and "panel(" in first.cells[0]


@pytest.mark.parametrize("name", ["7", "07", "07_a_virtual_trial", "trial", "Virtual Trial",
                                  "07_a_virtual_trial.ipynb"])
def test_a_lesson_is_named_by_number_name_or_a_word(name):
    assert present.pick_lesson(name, present.find_lessons()).name == "07_a_virtual_trial"


@pytest.mark.parametrize("name, words", [("nope", "is not a lesson with a panel"),
                                          ("99", "is not a lesson with a panel"),
                                          ("the", "names more than one lesson")])
def test_an_unknown_lesson_is_refused_with_the_list(name, words):
    lessons = present.find_lessons()
    with pytest.raises(ConfigError) as err:
        present.pick_lesson(name, lessons)
    text = str(err.value)
    assert words in text and all(x.name in text and x.title in text for x in lessons)


def test_the_build_holds_one_page_a_lesson_and_the_template(tmp_path):
    lessons = present.find_lessons()
    out = present.build(lessons, tmp_path)
    pages = sorted((out / "lessons").glob("*.ipynb"))
    assert [p.stem for p in pages] == [x.name for x in lessons]
    nb = nbformat.read(pages[0], as_version=4)
    nbformat.validate(nb)
    title, setup, *cells = nb.cells
    assert title.cell_type == "markdown" and lessons[0].title in title.source
    assert present.TEACHING_LINE in title.source
    assert "present.setup()" in setup.source
    assert [c.source for c in cells] == list(lessons[0].cells)
    template = out / "share" / "jupyter" / "voila" / "templates" / present.TEMPLATE
    assert json.loads((template / "conf.json").read_text()) == {"base_template": "lab"}
    index = (template / "index.html.j2").read_text()
    assert "extends 'lab/index.html.j2'" in index and present.TEACHING_LINE in index
    tree = (template / "tree.html").read_text()
    assert all(f"voila/render/{x.name}.ipynb" in tree for x in lessons)
    assert present.TEACHING_LINE in tree


def test_voila_is_started_on_loopback_with_the_template(tmp_path):
    argv, env = present.voila_command(tmp_path, 8999)
    assert argv[1:3] == ["-m", "voila"] and "--port=8999" in argv
    assert "--Voila.ip=127.0.0.1" in argv and "--Voila.port_retries=0" in argv
    assert f"--template={present.TEMPLATE}" in argv and "--no-browser" in argv
    assert env["JUPYTER_PATH"].split(":")[0] == str(tmp_path.resolve() / "share" / "jupyter")


def test_a_present_panel_shows_figures_at_their_size_drawn_at_twice_the_pixels():
    """A 9 x 4 inch figure at the notebooks' 80 per inch: shown 720 x 320 CSS
    pixels, drawn 1440 x 640 (so never stretched on a 2x screen); the
    labels are words."""
    def draw(kill_fraction=0.5):
        fig = Figure(figsize=(9, 4))
        fig.add_subplot().plot([0, kill_fraction])
        classroom.show(fig)

    shown = present.present_panel(draw, kill_fraction=(0.0, 1.0, 0.1))
    (image,) = shown.images
    assert image.layout.width == "720px"  # the height follows: the PNG's aspect ratio
    assert Image.open(io.BytesIO(image.value)).size == (1440, 640)
    assert [w.description for w in shown.kwargs_widgets] == ["kill per dose"]  # clonesim.controls
    before = image.value
    shown.kwargs_widgets[0].value = 0.9
    assert image.value != before


def test_setup_makes_classroom_panels_present_panels(monkeypatch):
    monkeypatch.setattr(classroom, "panel", classroom.panel)  # restored afterwards
    present.setup()
    from clonesim.classroom import panel  # what a present cell does

    def draw(seed=1):
        fig = Figure(figsize=(5, 3))
        fig.add_subplot().plot([0, seed])
        classroom.show(fig)

    (image,) = panel(draw, seed=(1, 5, 1)).images
    assert Image.open(io.BytesIO(image.value)).size == (800, 480)  # 2 x (5 x 3 in at 80)


def test_present_help_says_teaching_not_clinical(capsys):
    status, out, _ = cli(["present", "--help"], capsys)
    assert status == 0
    assert "not for clinical use" in out and "--port" in out and "--no-browser" in out
    status, out, _ = cli(["--help"], capsys)
    assert "present" in out and "NOT FOR CLINICAL USE" in out


def test_present_unknown_lesson_is_a_clear_error(capsys):
    status, out, err = cli(["present", "nope", "--no-browser"], capsys)
    assert status == 2 and "Traceback" not in err
    assert err.startswith("error: present: 'nope' is not a lesson") and "07_a_virtual_trial" in err


def test_present_without_voila_says_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setattr(present, "voila_available", lambda: False)
    status, _, err = cli(["present", "--no-browser"], capsys)
    assert status == 2 and "Traceback" not in err
    assert 'pip install "clonesim[present]"' in err and 'pip install -e ".[present]"' in err


def test_present_bad_port_is_refused(capsys):
    status, _, err = cli(["present", "--port", "80"], capsys)
    assert status == 2 and "not a port from 1024 to 65535" in err
