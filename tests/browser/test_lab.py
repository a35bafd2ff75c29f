"""The series in real JupyterLab, driven in Debian's Chromium as a learner clicks it.

Every notebook: open, Run All, kernel idle, no error output, every widget rendered; in the four
notebooks with a chart app, the chart changes after each of six clicks or entries (each one timed
from the input to the new picture decoded, phase by phase, for `make bench`).
Interactions: the scenario toggle, the therapy simulator, a quiz answer, and the same toggle
in live-slide mode (jupyterlab-slideshow's presentation of a running notebook).
Screenshots go to build/screenshots/; timings are printed (figures, not thresholds) and written to
build/bench-browser.json for `make bench`.
"""
import json
import os
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

import pytest

from conftest import ROOT, SCREENSHOTS, notebook_paths

from ._click_probe import PICTURE_DECODED, PROBE, SINCE, click_phases
from ._waits import wait_for, wait_layout_stable

pytestmark = pytest.mark.browser

TIMINGS = []
BENCH_BROWSER = ROOT / "build" / "bench-browser.json"  # read by tools/bench.py
NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook on screen


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab from the project's environment on 127.0.0.1, a free port and a fresh token;
    stopped by its own process group at the end, whatever happened."""
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    # Serve a copy of the notebooks: JupyterLab autosaves what it runs, and the repository's
    # notebooks must stay without outputs. The package and data come from the installed project.
    served = tmp / "root"
    shutil.copytree(ROOT / "notebooks", served / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (served / WARM_UP).write_text(json.dumps(WARM_UP_NOTEBOOK), encoding="utf-8")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               IPYTHONDIR=str(tmp / "ipython"), MPLCONFIGDIR=str(tmp / "mpl"), MPLBACKEND="module://matplotlib_inline.backend_inline",
               IMMUNE_BALANCE_PROGRESS_DIR=str(tmp / "progress"))
    env.pop("IMMUNE_BALANCE_RENDER", None)
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    cmd = [jupyter, "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}", f"--LabApp.user_settings_dir={tmp / 'settings'}"]
    # No news or update flags here: the project's own settings (tools/lab-overrides.json, copied into
    # the environment by tools/setup_env.sh) must keep those prompts away, as they do for `make lab`.
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    # Render every cell (JupyterLab 4 otherwise keeps only cells near the viewport in the page)
    # and start the kernel without asking.
    tracker = tmp / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none", "autoStartDefaultKernel": True}))
    # Warm the caches a first kernel would otherwise build while the first notebook runs
    # (matplotlib's font cache in the fresh MPLCONFIGDIR, the package's bytecode): on a cold, busy
    # machine that delay let widget views render before their models arrived (notebook 00 showed
    # "model not found" once in CI).
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot, ipywidgets, widgets.apps, widgets.charts"],
                   cwd=served, env=env, check=True, timeout=300)
    log = open(tmp / "lab.log", "w+")
    proc = subprocess.Popen(cmd, cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.seek(0)
                pytest.fail(f"JupyterLab did not start:\n{log.read()[-3000:]}")
            time.sleep(0.3)
        yield base, token
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()
        if TIMINGS:
            print("\nBrowser timings (seconds):")
            for name, value, *_ in TIMINGS:
                print(f"  {name:<58} {value:6.2f}")
            _write_timings(TIMINGS)


# A one-cell notebook the fixture opens first, outside notebooks/ (see `lab`).
WARM_UP = "warm-up.ipynb"
WARM_UP_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}},
    "cells": [{"cell_type": "code", "id": "warm-up", "metadata": {}, "outputs": [], "execution_count": None,
               "source": "import ipywidgets as ipw\nipw.IntSlider(description='warm-up')"}],
}


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    """The server after a first notebook has been opened, run and closed in this browser.

    On a fresh server under load, the first kernel's first websocket often fails (the server logs
    "'NoneType' object has no attribute 'kernel_ws_protocol'", jupyter-server/jupyter_server#1265).
    JupyterLab reconnects, but that page's widgets then all say "Error displaying widget: model not
    found", and running the cells again does not help; reloading the page does. Under load this
    warm-up notebook met it in 7 of the 8 runs where it was watched, and the reload fixed it each
    time; before the warm-up, the first notebook of the tests met it in two of six runs. A learner's
    first notebook can meet it too (the README says to reload). The tests meet it here, so that what
    they check is the series. Should a later page meet it, `_run_all` reloads once, as the README
    says."""
    base, token = lab_server
    page = browser.new_page()
    try:
        page.goto(f"{base}/lab/workspaces/warm{secrets.token_hex(4)}/tree/{WARM_UP}?reset&token={token}")
        page.wait_for_selector(f"{NB} .jp-Cell", timeout=60000)
        _wait_idle(page)
        _run_all(page)  # with one reload if the race came (it says so)
        broken = page.locator(f"{NB} .jp-OutputArea-output", has_text="model not found").count()
        print(f"\nwarm-up notebook: {'model not found, even after a reload' if broken else 'widget drawn'}")
    finally:
        _close(page)
        _shut_down_kernels(base, token)
    return base, token


def _shut_down_kernels(base, token):
    """End every session the server holds (the warm-up's kernel), so it costs no memory later."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=30) as r:
        sessions = json.load(r)
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(request, timeout=60).close()


def _write_timings(timings, path=BENCH_BROWSER):
    """The timings for `make bench` (tools/bench.py reads this file when it exists)."""
    from datetime import datetime, timezone

    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [{"name": n, "seconds": round(v, 4), **(extra[0] if extra else {})} for n, v, *extra in timings]
    path.write_text(json.dumps({"measured_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                "load_average": [round(x, 2) for x in os.getloadavg()],
                                "timings": rows}, indent=1) + "\n", encoding="utf-8")


def _wait_idle(page, timeout_s=120, all_run=False, stall_s=None):
    """Wait until the kernel is idle and no cell is queued or running (and, with all_run,
    until every code cell shows an execution number). With stall_s, return False when the
    kernel has sat idle that long with cells never run (a Run All that stopped short)."""
    deadline = time.time() + timeout_s
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout_s * 1000)
    idle_since = None
    while time.time() < deadline:
        # code cells whose source is collapsed (the hidden test cells) show no prompt
        prompts = _prompts(page)
        busy = any("*" in p for p in prompts)
        done = all(any(ch.isdigit() for ch in p) for p in prompts)
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
        if idle and not busy and (done or not all_run):
            return True
        if stall_s is not None and idle and not busy:
            idle_since = idle_since or time.time()
            if time.time() - idle_since > stall_s:
                return False
        else:
            idle_since = None
        time.sleep(0.3)
    raise AssertionError(f"the notebook did not finish running: prompts {prompts}")


