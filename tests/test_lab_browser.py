"""A real browser runs an exercise notebook in JupyterLab.

Starts JupyterLab on a free localhost port (token set here, no browser of its own) with a
temporary copy of one exercise notebook, opens it in headless Chromium (Debian's
/usr/bin/chromium driven by playwright; never `playwright install`), runs its code cells one
by one as a student would, and asserts that an ipywidgets widget renders and that a check cell
prints its result. The server is stopped at the end, whatever happens.

JupyterLab's user settings, config and data folders all point into the test's temporary
folder, so nothing in the user's home changes what the test sees, and every cell is drawn
(windowing off) so the widget cannot be skipped for lying outside the viewport. On failure
the test prints JupyterLab's log and saves a full-page screenshot.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from actbook.course.notebooks import REPO, all_check_labels, exercise_notebooks, read

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

WIDGET = "ipywidgets"

# JupyterLab user settings for the test's server: draw every cell, start the kernel without
# a dialog, and no news or update pop-ups over the page.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none",
                                               "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False,
                                                    "fetchNews": "false"},
}


def pick_notebook():
    """The first exercise notebook with a live widget and a check cell (or a synthetic one)."""
    for path in exercise_notebooks():
        nb = read(path)
        source = "\n".join(c.source for c in nb.cells)
        if all_check_labels(nb) and ("live_explorer" in source or "ipywidgets" in source):
            return path.name, nb
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import ipywidgets as widgets\nfrom actbook.checks import check\n"
                                  "widgets.IntSlider(value=3, description='w')"),
        nbformat.v4.new_code_cell('with check("1.1"):\n    assert 1 + 1 == 2, "arithmetic"'),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    return "synthetic.ipynb", nb


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except Exception:
            time.sleep(0.5)
    return False


@pytest.fixture
def lab(tmp_path):
    name, nb = pick_notebook()
    root = tmp_path / "root"
    root.mkdir()
    nbformat.write(nb, str(root / name))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "config")
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "data")
    # JupyterLab 4 skips rendering cells away from the viewport ("contentVisibility"); as the
    # cells run the view follows the active cell, so the widget cell may never be drawn. The test
    # asks JupyterLab to draw every cell.
    # It also starts the notebook's kernel without asking: otherwise JupyterLab may open a
    # "Select Kernel" dialog (seen on a fresh install) that waits for a click for ever.
    settings = tmp_path / "lab-settings"
    for plugin, values in LAB_SETTINGS.items():
        package, plugin_name = plugin.rsplit(":", 1)
        settings_file = settings / package / f"{plugin_name}.jupyterlab-settings"
        settings_file.parent.mkdir(parents=True, exist_ok=True)
        settings_file.write_text(json.dumps(values))
    env["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    cmd = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={root}", "--ServerApp.disable_check_xsrf=True",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        if not wait_for(f"{base}/api/status?token={token}", 120):
            pytest.fail("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:])
        url = f"{base}/lab/api/settings/@jupyterlab/notebook-extension:tracker?token={token}"
        with urllib.request.urlopen(url, timeout=30) as response:
            tracker_settings = json.loads(response.read())
        for key, value in LAB_SETTINGS["@jupyterlab/notebook-extension:tracker"].items():
            assert tracker_settings["settings"].get(key) == value, tracker_settings
        yield base, token, name, nb, tmp_path / "lab.log"
    finally:
        _stop(proc)
        log.close()


WIDGET_SELECTOR = ".jp-OutputArea-output .widget-slider, .jp-OutputArea-output .jupyter-widgets"


def accept_dialogs(page) -> int:
    """Accept any JupyterLab dialog covering the page (a kernel choice, say); how many."""
    accepted = 0
    buttons = page.locator(".jp-Dialog .jp-mod-accept")
    while buttons.count() and buttons.first.is_visible():
        buttons.first.click()
        page.wait_for_timeout(300)
        accepted += 1
        if accepted > 5:
            raise AssertionError("JupyterLab keeps opening dialogs: "
                                 + page.locator(".jp-Dialog").first.inner_text())
    return accepted


PROMPT_NUMBER = re.compile(r"\[(\d+)\]")


def run_cells_in_turn(page, per_cell=180, retry_after=30):
    """Run every code cell in order, each once the one before it has finished.

    Run > Run All Cells queues every cell at once, and whether the cells after a stub's
    `raise NotImplementedError()` still run then depends on timing (the kernel may abort what
    is queued behind an error); a student runs the cells one by one, and so does the test:
    select the cell by its prompt, Ctrl+Enter, wait for its execution count. A key press that
    JupyterLab drops (no [*] within `retry_after` s) is given again. Returns the number of
    code cells run.
    """
    cells = page.locator(".jp-Notebook .jp-Cell")
    last, ran = 0, 0
    for i in range(cells.count()):
        cell = cells.nth(i)
        if "jp-CodeCell" not in (cell.get_attribute("class") or "").split():
            continue
        prompt = cell.locator(".jp-InputArea-prompt").first
        deadline = time.monotonic() + per_cell
        while True:
            accept_dialogs(page)
            prompt.click()
            page.keyboard.press("Control+Enter")
            started, number = time.monotonic(), None
            while time.monotonic() < deadline:
                text = prompt.inner_text()
                match = PROMPT_NUMBER.search(text)
                if match and int(match.group(1)) > last:
                    number = int(match.group(1))
                    break
                if "*" not in text and time.monotonic() - started > retry_after:
                    break  # the key press was dropped: press it again
                accept_dialogs(page)
                page.wait_for_timeout(250)
            if number is not None:
                last, ran = number, ran + 1
                break
            if time.monotonic() >= deadline:
                raise AssertionError(f"code cell {i} did not finish within {per_cell} s "
                                     f"(its prompt: {prompt.inner_text()!r})")
    return ran


def describe_cells(page) -> str:
    """Each code cell's prompt and the start of its output, for a failure message."""
    lines = []
    for cell in page.locator(".jp-Notebook .jp-CodeCell").all():
        prompt = cell.locator(".jp-InputArea-prompt").first.inner_text().strip()
        output = " ".join(cell.locator(".jp-OutputArea").first.inner_text().split())[:160]
        lines.append(f"{prompt} {output}")
    return "\n".join(lines)


