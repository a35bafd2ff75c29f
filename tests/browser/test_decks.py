"""The offline decks and site in a real browser (Debian's Chromium): from file://, no network, widgets alive without a kernel."""
import pytest

from conftest import SCREENSHOTS, notebook_paths

from ._waits import PRESENT, deck_next, wait_deck_ready, wait_for, wait_widgets_rendered

pytestmark = pytest.mark.browser


def _open_offline(browser, url):
    """Open url in a new page; record every request that is not a local file or inline data."""
    page = browser.new_page()
    remote = []
    page.on("request", lambda req: remote.append(req.url)
            if not req.url.startswith(("file:", "data:", "blob:", "about:")) else None)
    page.goto(url)
    return page, remote


NEXT = "n"  # reveal.js: next slide, through vertical sub-slides too


def _advance_to(page, selector, has_text=None, limit=120):
    """Press "next" until the slide on screen holds `selector`; return its first match, or None
    at the end of the deck."""
    for _ in range(limit):
        found = page.locator(f"{PRESENT} {selector}", has_text=has_text)
        # visible, not just present: a widget is a fragment, in the slide but hidden until "next"
        if found.count() and found.first.is_visible():
            return found.first
        if not deck_next(page, NEXT):
            return None
    return None


def _wait_for_reveal(page):
    wait_deck_ready(page, page.url.rsplit("/", 1)[-1])


def _non_blank(png_bytes):
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(png_bytes)).convert("L")
    lo, hi = image.getextrema()
    return hi - lo > 60


def _draws_charts(path):
    """Whether a notebook shows a chart: a chart helper or one of the chart-drawing apps."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return any(name in code for name in ("show_chart(", "Explorer(", "Simulator(", "Calculator(", "plot_"))


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
        wait_for(page, "(old) => location.hash !== old", "the right-arrow key to advance the deck", arg=before)
        chart = _advance_to(page, "img")  # the first slide that shows a chart (its images loaded)
        page.screenshot(path=str(SCREENSHOTS / f"deck-{path.stem}-chart.png"))
        if _draws_charts(path):
            assert chart is not None, f"{deck.name}: no slide with a chart"
        if chart is not None:
            assert chart.get_attribute("alt") or chart.get_attribute("title"), "a chart needs alt text"
            captions = page.locator(f"{PRESENT} .ib-chart-caption, {PRESENT} figcaption")
            assert all(not captions.nth(i).is_visible() for i in range(captions.count())), \
                "the chart's description belongs in its alt text, not in a caption on the slide"
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

        def shown():
            """The chart on screen (pixels) and the heading of the info panel under it."""
            chart = page.locator(f"{PRESENT} img").first
            return chart.screenshot(), page.locator(f"{PRESENT} h4").first.inner_text()

        page.locator(f"{PRESENT} .widget-toggle-button", has_text="Balanced").first.click()
        _wait_toggle_shows(page, f"{PRESENT} ", "Balanced")
        balanced = shown()
        page.screenshot(path=str(SCREENSHOTS / "deck-scenario-balanced.png"))
        toggle.click()
        _wait_toggle_shows(page, f"{PRESENT} ", "Underactive")
        underactive = shown()
        page.screenshot(path=str(SCREENSHOTS / "deck-scenario-underactive.png"))
        assert balanced[0] != underactive[0], "clicking Underactive must change the chart shown, with no kernel"
        assert "balanced" in balanced[1].lower() and "underactive" in underactive[1].lower(), \
            f"the info panel must follow the toggle: {balanced[1]!r} then {underactive[1]!r}"
        assert not remote, f"network requests: {remote[:5]}"
    finally:
        page.close()


# the kernel-free toggle's button with this label is the selected one, and the chart shown under it
# (the Stack's page that the toggle is linked to) has finished loading
TOGGLE_SHOWS = """([where, label]) => {
    const button = [...document.querySelectorAll(where + '.widget-toggle-button')]
        .find(b => b.textContent.trim() === label);
    const chart = document.querySelector(where + '.widget-image, ' + where + '.jupyter-widgets img');
    return button && button.classList.contains('mod-active') && chart && chart.complete && chart.naturalWidth > 0;
}"""


def _wait_toggle_shows(page, where, label):
    wait_for(page, TOGGLE_SHOWS, f"the {label} button to be selected and its chart loaded", arg=[where, label])


def _scenario_toggle_switches_chart(page, where=""):
    """Click Balanced then Underactive on the page's kernel-free scenario toggle; return both chart shots."""
    page.locator(f"{where}.widget-toggle-button", has_text="Balanced").first.click()
    _wait_toggle_shows(page, where, "Balanced")
    chart = page.locator(f"{where}.widget-image, {where}.jupyter-widgets img").first
    balanced = chart.screenshot()
    page.locator(f"{where}.widget-toggle-button", has_text="Underactive").first.click()
    _wait_toggle_shows(page, where, "Underactive")
    return balanced, page.locator(f"{where}.widget-image, {where}.jupyter-widgets img").first.screenshot()