def _open(browser, lab, name, init_script=None):
    base, token = lab
    page = browser.new_page()
    # what the page's console says about widgets, for a failure's message (see _problems)
    page.widget_console = []
    page.on("console", lambda m: page.widget_console.append(f"{m.type}: {m.text[:300]}")
            if m.type in ("error", "warning") else None)
    if init_script:
        page.add_init_script(init_script)
    started = time.perf_counter()
    # a fresh workspace per page, so no tab from an earlier test is restored beside this one
    workspace = f"t{secrets.token_hex(4)}"
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/notebooks/{name}?reset&token={token}")
    page.wait_for_selector(f"{NB} .jp-Cell", timeout=60000)
    _wait_idle(page)
    return page, started


def _prompts(page):
    return page.evaluate("""() => [...document.querySelectorAll('""" + NB + """ .jp-CodeCell .jp-InputPrompt')]
                             .map(p => p.textContent.trim()).filter(p => p)""")


def _run_all(page):
    """Run all cells (`_run_all_cells`). If every problem on the page is then the widget race
    described in `lab` ("model not found" and the like), do what the README tells a learner:
    reload the page and run all cells again, once, and say so. A real widget failure is still
    there after the reload, and the tests that check for problems fail on it."""
    _run_all_cells(page)
    problems = _problems(page)
    if problems and all(p in WIDGET_RACE for p in problems):
        name = page.url.split("?")[0].rsplit("/", 1)[-1]
        print(f"\n{name}: {problems} after Run All; reloading the page and running all cells again")
        page.reload()
        page.wait_for_selector(f"{NB} .jp-Cell", timeout=60000)
        _wait_idle(page)
        _run_all_cells(page)


