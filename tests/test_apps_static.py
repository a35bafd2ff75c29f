"""Kernel-free rendering for the offline decks and the static site (IMMUNE_BALANCE_RENDER=static)."""
import ipywidgets as ipw
import pytest

from widgets import (IgTherapySimulator, ImmunoglobulinLabExplorer, NeutrophilCalculator, Quiz,
                     ScenarioExplorer, SymptomTreatmentExplorer)
from widgets.apps._base import STATIC_NOTE
from widgets.data import load_quiz


@pytest.fixture
def static_pages(monkeypatch):
    monkeypatch.setenv("IMMUNE_BALANCE_RENDER", "static")


def _linked(app):
    toggle, stack = app.children
    assert isinstance(toggle, ipw.ToggleButtons) and isinstance(stack, ipw.Stack)
    link = app.gallery.link
    assert (link.source[0], link.target[0]) == (toggle, stack), "the toggle must drive the stack in the browser"
    return toggle, stack


def test_scenario_explorer_becomes_a_linked_gallery(static_pages):
    toggle, stack = _linked(ScenarioExplorer())
    assert len(stack.children) == len(toggle.options) == 3
    pictures = [page.children[0].value for page in stack.children]
    assert len(set(pictures)) == 3, "each scenario shows its own pre-rendered chart"
    infos = [page.children[2].value for page in stack.children]
    assert "CVID" in infos[0] or "XLA" in infos[0], "the underactive page lists immunodeficiencies"


def test_therapy_simulator_offers_ivig_and_scig_without_a_kernel(static_pages):
    toggle, stack = _linked(IgTherapySimulator())
    assert list(toggle.options) == ["IVIG", "SCIG"]
    assert stack.children[0].children[0].value != stack.children[1].children[0].value


@pytest.mark.parametrize("make", [NeutrophilCalculator, ImmunoglobulinLabExplorer, SymptomTreatmentExplorer,
                                  lambda: IgTherapySimulator(compare=True)])
def test_kernel_bound_apps_say_they_are_live_in_jupyterlab(static_pages, make):
    app = make()
    first = app.children[0]
    assert isinstance(first, ipw.HTML) and "live when the notebook runs in JupyterLab" in first.value
    assert "live when the notebook runs in JupyterLab" in STATIC_NOTE


def test_quiz_folds_out_every_answer_and_reason(static_pages):
    quiz = load_quiz("05-autoimmune-neutropenia")
    html = Quiz("05-autoimmune-neutropenia").children[0].value
    assert html.count("<details>") == len(quiz["questions"])
    assert html.count("Show the answer") == len(quiz["questions"])


def test_live_mode_is_untouched(monkeypatch):
    monkeypatch.delenv("IMMUNE_BALANCE_RENDER", raising=False)
    app = ScenarioExplorer()
    assert not hasattr(app, "gallery") and app.scenario in app.children
