"""IgTherapySimulator: inputs drive the IgG model; compare mode; kernel-free gallery."""
import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
import pytest

from widgets import IgTherapySimulator
from widgets.apps.therapy import clearance_for_half_life, terminal_half_life_days
from widgets.charts.style import artists
from widgets.models import igg

from _apps_helpers import live_figures


@pytest.fixture()
def app():
    return IgTherapySimulator()


def visible_lines(app):
    return [l for l in artists(app.ax, "igg_lines").values() if l.get_visible()]


def test_default_regimen_matches_the_model(app):
    r = app.current_result()["regimens"][0]
    kwargs = dict(dose_mg_per_kg=400.0, interval_days=28, route="IVIG", weight_kg=70.0,
                  clearance_ml_per_day_per_kg=clearance_for_half_life(app.half_life.value, 70.0))
    ss = igg.steady_state(**kwargs)
    assert r["trough_mg_dl"] == pytest.approx(ss["trough_mg_dl"])
    assert r["peak_mg_dl"] == pytest.approx(ss["peak_mg_dl"])
    assert r["pneumonia_per_patient_year"] == pytest.approx(igg.pneumonia_rate(ss["trough_mg_dl"]))
    (line,) = visible_lines(app)
    df = igg.igg_levels(days=180, **kwargs)
    np.testing.assert_allclose(line.get_ydata(), df["igg_mg_dl"].to_numpy())
    assert "Peak at steady state" in app.results.value and "pneumonias" in app.results.value
    assert "orange2010_trough" in app.results.value
    for w in app.controls:
        assert w.description and w.tooltip


def test_the_default_half_life_is_the_models_own():
    pk = igg.pk_defaults()
    app = IgTherapySimulator()
    assert app.half_life.value == pytest.approx(
        terminal_half_life_days(pk["clearance_ml_per_day_per_kg"], 70.0, pk), abs=0.05)
    assert clearance_for_half_life(app.half_life.value) == pytest.approx(
        pk["clearance_ml_per_day_per_kg"], rel=0.01)
    assert app.target.value == pk["target_trough_mg_dl"]


def test_higher_dose_raises_the_trough_and_lowers_pneumonia(app):
    low = app.current_result()["regimens"][0]
    app.dose.value = 600
    high = app.current_result()["regimens"][0]
    assert high["trough_mg_dl"] > low["trough_mg_dl"]
    assert high["pneumonia_per_patient_year"] < low["pneumonia_per_patient_year"]
    assert "600 mg/kg" in app.caption.value


def test_shorter_half_life_lowers_the_trough(app):
    before = app.current_result()["regimens"][0]["trough_mg_dl"]
    app.half_life.value = 20
    assert app.current_result()["regimens"][0]["trough_mg_dl"] < before


def test_target_decides_whether_the_trough_is_met(app):
    trough = app.current_result()["regimens"][0]["trough_mg_dl"]
    app.target.value = round(trough + 200, -1)
    assert app.current_result()["regimens"][0]["meets_target"] is False
    assert "below" in app.caption.value
    band = artists(app.ax, "igg_target")
    assert band["span"].get_height() == pytest.approx(app.target.value)


def test_compare_mode_shows_ivig_and_weekly_scig_at_the_same_monthly_dose(app):
    app.compare.value = True
    regs = app.current_result()["regimens"]
    assert [r["route"] for r in regs] == ["IVIG", "SCIG"]
    assert regs[0]["dose_mg_per_kg"] == pytest.approx(400)
    assert regs[1]["dose_mg_per_kg"] * 4 == pytest.approx(400)
    assert regs[1]["interval_days"] == 7
    assert regs[1]["peak_mg_dl"] - regs[1]["trough_mg_dl"] < regs[0]["peak_mg_dl"] - regs[0]["trough_mg_dl"]
    assert len(visible_lines(app)) == 2
    app.compare.value = False
    assert len(visible_lines(app)) == 1


def test_unusual_input_gets_a_friendly_warning(app):
    app.route.value = "SCIG"
    assert "unusual" in app.status.value or "outside" in app.status.value
    app.dose.value = 100
    app.interval.value = 7
    assert app.status.value.count("\u26a0") == 0


def test_model_error_is_shown_and_the_last_chart_kept(app, monkeypatch):
    good = app.image.value

    def broken(*a, **k):
        raise ValueError("dose_mg_per_kg must be from 0 to 2000 mg/kg; got 5000.")

    monkeypatch.setattr(igg, "igg_levels", broken)
    app.dose.value = 450
    assert "dose_mg_per_kg must be from 0 to 2000" in app.status.value
    assert app.image.value == good


def test_hundred_changes_create_no_new_figures(app):
    before, figs = plt.get_fignums(), live_figures()
    for i in range(100):
        if i % 10 == 0:
            app.compare.value = not app.compare.value
        else:
            app.dose.value = 300 + (i % 5) * 50
    assert plt.get_fignums() == before
    assert live_figures() <= figs
    assert len(app.ax.lines) <= 3


def test_static_gallery_switches_between_ivig_and_scig():
    gallery = IgTherapySimulator.static()
    toggle, stack = gallery.children
    assert list(toggle.options) == ["IVIG", "SCIG"]
    assert isinstance(stack, ipw.Stack) and len(stack.children) == 2
    assert gallery.link.source == (toggle, "index")
    assert gallery.link.target == (stack, "selected_index")
    assert "weekly" in stack.children[1].children[1].value or "SCIG" in stack.children[1].children[1].value


def test_starting_values_are_checked_with_a_friendly_message():
    app = IgTherapySimulator(dose=3, half_life_days=5, weight_kg="heavy", route="IM")
    text = app.status.value
    assert "unknown setting(s) dose" in text and "dose_mg_per_kg" in text
    assert "half_life_days=5 is outside the allowed 10-90" in text and app.half_life.value == 10
    assert "is not a number" in text and app.weight.value == 70
    assert "IVIG" in text and app.route.value == "IVIG"
    app.dose.value = 420  # the next change clears the start-up message
    assert "unknown setting" not in app.status.value
    ok = IgTherapySimulator(half_life_days=20.6, weight_kg=60)
    assert ok.half_life.value == 20.6 and ok.weight.value == 60 and "\u26a0" not in ok.status.value
