"""The notebooks' panels read as a class needs (#12 item 5): every parameter
of the seven notebooks' panels has a human label that fits its column, each
value reads to its step (0.999 as "99.9%", a log10 as the real value), the
function still receives the values it computes with, and every figure has
twice the pixels of its displayed width. Headless: no kernel, no browser.
Teaching model, not for clinical use."""

from __future__ import annotations

import ast
from pathlib import Path

import matplotlib
import nbformat
import pytest
from PIL import ImageFont

from clonesim import classroom, controls
from clonesim.controls import CONTROLS, DESCRIPTION_PX, READOUT_PX, control, readout
from clonesim.drawing import SCALE, css_width

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: ipywidgets' font (--jp-widgets-font-size = JupyterLab's ui-font-size1).
FONT_PX = 13
#: DejaVu Sans, matplotlib's own font, measures wider than JupyterLab's
#: system-ui fonts, so a label that fits in it fits on screen.
FONT = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"),
                          FONT_PX)
#: The label's right margin inside its column (ipywidgets 8: 2 x 4 px).
LABEL_MARGIN_PX = 8
#: The readout's padding and margin (4 px each side).
READOUT_PAD_PX = 8


def _text_px(text: str) -> float:
    return FONT.getlength(text)


def _panels(path: Path) -> list[tuple[dict, dict]]:
    """Each ``panel(func, name=abbrev, ...)`` call of a notebook: the controls
    (literal abbreviations) and the defaults of the function it names."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "panel(" not in cell.source:
            continue
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                           for line in cell.source.splitlines())
        tree = ast.parse(source)
        defs = {d.name: d for d in ast.walk(tree) if isinstance(d, ast.FunctionDef)}
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "panel":
                fdef = defs[call.args[0].id]
                names = [a.arg for a in fdef.args.args]
                defaults = dict(zip(names[len(names) - len(fdef.args.defaults):],
                                    (ast.literal_eval(d) for d in fdef.args.defaults)))
                found.append(({k.arg: ast.literal_eval(k.value) for k in call.keywords},
                              defaults))
    return found


def _recorder(defaults: dict, got: list):
    """A stand-in for the notebook's function: same parameters and defaults,
    and it records what it receives."""
    import inspect

    def func(**kw):
        got.append(kw)

    func.__signature__ = inspect.Signature(
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d)
         for n, d in defaults.items()])
    return func


PANELS = {p.stem[:2]: _panels(p) for p in NOTEBOOKS}
NAMES = sorted({name for calls in PANELS.values() for ctl, _ in calls for name in ctl})


def test_every_notebook_has_one_panel_and_the_table_knows_its_parameters():
    assert len(PANELS) == 7 and all(len(calls) == 1 for calls in PANELS.values()), PANELS
    assert set(NAMES) <= set(CONTROLS), set(NAMES) - set(CONTROLS)


@pytest.mark.parametrize("name", NAMES)
def test_labels_are_human_and_fit_their_column(name):
    label = control(name).label
    assert label != name and "_" not in label and "log10" not in label
    assert _text_px(label) <= DESCRIPTION_PX - LABEL_MARGIN_PX, (label, _text_px(label))


@pytest.mark.parametrize("stem", sorted(PANELS))
def test_every_readout_fits_and_names_the_real_value(stem):
    """Each value of each slider reads whole in the readout box; a log10
    slider shows the rate or count itself, never the exponent."""
    from clonesim.widgets import Panel

    (ctl, defaults), = PANELS[stem]
    panel = Panel(_recorder(defaults, []), **ctl)
    for name, widget in panel.controls.items():
        assert widget.value == defaults[name], (name, widget.value)  # the function's default
        labels = [o[0] for o in widget.options] if hasattr(widget, "options") else []
        for text in labels:
            assert _text_px(text) <= READOUT_PX - READOUT_PAD_PX, (name, text)
        if name.startswith("log10_"):
            assert all("e" in t or "10" in t for t in labels) and "-7.0" not in labels


def test_readouts_to_the_step():
    assert readout("kill_fraction", 0.999, 0.001) == "99.9%"
    assert readout("kill_fraction", 0.98, 0.001) == "98.0%"
    assert readout("antibody_in_brain", 0.03, 0.01) == "3%"
    assert readout("log10_mutation_rate", -7.0, 0.5) == "1e-7"
    assert readout("log10_mutation_rate", -6.5, 0.5) == "3.2e-7"
    assert readout("log10_mutation_rate", -5.3, 0.1) == "5e-6"
    assert readout("log10_detection", 9.0, 0.5) == "10\u2079"
    assert readout("log10_final_size", 6.5, 0.5) == "3.2 \u00d7 10\u2076"
    assert readout("death_over_birth", 0.3, 0.1) == "0.3"
    assert readout("policy", "sequence") == "fixed order"
    assert readout("seed", 7) == "7"


def test_unknown_names_read_as_words_not_errors():
    assert control("growth_rate_per_day").label == "growth rate per day"
    spec = control("log10_carrying_capacity")
    assert spec.label == "carrying capacity" and spec.readout(-4.0, 1.0) == "1e-4"
    assert readout("some_new_knob", 0.25, 0.05) == "0.25"
    assert readout("some_new_knob", "x") == "x"


def test_grid_lands_exactly_on_its_ends_and_keeps_an_off_grid_default():
    values = controls.grid(0.5, 0.999, 0.001)
    assert values[0] == 0.5 and values[-1] == 0.999 and len(values) == 500
    assert -3.7 in controls.grid(-6.0, -3.0, 0.25, default=-3.7)


def test_kill_slider_reaches_999_and_the_function_receives_the_fraction():
    """Notebooks 01 and 03 ask for 99.9%: the slider gets there by arrow keys
    (one option per 0.1%) and the function receives the float 0.999."""
    from clonesim.widgets import Panel

    got = []
    panel = Panel(lambda kill_fraction=0.98: got.append(kill_fraction),
                  kill_fraction=(0.5, 0.999, 0.001))
    slider = panel.controls["kill_fraction"]
    assert got == [0.98] and slider.label == "98.0%"
    slider.value = 0.999
    assert got[-1] == 0.999 and type(got[-1]) is float and slider.label == "99.9%"
    slider.index -= 4  # four arrow-key presses
    assert got[-1] == 0.995 and slider.label == "99.5%"
    assert slider.continuous_update is False


@pytest.mark.parametrize("stem", sorted(PANELS))
def test_the_function_receives_the_values_interact_would_give(stem):
    """At each end of each slider the notebook's function receives ``lo`` and
    ``hi`` exactly -- the same values ipywidgets' own sliders gave it."""
    from clonesim.widgets import Panel

    (ctl, defaults), = PANELS[stem]
    got = []
    panel = Panel(_recorder(defaults, got), **ctl)
    assert got == [defaults]
    for name, abbrev in ctl.items():
        widget = panel.controls[name]
        ends = abbrev if isinstance(abbrev, list) else abbrev[:2]
        for value in ends:
            widget.value = value
            assert got[-1][name] == value and type(got[-1][name]) is type(value), (name, value)
        widget.value = defaults[name]


