"""The offline decks and site in a real browser (Debian's Chromium): from file://, no network, widgets alive without a kernel."""
import pytest

from conftest import SCREENSHOTS, notebook_paths

pytestmark = pytest.mark.browser


def _open_offline(browser, url):
    """Open url in a new page; record every request that is not a local file or inline data."""
    page = browser.new_page()
    remote = []
    page.on("request", lambda req: remote.append(req.url)
            if not req.url.startswith(("file:", "data:", "blob:", "about:")) else None)
    page.goto(url)
    return page, remote


# the slide on screen: reveal.js marks a vertical stack and its shown child both "present"
PRESENT = ".reveal .slides section.present:not(.stack)"
NEXT = "n"  # reveal.js: next slide, through vertical sub-slides too


def _advance_to(page, selector, has_text=None, limit=120):
    """Press "next" until the slide on screen holds `selector`; return its first match or None."""
    for _ in range(limit):
        found = page.locator(f"{PRESENT} {selector}", has_text=has_text)
        if found.count():
            return found.first
        page.keyboard.press(NEXT)
        page.wait_for_timeout(120)
    return None


def _wait_for_reveal(page):
    page.wait_for_selector(".reveal.ready, .reveal .slides section.present", timeout=20000)
    page.wait_for_timeout(500)


def _non_blank(png_bytes):
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png_bytes)).convert("L")
    lo, hi = image.getextrema()
    return hi - lo > 60


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_deck_opens_offline_draws_and_advances(browser, built_site, path):
    deck = built_site / "slides" / f"{path.stem}.slides.html"
    page, remote = _open_offline(browser, deck.as_uri())
    try:
        _wait_for_reveal(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        first = page.screenshot(path=str(SCREENSHOTS / f"deck-{path.stem}-slide1.png"))
        assert _non_blank(first), "the first slide is blank"
        assert page.locator(f"{PRESENT} h1").count() >= 1, "the first slide shows the title"
        before = page.evaluate("location.hash")
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(400)
        assert page.evaluate("location.hash") != before, "the right-arrow key must advance the deck"
        chart = _advance_to(page, "img")  # the first slide that shows a chart
        page.wait_for_timeout(600)
        page.screenshot(path=str(SCREENSHOTS / f"deck-{path.stem}-chart.png"))
        assert chart is not None, f"{deck.name}: no slide with a chart"
        assert not remote, f"{deck.name} made network requests: {remote[:5]}"
    finally:
        page.close()


def test_scenario_toggle_works_in_the_offline_deck_without_a_kernel(browser, built_site):
    deck = built_site / "slides" / "02-immune-dysregulation.slides.html"
    page, remote = _open_offline(browser, deck.as_uri())
    try:
        _wait_for_reveal(page)
        toggle = _advance_to(page, ".widget-toggle-button", has_text="Underactive")
        assert toggle is not None, "no slide with the Underactive/Balanced/Overactive toggle"
        page.wait_for_timeout(800)

        def shown():
            """The chart on screen (pixels) and the heading of the info panel under it."""
            chart = page.locator(f"{PRESENT} img").first
            return chart.screenshot(), page.locator(f"{PRESENT} h4").first.inner_text()

        page.locator(f"{PRESENT} .widget-toggle-button", has_text="Balanced").first.click()
        page.wait_for_timeout(500)
        balanced = shown()
        page.screenshot(path=str(SCREENSHOTS / "deck-scenario-balanced.png"))
        toggle.click()
        page.wait_for_timeout(500)
        underactive = shown()
        page.screenshot(path=str(SCREENSHOTS / "deck-scenario-underactive.png"))
        assert balanced[0] != underactive[0], "clicking Underactive must change the chart shown, with no kernel"
        assert "balanced" in balanced[1].lower() and "underactive" in underactive[1].lower(), \
            f"the info panel must follow the toggle: {balanced[1]!r} then {underactive[1]!r}"
        assert not remote, f"network requests: {remote[:5]}"
    finally:
        page.close()


def test_site_page_opens_offline(browser, built_site):
    page_path = built_site / "html" / "02-immune-dysregulation.html"
    page, remote = _open_offline(browser, page_path.as_uri())
    try:
        page.wait_for_selector(".ib-nav", timeout=20000)
        page.wait_for_timeout(1500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = page.screenshot(path=str(SCREENSHOTS / "site-02.png"))
        assert _non_blank(shot)
        assert page.locator("img").count() >= 1, "the page shows its charts"
        assert page.get_by_text("Loading widget").count() == 0
        assert page.locator(".widget-toggle-button").count() >= 3, "the scenario toggle is rendered from saved state"
        page.locator(".ib-nav a[rel=next]").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("03-immunodeficiency.html")
        assert not remote, f"network requests: {remote[:5]}"
    finally:
        page.close()