def _run_all_cells(page):
    """Run → Run All Cells, as a learner does. On a cold server the first click can come before
    the kernel is ready and run nothing, or stop after the first cell; then it is clicked again
    (three tries)."""
    for attempt in range(3):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        deadline = time.time() + 20
        while time.time() < deadline:
            if any("*" in p or any(ch.isdigit() for ch in p) for p in _prompts(page)):
                break
            time.sleep(0.3)
        else:
            page.keyboard.press("Escape")
            continue
        if _wait_idle(page, timeout_s=180, all_run=True, stall_s=None if attempt == 2 else 15):
            break
    _wait_widgets_drawn(page)


def _wait_widgets_drawn(page, timeout_ms=20000):
    """Wait until no widget output still says 'Loading widget' (the views have their models)."""
    try:
        page.wait_for_function(
            """(sel) => ![...document.querySelectorAll(sel + ' .jp-OutputArea-output')]
                           .some(o => o.textContent.includes('Loading widget'))""",
            arg=NB, timeout=timeout_ms)
    except Exception:
        pass  # what is still loading is reported by _problems


def _problems(page):
    text = page.locator(NB).first.inner_text()
    problems = []
    errors = page.locator(f"{NB} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    if errors.count():
        problems.append("error output: " + errors.first.inner_text()[:500])
    for bad in ("Loading widget", "Error displaying widget", "model not found", "Traceback"):
        if bad in text:
            problems.append(f"'{bad}' on the page")
    if problems:
        print(f"\nthe page's console, last errors and warnings: {getattr(page, 'widget_console', [])[-12:]}")
    return problems


WIDGET_RACE = {"'Loading widget' on the page", "'Error displaying widget' on the page", "'model not found' on the page"}


def _close(page):
    try:
        page.close()
    except Exception:
        pass


def _toggle(label):
    """A step that clicks the app's toggle button with this label."""
    def step(page, app):
        app.locator(".widget-toggle-button", has_text=label).first.click()
    return f"click {label}", step


def _entry(box, value):
    """A step that types a value into the app's number box with this label and presses Enter."""
    def step(page, app):
        field = app.locator(".widget-inline-hbox", has_text=box).locator("input").first
        field.fill(value)
        field.press("Enter")
    return f"{box} {value} + Enter", step


# The chart app of a notebook, found by a control only it has, and six changes that each change
# its chart (the first toggle differs from the app's starting choice).
CHART_APPS = {
    "02-immune-dysregulation": ("ScenarioExplorer", ".widget-toggle-button", "Underactive",
                                [_toggle(x) for x in ("Underactive", "Overactive", "Balanced") * 2]),
    "03-immunodeficiency": ("ImmunoglobulinLabExplorer", ".widget-inline-hbox", "IgG (mg/dL)",
                            [_entry("IgG (mg/dL)", v) for v in ("300", "1000") * 3]),
    "05-autoimmune-neutropenia": ("NeutrophilCalculator", ".widget-inline-hbox", "White cells",
                                  [_entry("White cells", v) for v in ("1500", "6000") * 3]),
    "06-immunoglobulin-replacement": ("IgTherapySimulator", ".widget-toggle-button", "SCIG",
                                      [_toggle(x) for x in ("SCIG", "IVIG") * 3]),
}


def _changes_redraw_the_chart(page, stem):
    """Each of the app's six changes gives it a new chart: wait for the new picture, then record
    the time from the input to the picture decoded, phase by phase (tests/browser/_click_probe.py)."""
    app_name, marker, text, steps = CHART_APPS[stem]
    app = page.locator(f"{NB} .jp-OutputArea-output > .jupyter-widgets.widget-container",
                       has=page.locator(marker, has_text=text)).first
    app.scroll_into_view_if_needed()
    image = app.locator(".widget-image").first
    image.evaluate("img => img.setAttribute('data-ib-probe', '')")  # the probe times this image
    for label, step in steps:
        old = image.get_attribute("src")
        mark = page.evaluate("() => performance.now()")
        started = time.perf_counter()
        step(page, app)
        wait_for(page, "([el, old]) => el.getAttribute('src') !== old",
                 f"{app_name}'s chart to change after '{label}'", arg=[image.element_handle(), old], timeout_ms=30000)
        wait_for(page, PICTURE_DECODED, f"{app_name}'s kernel to be idle again and its new chart decoded "
                 f"after '{label}'", arg=mark, timeout_ms=30000)
        waited = time.perf_counter() - started
        seen = page.evaluate(SINCE, mark)
        # the events of each app's last change, to check its phases by hand
        (ROOT / "build" / f"click-probe-{app_name}.json").write_text(json.dumps(seen, indent=1))
        phases = click_phases(seen, mark)
        seconds = phases["total_ms"] / 1e3 if "total_ms" in phases else waited
        TIMINGS.append((f"{app_name}: {label} -> chart", seconds, {"app": app_name, "phases": phases}))


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab_and_every_widget_renders(browser, lab, path):
    page, started = _open(browser, lab, path.name, init_script=PROBE)
    try:
        _run_all(page)
        widget_cells = page.locator(f"{NB} .jp-OutputArea-output .jupyter-widgets.widget-container")
        if widget_cells.count():
            widget_cells.first.wait_for(timeout=30000)
            TIMINGS.append((f"{path.stem}: open + run all to first widget", time.perf_counter() - started))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        problems = _problems(page)  # after _run_all's one reload, if the widget race came
        page.screenshot(path=str(SCREENSHOTS / f"lab-{path.stem}.png"))
        assert not problems, f"{path.name}: {problems}"
        assert widget_cells.count() >= 1, f"{path.name}: no widget rendered"
        if path.stem in CHART_APPS:
            _changes_redraw_the_chart(page, path.stem)
    finally:
        _close(page)


def _app_with(page, text):
    """The outermost displayed widget box that contains a toggle button with this label."""
    return page.locator(f"{NB} .jp-OutputArea-output > .jupyter-widgets.widget-container",
                        has=page.locator(".widget-toggle-button", has_text=text)).first


def test_scenario_toggle_changes_chart_and_disorders(browser, lab):
    page, _ = _open(browser, lab, "02-immune-dysregulation.ipynb")
    try:
        _run_all(page)
        app = _app_with(page, "Underactive")
        app.scroll_into_view_if_needed()
        image = app.locator(".widget-image").first

        def state():
            return image.get_attribute("src"), app.locator("h4").first.inner_text(), app.inner_text()

        before = state()
        page.screenshot(path=str(SCREENSHOTS / "lab-scenario-before.png"))
        for label, expect in (("Underactive", ("CVID", "XLA", "SCID")), ("Overactive", ("SLE", "Lupus", "IPEX", "RA"))):
            clicked = time.perf_counter()
            app.locator(".widget-toggle-button", has_text=label).first.click()
            page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                                   arg=[image.element_handle(), state()[0]], timeout=15000)
            TIMINGS.append((f"scenario: click {label} to new chart", time.perf_counter() - clicked))
            # the info panel is re-rendered after the chart: wait for its heading to change
            wait_for(page, "([el, old]) => { const h = el.querySelector('h4'); return h && h.innerText !== old; }",
                     f"the info panel's heading to change after clicking {label}",
                     arg=[app.element_handle(), before[1]], timeout_ms=15000)
            after = state()
            page.screenshot(path=str(SCREENSHOTS / f"lab-scenario-{label.lower()}.png"))
            assert after[0] != before[0], f"the chart must change after clicking {label}"
            assert after[1] != before[1], f"the info panel must change after clicking {label}"
            assert any(name in after[2] for name in expect), f"{label} must list {expect}: {after[2][:400]}"
            before = after
    finally:
        _close(page)