def test_panel_png_has_twice_the_pixels_of_its_displayed_width():
    from matplotlib.figure import Figure

    from clonesim.widgets import Panel

    def draw(height=1.0):
        fig = Figure(figsize=(5, 2))
        fig.add_subplot().bar([0], [height])
        classroom.show(fig)  # 80 CSS pixels per inch

    panel = Panel(draw, height=(0.5, 2.0, 0.5))
    (image,) = panel.images
    pixels = int.from_bytes(bytes(image.value[16:20]), "big")
    assert SCALE == 2 and pixels == 2 * 5 * 80
    assert image.layout.width == f"{pixels // 2}px" == f"{css_width(bytes(image.value))}px"


def test_show_outside_a_panel_displays_at_half_the_pixels(monkeypatch):
    from IPython import display as ipydisplay
    from matplotlib.figure import Figure

    shown = []
    monkeypatch.setattr(classroom, "in_notebook", lambda: True)
    monkeypatch.setattr(ipydisplay, "display", lambda obj: shown.append(obj))
    fig = Figure(figsize=(4, 2))
    fig.add_subplot().plot([0, 1])
    classroom.show(fig)
    (image,) = shown
    assert image.width == 320 and int.from_bytes(image.data[16:20], "big") == 640


def test_the_compile_notice_comes_before_the_panel_captures_output(monkeypatch):
    """The Panel's output area reaches the page only with the panel, after
    the first draw: the notice must go to the cell before that draw."""
    import clonesim.engine

    order = []
    monkeypatch.setattr(classroom, "in_notebook", lambda: True)
    monkeypatch.setattr(clonesim.engine, "announce_compile", lambda: order.append("notice"))
    classroom.panel(lambda x=1: order.append("draw"), x=(0, 2, 1))
    assert order == ["notice", "draw"]