def wait_for_widget(page, timeout):
    """The first widget output once it is in the page, accepting dialogs meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        accept_dialogs(page)
        widget = page.query_selector(WIDGET_SELECTOR)
        if widget is not None:
            return widget
        page.wait_for_timeout(1000)
    raise AssertionError(f"no widget output within {timeout} s of running the cells")


def test_exercise_notebook_runs_in_jupyterlab(lab, tmp_path):
    base, token, name, nb, log = lab
    first_label = all_check_labels(nb)[0]
    with sync_api.sync_playwright() as p:
        # playwright gives the browser a fresh temporary profile of its own
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                page.set_default_timeout(120_000)
                page.goto(f"{base}/lab/tree/{name}?token={token}&reset")
                page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=180_000)
                # wait for the kernel to be ready, then run the code cells one by one
                page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=180_000)
                code_cells = sum(c.cell_type == "code" for c in nb.cells)
                assert run_cells_in_turn(page) == code_cells
                widget = wait_for_widget(page, timeout=120)
                widget.scroll_into_view_if_needed()
                widget.wait_for_element_state("visible", timeout=60_000)
                box = widget.bounding_box()
                assert box and box["width"] > 50 and box["height"] > 10, \
                    f"the widget has no size: {box}"
                # JupyterLab may render only the cells near the viewport;
                # text_content reads the DOM anyway
                check_output = page.locator(".jp-OutputArea-output",
                                            has_text=f"[{first_label}]").first
                check_output.wait_for(state="attached", timeout=240_000)
                text = check_output.text_content()
                # the exercise notebook's answers are stubs; the synthetic notebook's check passes
                expected = "passed" if name == "synthetic.ipynb" else "not attempted yet"
                assert expected in text, (expected, text)
                check_output.scroll_into_view_if_needed()
            except Exception:
                page.screenshot(path=str(tmp_path / "lab-failed.png"), full_page=True)
                print("screenshot of the failure:", tmp_path / "lab-failed.png")
                print("JupyterLab log (last 4000 characters):\n" + log.read_text()[-4000:])
                try:
                    print("the cells (prompt, start of output):\n" + describe_cells(page))
                except Exception as err:  # the page itself may be gone
                    print("could not read the cells:", err)
                raise
            page.screenshot(path=str(tmp_path / "lab.png"))
        finally:
            browser.close()


# ------------------------------------------------------------------------------------------
# ./run lab: students see no grading tools
# ------------------------------------------------------------------------------------------
def _start(cmd, cwd, tmp_path, name):
    """Start a JupyterLab server; (process, base URL, token, log path)."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env.pop("JUPYTER_CONFIG_PATH", None)
    for key, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings")):
        env[key] = str(tmp_path / name / sub)
    log_path = tmp_path / f"{name}.log"
    args = [*cmd, "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(log_path, "w")
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    if not wait_for(f"{base}/api/status?token={token}", 120):
        _stop(proc)
        pytest.fail(f"{' '.join(map(str, cmd))} did not start:\n" + log_path.read_text()[-3000:])
    return proc, base, token, log_path


def _stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _status(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def _grading_tools(base, token, notebook, tmp_path, name):
    """What a user sees of nbgrader: (Validate button shown, nbgrader menu items, formgrader status)."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"{base}/lab/tree/{notebook}?token={token}&reset")
            page.wait_for_selector(".jp-NotebookPanel-toolbar", timeout=180_000)
            page.wait_for_timeout(3000)  # let every extension add its toolbar items and menus
            accept_dialogs(page)
            toolbar = page.locator(".jp-NotebookPanel-toolbar").first.inner_text()
            menus = " ".join(page.locator(".lm-MenuBar-itemLabel").all_inner_texts())
            found = [m for m in ("Nbgrader", "Formgrader", "Assignment List", "Course List")
                     if m.lower() in menus.lower()]
            for menu in page.locator(".lm-MenuBar-itemLabel").all():  # open each menu, read its items
                menu.click()
                page.wait_for_timeout(200)
                items = " ".join(page.locator(".lm-Menu-itemLabel").all_inner_texts())
                found += [m for m in ("Formgrader", "Assignment List", "Course List", "Create assignment",
                                      "Validate") if m.lower() in items.lower() and m not in found]
                page.keyboard.press("Escape")
            page.screenshot(path=str(tmp_path / f"{name}.png"))
        finally:
            browser.close()
    return "Validate" in toolbar, found, _status(f"{base}/formgrader?token={token}")


def test_students_lab_shows_no_grading_tools(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    name = "01_neuron_models.ipynb"
    shutil.copy(REPO / "exercises" / name, work / name)
    extra = ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []
    # the control: a plain JupyterLab in the same environment shows nbgrader's tools, so the
    # selectors below do find them when they are there
    proc, base, token, log = _start([str(Path(sys.executable).with_name("jupyter")), "lab",
                                     f"--ServerApp.root_dir={work}", *extra], work, tmp_path, "plain")
    try:
        validate, menus, formgrader = _grading_tools(base, token, name, tmp_path, "plain")
    finally:
        _stop(proc)
    assert validate and menus and formgrader != 404, (validate, menus, formgrader, log.read_text()[-2000:])

    # ./run lab on a folder (a bundle, say), called from another folder: none of them
    proc, base, token, log = _start([str(REPO / "run"), "lab", "work"], tmp_path, tmp_path, "student")
    try:
        validate, menus, formgrader = _grading_tools(base, token, name, tmp_path, "student")
    finally:
        _stop(proc)
    assert not validate, "the students' JupyterLab shows nbgrader's Validate button"
    assert not menus, f"the students' JupyterLab shows nbgrader's menus: {menus}"
    assert formgrader == 404, f"the students' server answers /formgrader ({formgrader})"


def test_run_lab_serves_the_repository_opened_at_the_exercises(tmp_path):
    """Without a folder, ./run lab serves the repository, so an exercise's link to
    ../chapters/... opens the chapter notebook; the default page is the exercises/ folder."""
    proc, base, token, log = _start([str(REPO / "run"), "lab"], tmp_path, tmp_path, "default")
    try:
        assert _status(f"{base}/api/contents/chapters/01_neuron_models.ipynb?content=0&token={token}") == 200
        assert _status(f"{base}/api/contents/exercises?content=0&token={token}") == 200
        with urllib.request.urlopen(f"{base}/?token={token}", timeout=30) as response:
            assert "/lab/tree/exercises" in response.url, response.url
        assert _status(f"{base}/formgrader?token={token}") == 404
    finally:
        _stop(proc)
