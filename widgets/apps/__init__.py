"""Interactive apps for the notebooks (ipywidgets composition only).

Each app is an ``ipywidgets.VBox``: show it as the last expression of a cell or with
``display(app)``.  Controls and panels are public attributes, so notebook test cells
can drive them, and each app has a small ``current_result()`` (or similar) method
that returns the numbers it shows.
"""
from .criteria import CriteriaChecker
from .explorer import SymptomTreatmentExplorer
from .labs import ImmunoglobulinLabExplorer
from .neutrophil import NeutrophilCalculator
from .progress import ProgressView
from .quiz import Quiz
from .reference import Glossary, References
from .scenario import ScenarioExplorer
from .therapy import IgTherapySimulator, therapy_gallery

scenario_gallery = ScenarioExplorer.static

__all__ = [
    "CriteriaChecker", "Glossary", "IgTherapySimulator", "ImmunoglobulinLabExplorer", "NeutrophilCalculator", "ProgressView",
    "Quiz", "References", "ScenarioExplorer", "SymptomTreatmentExplorer",
    "scenario_gallery", "therapy_gallery",
]
