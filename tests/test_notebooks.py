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



def _repository() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_one_setup_template(path):
    """Every notebook's first code cell is clonesim.present.setup_cell(), with
    the repository URL of pyproject.toml's [project.urls] (its one place):
    change the URL there and rewrite the cells with present.write_setup_cell."""
    from clonesim import present

    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source == present.setup_cell(_repository())
    assert f'git+{_repository()}"' in first.source


@pytest.mark.parametrize("place, expected", [
    ("wheel", "install -q {wheels[-1]}"),  # IPython expands {...} in a magic's line
    ("checkout", "install -q -e .."),
    ("hosted", 'install -q "clonesim @ git+{url}"'),
])
def test_setup_cell_installs_from_the_right_place(place, expected, tmp_path, monkeypatch):
    """The setup cell, as IPython runs it (its %pip lines transformed), in a
    kernel where clonesim is missing: a wheel beside the notebook is installed;
    else, in a copy of the repository, that copy (editable, from ..); else the
    repository URL. (pip itself is not run: the magic is recorded.)"""
    import importlib.util
    import sys

    from IPython.core.inputtransformer2 import TransformerManager

    from clonesim import present

    here = tmp_path / "notebooks"
    here.mkdir()
    if place == "wheel":
        (here / "clonesim-0.1.0-py3-none-any.whl").write_bytes(b"")
    if place == "checkout":
        (tmp_path / "pyproject.toml").write_text("[project]\nname = 'clonesim'\n")
    monkeypatch.chdir(here)
    monkeypatch.setattr(sys, "path", list(sys.path))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "clonesim" else real_find_spec(name, *a))
    magics = []

    class Shell:
        def run_line_magic(self, name, line, _stack_depth=1):
            magics.append((name, line))

    code = TransformerManager().transform_cell(present.setup_cell(_repository()))
    env = {"get_ipython": Shell}
    exec(compile(code, "setup cell", "exec"), env)  # noqa: S102
    assert magics == [("pip", expected.replace("{url}", _repository()))]
    if place == "wheel":
        assert env["wheels"] == ["clonesim-0.1.0-py3-none-any.whl"]


def test_binder_builds_clonesim_from_the_checkout():
    """Binder (repo2docker) reads binder/: a Python it knows, requirements that
    parse as pip requirements, and a postBuild that installs this checkout (so
    the notebooks' first cell finds clonesim installed and changes nothing).
    repo2docker itself cannot run here; the README's Binder link names the
    repository of pyproject.toml."""
    import re
    import stat

    from packaging.requirements import Requirement

    binder = ROOT / "binder"
    assert re.fullmatch(r"python-3\.(1[1-9])\n", (binder / "runtime.txt").read_text())
    lines = [ln.strip() for ln in (binder / "requirements.txt").read_text().splitlines()]
    names = {Requirement(ln).name for ln in lines if ln and not ln.startswith("#")}
    assert {"jupyterlab", "voila"} <= names
    post = binder / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR and post.read_text().startswith("#!")
    assert 'pip install --no-cache-dir -e ".[present]"' in post.read_text()
    owner_name = _repository().removeprefix("https://github.com/")
    readme = (ROOT / "README.md").read_text()
    assert f"https://mybinder.org/v2/gh/{owner_name}/HEAD" in readme
