"""Safety rules a family relies on, checked on the data and on everything the apps show.

* Every neutrophil count below 1,000 per microlitre, at every age, comes with the fever
  warning (anc_bands.csv `urgency` and `fever_action`).
* A treatment the sources advise against (treatments.csv `status` not recommended or
  contraindicated) is never offered as an option: apps list it only crossed out, with its
  reason, and the maps draw it as a cross, not a dot.
* Signs that point to another diagnosis (symptoms.csv `red flag`) are never shown as
  expected.
"""
import re
import shutil

import pytest

from widgets.data import DATA_DIR, DataError, REJECTED_STATUSES, load

LOW_COUNTS = [0, 50, 99, 100, 360, 499, 500, 750, 999]
AGES = [0.1, 0.5, 0.9, 2, 30, 80]


def _rejected():
    t = load("treatments")
    return t[t["status"].isin(REJECTED_STATUSES)]


def _offered_text(html):
    """The HTML with every crossed-out item (<del>…</del> and its reason) removed."""
    return re.sub(r"<li><del>.*?</li>", "", html, flags=re.S)


# ---------------------------------------------------------------- fever warning
def test_every_low_band_in_the_data_carries_the_fever_warning():
    bands = load("anc_bands")
    low = bands[bands["anc_max_per_ul"] <= 1000]
    assert set(low["population"]) == {"infant", "over_1_year"}
    for row in low.itertuples():
        assert row.urgency == "same-day review if fever", (row.population, row.severity)
        assert "fever" in row.fever_action.lower() and "same day" in row.fever_action.lower()


@pytest.mark.parametrize("age", AGES)
@pytest.mark.parametrize("anc", LOW_COUNTS)
def test_classification_of_every_low_count_warns_about_fever(anc, age):
    from widgets.models.clinical import classify_anc

    result = classify_anc(anc, age_years=age)
    assert result.fever_warning and "fever" in result.fever_action.lower()


@pytest.mark.parametrize("age", [0.5, 0.9, 3, 30])
def test_calculator_puts_the_fever_warning_first_for_every_low_count(age):
    from widgets.apps.neutrophil import NeutrophilCalculator

    calc = NeutrophilCalculator(wbc_per_ul=10000, neutrophil_pct=50, band_pct=0, age_years=age)
    assert "same day" not in calc.status.value  # a normal count: no alarm
    for anc in (0, 360, 999):
        calc.neutrophil_pct.value = anc / 100  # 10,000 white cells x pct% = anc
        r = calc.current_result()
        assert r["anc_per_ul"] == pytest.approx(anc)
        assert "fever" in calc.status.value.lower() and "same day" in calc.status.value, (anc, age)
        assert "ib-fever" in calc.info.value


def test_loader_refuses_a_low_band_without_the_fever_warning(tmp_path):
    for name in ("sources", "anc_bands"):
        shutil.copy(DATA_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    path = tmp_path / "anc_bands.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.startswith("infant,severe,"))
    lines[n] = lines[n].replace("same-day review if fever", "routine")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match=rf"anc_bands.csv, line {n + 1}, column 'urgency'"):
        load("anc_bands", data_dir=tmp_path)


def test_loader_refuses_a_fever_band_without_a_fever_action(tmp_path):
    for name in ("sources", "anc_bands"):
        shutil.copy(DATA_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    bands = load("anc_bands", data_dir=tmp_path)
    bands.loc[bands["severity"] == "moderate", "fever_action"] = "Call the care team."
    bands.to_csv(tmp_path / "anc_bands.csv", index=False)
    with pytest.raises(DataError, match="fever_action"):
        load("anc_bands", data_dir=tmp_path)


# ---------------------------------------------------------------- treatment status
def test_the_data_rejects_what_the_series_itself_advises_against():
    t = load("treatments").set_index(["disorder_id", "treatment"])
    for key in [("autoimmune_neutropenia_primary", "bone marrow transplant"),
                ("mmn", "corticosteroids"), ("alps", "splenectomy")]:
        assert t.loc[key, "status"] in REJECTED_STATUSES, key
        assert t.loc[key, "line"] == "none" and t.loc[key, "note"], key


def test_loader_refuses_a_rejected_treatment_with_a_line_of_treatment(tmp_path):
    for name in ("sources", "disorders", "treatments"):
        shutil.copy(DATA_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    path = tmp_path / "treatments.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("bone marrow transplant,transplant,none,not recommended",
                        "bone marrow transplant,transplant,rescue,not recommended")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="column 'line'.*not recommended"):
        load("treatments", data_dir=tmp_path)


