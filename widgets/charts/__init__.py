"""Charts for the Immune Balance series: pure matplotlib, drawn on a given Axes.

Every ``plot_*`` function takes an Axes first, returns it, and stores a one-sentence
description readable with ``alt_text(ax)``.  Calling the same function again on the
same Axes updates its artists in place (used by the interactive apps).
``show_chart(plot_fn, ...)`` draws on a fresh Figure and returns a displayable image.
"""
from .balance import balance_verdict, plot_balance, plot_scenario_timecourse
from .labs import anc_bands, plot_anc_gauge, plot_ig_levels
from .maps import plot_symptom_map, plot_treatment_map
from .render import ChartImage, ChartParts, figure_png, show_chart
from .style import (DIRECTION_STYLE, PALETTE, SERIES_STYLE, SEVERITY_STYLE, alt_text,
                    new_figure, presentation_style, set_alt_text)
from .therapy import plot_igg_levels

__all__ = [
    "ChartImage", "ChartParts", "DIRECTION_STYLE", "PALETTE", "SERIES_STYLE", "SEVERITY_STYLE",
    "alt_text", "anc_bands", "balance_verdict", "figure_png", "new_figure",
    "plot_anc_gauge", "plot_balance", "plot_ig_levels", "plot_igg_levels",
    "plot_scenario_timecourse", "plot_symptom_map", "plot_treatment_map",
    "presentation_style", "set_alt_text", "show_chart",
]
