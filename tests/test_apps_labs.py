"""NeutrophilCalculator and ImmunoglobulinLabExplorer: numbers, bands, messages."""
import matplotlib.pyplot as plt
import pytest

from widgets import ImmunoglobulinLabExplorer, NeutrophilCalculator
from widgets.charts.style import artists
from widgets.data import load
from widgets.models.clinical import anc_from_cbc, classify_immunoglobulin

from _apps_helpers import live_figures


# ---------------------------------------------------------------- neutrophils
@pytest.fixture()
def calc():
    return NeutrophilCalculator(wbc_per_ul=6000, neutrophil_pct=55, band_pct=3, age_years=30)


def test_anc_is_computed_from_the_blood_count(calc):
    r = calc.current_result()
    assert r["anc_per_ul"] == pytest.approx(anc_from_cbc(6000, 55, 3)) == pytest.approx(3480)
    assert r["severity"] == "normal"
    assert artists(calc.ax, "anc")["pointer"].get_xdata()[0] == pytest.approx(3480)
    assert "3,480" in calc.info.value and "3,480" in calc.caption.value
    for w in (calc.wbc, calc.neutrophil_pct, calc.band_pct, calc.age):
        assert w.description and w.tooltip and "(" in w.description  # units in the label


def test_low_count_shows_band_risk_caveat_and_treatments(calc):
    calc.wbc.value = 1500
    r = calc.current_result()
    assert r["anc_per_ul"] == pytest.approx(870) and r["severity"] == "moderate"
    bands = load("anc_bands")
    risk = bands[(bands.population == "over_1_year") & (bands.severity == "moderate")]["infection_risk"].iloc[0]
    assert risk in calc.info.value
    assert "Duffy" not in calc.info.value, "a count below 1,000 is never explained away by Duffy-null"
    assert "fever" in calc.status.value.lower()
    treatments = load("treatments")
    g_csf = treatments[treatments.disorder_id.str.startswith("autoimmune_neutropenia")]["treatment"]
    assert any(t in calc.info.value for t in g_csf)
    assert "moderate" in calc.caption.value


def test_infant_threshold_is_used_under_one_year(calc):
    calc.wbc.value = 2000
    calc.neutrophil_pct.value = 55
    calc.band_pct.value = 0
    assert calc.current_result()["severity"] == "mild"  # 1,100 at age 30
    calc.age.value = 0.5
    r = calc.current_result()
    assert r["threshold_per_ul"] == 1000 and r["severity"] == "normal"
    assert "1,000" in calc.info.value


def test_percentages_over_100_give_a_message_and_keep_the_chart(calc):
    calc.neutrophil_pct.value = 90  # 90% + 3% bands: still valid
    good_png, good = calc.image.value, calc.current_result()
    calc.band_pct.value = 20
    assert "cannot be more than 100%" in calc.status.value
    assert "110%" in calc.status.value and "Traceback" not in calc.status.value
    assert calc.image.value == good_png and calc.current_result() is good
    calc.band_pct.value = 5
    assert "\u26a0" not in calc.status.value


def test_neutrophil_hundred_changes_create_no_new_figures(calc):
    before, figs = plt.get_fignums(), live_figures()
    for i in range(100):
        calc.wbc.value = 500 + 137 * i
    assert plt.get_fignums() == before and live_figures() <= figs
    assert len(calc.ax.lines) == 3  # pointer, stem, threshold line


# ---------------------------------------------------------------- immunoglobulins
@pytest.fixture()
def labs():
    return ImmunoglobulinLabExplorer(age_years=30, igg_mg_dl=1000, iga_mg_dl=200, igm_mg_dl=100)


def test_values_are_classified_against_the_age_band(labs):
    r = labs.current_result()
    for analyte, value in (("IgG", 1000), ("IgA", 200), ("IgM", 100)):
        ref = classify_immunoglobulin(analyte, value, 30)
        assert r[analyte]["status"] == ref.status == "normal"
        assert (r[analyte]["low"], r[analyte]["high"]) == (ref.low, ref.high)
    assert "laboratory" in labs.info.value.lower()


def test_low_iga_is_flagged_with_the_iga_deficiency_note(labs):
    labs.values["IgA"].value = 3
    r = labs.current_result()["IgA"]
    assert r["status"] == "low"
    assert "selective IgA deficiency" in labs.info.value
    row = artists(labs.ax, "ig")["rows"][1]
    assert row["value"].get_xdata()[0] == pytest.approx(3)
    assert "IgA 3 mg/dL is low" in labs.caption.value


def test_changing_age_changes_the_band(labs):
    adult = labs.current_result()["IgG"]
    labs.age.value = 0.25
    infant = labs.current_result()["IgG"]
    assert infant["age_band"] != adult["age_band"]
    assert infant["high"] < adult["low"]
    assert infant["status"] == "high"  # 1,000 mg/dL is far above a 3-month-old's range


def test_lab_error_keeps_the_last_chart(labs, monkeypatch):
    good = labs.image.value
    from widgets.models import clinical

    def broken(*a, **k):
        raise ValueError("value_mg_dl must be from 0 to 10000 mg/dL; got -1.")

    monkeypatch.setattr(clinical, "classify_immunoglobulin", broken)
    labs.values["IgG"].value = 900
    assert "must be from 0 to 10000" in labs.status.value
    assert labs.image.value == good


def test_labs_hundred_changes_create_no_new_figures(labs):
    before, figs = plt.get_fignums(), live_figures()
    for i in range(100):
        labs.values["IgM"].value = 20 + 7 * i
    assert plt.get_fignums() == before and live_figures() <= figs


def test_out_of_range_starting_values_are_reported():
    import html

    calc = NeutrophilCalculator(wbc_per_ul=6000, neutrophil_pct=150, band_pct="few")
    text = html.unescape(calc.status.value)
    assert "neutrophil_pct=150 is outside the allowed 0 to 100" in text
    assert "band_pct='few' is not a number" in text
    assert calc.neutrophil_pct.value == 100 and calc.band_pct.value == 3
    # 100% + 3% is still impossible: no chart yet, and the message says so
    assert "cannot be more than 100%" in text and "appears once the inputs make sense" in text
    assert calc.image.value == b""
    calc.band_pct.value = 0
    assert calc.image.value[:4] == b"\x89PNG" and "\u26a0" not in calc.status.value
    labs = ImmunoglobulinLabExplorer(age_years=-2)
    assert "age_years=-2 is outside" in labs.status.value and labs.age.value == 0
