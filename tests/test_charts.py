"""Charts: each returns its Axes, draws the data it was given, and describes it in alt text."""
import base64

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (only to check that charts never use it)

from widgets.charts import (alt_text, balance_verdict, new_figure, plot_anc_gauge,  # noqa: E402
                            plot_balance, plot_ig_levels, plot_igg_levels,
                            plot_scenario_timecourse, plot_symptom_map, plot_treatment_map,
                            presentation_style, show_chart)
from widgets.charts.style import DIRECTION_STYLE, artists  # noqa: E402
from widgets.models.balance import scenario_summary, simulate_scenario  # noqa: E402
from widgets.models.clinical import classify_immunoglobulin  # noqa: E402
from widgets.models.igg import igg_levels  # noqa: E402


def fresh_ax(figsize=(8, 4.5)):
    _fig, ax = new_figure(figsize=figsize)
    return ax


# ---------------------------------------------------------------- small synthetic tables
DISORDERS = pd.DataFrame({
    "disorder_id": ["aa", "bb", "cc", "dd"],
    "name": ["Alpha disease", "Beta disease", "Gamma disease", "Delta disease"],
    "short_name": ["Alpha", "Beta", "Gamma", "Delta"],
    "direction": ["overactive", "underactive", "mixed", "underactive"],
})
SYMPTOMS = pd.DataFrame({
    "disorder_id": ["aa", "aa", "bb", "bb", "cc", "dd", "dd"],
    "symptom": ["fever", "rash", "fever", "cough", "fever", "cough", "itch"],
    "typicality": ["hallmark", "common", "occasional", "hallmark", "common", "common", "occasional"],
})
TREATMENTS = pd.DataFrame({
    "disorder_id": ["aa", "aa", "bb", "cc", "dd"],
    "treatment": ["steroids", "rituximab", "IVIG", "antibiotics", "IVIG"],
    "treatment_class": ["immunosuppression", "immunosuppression", "replacement", "anti-infective",
                        "replacement"],
})


def scatter_points(ax):
    """(x, y) of every plotted dot, as a set of tuples."""
    pts = set()
    for coll in ax.collections:
        offsets = coll.get_offsets()
        for x, y in np.asarray(offsets):
            pts.add((float(x), float(y)))
    return pts


# ---------------------------------------------------------------- time course and balance
def test_timecourse_plots_the_model_columns_and_updates_in_place():
    ax = fresh_ax()
    df = simulate_scenario("underactive", days=30)
    assert plot_scenario_timecourse(ax, df) is ax
    lines = artists(ax, "timecourse")
    np.testing.assert_allclose(lines["pathogen"].get_ydata(), df["pathogen"].to_numpy())
    np.testing.assert_allclose(lines["pathogen"].get_xdata(), df.index.to_numpy())
    text = alt_text(ax)
    assert "pathogen" in text and "tissue damage" in text
    peak = df["pathogen"].max()
    assert f"{peak:.2g}"[:3] in text or f"{peak:.1f}" in text

    before = list(ax.lines)
    df2 = simulate_scenario("balanced", days=30)
    plot_scenario_timecourse(ax, df2)
    assert list(ax.lines) == before, "a second call must reuse the same Line2D objects"
    np.testing.assert_allclose(lines["pathogen"].get_ydata(), df2["pathogen"].to_numpy())
    # the y axis follows the new data instead of keeping the old limits
    top = max(df2[c].max() for c in ("pathogen", "effector", "regulation", "tissue_damage"))
    assert ax.get_ylim()[1] == pytest.approx(top * 1.05)


