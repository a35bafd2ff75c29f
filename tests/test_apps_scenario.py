"""ScenarioExplorer: toggles drive the model, the chart and the info panel."""
import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
import pytest

from widgets import ScenarioExplorer
from widgets.charts.style import artists
from widgets.models.balance import scenario_parameters, simulate_scenario

from _apps_helpers import live_figures


@pytest.fixture(scope="module")
def app():
    return ScenarioExplorer()


def pathogen_line(app):
    return artists(app.ax_time, "timecourse")["pathogen"]


def test_starts_balanced_with_a_picture_and_caption(app):
    assert isinstance(app, ipw.VBox)
    assert app.scenario.value == "balanced"
    assert app.image.value[:4] == b"\x89PNG"
    assert "pathogen" in app.caption.value
    result = app.current_result()
    assert result["scenario"] == "balanced"
    assert (result["pathogen"] == result["df"]["pathogen"]).all()  # curves reachable directly
    assert all(s.continuous_update is False for s in app.sliders.values())
    for w in [app.scenario, app.variant, *app.sliders.values()]:
        assert w.description and w.tooltip


def test_underactive_raises_the_pathogen_curve_and_lists_immunodeficiencies(app):
    app.scenario.value = "balanced"
    balanced_peak = np.max(pathogen_line(app).get_ydata())
    png_before = app.image.value
    app.scenario.value = "underactive"
    under_peak = np.max(pathogen_line(app).get_ydata())
    assert under_peak > 2 * balanced_peak
    expected = simulate_scenario("underactive", days=app.days)["pathogen"].to_numpy()
    np.testing.assert_allclose(pathogen_line(app).get_ydata(), expected, rtol=1e-6)
    assert app.image.value != png_before
    assert "CVID" in app.info.value and "XLA" in app.info.value
    assert "underactive" in app.current_result()["scenario"]
    assert "infection" in app.caption.value


def test_overactive_lists_autoimmune_and_dysregulation_disorders(app):
    app.scenario.value = "overactive"
    info = app.info.value
    assert "Lupus" in info or "SLE" in info
    assert "CVID" not in info.split("Some disorders are")[0]
    assert app.current_result()["summary"]["self_damage"] > 0
    names = [v for _, v in app.variant.options]
    assert "failed_apoptosis" in names and "loss_of_regulation" in names


def test_sliders_reset_when_the_scenario_changes(app):
    app.scenario.value = "balanced"
    app.sliders["regulation_strength"].value = 0.2
    assert app.current_result()["parameters"]["regulation_strength"] == pytest.approx(0.2)
    app.scenario.value = "overactive"
    preset = scenario_parameters("overactive")
    assert app.sliders["regulation_strength"].value == pytest.approx(preset["regulation_strength"])
    app.variant.value = "failed_apoptosis"
    preset = scenario_parameters("failed_apoptosis")
    assert app.sliders["regulation_strength"].value == pytest.approx(preset["regulation_strength"])
    assert app.current_result()["scenario"] == "failed_apoptosis"


def test_slider_change_redraws_with_the_new_parameter(app):
    app.scenario.value = "balanced"
    app.sliders["kill_rate"].value = 0.1
    weak = app.current_result()
    assert weak["parameters"]["kill_rate"] == pytest.approx(0.1)
    expected = simulate_scenario("balanced", days=app.days, **weak["parameters"])["pathogen"]
    np.testing.assert_allclose(pathogen_line(app).get_ydata(), expected.to_numpy(), rtol=1e-6)


def test_model_error_is_shown_and_the_last_chart_kept(app, monkeypatch):
    app.scenario.value = "balanced"
    good_png, good_result = app.image.value, app.current_result()
    from widgets.models import balance

    def broken(*a, **k):
        raise ValueError("kill_rate must be at most 15; got 99.")

    monkeypatch.setattr(balance, "simulate_scenario", broken)
    app.sliders["kill_rate"].value = 2.5
    assert "kill_rate must be at most 15" in app.status.value
    assert "Traceback" not in app.status.value
    assert app.image.value == good_png and app.current_result() is good_result
    monkeypatch.undo()
    app.sliders["kill_rate"].value = 2.0
    assert app.status.value.count("\u26a0") == 0


def test_hundred_changes_create_no_new_figures(app):
    pyplot_before = plt.get_fignums()
    figures_before = live_figures()
    n_lines = len(app.ax_time.lines)
    order = ["underactive", "balanced", "overactive"]
    for i in range(100):
        if i % 2:
            app.scenario.value = order[i % 3]
        else:
            app.sliders["effector_activation"].value = 1.0 + (i % 7) * 0.5
    assert plt.get_fignums() == pyplot_before
    assert live_figures() <= figures_before
    assert len(app.ax_time.lines) == n_lines


def test_static_gallery_has_one_page_per_scenario_and_a_jslink():
    gallery = ScenarioExplorer.static()
    toggle, stack = gallery.children
    assert isinstance(toggle, ipw.ToggleButtons) and isinstance(stack, ipw.Stack)
    assert list(toggle.options) == ["Underactive", "Balanced", "Overactive"]
    assert len(stack.children) == 3
    link = gallery.link
    from ipywidgets.widgets.widget_link import Link

    assert isinstance(link, Link)
    assert link.source == (toggle, "index") and link.target == (stack, "selected_index")
    images = [page.children[0].value for page in stack.children]
    assert all(img[:4] == b"\x89PNG" for img in images) and len(set(images)) == 3
    assert "CVID" in stack.children[0].children[2].value


def test_regulation_slider_range_matches_the_models_pinned_claims():
    # tests/test_models_balance.py pins "within the slider range" to regulation <= 2 x normal
    from test_models_balance import REGULATION_SLIDER_MAX

    app = ScenarioExplorer("overactive")
    assert app.sliders["regulation_strength"].max == REGULATION_SLIDER_MAX
    app.sliders["regulation_strength"].value = app.sliders["regulation_strength"].max
    assert app.current_result()["summary"]["direction"] == "overactive"


def test_presets_are_described_as_mechanisms_not_disease_models():
    app = ScenarioExplorer("overactive")
    assert "not a model of any of them" in app.info.value
    app.variant.value = "hyperinflammation"
    text = app.info.value.lower()
    assert "never switches off" in text and "kawasaki" not in text
    app.scenario.value = "underactive"
    app.variant.value = "treated_underactive"
    assert "antibiotics" in app.info.value and "prevents infections" in app.info.value
