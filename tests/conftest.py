"""Shared test fixtures for Immune Balance."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
# Quiz scores from tests (and from the kernels nbval starts) never go to a learner's home folder.
if "IMMUNE_BALANCE_PROGRESS_DIR" not in os.environ:
    import tempfile

    os.environ["IMMUNE_BALANCE_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="immune-balance-progress-")
# Quiz choices are shuffled per learner; under tests (and in the kernels they start) the order is fixed.
os.environ.setdefault("IMMUNE_BALANCE_QUIZ_SEED", "tests")


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


def notebook_paths():
    """Every notebook of the series, discovered (never listed by hand)."""
    return sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


BUILD = ROOT / "build"
SCREENSHOTS = BUILD / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-default-apps", "--disable-extensions"]


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def needed_here(message: str):
    """Something a test needs is missing: a failure on CI (CI installs everything), a skip
    that says how to install it on a developer's machine."""
    if on_ci():
        pytest.fail(message)
    pytest.skip(message)


def require_chromium():
    """Chromium is required on CI; on a developer machine without it, browser tests skip."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    needed_here("Debian's Chromium is not installed (/usr/bin/chromium), so the browser tests cannot run. "
                "Install it with: sudo apt-get install chromium")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Debian Chromium driven by Playwright, with a fresh profile; closed at the end."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 800})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """Run `tools/build_site.py all` once per session; return the build folder."""
    import subprocess
    import sys

    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_site.py"), "all"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"building the decks and the site failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return BUILD


# ----------------------------------------------------------------------------- parallel runs
# `make test` runs the suite on two pytest-xdist workers. Each worker is its own pytest session, so
# a session fixture is built once per worker that needs it. The scheduler below sends work out in
# groups: every module whose tests use the shared build (decks and site) to one worker, any other
# module whole (its module fixtures are built once), and the longest groups first, so that neither
# worker waits at the end for a long group started late. (xdist's own --dist loadgroup marks do
# not reach the scheduler with pytest 9, so the groups are found from the test ids here.)
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if WORKER:
    # Each worker's kernels get their own IPython and matplotlib folders: two kernels writing one
    # history database or one font cache at the same moment is a race the serial suite never had.
    for _var in ("IPYTHONDIR", "MPLCONFIGDIR"):
        if os.environ.get(_var):
            os.environ[_var] = f"{os.environ[_var]}-{WORKER}"

SHARED_BUILD = "built_site"  # decks and site, built once per session: all its modules on one worker
# Modules whose tests share nothing costly, so each test may go to either worker (one notebook each).
PER_TEST_MODULES = {"tests/test_offline.py"}
# The longest groups, longest first (measured with --durations; docs/performance.md, "Suite time").
LONGEST_FIRST = [SHARED_BUILD, "tests/test_determinism.py", "tests/browser/test_lab.py",
                 "tests/test_offline.py", "tests/test_environment.py", "tests/test_data_failures_in_apps.py",
                 "tests/test_binder.py", "tests/test_lab_server.py"]
_uses_shared_build = {}


def xdist_group(nodeid: str) -> str:
    """The group a test is scheduled with, from its id: the shared build's group for a module that
    uses it, the test alone in a PER_TEST_MODULES module, otherwise its module."""
    module = nodeid.split("::", 1)[0]
    if module in PER_TEST_MODULES:
        return nodeid
    if module not in _uses_shared_build:
        source = ROOT / module
        _uses_shared_build[module] = source.is_file() and SHARED_BUILD in source.read_text(encoding="utf-8")
    return SHARED_BUILD if _uses_shared_build[module] else module


def _rank(nodeid: str) -> int:
    group = xdist_group(nodeid)
    for i, name in enumerate(LONGEST_FIRST):
        if group == name or group.startswith(name + "::"):
            return i
    return len(LONGEST_FIRST)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return xdist_group(nodeid)

    return GroupScheduling(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if not WORKER:  # a serial run keeps pytest's own order
        return
    # Longest groups first (the scheduler hands them out in this order, with --no-loadscope-reorder);
    # a stable sort keeps the order of the tests inside each group.
    items.sort(key=lambda item: _rank(item.nodeid))


def load_tool(name: str):
    """A script of tools/ as a module (tools/ is not a package), for tests that call its functions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