def test_site_page_opens_offline(browser, built_site):
    """A Sphinx page from file://: sidebar with the series, widgets from embedded state with local
    scripts (the toggle switches the chart without a kernel), search, no network request."""
    page_path = built_site / "html" / "notebooks" / "02-immune-dysregulation.html"
    page, remote = _open_offline(browser, page_path.as_uri())
    try:
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_selector(".widget-toggle-button", timeout=20000)
        wait_widgets_rendered(page, f"{page_path.name}: the widgets to render from the embedded state")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = page.screenshot(path=str(SCREENSHOTS / "site-02.png"))
        assert _non_blank(shot)
        sidebar = page.locator(".bd-sidebar-primary")
        for path in notebook_paths():  # the page itself is the sidebar's current entry ("#")
            if path.stem != "02-immune-dysregulation":
                assert sidebar.locator(f"a[href$='{path.stem}.html']").count() >= 1, f"sidebar lacks {path.stem}"
        assert sidebar.get_by_text("For families").count() >= 1 and sidebar.get_by_text("Glossary").count() >= 1
        assert page.get_by_text("Loading widget").count() == 0
        page.locator(".widget-toggle-button", has_text="Underactive").first.scroll_into_view_if_needed()
        balanced, underactive = _scenario_toggle_switches_chart(page)
        page.screenshot(path=str(SCREENSHOTS / "site-02-toggle.png"))
        assert balanced != underactive, "the site's scenario toggle must switch the chart, without a kernel"
        assert page.locator("details.hide.above-input").count() >= 1, "code inputs are folded away"
        page.locator(".prev-next-area a.right-next").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("03-immunodeficiency.html")
        assert not remote, f"network requests: {remote[:5]}"
    finally:
        page.close()


def _search(page, base, word):
    page.goto(f"{base}search.html?q={word}")
    page.wait_for_selector("#search-results ul.search li", timeout=20000)
    return page.locator("#search-results ul.search li").count()


def test_site_search_works_offline_and_from_a_plain_static_server(browser, built_site, tmp_path):
    import functools
    import http.server
    import threading

    site = built_site / "html"
    page, remote = _open_offline(browser, (site / "index.html").as_uri())
    try:
        hits = _search(page, (site / "index.html").as_uri()[: -len("index.html")], "neutropenia")
        page.screenshot(path=str(SCREENSHOTS / "site-search.png"))
        assert hits >= 2, "searching 'neutropenia' from file:// must find the pages that discuss it"
        assert not remote, f"network requests: {remote[:5]}"
    finally:
        page.close()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    page = browser.new_page()
    outside = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith((base, "data:", "blob:", "about:")) else None)
    try:
        page.goto(base + "notebooks/02-immune-dysregulation.html")
        page.wait_for_selector(".widget-toggle-button", timeout=20000)
        balanced, underactive = _scenario_toggle_switches_chart(page)
        assert balanced != underactive, "served over http the toggle must switch the chart too"
        assert _search(page, base, "glossary") >= 1
        assert not outside, f"requests outside the static server: {outside[:5]}"
    finally:
        page.close()
        server.shutdown()