def test_timecourse_rejects_a_table_without_the_model_columns():
    with pytest.raises(ValueError, match="pathogen"):
        plot_scenario_timecourse(fresh_ax(), pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(ValueError, match="simulate_scenario"):
        plot_scenario_timecourse(fresh_ax(), [1, 2, 3])


@pytest.mark.parametrize("summary, verdict", [
    ({"infection_burden": 5.0, "self_damage": 0.1, "cleared": False, "clearance_day": None}, "underactive"),
    ({"infection_burden": 0.1, "self_damage": 3.0, "cleared": True, "clearance_day": 4.0}, "overactive"),
    ({"infection_burden": 0.2, "self_damage": 0.2, "cleared": True, "clearance_day": 9.0}, "balanced"),
])
def test_balance_tilts_toward_the_heavier_harm(summary, verdict):
    ax = fresh_ax((6, 4))
    assert plot_balance(ax, summary) is ax
    assert balance_verdict(summary)[0] == verdict
    a = artists(ax, "balance")
    (lx, rx), (ly, ry) = a["beam"].get_data()
    if verdict == "underactive":
        assert ly < ry  # infection side (left) goes down
    elif verdict == "overactive":
        assert ry < ly
    else:
        assert abs(ly - ry) < 0.2
    # block heights follow the two harms
    assert (a["left"].get_height() > a["right"].get_height()) == (
        summary["infection_burden"] > summary["self_damage"])
    text = alt_text(ax)
    assert "infection" in text and "immune" in text
    assert verdict.replace("underactive", "infection").replace("overactive", "self-damage") \
        .replace("balanced", "balance") in text


def test_balance_uses_the_models_own_direction_when_given():
    s = {"infection_burden": 0.3, "self_damage": 0.31, "cleared": True, "clearance_day": 5.0,
         "direction": "overactive"}
    assert balance_verdict(s)[0] == "overactive"


def test_balance_rejects_negative_or_missing_values():
    with pytest.raises(ValueError, match="self_damage"):
        plot_balance(fresh_ax(), {"infection_burden": 1.0})
    with pytest.raises(ValueError, match="0 or more"):
        plot_balance(fresh_ax(), {"infection_burden": -1.0, "self_damage": 1.0})


# ---------------------------------------------------------------- IgG therapy
def test_igg_levels_draws_the_curve_and_the_target_band():
    ax = fresh_ax()
    df = igg_levels(400, 28, route="IVIG", days=120)
    assert plot_igg_levels(ax, df, target_trough_mg_dl=700, label="IVIG") is ax
    line = artists(ax, "igg_lines")["igg:IVIG"]
    np.testing.assert_allclose(line.get_ydata(), df["igg_mg_dl"].to_numpy())
    band = artists(ax, "igg_target")
    assert band["span"].get_height() == pytest.approx(700)
    assert list(band["line"].get_ydata()) == [700, 700]
    text = alt_text(ax)
    assert "IgG" in text and "700 mg/dL" in text and "IVIG" in text


def test_igg_levels_compares_two_regimens_and_relabels_by_slot():
    ax = fresh_ax()
    plot_igg_levels(ax, igg_levels(400, 28, days=90), 700, label="IVIG", slot=0)
    plot_igg_levels(ax, igg_levels(100, 7, route="SCIG", days=90), 700, label="SCIG", slot=1)
    assert len(ax.lines) == 3  # two regimens + the target line
    plot_igg_levels(ax, igg_levels(500, 28, days=90), 700, label="IVIG 500", slot=0)
    assert len(ax.lines) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "IVIG 500" in labels and "SCIG" in labels


def test_igg_levels_rejects_bad_input():
    with pytest.raises(ValueError, match="igg_mg_dl"):
        plot_igg_levels(fresh_ax(), pd.DataFrame({"day": [0, 1]}))
    with pytest.raises(ValueError, match="target trough"):
        plot_igg_levels(fresh_ax(), igg_levels(400, 28, days=30), target_trough_mg_dl=-5)


# ---------------------------------------------------------------- labs
def test_anc_gauge_points_at_the_count_and_names_the_band():
    ax = fresh_ax((9, 3))
    assert plot_anc_gauge(ax, 800, age_years=30) is ax
    a = artists(ax, "anc")
    assert a["pointer"].get_xdata()[0] == pytest.approx(800)
    assert "moderate" in alt_text(ax) and "800" in alt_text(ax)
    assert set(a["bands"]) == {"normal", "mild", "moderate", "severe", "agranulocytosis"}
    plot_anc_gauge(ax, 300, age_years=30)  # in place
    assert a["pointer"].get_xdata()[0] == pytest.approx(300)
    assert "severe" in alt_text(ax)


def test_anc_gauge_uses_the_infant_threshold():
    ax = fresh_ax((9, 3))
    plot_anc_gauge(ax, 1200, age_years=0.5)
    text = alt_text(ax)
    assert "normal" in text and "1,000" in text and "infant" in text
    assert "mild" not in artists(ax, "anc")["bands"]  # the infant table has no mild band


def test_anc_gauge_rejects_nonsense():
    with pytest.raises(ValueError, match="ANC"):
        plot_anc_gauge(fresh_ax(), -5)
    with pytest.raises(ValueError, match="ANC"):
        plot_anc_gauge(fresh_ax(), "lots")


def test_ig_levels_marks_each_value_on_its_age_range():
    ax = fresh_ax((9, 3.8))
    values = {"IgG": 450, "IgA": 5, "IgM": 80}
    assert plot_ig_levels(ax, values, 30) is ax
    rows = artists(ax, "ig")["rows"]
    for (analyte, value), row in zip(values.items(), rows):
        ref = classify_immunoglobulin(analyte, value, 30)
        assert row["value"].get_xdata()[0] == pytest.approx(value)
        assert row["range"].get_x() == pytest.approx(ref.low)
        assert row["range"].get_width() == pytest.approx(ref.high - ref.low)
        assert ref.status.upper() in row["text"].get_text()
    text = alt_text(ax)
    assert "IgG 450 mg/dL is low" in text and "IgM 80 mg/dL is normal" in text


def test_ig_levels_rejects_empty_input():
    with pytest.raises(ValueError, match="IgG"):
        plot_ig_levels(fresh_ax(), {}, 30)


# ---------------------------------------------------------------- maps
def test_symptom_map_dots_match_the_table_and_rows_are_grouped_by_direction():
    ax = fresh_ax()
    assert plot_symptom_map(ax, SYMPTOMS, DISORDERS) is ax
    rows = [t.get_text() for t in ax.get_yticklabels()]
    # underactive first, then overactive, then mixed; alphabetical inside a group
    assert rows == ["Beta", "Delta", "Alpha", "Gamma"]
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols[0] == "fever"  # shared by three disorders
    expected = {(cols.index(s), rows.index(DISORDERS.set_index("disorder_id").loc[d, "short_name"]))
                for d, s in zip(SYMPTOMS["disorder_id"], SYMPTOMS["symptom"])}
    assert scatter_points(ax) == {(float(x), float(y)) for x, y in expected}
    text = alt_text(ax)
    assert "4 disorders" in text and "'fever'" in text and "3 of them" in text


def test_symptom_map_max_symptoms_and_disorder_filter():
    ax = fresh_ax()
    plot_symptom_map(ax, SYMPTOMS, DISORDERS, disorder_ids=["aa", "bb"], max_symptoms=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Beta", "Alpha"]
    assert len(ax.get_xticks()) == 2
    with pytest.raises(ValueError, match="zz"):
        plot_symptom_map(fresh_ax(), SYMPTOMS, DISORDERS, disorder_ids=["zz"])
    with pytest.raises(ValueError, match="max_symptoms"):
        plot_symptom_map(fresh_ax(), SYMPTOMS, DISORDERS, max_symptoms=0)


def test_symptom_map_colour_is_never_the_only_cue():
    ax = fresh_ax()
    plot_symptom_map(ax, SYMPTOMS, DISORDERS)
    markers = {}
    for coll in ax.collections:
        if len(coll.get_offsets()) and coll.get_label() in {s["label"] for s in DIRECTION_STYLE.values()}:
            markers[coll.get_label()] = coll.get_paths()[0].vertices.round(3).tobytes()
    assert len(markers) == 3 and len(set(markers.values())) == 3  # three different marker shapes
    hatches = {p.get_hatch() for p in ax.patches if p.get_hatch()}
    assert len(hatches) == 3  # one hatch per direction band


def test_treatment_map_counts_treatments_per_class():
    ax = fresh_ax()
    assert plot_treatment_map(ax, TREATMENTS, DISORDERS) is ax
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert cols == ["Replacement", "Immunosuppression", "Anti-infective"]
    notes = [t.get_text() for t in ax.texts if t.get_text().isdigit()]
    assert notes == ["2"]  # Alpha has two immunosuppressants
    assert "replacement for 2" in alt_text(ax)


def test_maps_work_on_the_real_data():
    ax = fresh_ax((11, 8))
    plot_symptom_map(ax)
    from widgets.data import load

    n = load("symptoms")["disorder_id"].nunique()
    assert len(ax.get_yticks()) == n
    assert len(ax.get_xticks()) == 16
    ax2 = fresh_ax((9, 8))
    plot_treatment_map(ax2)
    assert "classes of treatment" in alt_text(ax2)


# ---------------------------------------------------------------- show_chart and style
def test_show_chart_returns_an_accessible_image_without_touching_pyplot():
    before = plt.get_fignums()
    chart = show_chart(plot_anc_gauge, 800, figsize=(8, 3))
    assert plt.get_fignums() == before
    assert isinstance(chart.figure, Figure)
    png = chart._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = chart._repr_html_()
    assert html.startswith("<figure") and "<figcaption>" in html
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in html
    assert 'alt="Gauge of neutrophil severity bands' in html
    assert chart.alt_text in html


def test_presentation_style_makes_text_bigger():
    normal = show_chart(plot_anc_gauge, 700)
    with presentation_style():
        big = show_chart(plot_anc_gauge, 700)
    assert big.ax.xaxis.label.get_fontsize() > normal.ax.xaxis.label.get_fontsize()
    assert big.ax.get_xticklabels()[0].get_fontsize() > normal.ax.get_xticklabels()[0].get_fontsize()
    # and the setting does not leak out of the with-block
    again = show_chart(plot_anc_gauge, 700)
    assert again.ax.xaxis.label.get_fontsize() == normal.ax.xaxis.label.get_fontsize()


def test_every_chart_has_alt_text_and_axis_labels_with_units():
    df = simulate_scenario("overactive", days=20)
    charts = [
        show_chart(plot_scenario_timecourse, df),
        show_chart(plot_balance, scenario_summary(df)),
        show_chart(plot_igg_levels, igg_levels(400, 28, days=60), 700),
        show_chart(plot_anc_gauge, 1200),
        show_chart(plot_ig_levels, {"IgG": 900}, 10),
        show_chart(plot_symptom_map, SYMPTOMS, DISORDERS),
        show_chart(plot_treatment_map, TREATMENTS, DISORDERS),
    ]
    for chart in charts:
        assert len(chart.alt_text) > 40 and chart.alt_text.endswith(".")
        assert chart.ax.get_title(loc="left")
    for chart in charts[:1] + charts[2:5]:
        label = chart.ax.get_xlabel() + chart.ax.get_ylabel()
        assert "(" in label  # units or scale in brackets


def test_show_chart_turns_a_data_problem_into_a_message():
    from widgets.charts import show_chart
    from widgets.data import DataError

    def broken(ax):
        raise DataError("symptoms.csv, line 7, column 'typicality': expected hallmark, common or occasional")

    shown = show_chart(broken)
    assert "symptoms.csv" in shown._repr_html_() and "line 7" in shown.alt_text
    assert shown.png is None


# ---------------------------------------------------------------- maps on slides (issue 16)
def test_symptom_map_with_fixed_columns_keeps_them_even_when_empty():
    ax = fresh_ax()
    plot_symptom_map(ax, SYMPTOMS, DISORDERS, disorder_ids=["aa"], columns=["fever", "rash", "cough"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fever", "rash", "cough"]
    assert "the 3 symptoms of the whole map" in alt_text(ax)
    with pytest.raises(ValueError, match="columns"):
        plot_symptom_map(fresh_ax(), SYMPTOMS, DISORDERS, columns="fever")
    with pytest.raises(ValueError, match="at least one"):
        plot_treatment_map(fresh_ax(), TREATMENTS, DISORDERS, columns=[])


@pytest.mark.parametrize("plot", [plot_symptom_map, plot_treatment_map], ids=lambda f: f.__name__)
def test_a_whole_series_map_is_split_for_slides_by_direction_with_the_same_columns(plot, monkeypatch):
    """Projected, a map of the whole series (over 30 rows) becomes parts of at most
    MAX_PROJECTED_ROWS rows, one direction each; every part shows the columns of the whole map, so
    two columns can still be compared on each slide; together the parts show every row once."""
    from widgets.charts.maps import MAX_PROJECTED_ROWS, slide_parts
    from widgets.charts.render import ChartParts
    from widgets.charts.style import PRESENT_ENV
    whole = show_chart(plot, figsize=(11, 7.5))  # not projected: one chart, as before
    assert not isinstance(whole, ChartParts)
    columns = [t.get_text() for t in whole.ax.get_xticklabels()]
    rows = list(whole.table["Disorder"])
    assert len(rows) > MAX_PROJECTED_ROWS

    monkeypatch.setenv(PRESENT_ENV, "1")
    chart = show_chart(plot, figsize=(11, 7.5))
    assert isinstance(chart, ChartParts) and len(chart) >= 3
    shown = []
    for part, (kwargs, _) in zip(chart, slide_parts(plot)):
        part_rows = list(part.table["Disorder"])
        assert 0 < len(part_rows) <= MAX_PROJECTED_ROWS
        assert part.table["Direction"].nunique() == 1, "a part mixes directions"
        assert list(part.table.columns[2:]) == list(whole.table.columns[2:]), "a part lost the map's columns"
        assert len(part.ax.get_xticklabels()) == len(columns)
        assert part.table["Direction"].iloc[0] in part.ax.get_title(loc="left")
        assert kwargs["columns"] == list(whole.table.columns[2:])
        shown += part_rows
    assert sorted(shown) == sorted(rows) and len(shown) == len(set(shown))
    html = chart._repr_html_()
    assert html.count("<figure") == len(chart) and html.count("Show as table") == len(chart)


@pytest.mark.parametrize("plot", [plot_symptom_map, plot_treatment_map], ids=lambda f: f.__name__)
def test_projected_maps_draw_every_text_at_the_presentation_size_inside_the_figure(plot, monkeypatch):
    """The decks' test needs 16 px on screen: a projected map draws no text smaller than the
    presentation tick labels (13 pt), keeps it inside the picture, and its column labels do not
    run into each other."""
    import matplotlib as mpl

    from widgets.charts.render import ChartParts
    from widgets.charts.style import PRESENT_ENV, PRESENTATION_RC

    monkeypatch.setenv(PRESENT_ENV, "1")
    for ids in (None, ["cvid", "alps", "ipex", "apeced", "was", "cgd"]):
        chart = show_chart(plot, disorder_ids=ids)
        for part in (chart.parts if isinstance(chart, ChartParts) else [chart]):
            fig = part.figure
            assert part.min_font_px >= PRESENTATION_RC["ytick.labelsize"] * fig.dpi / 72 - 0.01, \
                f"{part.alt_text[:60]}: text of {part.min_font_px} px"
            assert fig.get_figwidth() * fig.dpi <= 1280, "wider than a slide: it would be shown smaller"
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            box = fig.bbox
            texts = [t for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()]
            for t in texts:
                e = t.get_window_extent(renderer)
                assert e.x0 >= box.x0 - 2 and e.x1 <= box.x1 + 2 and e.y0 >= box.y0 - 2 and e.y1 <= box.y1 + 2, \
                    f"{t.get_text()[:40]!r} runs off the projected map"
            labels = part.ax.get_xticklabels()
            # neighbouring slanted labels are parallel: the gap between them, measured across the
            # text, is the tick spacing times sin(rotation); it must hold a label's lines
            step = np.diff(part.ax.transData.transform([(0, 0), (1, 0)])[:, 0])[0]
            for a, b in zip(labels, labels[1:]):
                thickness = a.get_fontsize() * fig.dpi / 72 * 1.2 * (a.get_text().count("\n") + 1)
                assert step * np.sin(np.radians(a.get_rotation())) >= thickness, \
                    f"column labels {a.get_text()!r} and {b.get_text()!r} run into each other"
