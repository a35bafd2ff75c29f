"""close_apps: apps built only to be checked (notebook test cells) give their memory back."""
import gc
import os
import sys
import weakref

import pytest
from ipywidgets.widgets import widget as ipw_widget

from widgets import (CriteriaChecker, Glossary, IgTherapySimulator, ImmunoglobulinLabExplorer,
                     NeutrophilCalculator, Quiz, References, ScenarioExplorer, SymptomTreatmentExplorer)
from widgets.apps.cleanup import close_apps, give_memory_back

MAKERS = {
    "ScenarioExplorer": lambda: ScenarioExplorer(scenario="overactive"),
    "IgTherapySimulator": lambda: IgTherapySimulator(dose_mg_per_kg=400, interval_days=28),
    "NeutrophilCalculator": lambda: NeutrophilCalculator(wbc_per_ul=7200, neutrophil_pct=4),
    "ImmunoglobulinLabExplorer": lambda: ImmunoglobulinLabExplorer(age_years=34, igg_mg_dl=250),
    "SymptomTreatmentExplorer": lambda: SymptomTreatmentExplorer(disorder_id="cvid"),
    "Quiz": lambda: Quiz("08-putting-it-together"),
    "Glossary": lambda: Glossary(["CVID"]),
    "References": lambda: References(["medlineplus_cvid"]),
    "CriteriaChecker": lambda: CriteriaChecker("cvid"),
}


def _open_widgets():
    return set(ipw_widget._instances)


@pytest.mark.parametrize("name", list(MAKERS))
def test_closing_an_app_closes_every_widget_it_made_and_frees_it(name):
    before = _open_widgets()
    app = MAKERS[name]()
    made = _open_widgets() - before
    assert made, "the app should have opened widgets"
    assert close_apps(app) == len(made)
    assert not (_open_widgets() - before), "widgets of the closed app are still open"
    gone = weakref.ref(app)
    figure = getattr(app, "figure", None)
    figure_gone = weakref.ref(figure) if figure is not None else None
    del app, figure
    gc.collect()
    assert gone() is None, f"the closed {name} is still alive after del"
    assert figure_gone is None or figure_gone() is None, f"the closed {name}'s figure is still alive"


def test_closing_one_app_leaves_another_of_the_same_kind_working():
    kept, dropped = ScenarioExplorer(), ScenarioExplorer()
    close_apps(dropped)
    del dropped
    gc.collect()
    kept.scenario.value = "underactive"
    assert kept.current_result()["direction"] == "underactive"
    assert not kept.current_result()["summary"]["cleared"]
    assert kept.comm is not None and all(child.comm is not None for child in kept.children)
    close_apps(kept)


def test_values_that_are_not_widgets_are_ignored_and_closing_twice_is_harmless():
    app = Glossary(["CVID"])
    assert close_apps(app, None, {"a": 1}, 3) > 0
    assert close_apps(app) == 0



CHART_APPS = ["ScenarioExplorer", "IgTherapySimulator", "NeutrophilCalculator", "ImmunoglobulinLabExplorer"]


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and glibc's malloc_trim")
def test_the_memory_of_closed_apps_goes_back_to_the_system():
    """Test cells build apps, close them and delete their names, notebook after notebook. The
    kernel's memory must come back down afterwards, not stay at its highest (glibc keeps freed
    blocks for reuse unless asked to give them back)."""
    def build_and_close():
        apps = [MAKERS[name]() for name in CHART_APPS]
        apps[0].sliders["kill_rate"].value = 0.9  # a changed app also keeps a saved picture
        apps[1].dose.value = 500
        close_apps(*apps)
        del apps

    build_and_close()  # fonts, tables and caches loaded once for all
    assert give_memory_back()
    before = _rss_mib()
    for _ in range(3):
        build_and_close()
    assert give_memory_back()
    grown = _rss_mib() - before
    # measured here: about 3 MiB kept with malloc_trim, 13 MiB without
    assert grown < 7, f"the kernel kept {grown:.1f} MiB after three rounds of closed apps"
