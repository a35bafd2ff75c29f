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


# ----------------------------------------------------------------------------- legibility of charts
MIN_CHART_TEXT_PX = 16  # issue 16: at 1280x720 the smallest text of a chart is at least ~16 px on screen
PROJECTOR = {"width": 1280, "height": 720}

# The slide on screen: its heading's box, whether it scrolls, and every chart image on it with its
# smallest text size in image pixels (known when the chart was drawn: show_chart's <img
# data-ib-min-font-px>, or the "ib-min-font-px" text chunk of the PNG a widget shows) and the scale
# it is displayed at (its width on screen over its width in pixels, so reveal.js's scaling to the
# window and the fit step are both included). Images not on screen (another page of a Stack, a
# folded table, a fragment not yet shown) are left out.
SLIDE_CHARTS = """async (where) => {
    const slide = document.querySelector(where);
    const heading = slide.querySelector('h1, h2, h3, h4');
    const box = heading ? heading.getBoundingClientRect() : null;
    const found = [];
    for (const img of slide.querySelectorAll('img')) {
        const r = img.getBoundingClientRect();
        if (!r.width || !img.naturalWidth || img.closest('.fragment:not(.visible)')) continue;
        let px = parseFloat(img.getAttribute('data-ib-min-font-px'));
        if (!px) {
            const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
            const chunk = new TextDecoder('latin1').decode(bytes).match(/ib-min-font-px\\0([0-9.]+)/);
            px = chunk ? parseFloat(chunk[1]) : null;
        }
        const figure = img.closest('figure');
        found.push({px: px, scale: r.width / img.naturalWidth, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    alt: (img.alt || img.title || '').slice(0, 70),
                    dotMatrix: !!(figure && figure.parentElement.querySelector('details.ib-chart-table'))});
    }
    return {slide: location.hash + ' "' + (heading ? heading.textContent.replace('\\u00b6', '').trim() : '') + '"',
            headingTop: box ? box.top : null, headingBottom: box ? box.bottom : null,
            scrolls: slide.scrollHeight > slide.clientHeight + 2, charts: found,
            shrunk: slide.style.fontSize !== '' && slide.style.fontSize !== '100%'};
}"""

# The fit step (tools/slides/templates/ib-reveal) marks the slide on screen once it is laid out.
FITTED = f"() => document.querySelector('{PRESENT}[data-ib-fit]') !== null"


def chart_slides(page, every=None):
    """Walk the whole deck (every slide and fragment); return what SLIDE_CHARTS finds on every
    step that shows a chart, with each chart's smallest text in pixels on screen ("shown_px").
    ``every``, a dict, receives what it finds on every slide, with or without a chart."""
    seen = {}
    while True:
        wait_for(page, FITTED, "the fit step to lay out the slide on screen")
        shown = page.evaluate(SLIDE_CHARTS, PRESENT)
        for chart in shown["charts"]:
            chart["shown_px"] = None if chart["px"] is None else round(chart["px"] * chart["scale"], 1)
        if shown["charts"]:
            seen[shown["slide"]] = shown  # the last step of a slide: every fragment on screen
        if every is not None:
            every[shown["slide"]] = shown
        if not deck_next(page, NEXT):
            return list(seen.values())


_walked = {}
_every_slide = {}


def _chart_slides_of(browser, built_site, path):
    """Every chart slide of a notebook's deck at 1280x720 (walked once per session; what every
    slide shows is kept in ``_every_slide[path.stem]``)."""
    if path.stem not in _walked:
        deck = built_site / "slides" / f"{path.stem}.slides.html"
        page, _ = _open_offline(browser, deck.as_uri())
        try:
            page.set_viewport_size(PROJECTOR)
            _wait_for_reveal(page)
            _every_slide[path.stem] = {}
            _walked[path.stem] = chart_slides(page, _every_slide[path.stem])
        finally:
            page.close()
    return _walked[path.stem]


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_slides_rarely_shrink_and_do_not_scroll(browser, built_site, path):
    """Issue 16: at 1280x720 the fit step rarely has to shrink a slide's text (at most one slide in
    ten) and at most one slide in twenty scrolls. The decks once shrank a third of their slides and
    scrolled 48: the series' sizes were overridden by reveal.js's theme (42 px text), long tables and
    widgets shared a slide with words, and a table ran off the bottom."""
    _chart_slides_of(browser, built_site, path)
    slides = _every_slide[path.stem]
    shrunk = [k for k, s in slides.items() if s["shrunk"]]
    scrolls = [k for k, s in slides.items() if s["scrolls"]]
    assert len(shrunk) <= len(slides) / 10, (f"{path.stem}: {len(shrunk)} of {len(slides)} slides shrink "
                                             "their text to fit:\n  " + "\n  ".join(shrunk))
    assert len(scrolls) <= len(slides) / 20, (f"{path.stem}: {len(scrolls)} of {len(slides)} slides scroll:\n  "
                                              + "\n  ".join(scrolls))


def test_the_series_text_sizes_win_over_the_slide_theme(browser, built_site):
    """reveal.js's theme is loaded after the series' style sheet; the series' sizes must still
    apply (32 px text, headings in sentence case), not the theme's 42 px capitals."""
    deck = built_site / "slides" / "01-immune-balance.slides.html"
    page, _ = _open_offline(browser, deck.as_uri())
    try:
        page.set_viewport_size(PROJECTOR)
        _wait_for_reveal(page)
        size, transform = page.evaluate("""() => {
            const r = getComputedStyle(document.querySelector('.reveal'));
            const h = document.querySelector('.reveal h1, .reveal h2, .reveal h3');
            return [r.fontSize, getComputedStyle(h).textTransform]; }""")
        assert size == "32px" and transform == "none", f"the theme's sizes won: text {size}, headings {transform}"
    finally:
        page.close()


