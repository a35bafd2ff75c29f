"""Accessibility audit with axe-core (the axe.min.js that axe-playwright-python ships, injected by
Playwright, no network): every page of the site, and the first slide and a chart slide of every
deck, have no critical or serious violation. The widget output areas in JupyterLab and the
keyboard test are in test_lab.py (they need its JupyterLab server).

The student copy (`make student`) is a folder of notebooks, not HTML pages: learners open it in
JupyterLab, which the Lab audit covers.
"""
from pathlib import Path

import pytest

from conftest import SCREENSHOTS, notebook_paths

from ._waits import PRESENT, deck_next, wait_deck_ready, wait_widgets_rendered

pytestmark = pytest.mark.browser

BLOCKING = ("critical", "serious")


def axe_script() -> str:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")


def audit(page, context="document"):
    """Run axe-core on the page (or a part of it); return the critical and serious violations as
    readable lines."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    result = page.evaluate(f"() => axe.run({context}, {{resultTypes: ['violations']}})")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {n['target']}: {n['html'][:140]}"
            for v in result["violations"] if v["impact"] in BLOCKING for n in v["nodes"][:3]]


def _site_pages():
    from conftest import BUILD

    site = BUILD / "html"
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def test_every_site_page_passes_axe(browser, built_site):
    pages = _site_pages()
    assert len(pages) >= len(notebook_paths()) + 4, "the site's pages were not found"
    page = browser.new_page()
    problems = {}
    try:
        page.set_viewport_size({"width": 1280, "height": 720})
        for path in pages:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            wait_widgets_rendered(page, f"{path.name}: the widgets to render from the embedded state")
            found = audit(page)
            if found:
                problems[str(path.relative_to(built_site / "html"))] = found
    finally:
        page.close()
    assert not problems, "axe-core found critical or serious problems:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_deck_first_slide_and_a_chart_slide_pass_axe(browser, built_site, path):
    deck = built_site / "slides" / f"{path.stem}.slides.html"
    page = browser.new_page()
    try:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(deck.as_uri())
        wait_deck_ready(page, deck.name)
        first = audit(page)
        for _ in range(150):  # "n": the next slide, through sub-slides too (each waited for)
            if page.locator(f"{PRESENT} img").count():
                break
            if not deck_next(page, "n"):
                break  # a deck without any chart (the families' notebook) is audited on its last slide
        chart = audit(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"a11y-deck-{path.stem}-chart.png"))
        assert not first, f"{deck.name}, first slide:\n  " + "\n  ".join(first)
        assert not chart, f"{deck.name}, chart (or last) slide:\n  " + "\n  ".join(chart)
    finally:
        page.close()
