"""Every notebook in notebooks/ runs top to bottom (at the small size that
CLONESIM_NOTEBOOK_SMALL selects), is stored without outputs, and has the
parts a lesson needs. Teaching model, not for clinical use."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from benchmarks.panels import SANITY_SECONDS, panel_records, run_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = 120  # seconds per cell


def test_seven_notebooks():
    assert len(NOTEBOOKS) == 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs_and_has_its_parts(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    text = "\n".join(c.source for c in nb.cells)
    first = nb.cells[0].source
    assert "Teaching, not prediction" in first and "After this notebook you can" in first
    assert "minutes" in first
    assert "## Try this" in text and "panel(" in text
    assert "find_spec(\"clonesim\")" in code[0].source  # installs where missing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_widget_state(path):
    """A notebook saved with its widget state reopens showing "Error displaying
    widget: model not found" until it is run again (#13): none is stored."""
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    views = [c for c in nb.cells if "application/vnd.jupyter.widget-view+json"
             in str(c.get("outputs", ""))]
    assert not views


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_its_panel_redraws(path):
    """The notebook runs top to bottom in a kernel; then, in that kernel,
    every control of its panel -- the ipywidgets widget, not the no-widget
    fallback -- goes to each end of its range (a menu to each choice): every
    redraw puts a new PNG in the panel's image, without an error, within a
    loose sanity bound (speed is measured in benchmarks/panels.md)."""
    nb = run_notebook(path, repeats=1, timeout=TIMEOUT)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"
                                              and "Warning" in o.text)]
    assert not errors, errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs)
    assert images >= 1  # a figure, besides the panel's
    (panel,) = panel_records(nb)  # one panel per notebook
    records = panel["records"]
    assert len({r["control"] for r in records} - {None}) >= 3  # every panel has 3 or more
    for r in records:
        assert r["image"], r
        assert max(r["seconds"]) < SANITY_SECONDS, r


PRESENTED = [p for p in NOTEBOOKS
             if any("present" in c.metadata.get("tags", []) for c in nbformat.read(p, 4).cells)]


@pytest.mark.parametrize("path", PRESENTED, ids=lambda p: p.stem)
def test_the_present_cell_runs_after_the_setup_cell_alone(path, monkeypatch):
    """The present mode (#13) runs a lesson's cell tagged "present" with only
    the notebook's setup cell before it: exactly one such cell, it makes a
    panel, and it runs in a namespace holding only what the setup cell
    imports (panel() here calls its function once: it draws without error)."""
    import clonesim
    from clonesim import classroom, gallery, plots

    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "present" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "panel(" in tagged[0].source
    returned = []
    fake_panel = lambda func, **controls: returned.append(func())  # noqa: E731
    monkeypatch.setattr(classroom, "panel", fake_panel)  # for a cell that imports its own
    env = {"clonesim": clonesim, "classroom": classroom, "gallery": gallery, "plots": plots,
           "size": classroom.size, "show": classroom.show,
           "panel": fake_panel}
    exec(tagged[0].source, env)  # noqa: S102 - the notebook's own cell
    assert len(returned) == 1

