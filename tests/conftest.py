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