def test_explorer_never_offers_a_rejected_treatment():
    from widgets.apps.explorer import SymptomTreatmentExplorer, about_disorder

    rejected = _rejected()
    app = SymptomTreatmentExplorer()
    for disorder_id, rows in rejected.groupby("disorder_id"):
        result = about_disorder(disorder_id)
        offered = {t for t, _, _ in result["treatments"]}
        assert not offered & set(rows["treatment"]), disorder_id
        app.choice.value = disorder_id
        for row in rows.itertuples():
            assert f"<del>{row.treatment}</del>" in app.info.value, row.treatment
            assert row.note.split(":")[0][:20] in app.info.value
        # outside the crossed-out list the rejected treatment is not named as used
        outside = _offered_text(app.info.value)
        for row in rows.itertuples():
            if row.treatment not in {t for t, _, _ in result["treatments"]}:
                assert f"<li>{row.treatment} " not in outside


@pytest.mark.parametrize("age", [0.5, 2, 10, 40])
def test_calculator_never_offers_a_rejected_treatment(age):
    from widgets.apps.neutrophil import NeutrophilCalculator

    calc = NeutrophilCalculator(wbc_per_ul=4000, neutrophil_pct=9, band_pct=0, age_years=age)
    assert calc.current_result()["severity"] != "normal"
    html = calc.info.value
    ain = _rejected()[lambda t: t["disorder_id"].str.startswith("autoimmune_neutropenia")]
    shown = [row for row in ain.itertuples() if row.treatment in html]
    for row in shown:
        assert f"<del>{row.treatment}</del>" in html
        assert f"<li>{row.treatment} " not in _offered_text(html)
    assert "options" not in html.lower(), "treatments are never presented as the reader's options"
    assert "care team" in html


def test_scenario_summaries_never_list_a_rejected_treatment():
    from widgets.apps._info import top_treatments

    rejected = _rejected()
    ids = list(load("disorders")["disorder_id"])
    listed = top_treatments(ids, n=200)
    names = {(t, c) for t, c in listed}
    for row in rejected.itertuples():
        others = load("treatments")
        still_used = others[(others.treatment == row.treatment) & ~others.status.isin(REJECTED_STATUSES)]
        if still_used.empty:
            assert (row.treatment, row.treatment_class) not in names


def test_treatment_map_draws_rejected_treatments_as_crosses_not_dots():
    import matplotlib.pyplot as plt

    from widgets.charts import alt_text
    from widgets.charts.maps import plot_treatment_map

    fig, ax = plt.subplots(figsize=(9, 4))
    try:
        plot_treatment_map(ax, disorder_ids=["autoimmune_neutropenia_primary", "alps"])
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("not recommended" in lab for lab in labels)
        # the transplant column of primary AIN holds only the rejected row: a cross, no dot
        cols = [t.get_text().lower() for t in ax.get_xticklabels()]
        x = cols.index("transplant")
        rows = [t.get_text() for t in ax.get_yticklabels()]
        y = rows.index("AIN (primary)")
        dots = [c for c in ax.collections if "not recommended" not in (c.get_label() or "")
                and c.get_offsets().shape[0]]
        at = [(c.get_label(), tuple(o)) for c in dots for o in c.get_offsets() if tuple(o) == (x, y)]
        assert not at, f"a dot is drawn for a rejected treatment: {at}"
        assert "bone marrow transplant" in alt_text(ax)
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- red flags
def test_red_flag_signs_are_never_shown_as_expected():
    import matplotlib.pyplot as plt

    from widgets.apps._info import top_symptoms
    from widgets.apps.explorer import about_disorder
    from widgets.charts.maps import plot_symptom_map

    s = load("symptoms")
    red = s[s["typicality"] == "red flag"]
    assert len(red) >= 7
    for disorder_id, rows in red.groupby("disorder_id"):
        result = about_disorder(disorder_id)
        assert not {x for x, _ in result["symptoms"]} & set(rows["symptom"])
        assert {x for x, _ in result["red_flags"]} == set(rows["symptom"])
        assert not set(top_symptoms([disorder_id], n=50)) & set(rows["symptom"])
        fig, ax = plt.subplots(figsize=(10, 6))
        try:
            plot_symptom_map(ax, disorder_ids=[disorder_id], max_symptoms=50)
            cols = [t.get_text() for t in ax.get_xticklabels()]
            for c in ax.collections:
                if "red flag" in (c.get_label() or ""):
                    continue
                for x, _ in c.get_offsets():
                    assert cols[int(x)] not in set(rows["symptom"]), cols[int(x)]
        finally:
            plt.close(fig)