def test_therapy_route_and_dose_change_the_trough(browser, lab):
    page, _ = _open(browser, lab, "06-immunoglobulin-replacement.ipynb")
    try:
        _run_all(page)
        app = _app_with(page, "SCIG")
        app.scroll_into_view_if_needed()

        row = app.locator("tr", has_text="Trough at steady state").first

        def trough():
            return row.inner_text()

        def wait_for_new_trough(old):
            page.wait_for_function("([el, old]) => el.innerText !== old",
                                   arg=[row.element_handle(), old], timeout=15000)

        first = trough()
        page.screenshot(path=str(SCREENSHOTS / "lab-therapy-before.png"))
        app.locator(".widget-toggle-button", has_text="SCIG").first.click()
        wait_for_new_trough(first)
        scig = trough()
        assert scig != first, "switching to SCIG must change the shown trough"
        dose_box = app.locator(".widget-inline-hbox", has_text="Dose").locator("input").first
        dose_box.fill("200")
        dose_box.press("Enter")
        wait_for_new_trough(scig)
        page.screenshot(path=str(SCREENSHOTS / "lab-therapy-after.png"))
        assert trough() != scig, "changing the dose must change the shown trough"
    finally:
        _close(page)


def _long_choices_wrap_inside_their_buttons(page, quiz):
    """At 1280x720 every choice stays beside its radio button, inside the quiz, without overlapping
    the next choice; the longest choice of the page wraps onto more lines instead."""
    page.set_viewport_size({"width": 1280, "height": 720})
    wait_for(page, "() => window.innerWidth === 1280 && window.innerHeight === 720",
             "the page to take the 1280x720 viewport")
    wait_layout_stable(page, quiz, "the quiz to reflow to the 1280x720 viewport")
    labels = quiz.locator(".widget-radio-box label")
    assert labels.count() >= 4
    right_edge = quiz.bounding_box()["x"] + quiz.bounding_box()["width"]
    boxes = []
    for i in range(labels.count()):
        label = labels.nth(i)
        box, radio = label.bounding_box(), label.locator("input").bounding_box()
        words = label.evaluate("l => { const r = document.createRange(); r.selectNodeContents(l);"
                               " const b = r.getBoundingClientRect(); return [b.right, b.bottom]; }")
        assert words[0] <= right_edge + 1, f"choice {i + 1} runs past the quiz: {label.inner_text()[:60]!r}"
        assert words[1] <= box["y"] + box["height"] + 1, f"choice {i + 1} spills below its button"
        assert abs(radio["y"] - box["y"]) < 12 and radio["x"] - box["x"] < 12, \
            f"choice {i + 1} sits apart from its radio button (which must come first, on its first line)"
        boxes.append(box)
    for above, below in zip(boxes, boxes[1:]):
        assert above["y"] + above["height"] <= below["y"] + 1, "two choices overlap"
    longest = max(range(len(boxes)), key=lambda i: len(labels.nth(i).inner_text()))
    labels.nth(longest).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "lab-quiz-long-choices.png"))


