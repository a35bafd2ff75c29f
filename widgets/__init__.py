"""Immune Balance: data, models, charts and interactive widgets for the notebook series.

The package is layered (see docs/architecture.md):

* ``widgets.data``    -- load and validate the curated tables in ``data/``;
* ``widgets.models``  -- simulation models and clinical rules (no plotting, no ipywidgets);
* ``widgets.charts``  -- matplotlib functions that draw on an Axes;
* ``widgets.apps``    -- the interactive ipywidgets apps used in the notebooks.

Public names are resolved lazily, so ``import widgets.models`` never pulls in
matplotlib or ipywidgets.
"""
from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "load": "widgets.data",
    "load_quiz": "widgets.data",
    "DataError": "widgets.data",
    "simulate_scenario": "widgets.models.balance",
    "igg_levels": "widgets.models.igg",
    "ScenarioExplorer": "widgets.apps",
    "IgTherapySimulator": "widgets.apps",
    "NeutrophilCalculator": "widgets.apps",
    "ImmunoglobulinLabExplorer": "widgets.apps",
    "SymptomTreatmentExplorer": "widgets.apps",
    "Quiz": "widgets.apps",
    "Glossary": "widgets.apps",
    "References": "widgets.apps",
    "ProgressView": "widgets.apps",
    "CriteriaChecker": "widgets.apps",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}") from None
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
