"""The classroom in a real browser (#13): the present mode (Voila) and lesson 1
in JupyterLab, each served on 127.0.0.1 and driven by headless Chromium
through selenium. A slider is moved as a person moves it -- the keyboard's
arrows on its knob in the present mode, a drag in JupyterLab -- and the
figure must change, with no error on the page or in the browser's console.
The present page's screenshot is docs/img/present.png (the README's).

Needs Debian's ``chromium`` and ``chromium-driver`` (.ci/run installs them);
without them the test fails and says how to install them.
Teaching model, not for clinical use.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clonesim import present
from clonesim.controls import control

from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "img" / "present.png"
LESSON = "01_the_98_and_the_2"
START = 90  # seconds for a server to listen, or a page's panel to appear (a cold numba cache)
REDRAW = 45  # seconds for a figure to change after a slider moved
INSTALL = ("headless Chromium is needed: apt-get install chromium chromium-driver "
           "(Debian's packages; .ci/run installs them)")
ERROR_WORDS = ("Traceback", "Error displaying widget", "Exception", "Error:", "model not found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/lib/chromium/chromedriver" if Path("/usr/lib/chromium/chromedriver").exists()
        else None)
    if not (browser and driver):
        pytest.fail(INSTALL)
    return browser, driver


@pytest.fixture(scope="module")
def compiled():
    """The numba kernels compiled into their on-disk cache before any server
    starts, so that the kernels Voila and JupyterLab start load them (a cold
    compile, 30-60 s, is the engine's cost, measured in benchmarks/startup.md,
    not the browser's; a run of the suite has usually paid it already)."""
    import clonesim
    from clonesim import gallery

    clonesim.simulate(clonesim.load_config(gallery.find_config("classic_98_2")), seed=3)


@pytest.fixture(scope="module")
def browser(compiled):
    binary, driver = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=driver)
    chrome = webdriver.Chrome(options=options, service=service)
    yield chrome
    chrome.quit()


class Server:
    """A server process on a free port of 127.0.0.1, its log in a file, ended at exit."""

    def __init__(self, argv, env, log: Path, port: int):
        self.port, self.log = port, log
        self.process = subprocess.Popen(argv, env=env, stdout=log.open("w"),
                                        stderr=subprocess.STDOUT, cwd=env.get("PWD"))
        if not present.wait_for_port(port, START, self.process):
            self.stop()
            raise AssertionError(f"server did not start on port {port}:\n{log.read_text()}")

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _env(**extra) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", "")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env["PYTHONPATH"]]))
    env.update(extra)
    return env


def _image(chrome, scope: str = ""):
    """The panel's (first) figure, once it has a picture."""
    found = WebDriverWait(chrome, START).until(lambda d: [
        e for e in d.find_elements(By.CSS_SELECTOR, f"{scope} img.widget-image")
        if e.get_attribute("src") and e.get_property("naturalWidth")])
    return found[0]


def _handle(chrome, label: str, scope: str = ""):
    """The knob of the slider labelled ``label``."""
    path = (f"//div[contains(@class, 'widget-slider')][.//label[normalize-space()='{label}']]"
            "//div[contains(@class, 'noUi-handle')]")
    if scope:
        path = scope + path
    return WebDriverWait(chrome, START).until(lambda d: d.find_element(By.XPATH, path))


def _readout(handle) -> str:
    slider = handle.find_element(By.XPATH, "ancestor::div[contains(@class, 'widget-slider')][1]")
    return slider.find_element(By.CSS_SELECTOR, ".widget-readout").text


def _changed(chrome, image, before: str) -> str:
    """Wait until ``image`` shows another picture than the blob ``before``."""
    WebDriverWait(chrome, REDRAW).until(lambda d: image.get_attribute("src") != before)
    return image.get_attribute("src")


def _page_is_clean(chrome, own_origin: str) -> None:
    """No error text on the page, no traceback output, and no SEVERE console
    entry about this server's own pages (the lab template links Font Awesome
    on a CDN, which this machine cannot reach; those entries name that host)."""
    text = chrome.find_element(By.TAG_NAME, "body").text
    assert not [w for w in ERROR_WORDS if w in text], text[-2000:]
    stderr = chrome.find_elements(By.CSS_SELECTOR,
                                  "[data-mime-type='application/vnd.jupyter.stderr']")
    assert not [e.text for e in stderr if e.text.strip()]
    severe = [e for e in chrome.get_log("browser") if e["level"] == "SEVERE"]
    own = [e for e in severe if own_origin in e["message"] or "http" not in e["message"]]
    assert not own, "\n".join(e["message"] for e in own)