def test_quiz_gives_feedback_for_right_and_wrong_answers(browser, lab):
    from playwright.sync_api import expect

    sys.path.insert(0, str(ROOT))
    from widgets.data import load_quiz

    question = load_quiz("05-autoimmune-neutropenia")["questions"][0]
    right = next(c["text"] for c in question["choices"] if c["correct"])
    wrong = next(c["text"] for c in question["choices"] if not c["correct"])
    page, _ = _open(browser, lab, "05-autoimmune-neutropenia.ipynb")
    try:
        _run_all(page)
        quiz = page.locator(f"{NB} .jp-OutputArea-output > .jupyter-widgets.widget-container",
                            has=page.get_by_text(question["prompt"][:40])).first
        quiz.scroll_into_view_if_needed()
        block = quiz.locator(".widget-vbox", has=page.get_by_text(question["prompt"][:40])).last
        block.locator(".widget-radio-box label", has_text=wrong).first.click()
        block.locator("button", has_text="Check").first.click()
        expect(block.get_by_text("Not quite")).to_be_visible(timeout=15000)  # a wrong answer must say so
        page.screenshot(path=str(SCREENSHOTS / "lab-quiz-wrong.png"))
        block.locator(".widget-radio-box label", has_text=right).first.click()
        block.locator("button", has_text="Check").first.click()
        expect(block.get_by_text("Right.")).to_be_visible(timeout=15000)  # waits for the feedback to change
        text = block.inner_text()
        assert "Not quite" not in text and "Right." in text, f"a right answer must say so: {text[:300]}"
        page.screenshot(path=str(SCREENSHOTS / "lab-quiz-right.png"))
        _long_choices_wrap_inside_their_buttons(page, quiz)
    finally:
        _close(page)


