"""Every notebook in notebooks/ runs top to bottom (at the small size that
CLONESIM_NOTEBOOK_SMALL selects), is stored without outputs, and has the
parts a lesson needs. Teaching model, not for clinical use."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

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
def test_notebook_runs(path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("CLONESIM_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"
                                              and "Warning" in o.text)]
    assert not errors, errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs)
    assert images >= 2  # at least one figure and the panel
