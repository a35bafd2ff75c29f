"""Letters rasterised once and reused (widgets.charts.textcache) must look exactly as
matplotlib's own Agg renderer draws them: every test compares pixels with the stock renderer.
The cache is what makes an app's redraw fast (issue 17); a wrong glyph would put a wrong
number on a chart a family reads."""
import io

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from widgets import IgTherapySimulator, ImmunoglobulinLabExplorer, NeutrophilCalculator, ScenarioExplorer
from widgets.charts import textcache
from widgets.charts.textcache import TextCacheCanvas

pytestmark = pytest.mark.skipif(not textcache.SUPPORTED, reason="this matplotlib lacks the FreeType calls")


@pytest.fixture(autouse=True)
def empty_cache():
    textcache.clear_cache()
    yield
    textcache.clear_cache()


def stock_pixels(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def cached_pixels(fig) -> np.ndarray:
    canvas = TextCacheCanvas(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def assert_same(a, b, what):
    differ = (a != b).any(axis=2)
    assert not differ.any(), f"{what}: {int(differ.sum())} pixels differ from matplotlib's own renderer"


def tricky_text_figure(dpi):
    fig = Figure(figsize=(4, 3), dpi=dpi)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("IgG trough ≥ 700 mg/dL – µ, é, ½", fontweight="bold")
    ax.set_ylabel("rotated 90°: neutrophils/µL")
    ax.text(0.1, 0.8, "two lines:\nfever ≥ 38 °C", fontsize=9.5, style="italic")
    ax.text(0.55, 0.5, "33° text", rotation=33, fontsize=11)
    ax.text(0.05, 0.3, "no anti-aliasing 0123456789", antialiased=False)
    ax.text(0.05, 0.15, r"math: $\alpha_{2} \times 10^{3}$")
    ax.text(0.6, 0.1, "faint", alpha=0.4, color="tab:red")
    return fig


@pytest.mark.parametrize("dpi", [72, 87, 100, 144.5])
def test_cached_letters_match_matplotlibs_own_pixels(dpi):
    fig = tricky_text_figure(dpi)
    expected = stock_pixels(fig)
    assert_same(cached_pixels(fig), expected, f"first draw at {dpi} dpi")
    assert_same(cached_pixels(fig), expected, f"second draw at {dpi} dpi (every letter from the cache)")


def test_a_second_draw_rasterises_no_letter_again():
    fig = tricky_text_figure(100)
    canvas = TextCacheCanvas(fig)
    canvas.draw()
    before = dict(textcache.stats)
    canvas.draw()
    assert textcache.stats["glyphs_rendered"] == before["glyphs_rendered"]
    assert textcache.stats["glyphs_reused"] > before["glyphs_reused"] + 100


def test_text_that_keeps_moving_stays_right_and_the_cache_stays_bounded(monkeypatch):
    """A label moving by fractions of a pixel needs a new bitmap for almost every position; the
    cache forgets its oldest glyphs instead of growing, and the picture stays exact."""
    monkeypatch.setattr(textcache, "MAX_GLYPHS", 60)
    monkeypatch.setattr(textcache, "MAX_LAYOUTS", 10)
    fig = Figure(figsize=(3, 1), dpi=100)
    label = fig.text(0.1, 0.4, "")
    for step in range(40):
        label.set_position((0.1 + step * 0.0137, 0.4 + step * 0.0031))
        label.set_text(f"IgG {640 + step * 7} mg/dL")
        if step % 8 == 0:
            assert_same(cached_pixels(fig), stock_pixels(fig), f"step {step}")
        else:
            cached_pixels(fig)
        assert len(textcache._glyphs) <= 60 and len(textcache._layouts) <= 10


@pytest.mark.parametrize("factory, control, values", [
    (ScenarioExplorer, lambda app: app.sliders["kill_rate"], (0.9, 1.0, 1.1)),
    (IgTherapySimulator, lambda app: app.dose, (500, 520, 540)),
    (NeutrophilCalculator, lambda app: app.wbc, (1200, 1400, 1600)),
    (ImmunoglobulinLabExplorer, lambda app: app.values["IgM"], (30, 40, 50)),
], ids=["scenario", "therapy", "neutrophil", "labs"])
def test_each_app_redraws_mostly_from_remembered_letters_and_shows_the_same_picture(factory, control, values):
    app = factory()
    *settle, last = values
    for value in settle:  # the first moves may re-run the layout, which moves every label
        control(app).value = value
    before = dict(textcache.stats)
    control(app).value = last
    rendered = textcache.stats["glyphs_rendered"] - before["glyphs_rendered"]
    reused = textcache.stats["glyphs_reused"] - before["glyphs_reused"]
    assert reused > 2 * rendered, f"{factory.__name__}: {rendered} letters rasterised again, {reused} reused"
    shown = np.asarray(Image.open(io.BytesIO(app.image.value)).convert("RGB"))
    app.figure.set_layout_engine("none")
    for artist in app.figure.findobj():
        artist.set_animated(False)
    assert_same(shown, stock_pixels(app.figure)[..., :3], f"{factory.__name__} after a change")
