"""Present mode: each lesson's panel alone, served by Voila as a web page for a
classroom screen (``clonesim present``), and the notebooks' shared setup cell.

A lesson's panel is its notebook's one code cell tagged ``present``. For each
lesson this module writes a small notebook -- a title, the teaching line, a
setup cell, that cell -- into a build folder, with a Voila template that makes
the controls large and lists the lessons, and runs Voila on it (127.0.0.1
only). Voila runs the notebooks in their own kernels and shows outputs only,
never code.

Teaching model, not for clinical use.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError
from .drawing import SCALE

__all__ = ["Lesson", "TEACHING_LINE", "find_lessons", "pick_lesson", "build", "voila_command",
           "serve", "setup", "present_panel", "repository_url", "setup_cell"]

#: Shown on every page of the present mode.
TEACHING_LINE = "Teaching simulation, not for clinical use"
#: The Voila template's name (a folder written into the build folder).
TEMPLATE = "clonesim-present"
#: Figures are drawn with this many pixels per CSS pixel, then shown at their
#: size in CSS pixels: sharp on a high-density laptop screen, and merely
#: downsampled (never stretched) on a projector. The notebooks' panels do the
#: same (:data:`clonesim.drawing.SCALE`); the present mode shows a figure at
#: the size a notebook does.
PIXEL_RATIO = SCALE

#: JupyterLab extensions that only work inside JupyterLab (the Notebook 7
#: interface, Voila's own preview button): the present pages do not load them.
LAB_ONLY = ("@jupyter-notebook/lab-extension", "@voila-dashboards/jupyterlab-preview")

VOILA_MISSING = ("clonesim present needs Voila, which is an optional extra; install it with\n"
                 "  python -m pip install \"clonesim[present]\"\n"
                 "or, in a copy of the repository,\n"
                 "  python -m pip install -e \".[present]\"")

ROOT = Path(__file__).resolve().parents[1]


# --- the lessons --------------------------------------------------------------------------

@dataclass(frozen=True)
class Lesson:
    """One lesson that has a panel to present.

    Attributes
    ----------
    number : str
        Two digits, from the notebook's name (``"01"``).
    name : str
        The notebook's file stem (``"01_the_98_and_the_2"``): its page's name.
    title : str
        The notebook's first heading (``"1. The 98% and the 2%"``).
    cells : tuple of str
        The sources of its cells tagged ``present``.
    """

    number: str
    name: str
    title: str
    cells: tuple[str, ...]


def _notebooks_folder(folder: str | Path | None) -> Path:
    """``folder``, else the repository's ``notebooks/`` (a checkout or editable
    install), else ``./notebooks``; a ConfigError naming what was looked for."""
    if folder is not None:
        path = Path(folder)
        if not path.is_dir():
            raise ConfigError(f"--notebooks {folder}: is not a folder of lesson notebooks")
        return path
    for path in (ROOT / "notebooks", Path.cwd() / "notebooks"):
        if path.is_dir() and any(path.glob("[0-9][0-9]_*.ipynb")):
            return path
    raise ConfigError("present: no lesson notebooks found (looked in "
                      f"{ROOT / 'notebooks'} and {Path.cwd() / 'notebooks'}); run it in a copy "
                      "of the repository, or give --notebooks FOLDER")


def find_lessons(folder: str | Path | None = None) -> list[Lesson]:
    """The lessons of ``folder`` (default: the repository's ``notebooks/``)
    that have a cell tagged ``present``, in the notebooks' order.

    Parameters
    ----------
    folder
        A folder of ``NN_name.ipynb`` notebooks.

    Returns
    -------
    list of Lesson
    """
    lessons = []
    for path in sorted(_notebooks_folder(folder).glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = tuple(_text(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
                      and "present" in c.get("metadata", {}).get("tags", []))
        if not cells:
            continue
        heading = next((line for c in nb["cells"] if c["cell_type"] == "markdown"
                        for line in _text(c["source"]).splitlines() if line.startswith("# ")),
                       "# " + path.stem)
        lessons.append(Lesson(path.stem[:2], path.stem, heading[2:].strip(), cells))
    return lessons


def _text(source) -> str:
    return source if isinstance(source, str) else "".join(source)


def pick_lesson(name: str, lessons: list[Lesson]) -> Lesson:
    """The lesson ``name`` names: its number (``7``, ``07``), its notebook's
    name, or a word of it that only one lesson has (``trial``).

    Raises
    ------
    ConfigError
        No lesson or more than one matches; the message lists the lessons.
    """
    key = name.strip().lower().removesuffix(".ipynb")
    if key.isdigit():
        matches = [x for x in lessons if int(x.number) == int(key)]
    else:
        matches = [x for x in lessons if x.name == key] or [
            x for x in lessons if key and key in x.name.lower() + " " + x.title.lower()]
    if len(matches) == 1:
        return matches[0]
    listed = "\n".join(f"  {x.number}  {x.title}  ({x.name})" for x in lessons)
    what = "names more than one lesson" if matches else "is not a lesson with a panel"
    raise ConfigError(f"present: {name!r} {what}; give a number or a name:\n{listed}")


# --- the build folder: notebooks and a Voila template --------------------------------------

def _setup_source() -> str:
    """The present notebooks' first code cell: the names a ``present`` cell
    may use (the lessons' setup cell imports the same), with panels drawn
    for the screen."""
    return ("from clonesim import present\n"
            "present.setup()  # panels for a screen: large controls\n"
            "import clonesim\n"
            "from clonesim import classroom, gallery, plots\n"
            "from clonesim.classroom import panel, show, size\n")


def _notebook(lesson: Lesson, lessons: list[Lesson]) -> dict:
    k = lessons.index(lesson)
    links = ["[all lessons](../../)"]
    if k > 0:
        links.insert(0, f"[← {lessons[k - 1].title}]({lessons[k - 1].name}.ipynb)")
    if k + 1 < len(lessons):
        links.append(f"[{lessons[k + 1].title} →]({lessons[k + 1].name}.ipynb)")
    title = (f"# {lesson.title}\n\n"
             f"<p class=\"clonesim-teaching\">{TEACHING_LINE}.</p>\n\n"
             "Move a slider (drag it, or click its knob and press the arrow keys); the "
             "figure is drawn again when you let go.\n\n" + " · ".join(links))

    def code(k, source):
        return {"id": f"code-{k}", "cell_type": "code", "execution_count": None,
                "metadata": {}, "outputs": [], "source": source}

    sources = [_setup_source(), *lesson.cells]
    return {"cells": [{"id": "title", "cell_type": "markdown", "metadata": {}, "source": title},
                      *(code(k, source) for k, source in enumerate(sources))],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


#: Large controls and a visible teaching line, over Voila's lab template. The
#: sizes are ipywidgets' own CSS variables, so every control grows alike.
CSS = """
body, body.jp-Notebook {
  --jp-widgets-font-size: 20px;
  --jp-widgets-inline-height: 40px;
  --jp-widgets-slider-handle-size: 26px;
  --jp-widgets-slider-track-thickness: 8px;
  --jp-content-font-size1: 18px;
  --jp-code-font-size: 16px;
}
body { font-size: 18px; }
.widget-readout { font-size: 20px; min-width: 5em; }
.noUi-handle:focus { outline: 3px solid #0072B2; }
.clonesim-teaching { font-weight: bold; color: #8a3b00; }
#rendered_cells { padding-bottom: 2.5em; }
.clonesim-banner { position: fixed; bottom: 0; left: 0; right: 0; padding: 6px 12px;
  background: #fff3e0; color: #8a3b00; font: bold 16px sans-serif; text-align: center;
  border-top: 1px solid #e0b080; z-index: 1000; }
"""

INDEX = """{%- extends 'lab/index.html.j2' -%}
{#- clonesim present: Voila's lab page, with large controls and the teaching line -#}
{%- block notebook_css -%}
{{ super() }}
<style>__CSS__</style>
{%- endblock notebook_css -%}
{%- block body_footer -%}
{{ super() }}
<div class="clonesim-banner">__LINE__</div>
{%- endblock body_footer -%}
"""

TREE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>clonesim: the lessons</title>
<link rel="icon" href="data:;base64,=">
<style>
body { font: 20px/1.5 sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 32px; }
.teaching { font-weight: bold; color: #8a3b00; }
ol { padding-left: 0; list-style: none; }
li a { display: block; padding: 14px 18px; margin: 8px 0; border: 1px solid #bbb;
  border-radius: 6px; text-decoration: none; color: #003d66; }
li a:hover, li a:focus { background: #eef5fb; }
</style></head>
<body>
<h1>clonesim: the lessons</h1>
<p class="teaching">__LINE__.</p>
<p>Each page shows one lesson's panel. A page takes a few seconds to start.</p>
<ol id="lessons">
__ITEMS__
</ol>
</body></html>
"""


def build(lessons: list[Lesson], out: str | Path) -> Path:
    """Write the present notebooks and the Voila template into ``out``.

    Parameters
    ----------
    lessons
        From :func:`find_lessons`.
    out
        The build folder: ``lessons/`` (what Voila serves) and
        ``share/jupyter/voila/templates/clonesim-present/`` (found through
        ``JUPYTER_PATH``) are written into it.

    Returns
    -------
    Path
        ``out``.
    """
    out = Path(out)
    pages = out / "lessons"
    pages.mkdir(parents=True, exist_ok=True)
    for old in pages.glob("*.ipynb"):
        old.unlink()
    for lesson in lessons:
        nb = _notebook(lesson, lessons)
        (pages / f"{lesson.name}.ipynb").write_text(json.dumps(nb, indent=1) + "\n",
                                                    encoding="utf-8")
    template = out / "share" / "jupyter" / "voila" / "templates" / TEMPLATE
    template.mkdir(parents=True, exist_ok=True)
    (template / "conf.json").write_text(json.dumps({"base_template": "lab"}) + "\n")
    (template / "index.html.j2").write_text(
        INDEX.replace("__CSS__", CSS).replace("__LINE__", TEACHING_LINE), encoding="utf-8")
    items = "\n".join(f'<li><a href="{{{{ base_url }}}}voila/render/{x.name}.ipynb">'
                      f"{html.escape(x.title)}</a></li>" for x in lessons)
    (template / "tree.html").write_text(
        TREE.replace("__LINE__", TEACHING_LINE).replace("__ITEMS__", items), encoding="utf-8")
    return out


def voila_command(out: str | Path, port: int) -> tuple[list[str], dict]:
    """The command (and environment) that serves the build folder ``out``.

    Returns
    -------
    argv, env
        Voila on 127.0.0.1:``port`` (that port or none: no silent move to
        another) with the present template, opening no browser; ``env`` adds
        the build folder's ``share/jupyter`` to ``JUPYTER_PATH``, where Voila
        looks for templates.
    """
    out = Path(out).resolve()
    argv = [sys.executable, "-m", "voila", str(out / "lessons"), f"--port={port}",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--no-browser",
            f"--template={TEMPLATE}", "--theme=light",
            "--VoilaConfiguration.classic_tree=True",
            "--VoilaConfiguration.show_tracebacks=False",
            # JupyterLab's own extensions fail to load outside JupyterLab and
            # fill the console with errors; the widgets' manager is kept
            *(f"--VoilaConfiguration.extension_denylist={name}" for name in LAB_ONLY)]
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(out / "share" / "jupyter"), *filter(None, [os.environ.get("JUPYTER_PATH")])])
    return argv, env


def wait_for_port(port: int, seconds: float, process=None) -> bool:
    """True once 127.0.0.1:``port`` accepts a connection within ``seconds``;
    False at the deadline or when ``process`` has ended."""
    import socket
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def voila_available() -> bool:
    """True when Voila can be imported (the ``present`` extra)."""
    import importlib.util

    return importlib.util.find_spec("voila") is not None


def serve(lesson: str | None = None, port: int = 8866, open_browser: bool = True,
          notebooks: str | Path | None = None) -> int:
    """Build the present notebooks and serve them until Ctrl-C (``clonesim present``).

    Parameters
    ----------
    lesson
        Open this lesson's page (see :func:`pick_lesson`); default the menu.
    port
        The port on 127.0.0.1.
    open_browser
        Open a browser tab at start.
    notebooks
        The folder of lesson notebooks (default: the repository's).

    Returns
    -------
    int
        Voila's exit status.

    Raises
    ------
    ConfigError
        Voila is not installed, no lesson is found, or ``lesson`` names none.
    """
    lessons = find_lessons(notebooks)
    chosen = pick_lesson(lesson, lessons) if lesson else None
    if not voila_available():
        raise ConfigError(VOILA_MISSING)
    with tempfile.TemporaryDirectory(prefix="clonesim-present-") as tmp:
        build(lessons, tmp)
        argv, env = voila_command(tmp, port)
        url = f"http://127.0.0.1:{port}/" + (f"voila/render/{chosen.name}.ipynb" if chosen else "")
        print(f"clonesim present: {len(lessons)} lessons; open {url}\n"
              f"  {TEACHING_LINE}. Stop with Ctrl-C.", flush=True)
        process = subprocess.Popen(argv, env=env)
        try:
            if open_browser and wait_for_port(port, 60, process):
                import webbrowser

                webbrowser.open(url)
            return process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            return 0


# --- inside a present notebook's kernel ---------------------------------------------------

def present_panel(func, **controls):
    """A :class:`clonesim.widgets.Panel` for a screen: the notebooks' panel
    (labels in words, figures drawn at :data:`PIXEL_RATIO` times their pixels
    and shown at their own size) with wider controls, and images that the
    page never shrinks to its column.

    Parameters
    ----------
    func, **controls
        As for :func:`clonesim.classroom.panel`.
    """
    from .widgets import Panel

    class PresentPanel(Panel):
        def show(self, fig, dpi: int = 80) -> None:
            super().show(fig, dpi)
            self.images[self._shown - 1].layout.max_width = "none"

    shown = PresentPanel(func, **controls)
    for widget in shown.kwargs_widgets:
        # the page's controls font is larger (CSS below): a label column in
        # em, wide enough for the longest label of clonesim.controls
        widget.style.description_width = "15em"
        widget.layout.width = "min(1000px, 95vw)"
    return shown


def setup() -> None:
    """Make :func:`clonesim.classroom.panel` draw present panels in this kernel.

    The present notebooks call it in their first cell, so a lesson's
    ``present`` cell runs unchanged -- also one that imports ``panel`` itself
    (``from clonesim.classroom import panel`` then finds the present one).
    Only a present notebook's own kernel is changed.
    """
    from . import classroom

    def panel(func, **controls):
        return present_panel(func, **controls)

    panel.__doc__ = present_panel.__doc__
    classroom.panel = panel


# --- the notebooks' first cell: clonesim installed where it is missing --------------------

def repository_url() -> str:
    """The repository's URL: ``[project.urls] Repository`` of pyproject.toml
    (in a checkout), else of the installed package's metadata."""
    pyproject = ROOT / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        return data["project"]["urls"]["Repository"]
    from importlib.metadata import metadata

    for entry in metadata("clonesim").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip() == "Repository":
            return url.strip()
    raise LookupError("clonesim's metadata names no Repository URL")


SETUP_CELL = '''\
# Setup: make sure clonesim can be imported; harmless when it already can.
# Where it is missing, this installs it: from a clonesim wheel (clonesim-*.whl)
# next to this notebook if there is one; else, in a copy of the repository (this
# notebook in its notebooks/ folder), from that copy; else (Colab, a JupyterHub)
# from the project's repository. The scenarios (configs/) come inside the package.
import glob, importlib.util, os, sys
if importlib.util.find_spec("clonesim") is None:
    wheels = sorted(glob.glob("clonesim-*.whl"))
    if wheels:
        %pip install -q {wheels[-1]}
    elif os.path.isfile(os.path.join("..", "pyproject.toml")):
        %pip install -q -e ..
    else:
        %pip install -q "clonesim @ git+__URL__"
    importlib.invalidate_caches()
    if importlib.util.find_spec("clonesim") is None:  # an editable install is seen after a restart
        sys.path.insert(0, os.path.abspath(".."))
import clonesim
from clonesim import classroom, gallery, plots
from clonesim.classroom import panel, show, size
print("clonesim", clonesim.__version__, "|", clonesim.TEACHING_NOTE)'''


def setup_cell(url: str | None = None) -> str:
    """The first code cell of every lesson notebook, with the repository ``url``
    (default :func:`repository_url`): the one template the notebooks copy."""
    return SETUP_CELL.replace("__URL__", url or repository_url())


def write_setup_cell(path: str | Path, url: str | None = None) -> None:
    """Replace the first code cell of the notebook ``path`` by :func:`setup_cell`."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = setup_cell(url)
    nbformat.write(nb, path)