PRESENTING = "body[data-jp-deck-mode='presenting']"
ON_SLIDE = ".jp-deck-mod-onscreen"  # the cells jupyterlab-slideshow shows on the current slide
# where the live slides are: the active cell (Space may step to a cell already on screen) and the
# cells on screen (how each begins)
ON_SLIDE_NOW = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].findIndex(c => c.classList.contains('jp-mod-active'))
    + '#' + [...document.querySelectorAll('.jp-deck-mod-onscreen')].map(e => e.textContent.trim().slice(0, 80)).join('|')"""


def _start_deck(page):
    """Start presentation mode from the Command Palette, as the README tells a teacher, on the first slide."""
    page.locator(f"{NB} .jp-Cell").first.click()
    page.keyboard.press("Escape")  # command mode, so the slide keys go to the deck
    page.keyboard.press("Control+Shift+C")
    page.locator(".lm-CommandPalette-input").first.fill("Start Deck")
    page.locator(".lm-CommandPalette-item", has_text="Start Deck").first.click()
    page.wait_for_selector(PRESENTING, state="attached", timeout=15000)
    # the slide keys reach the deck only once it shows its first slide and the notebook has the focus back
    wait_for(page, """() => document.querySelectorAll('.jp-deck-mod-onscreen').length > 0
                         && document.activeElement && document.activeElement.closest('.jp-Notebook') !== null""",
             "the deck to show its first slide with the keyboard focus in the notebook")


def _stop_deck(page):
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => !document.querySelector(\"{PRESENTING}\")", timeout=15000)


# JupyterLab's announcements plugin asks about news (or checks for updates) right after it has read
# this config section; the request shows in the page's resource timings
ANNOUNCEMENTS_READ = """() => performance.getEntriesByType('resource')
    .some(e => e.name.includes('/api/config/jupyterlabapputilsextensionannouncements'))"""


def test_no_news_or_update_prompt_on_a_fresh_lab(browser, lab):
    # keep every resource timing (the default buffer of 250 can fill before the plugin's request)
    page, _ = _open(browser, lab, "00-start-here.ipynb", init_script="performance.setResourceTimingBufferSize(100000)")
    try:
        wait_for(page, ANNOUNCEMENTS_READ, "JupyterLab's announcements plugin to read its settings", timeout_ms=30000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        count = page.locator(".jp-Notification-Status-Text").all_inner_texts()
        if any(t.strip() not in ("", "0") for t in count):  # a notification came: wait for its toast
            wait_for(page, "() => document.querySelector('.Toastify__toast') !== null",
                     f"the toast of the notification the status bar counts ({count})")
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        assert not any("news" in t.lower() or "update" in t.lower() for t in toasts), toasts
    finally:
        _close(page)


def test_live_slides_keep_the_scenario_toggle_working(browser, lab):
    from playwright.sync_api import expect

    page, _ = _open(browser, lab, "02-immune-dysregulation.ipynb")
    presenting = False
    try:
        _run_all(page)
        _start_deck(page)
        presenting = True
        app = None
        for _ in range(40):  # Space: the next fragment, sub-slide or slide
            # the presenter has stepped to the widget: its cell (a fragment under the slide's
            # heading and prediction) is the active one, so the first click reaches the widget
            app = page.locator(f"{ON_SLIDE}.jp-mod-active .jupyter-widgets.widget-container",
                               has=page.locator(".widget-toggle-button", has_text="Underactive"))
            if app.count():
                break
            shown = page.evaluate(ON_SLIDE_NOW)
            page.keyboard.press("Space")
            try:
                wait_for(page, "(old) => (" + ON_SLIDE_NOW + ")() !== old",
                         f"the live slides to move on after Space from {shown[:60]!r}", arg=shown)
            except AssertionError as stuck:  # the end of the deck, or keys that no longer reach it
                pytest.fail(f"no live slide shows the Underactive/Balanced/Overactive toggle ({stuck})")
        assert app is not None and app.count(), "no live slide shows the Underactive/Balanced/Overactive toggle"
        app = app.first
        assert "IntSlider(" not in app.inner_text() and "ToggleButtons(" not in app.inner_text(), \
            "the widget must be live, not its text repr"
        image = app.locator(".widget-image").first
        old = image.get_attribute("src")
        button = app.locator(".widget-toggle-button", has_text="Underactive").first
        button.evaluate("b => b.scrollIntoView({block: 'center'})")
        # the deck lays the slide out again after the scroll: click once the button has stopped moving
        wait_for(page, """(b) => new Promise(r => { const y0 = b.getBoundingClientRect().top;
                     requestAnimationFrame(() => requestAnimationFrame(() => r(b.getBoundingClientRect().top === y0))); })""",
                 "the Underactive button to stop moving after the scroll", arg=button.element_handle())
        clicked = time.perf_counter()
        button.click()  # a real click: nothing (such as the output's collapse strip) may sit on top of it
        page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                               arg=[image.element_handle(), old], timeout=15000)
        TIMINGS.append(("live slides: click Underactive to new chart", time.perf_counter() - clicked))
        # the info panel is re-rendered (a new <h4>), so wait on the locator, not on an element handle
        expect(app.locator("h4").first).to_contain_text("Underactive", ignore_case=True, timeout=15000)
        assert page.locator(PRESENTING).count() == 1, "clicking the widget must not leave presentation mode"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "live-slides.png"))
    finally:
        if presenting:
            _stop_deck(page)  # the deck remembers it was on: switch it off for the next page
        _close(page)


def _axe_blocking(page, include):
    """axe-core (shipped by axe-playwright-python, injected, no network) on part of the page:
    the critical and serious violations, as readable lines.

    Known upstream gap left out: ipywidgets' sliders draw their handle with noUiSlider, whose
    role="slider" element gets no accessible name (aria-input-field-name); the slider's visible
    label sits beside it and its value is announced."""
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
    page.evaluate(script)
    result = page.evaluate("(inc) => axe.run({include: inc}, {resultTypes: ['violations']})",
                           [[sel] for sel in include])
    return [f"{v['impact']}: {v['id']} at {n['target']}: {n['html'][:140]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")
            for n in v["nodes"]
            if not (v["id"] == "aria-input-field-name" and "noUi-handle" in n["html"])]


def test_widget_outputs_pass_axe_and_the_scenario_app_works_from_the_keyboard(browser, lab):
    page, _ = _open(browser, lab, "02-immune-dysregulation.ipynb")
    try:
        _run_all(page)
        problems = _axe_blocking(page, [f"{NB} .jp-OutputArea-output"])
        assert not problems, "axe-core in the widget outputs:\n  " + "\n  ".join(problems)

        app = _app_with(page, "Underactive")
        image = app.locator(".widget-image").first
        first_alt = image.get_attribute("title")
        assert first_alt and len(first_alt) > 30, "the chart image needs alt text (its title)"
        # keyboard only from here: focus the first control, then Tab and Enter / arrow keys
        app.locator(".widget-toggle-button").first.evaluate("b => { b.scrollIntoView({block: 'center'}); b.focus(); }")

        def focused():
            return page.evaluate("() => { const e = document.activeElement; return [e.innerText || '',"
                                 " e.getAttribute('role') || '', e.closest('.jp-OutputArea-output') !== null]; }")

        for _ in range(2):
            page.keyboard.press("Tab")
        assert focused()[0].strip() == "Overactive", f"Tab must reach the Overactive button, got {focused()}"
        old = image.get_attribute("src")
        page.keyboard.press("Enter")
        page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), old],
                               timeout=15000)
        page.wait_for_function("([el, old]) => el.getAttribute('title') !== old",
                               arg=[image.element_handle(), first_alt], timeout=5000)  # the alt text follows
        for _ in range(8):  # on to the first slider
            page.keyboard.press("Tab")
            if focused()[1] == "slider":
                break
        assert focused()[1] == "slider" and focused()[2], f"Tab must reach a slider in the app, got {focused()}"
        old = image.get_attribute("src")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), old],
                               timeout=15000)
        page.screenshot(path=str(SCREENSHOTS / "lab-keyboard.png"))
    finally:
        _close(page)
