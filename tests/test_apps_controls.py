"""Every control of every app is labelled, explained and bounded (keyboard and screen-reader use)."""
import ipywidgets as ipw
import pytest

from widgets import (IgTherapySimulator, ImmunoglobulinLabExplorer, NeutrophilCalculator, Quiz,
                     ScenarioExplorer, SymptomTreatmentExplorer)

CONTROL_TYPES = (ipw.ToggleButtons, ipw.Dropdown, ipw.RadioButtons, ipw.FloatSlider, ipw.IntSlider,
                 ipw.BoundedFloatText, ipw.BoundedIntText, ipw.Checkbox, ipw.Button)


def controls(widget):
    found = []
    if isinstance(widget, CONTROL_TYPES):
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found.extend(controls(child))
    return found


@pytest.mark.parametrize("make", [
    ScenarioExplorer, IgTherapySimulator, NeutrophilCalculator, ImmunoglobulinLabExplorer,
    SymptomTreatmentExplorer, lambda: Quiz("01-immune-balance"), ScenarioExplorer.static,
    IgTherapySimulator.static,
], ids=["scenario", "therapy", "neutrophil", "labs", "explorer", "quiz", "scenario-static",
        "therapy-static"])
def test_every_control_has_a_label_a_tooltip_and_bounds(make):
    app = make()
    found = controls(app)
    assert found, "the app should have controls"
    for w in found:
        assert w.description.strip(), f"{type(w).__name__} without a description"
        assert w.tooltip and w.tooltip.strip(), f"{w.description!r} has no tooltip"
        if isinstance(w, (ipw.FloatSlider, ipw.IntSlider)):
            assert w.continuous_update is False, f"{w.description!r} redraws while dragging"
        if isinstance(w, (ipw.BoundedFloatText, ipw.BoundedIntText, ipw.FloatSlider, ipw.IntSlider)):
            assert w.min < w.max and w.min >= 0, f"{w.description!r} has odd bounds"
    for w in found:
        if isinstance(w, ipw.ToggleButtons):
            assert len(w.tooltips) == len(w.options), f"{w.description!r}: one tooltip per button"