CHART_DECKS = [p for p in notebook_paths() if _draws_charts(p)]


@pytest.mark.parametrize("path", CHART_DECKS, ids=lambda p: p.stem)
def test_chart_slides_fit_the_screen_under_their_heading(browser, built_site, path):
    """At 1280x720 a chart slide shows its heading and its whole chart without scrolling."""
    deck = f"{path.stem}.slides.html"
    slides = _chart_slides_of(browser, built_site, path)
    assert slides, f"{deck}: no chart found on any slide"
    bad = []
    for s in slides:
        if s["headingTop"] is None or s["headingTop"] < 0 or s["headingBottom"] > PROJECTOR["height"]:
            bad.append(f"{s['slide']}: heading not on screen (top {s['headingTop']})")
        if s["scrolls"]:
            bad.append(f"{s['slide']}: the slide is taller than the screen and scrolls")
        for c in s["charts"]:
            if c["top"] < 0 or c["bottom"] > PROJECTOR["height"] or c["left"] < 0 or c["right"] > PROJECTOR["width"]:
                bad.append(f"{s['slide']}: chart {c['alt']!r} runs off the screen "
                           f"(x {c['left']:.0f}-{c['right']:.0f}, y {c['top']:.0f}-{c['bottom']:.0f} px)")
    assert not bad, f"{deck} at 1280x720:\n  " + "\n  ".join(bad)


def _small_text(slides, dot_matrix):
    return [f"{s['slide']}: smallest text {c['shown_px']} px in {c['alt']!r}"
            for s in slides for c in s["charts"]
            if c["dotMatrix"] == dot_matrix and (c["shown_px"] is None or c["shown_px"] < MIN_CHART_TEXT_PX)]


@pytest.mark.parametrize("path", CHART_DECKS, ids=lambda p: p.stem)
def test_chart_text_is_legible_from_the_back_row(browser, built_site, path):
    """At 1280x720 the smallest text of every chart on every slide is at least 16 px high on screen
    (a chart that did not record its smallest text size fails too). The dot-matrix maps are
    checked by the next test."""
    slides = _chart_slides_of(browser, built_site, path)
    small = _small_text(slides, dot_matrix=False)
    assert not small, (f"{path.stem}.slides.html at 1280x720: chart text below {MIN_CHART_TEXT_PX} px "
                       "(or not recorded), too small for the back row:\n  " + "\n  ".join(small))


DOT_MATRIX_DECKS = [p for p in CHART_DECKS if "plot_symptom_map" in p.read_text(encoding="utf-8")
                    or "plot_treatment_map" in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", DOT_MATRIX_DECKS, ids=lambda p: p.stem)
def test_dot_matrix_maps_are_legible_from_the_back_row(browser, built_site, path):
    """The symptom and treatment maps too: at 1280x720 their smallest text is at least 16 px. A map
    of the whole series (over 30 rows) cannot hold that on one slide, so the decks show it in parts,
    one direction of disorders per slide with the columns of the whole map
    (widgets.charts.maps.slide_parts)."""
    slides = _chart_slides_of(browser, built_site, path)
    assert any(c["dotMatrix"] for s in slides for c in s["charts"]), f"{path.stem}: no dot-matrix map found"
    small = _small_text(slides, dot_matrix=True)
    assert not small, (f"{path.stem}.slides.html at 1280x720: map text below {MIN_CHART_TEXT_PX} px:\n  "
                       + "\n  ".join(small))


def test_explorer_slide_keeps_its_heading_in_view_when_a_button_is_clicked(browser, built_site):
    """Issue 16: notebook 2's explorer slide was taller than the screen, so it scrolled and clicking
    a button pushed its heading off the top. At 1280x720 it now fits: after each click the
    heading, the buttons and the whole chart are on screen and nothing scrolls."""
    deck = built_site / "slides" / "02-immune-dysregulation.slides.html"
    page, _ = _open_offline(browser, deck.as_uri())
    try:
        page.set_viewport_size(PROJECTOR)
        _wait_for_reveal(page)
        assert _advance_to(page, ".widget-toggle-button", has_text="Underactive") is not None
        for label in ("Underactive", "Overactive", "Balanced"):
            fits = page.get_attribute(PRESENT, "data-ib-fit")
            page.locator(f"{PRESENT} .widget-toggle-button", has_text=label).first.click()
            _wait_toggle_shows(page, f"{PRESENT} ", label)
            wait_for(page, f"(old) => document.querySelector('{PRESENT}').getAttribute('data-ib-fit') !== old",
                     f"the fit step to lay out the slide again after clicking {label}", arg=fits)
            shown = page.evaluate(SLIDE_CHARTS, PRESENT)
            page.screenshot(path=str(SCREENSHOTS / f"deck-02-explorer-{label.lower()}-1280x720.png"))
            assert shown["headingTop"] is not None and 0 <= shown["headingTop"] < 100, \
                f"after clicking {label} the slide's heading is off the top ({shown['headingTop']})"
            assert not shown["scrolls"], f"after clicking {label} the explorer slide scrolls"
            assert shown["charts"] and all(0 <= c["top"] and c["bottom"] <= PROJECTOR["height"]
                                           for c in shown["charts"]), f"after clicking {label} the chart runs off the screen"
    finally:
        page.close()