def test_present_mode_in_a_browser(browser, tmp_path):
    """The menu lists the lessons with the teaching line; lesson 1's page shows
    no code, its figure at its own size (drawn at PIXEL_RATIO pixels per CSS
    pixel, so never stretched), and the seed slider moved by the arrow key on
    its focused knob (the focus bug of #13) redraws the figure."""
    t0 = time.monotonic()
    build = present.build(present.find_lessons(), tmp_path / "build")
    port = _free_port()
    argv, env = present.voila_command(build, port)
    server = Server(argv, _env(JUPYTER_PATH=env["JUPYTER_PATH"]), tmp_path / "voila.log", port)
    try:
        browser.get(server.url())
        menu = browser.find_elements(By.CSS_SELECTOR, "#lessons a")
        assert [a.text for a in menu] == [x.title for x in present.find_lessons()]
        assert present.TEACHING_LINE in browser.find_element(By.TAG_NAME, "body").text
        next(a for a in menu if LESSON in a.get_attribute("href")).click()

        image = _image(browser)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert present.TEACHING_LINE in body
        assert "def one_patient" not in body and "panel(" not in body  # no code
        editors = browser.find_elements(By.CSS_SELECTOR, ".jp-CodeMirrorEditor, .jp-InputArea-editor")
        assert not [e for e in editors if e.is_displayed()]
        css_width = image.size["width"]
        assert css_width >= 600  # a 9-inch figure at the notebooks' 80 per inch: 720
        assert image.get_property("naturalWidth") == present.PIXEL_RATIO * css_width
        label = browser.find_element(By.XPATH, f"//label[normalize-space()='{control('kill_fraction').label}']")
        assert label.size["height"] >= 30  # large controls (ipywidgets' default is 28)
        cut = browser.execute_script(  # a label wider than its column ends in "..."
            "return [...document.querySelectorAll('.widget-label')]"
            ".filter(e => e.offsetParent && e.scrollWidth > e.clientWidth).map(e => e.textContent)")
        assert not cut, f"labels cut off: {cut}"

        handle = _handle(browser, control("seed").label)
        before, value = image.get_attribute("src"), _readout(handle)
        handle.click()
        ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
        assert _readout(handle) == str(int(value) + 1)
        _changed(browser, image, before)
        WebDriverWait(browser, REDRAW).until(lambda d: "at day" in d.find_element(
            By.TAG_NAME, "body").text)  # the panel's printed story is there too
        _page_is_clean(browser, server.url())
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))
    finally:
        browser.save_screenshot(str(tmp_path / "last.png"))
        server.stop()
    assert time.monotonic() - t0 < 90


def test_lesson_in_jupyterlab(browser, tmp_path):
    """A student's path: lesson 1 opened in JupyterLab, Run All, then the seed
    slider of its panel dragged: the figure changes, and no cell shows an error
    (a copy of the notebook is run, so JupyterLab's autosave leaves the
    repository's clean)."""
    t0 = time.monotonic()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / f"{LESSON}.ipynb", tmp_path / "notebooks")
    port = _free_port()
    argv = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--allow-root", "--LabApp.extension_manager=readonly", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    env = _env(CLONESIM_NOTEBOOK_SMALL="1", JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               PWD=str(tmp_path))
    server = Server(argv, env, tmp_path / "lab.log", port)
    try:
        browser.get(server.url(f"lab/tree/notebooks/{LESSON}.ipynb"))
        WebDriverWait(browser, START).until(lambda d: d.execute_script(
            "return !!(window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell'))"))
        WebDriverWait(browser, START).until(lambda d: d.execute_script(
            "const w = window.jupyterapp.shell.currentWidget;"
            "return !!(w && w.sessionContext && w.sessionContext.session"
            " && w.sessionContext.session.kernel"
            " && w.sessionContext.session.kernel.status === 'idle');"))
        browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        scope = "//div[contains(@class, 'jp-OutputArea')]"
        image = _image(browser, ".jp-OutputArea")
        handle = _handle(browser, control("seed").label, scope)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", handle)
        before, value = image.get_attribute("src"), _readout(handle)
        ActionChains(browser).drag_and_drop_by_offset(handle, 40, 0).perform()
        WebDriverWait(browser, REDRAW).until(lambda d: _readout(handle) != value)
        _changed(browser, image, before)
        WebDriverWait(browser, START).until(lambda d: d.execute_script(
            "return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
            " === 'idle'"))
        _page_is_clean(browser, server.url())
    finally:
        browser.save_screenshot(str(tmp_path / "last.png"))
        server.stop()
    assert time.monotonic() - t0 < 90
