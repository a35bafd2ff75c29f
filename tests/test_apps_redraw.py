"""Fast redraws show exactly what a full redraw would (issue 17), and app figures drawn for
projection keep long titles inside the picture (issue 16).

An app redraws only the artists a change touched, on top of a saved picture of the rest
(``widgets.charts.redraw``). A learner must never see the difference: after every change in
these sequences the app's PNG is compared, pixel by pixel, with a full draw of a copy of the
same figure.
"""
import io
import pickle

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image

from widgets import (IgTherapySimulator, ImmunoglobulinLabExplorer, NeutrophilCalculator,
                     ScenarioExplorer)
from widgets.charts.style import PRESENT_ENV, artists


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def full_draw(figure) -> np.ndarray:
    """A from-scratch draw of a copy of ``figure`` (same positions, every artist drawn)."""
    copy = pickle.loads(pickle.dumps(figure))
    FigureCanvasAgg(copy)
    copy.set_dpi(figure.dpi)
    copy.set_layout_engine("none")
    for artist in copy.findobj():
        artist.set_animated(False)
    buf = io.BytesIO()
    copy.canvas.print_png(buf)
    return pixels(buf.getvalue())


def scenario_moves(app):
    for value in (0.9, 1.3, 0.6, 2.2, 2.4, 1.1, 1.15, 1.2):
        yield lambda v=value: setattr(app.sliders["kill_rate"], "value", v)
    yield lambda: setattr(app.scenario, "value", "overactive")
    for value in (0.4, 0.45, 0.5):
        yield lambda v=value: setattr(app.sliders["regulation_strength"], "value", v)
    yield lambda: setattr(app.scenario, "value", "underactive")


def therapy_moves(app):
    for value in (300, 310, 320, 900, 910, 920, 930, 200):
        yield lambda v=value: setattr(app.dose, "value", v)
    yield lambda: setattr(app.route, "value", "SCIG")
    yield lambda: setattr(app.target, "value", 900)
    yield lambda: setattr(app.compare, "value", True)
    for value in (14, 21):
        yield lambda v=value: setattr(app.interval, "value", v)


def neutrophil_moves(app):
    for value in (500, 800, 1200, 3000, 3100, 3200, 40000):
        yield lambda v=value: setattr(app.wbc, "value", v)
    yield lambda: setattr(app.age, "value", 0.5)  # infant bands
    for value in (2000, 2100, 2200):
        yield lambda v=value: setattr(app.wbc, "value", v)


def labs_moves(app):
    for value in (25, 30, 35, 40, 300, 310, 5):
        yield lambda v=value: setattr(app.values["IgM"], "value", v)
    yield lambda: setattr(app.age, "value", 2)
    for value in (900, 910, 920):
        yield lambda v=value: setattr(app.values["IgG"], "value", v)


@pytest.mark.parametrize("factory, moves", [
    (ScenarioExplorer, scenario_moves),
    (IgTherapySimulator, therapy_moves),
    (NeutrophilCalculator, neutrophil_moves),
    (ImmunoglobulinLabExplorer, labs_moves),
], ids=["scenario", "therapy", "neutrophil", "labs"])
def test_every_redraw_shows_what_a_full_redraw_shows(factory, moves):
    app = factory()
    for move in moves(app):
        before, renders = app.image.value, app.render_count
        move()
        assert app.render_count == renders + 1, "every move in these sequences changes an input"
        shown = pixels(app.image.value)
        expected = full_draw(app.figure)
        assert shown.shape == expected.shape
        differ = int((shown != expected).any(axis=2).sum())
        assert differ == 0, f"{app.redrawer.last_mode} redraw differs from a full draw in {differ} pixels"
        assert app.image.value != before or app.redrawer.last_mode == "unchanged"
    # the sequences are long enough that most redraws take the fast path
    assert app.redrawer.counts["partial"] > app.redrawer.counts["full"]


def laid_out_anew(app) -> bool:
    return isinstance(app.figure.get_layout_engine(), ConstrainedLayoutEngine)


def assert_texts_inside_and_apart(app, what):
    fig = app.figure
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for ax in fig.axes:
        for text in [ax.title, ax.xaxis.label, ax.yaxis.label]:
            if text.get_visible() and text.get_text().strip():
                ext = text.get_window_extent(renderer)
                assert ext.x0 >= box.x0 - 2 and ext.x1 <= box.x1 + 2 and ext.y0 >= box.y0 - 2 \
                    and ext.y1 <= box.y1 + 2, f"{what}: {text.get_text()[:50]!r} runs off the figure"
    tight = [ax.get_tightbbox(renderer, for_layout_only=True) for ax in fig.axes]
    for i, a in enumerate(tight):
        for b in tight[i + 1:]:
            assert not a.overlaps(b), f"{what}: the texts of two panels run into each other"


