"""Accessibility of what the apps and tables hand to a page (the browser audit with axe-core is
in tests/browser/test_a11y.py): every chart image has an accessible name that follows the chart."""
import ipywidgets as ipw

from widgets import ScenarioExplorer
from widgets.apps import _base


def _images(widget):
    found = [widget] if isinstance(widget, ipw.Image) else []
    for child in getattr(widget, "children", ()):
        found += _images(child)
    return found


def test_the_chart_image_has_alt_text_that_follows_the_chart():
    app = ScenarioExplorer("balanced")
    before = app.image.tooltip
    assert before and "pathogen" in before.lower(), "the chart image needs a description as its name"
    app.scenario.value = "underactive"
    assert app.image.tooltip and app.image.tooltip != before, "the description must change with the chart"
    assert app.image.tooltip in app.caption.value.replace("&#x27;", "'"), "name and caption say the same"


def test_every_pre_rendered_chart_in_a_kernel_free_page_has_alt_text(monkeypatch):
    monkeypatch.setenv(_base.RENDER_ENV, "static")
    gallery = ScenarioExplorer.static()
    images = _images(gallery)
    assert len(images) >= 3, "one pre-rendered chart per direction"
    names = [image.tooltip for image in images]
    assert all(names), "every pre-rendered chart needs alt text"
    assert len(set(names)) == len(names), "each view describes its own chart"


def test_tables_show_readable_headings_not_column_names():
    from widgets.data import load
    from widgets.display import readable_heading, show_table

    table = show_table("disorders", where={"disorder_id": ["cvid", "alps"]},
                       columns=["short_name", "direction", "prevalence_per_100k"])
    headings = list(table.df.columns)
    assert headings == ["Name", "Direction", "Prevalence (per 100,000)"], headings
    html = table._repr_html_()
    assert "short_name" not in html and "prevalence_per_100k" not in html
    assert readable_heading("anc_min_per_ul") == "ANC from (per µL)"
    assert readable_heading("igg_mg_dl") == "IgG (mg/dL)"
    for name in ("disorders", "treatments", "symptoms", "anc_bands"):
        for column in load(name).columns:
            assert "_" not in readable_heading(column), f"{name}.{column} keeps an underscore"
    # a heading the notebook gives itself wins
    assert list(show_table("disorders", where={"disorder_id": "cvid"}, columns=["short_name"],
                           rename={"short_name": "disorder"}).df.columns) == ["disorder"]


def test_table_text_reads_left_to_right_and_numbers_stay_lined_up():
    """JupyterLab right-aligns every table cell; sentences in a ragged-left column are hard to read."""
    import re

    from widgets.display import show_table

    html = show_table("disorders", where={"disorder_id": ["cvid", "alps"]},
                      columns=["short_name", "prevalence_per_100k"])._repr_html_()
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", html, flags=re.S)
    words = [attrs for attrs, text in cells if re.search(r"[A-Za-z]", text)]
    numbers = [attrs for attrs, text in cells if text.strip() and not re.search(r"[A-Za-z]", text)]
    assert words and all("text-align:left" in a for a in words), "text cells must be left-aligned"
    assert numbers and not any("text-align:left" in a for a in numbers), "numbers keep their alignment"
    head = html.split("</thead>")[0]
    assert '<th style="text-align:left">Name</th>' in head, "a heading sits where its column's words start"
    assert '<th style="text-align:right">Prevalence' in head, "a number column's heading sits over its digits"


def test_dot_matrix_maps_offer_the_same_content_as_a_table():
    from widgets.charts import show_chart
    from widgets.charts.maps import plot_symptom_map, plot_treatment_map

    for plot, words in ((plot_symptom_map, ("hallmark", "common")), (plot_treatment_map, ("listed",))):
        chart = show_chart(plot, figsize=(11, 7.5))
        table = chart.table
        assert table is not None and len(table) >= 5, f"{plot.__name__} offers no table"
        assert list(table.columns[:2]) == ["Disorder", "Direction"]
        values = " ".join(table.iloc[:, 2:].astype(str).values.ravel())
        assert all(w in values for w in words), f"{plot.__name__}: the table must say what the dots say"
        html = chart._repr_html_()
        assert "<summary>Show as table</summary>" in html and "<caption>" in html
    from widgets.charts.labs import plot_anc_gauge  # a chart that is not a matrix offers no table

    assert "Show as table" not in show_chart(plot_anc_gauge, 800)._repr_html_()
