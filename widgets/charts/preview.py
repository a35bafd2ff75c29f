"""Write a PNG preview of every chart to build/charts/ (for looking at them by eye).

Run:  .venv/bin/python -m widgets.charts.preview
"""
from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "build" / "charts"


def main(out=OUT):
    from widgets.models.balance import scenario_summary, simulate_scenario
    from widgets.models.igg import igg_levels

    from . import (plot_anc_gauge, plot_balance, plot_ig_levels, plot_igg_levels,
                   plot_scenario_timecourse, plot_symptom_map, plot_treatment_map,
                   presentation_style, show_chart)

    charts = {}
    for name in ("underactive", "balanced", "overactive"):
        df = simulate_scenario(name)
        charts[f"timecourse_{name}"] = show_chart(plot_scenario_timecourse, df)
        charts[f"balance_{name}"] = show_chart(plot_balance, scenario_summary(df), figsize=(6, 4))
    charts["igg_ivig"] = show_chart(plot_igg_levels, igg_levels(400, 28), 700, label="IVIG 400 mg/kg every 28 days")
    charts["igg_scig"] = show_chart(plot_igg_levels, igg_levels(100, 7, route="SCIG"), 700, label="SCIG 100 mg/kg every week")
    charts["anc_adult_800"] = show_chart(plot_anc_gauge, 800, 30, figsize=(9, 3))
    charts["anc_infant_1200"] = show_chart(plot_anc_gauge, 1200, 0.5, figsize=(9, 3))
    charts["ig_levels_adult"] = show_chart(plot_ig_levels, {"IgG": 450, "IgA": 5, "IgM": 80}, 30, figsize=(9, 3.8))
    charts["symptom_map"] = show_chart(plot_symptom_map, figsize=(11, 8))
    charts["symptom_map_small"] = show_chart(plot_symptom_map, disorder_ids=["cvid", "xla", "alps", "sle", "itp", "scid"], max_symptoms=10)
    charts["treatment_map"] = show_chart(plot_treatment_map, figsize=(9, 8))
    with presentation_style():
        charts["presentation_timecourse"] = show_chart(plot_scenario_timecourse, simulate_scenario("overactive"), figsize=(12, 6.75))
    written = [chart.save(Path(out) / f"{name}.png") for name, chart in charts.items()]
    for path, chart in zip(written, charts.values()):
        print(f"{path.name}: {chart.alt_text}")
    return written


if __name__ == "__main__":
    main()