def test_new_titles_that_fit_keep_the_layout_and_longer_ones_get_a_new_one():
    """A scenario toggle changes the chart's titles. When the new ones fit in the space the last
    layout gave them, the layout is not run again (it was a third of a toggle's time); a title
    that needs more room gets a new layout. Either way every title stays inside the picture and
    the two panels' texts stay apart."""
    app = ScenarioExplorer()
    kept = 0
    for direction in ["underactive", "overactive", "balanced", "underactive", "overactive", "balanced"]:
        if app.scenario.value == direction:
            continue
        app.scenario.value = direction
        kept += not laid_out_anew(app)
        assert_texts_inside_and_apart(app, f"after the toggle to {direction}")
    assert kept >= 2, "titles that fit should keep the layout"
    app.ax_time.set_title("A much longer title than any scenario has, so that it needs a second line\n"
                          "of its own and more room above the plot", loc="left")
    app._render("the same chart with a long title")
    assert laid_out_anew(app), "a title that needs more room must get a new layout"
    assert_texts_inside_and_apart(app, "with a two-line title")
    assert (pixels(app.image.value) == full_draw(app.figure)).all()


def test_a_change_that_leaves_the_chart_alone_draws_nothing():
    app = NeutrophilCalculator(wbc_per_ul=6000, neutrophil_pct=55, band_pct=3, age_years=30)
    app.wbc.value = 5000
    png, renders = app.image.value, app.render_count
    app.age.value = 40  # same count, same bands and cut-off: the same picture
    assert app.render_count == renders + 1 and app.current_result()["age_years"] == 40
    assert app.redrawer.last_mode == "unchanged"
    assert app.image.value == png
    app.age.value = 0.5  # an infant: other bands, so the picture changes
    assert app.redrawer.last_mode != "unchanged" and app.image.value != png


def test_the_gauge_shows_the_infant_bands_once_the_age_is_under_one_year():
    app = NeutrophilCalculator(wbc_per_ul=2000, neutrophil_pct=55, band_pct=3, age_years=30)
    bands = artists(app.ax, "anc")["bands"]
    assert "mild" in bands
    app.age.value = 0.5
    bands = artists(app.ax, "anc")["bands"]
    assert "mild" not in bands  # an infant's count of 1,160 is normal, not in a "mild" band
    labels = {t.get_text() for t in app.ax.texts}
    assert "Mild" not in labels
    assert app.current_result()["severity"] == "normal"
    app.age.value = 30
    assert "mild" in artists(app.ax, "anc")["bands"]


@pytest.mark.parametrize("factory", [ScenarioExplorer, IgTherapySimulator, NeutrophilCalculator,
                                     ImmunoglobulinLabExplorer])
def test_app_titles_stay_inside_the_figure_when_projected(factory, monkeypatch):
    monkeypatch.setenv(PRESENT_ENV, "1")
    app = factory()
    renderer = app.figure.canvas.get_renderer()
    right = app.figure.bbox.x1
    titles = [t for ax in app.figure.axes for t in (ax.title, ax._left_title, ax._right_title)
              if t.get_text()]
    assert titles
    for title in titles:
        extent = title.get_window_extent(renderer)
        assert extent.x1 <= right + 1, f"the title {title.get_text()!r} runs off the figure"


def test_the_explorers_seesaw_title_wraps_when_projected(monkeypatch):
    monkeypatch.setenv(PRESENT_ENV, "1")
    app = ScenarioExplorer()
    assert app.ax_balance.get_title(loc="left") == "Balance: which harm is bigger?"
    assert "\n" in app.ax_balance._left_title._get_wrapped_text()
    monkeypatch.delenv(PRESENT_ENV)
    assert "\n" not in ScenarioExplorer().ax_balance._left_title._get_wrapped_text()


@pytest.mark.parametrize("factory, change", [
    (ScenarioExplorer, lambda a: setattr(a.scenario, "value", "underactive")),
    (NeutrophilCalculator, lambda a: setattr(a.wbc, "value", 1500.0)),
    (ImmunoglobulinLabExplorer, lambda a: setattr(a.values["IgG"], "value", 300.0)),
    (IgTherapySimulator, lambda a: setattr(a.route, "value", "SCIG")),
], ids=lambda x: getattr(x, "__name__", ""))
def test_a_new_chart_and_its_accessible_name_reach_the_page_in_one_message(factory, change):
    """ipywidgets rebuilds the image in the page (a new blob, another decode) for every message that
    changes it; a change used to send the new name, then the picture: two rebuilds per click."""
    app = factory()
    sent = []
    app.image.send_state = lambda key=None: sent.append(sorted([key] if isinstance(key, str) else key or []))
    change(app)
    assert sent == [["tooltip", "value"]], f"{factory.__name__} sent the image {sent}"
