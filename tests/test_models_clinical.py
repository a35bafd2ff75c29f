"""Clinical teaching rules: ANC, immunoglobulin ranges, ALPS and CVID criteria.

Most tests use small hand-made tables in a temporary data folder, so they test
the *rules*; a few at the end check the project's real tables once they exist.
"""
import dataclasses
import shutil
from pathlib import Path

import pytest

from widgets.data import DATA_DIR
from widgets.models.clinical import (
    ALPS_FINDINGS, CVID_FINDINGS, anc_from_cbc, check_alps_criteria, check_cvid_criteria,
    classify_anc, classify_immunoglobulin,
)

ANC_BANDS = """population,severity,anc_min_per_ul,anc_max_per_ul,infection_risk,urgency,fever_action,source_ids
over_1_year,agranulocytosis,0,100,very high,same-day review if fever,fever: same day,medscape_neutropenia_grades
over_1_year,severe,100,500,high,same-day review if fever,fever: same day,medscape_neutropenia_grades
over_1_year,moderate,500,1000,moderate,same-day review if fever,fever: same day,medscape_neutropenia_grades
over_1_year,mild,1000,1500,little or none,routine,,medscape_neutropenia_grades
over_1_year,normal,1500,,usual,routine,,capsoni2005_ain
infant,agranulocytosis,0,100,very high,same-day review if fever,fever: same day,medscape_ain
infant,severe,100,500,high,same-day review if fever,fever: same day,medscape_ain
infant,moderate,500,1000,moderate,same-day review if fever,fever: same day,medscape_ain
infant,normal,1000,,usual,routine,,medscape_ain
"""

REFERENCE_RANGES = """analyte,age_min_years,age_max_years,low,high,unit,lab,note,source_ids
IgG,0,1,200,1000,mg/dL,Test lab,,mayo_igg
IgG,1,18,450,1500,mg/dL,Test lab,,mayo_igg
IgG,18,120,700,1600,mg/dL,Test lab,,mayo_igg
IgA,0,4,5,150,mg/dL,Test lab,,mayo_iga
IgA,4,120,40,350,mg/dL,Test lab,,mayo_iga
IgM,0,120,40,230,mg/dL,Test lab,,mayo_igg
IgG,0,120,600,1700,mg/dL,Other lab,,mayo_igg
"""


@pytest.fixture()
def data_dir(tmp_path):
    shutil.copy(DATA_DIR / "sources.csv", tmp_path / "sources.csv")
    (tmp_path / "anc_bands.csv").write_text(ANC_BANDS)
    (tmp_path / "reference_ranges.csv").write_text(REFERENCE_RANGES)
    return tmp_path


# --------------------------------------------------------------------- ANC from a blood count
def test_anc_from_cbc_formula():
    assert anc_from_cbc(5000, 60) == 3000
    assert anc_from_cbc(5000, 55, band_pct=5) == 3000
    assert anc_from_cbc(0, 50) == 0


@pytest.mark.parametrize("args, words", [
    ((-1, 50), ["wbc_per_ul", "-1"]),
    ((5000, 120), ["neutrophil_pct", "120", "0 to 100"]),
    ((5000, 70, 40), ["at most 100", "70", "40", "110"]),
    ((float("nan"), 50), ["wbc_per_ul", "nan"]),
    (("many", 50), ["wbc_per_ul", "many"]),
    ((5000, -5), ["neutrophil_pct", "-5"]),
])
def test_anc_from_cbc_bad_input(args, words):
    with pytest.raises(ValueError) as err:
        anc_from_cbc(*args)
    for word in words:
        assert word in str(err.value)


# --------------------------------------------------------------------- ANC classification
@pytest.mark.parametrize("anc, severity", [
    (0, "agranulocytosis"), (99, "agranulocytosis"), (100, "severe"), (499, "severe"),
    (500, "moderate"), (999, "moderate"), (1000, "mild"), (1499, "mild"), (1500, "normal"), (6000, "normal"),
])
def test_anc_bands_over_one_year(data_dir, anc, severity):
    result = classify_anc(anc, age_years=30, data_dir=data_dir)
    assert result.severity == severity
    assert result.threshold_per_ul == 1500
    assert result.population == "over_1_year"


def test_infant_threshold_is_lower(data_dir):
    infant = classify_anc(1200, age_years=0.5, data_dir=data_dir)
    adult = classify_anc(1200, age_years=5, data_dir=data_dir)
    assert infant.severity == "normal" and infant.threshold_per_ul == 1000
    assert adult.severity == "mild"
    assert any("Infant" in n and "1,000" in n for n in infant.notes)


def test_duffy_caveat_only_for_mild_neutropenia(data_dir):
    """The Duffy-null caveat explains a mildly low count; it must never soften a count below
    1,000, where a fever needs same-day review."""
    low = classify_anc(1200, age_years=30, data_dir=data_dir)
    ok = classify_anc(3000, age_years=30, data_dir=data_dir)
    lower = classify_anc(800, age_years=30, data_dir=data_dir)
    assert low.neutropenic and any("Duffy" in n for n in low.notes)
    assert "haddy1999_ben" in low.source_ids and "medscape_neutropenia_grades" in low.source_ids
    assert not ok.neutropenic and not any("Duffy" in n for n in ok.notes)
    assert lower.neutropenic and not any("Duffy" in n for n in lower.notes)


def test_no_age_uses_over_one_year_and_says_so(data_dir):
    result = classify_anc(1200, data_dir=data_dir)
    assert result.population == "over_1_year"
    assert any("No age given" in n for n in result.notes)


def test_anc_result_is_frozen(data_dir):
    result = classify_anc(800, age_years=10, data_dir=data_dir)
    assert result.infection_risk == "moderate"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.severity = "normal"


@pytest.mark.parametrize("kwargs, word", [
    (dict(anc_per_ul=-5), "anc_per_ul"),
    (dict(anc_per_ul=float("inf")), "anc_per_ul"),
    (dict(anc_per_ul=1000, age_years=-1), "age_years"),
    (dict(anc_per_ul=1000, age_years=200), "age_years"),
])
def test_classify_anc_bad_input(data_dir, kwargs, word):
    with pytest.raises(ValueError, match=word):
        classify_anc(data_dir=data_dir, **kwargs)


# --------------------------------------------------------------------- immunoglobulins
def test_ig_status_and_band(data_dir):
    low = classify_immunoglobulin("IgG", 300, 30, data_dir=data_dir)
    assert (low.status, low.low, low.high) == ("low", 700, 1600)
    assert low.age_band == "18 years and over" and low.lab == "Test lab"
    assert low.source_ids == ("mayo_igg",)
    assert classify_immunoglobulin("igg", 700, 30, data_dir=data_dir).status == "normal"
    assert classify_immunoglobulin("IGG", 1601, 30, data_dir=data_dir).status == "high"


def test_ig_age_band_max_is_exclusive(data_dir):
    assert classify_immunoglobulin("IgG", 500, 17.99, data_dir=data_dir).status == "normal"
    assert classify_immunoglobulin("IgG", 500, 18, data_dir=data_dir).status == "low"
    assert classify_immunoglobulin("IgG", 500, 0.5, data_dir=data_dir).age_band == "0-12 months"


def test_ig_lab_choice(data_dir):
    assert classify_immunoglobulin("IgG", 650, 30, lab="Other lab", data_dir=data_dir).status == "normal"
    with pytest.raises(ValueError, match="Nowhere lab"):
        classify_immunoglobulin("IgG", 650, 30, lab="Nowhere lab", data_dir=data_dir)


def test_sigad_rule(data_dir):
    older = classify_immunoglobulin("IgA", 5, 10, data_dir=data_dir)
    assert older.status == "low"
    assert any("selective IgA deficiency" in n for n in older.notes)
    assert "msd_iga_deficiency" in older.source_ids
    young = classify_immunoglobulin("IgA", 3, 3, data_dir=data_dir)
    assert any("only diagnosed after age 4" in n for n in young.notes)
    normal = classify_immunoglobulin("IgA", 100, 10, data_dir=data_dir)
    assert normal.notes == ()


@pytest.mark.parametrize("args, words", [
    (("IgE", 100, 10), ["analyte", "IgE", "IgG"]),
    (("IgG", -1, 10), ["value_mg_dl", "-1"]),
    (("IgG", float("nan"), 10), ["value_mg_dl"]),
    (("IgG", 500, -2), ["age_years", "-2"]),
])
def test_ig_bad_input(data_dir, args, words):
    with pytest.raises(ValueError) as err:
        classify_immunoglobulin(*args, data_dir=data_dir)
    for word in words:
        assert word in str(err.value)


# --------------------------------------------------------------------- ALPS
REQUIRED = dict(chronic_lymphadenopathy_or_splenomegaly=True, dnt_pct_of_lymphocytes=3.0)


def test_alps_definitive_with_primary_accessory():
    r = check_alps_criteria(**REQUIRED, pathogenic_variant=True)
    assert r.verdict == "definitive"
    assert any("FAS" in m for m in r.met)
    assert r.source_ids == ("oliveira2010_alps",)


def test_alps_probable_with_secondary_accessory_only():
    r = check_alps_criteria(**REQUIRED, sfasl_pg_ml=350)
    assert r.verdict == "probable"
    assert any("soluble FAS ligand" in m for m in r.met)
    assert any("Primary accessory" in m for m in r.missing)


def test_alps_thresholds_are_strict():
    assert check_alps_criteria(chronic_lymphadenopathy_or_splenomegaly=True, dnt_pct_of_lymphocytes=1.5,
                               family_history=True).verdict == "not met"
    assert check_alps_criteria(chronic_lymphadenopathy_or_splenomegaly=True, dnt_pct_of_cd3=2.6,
                               family_history=True).verdict == "probable"
    assert check_alps_criteria(**REQUIRED, vitamin_b12_ng_l=1500).verdict == "not met"
    assert check_alps_criteria(**REQUIRED, vitamin_b12_ng_l=1501).verdict == "probable"


def test_alps_required_missing():
    r = check_alps_criteria(dnt_pct_of_lymphocytes=5, pathogenic_variant=True)
    assert r.verdict == "not met"
    assert any("enlarged lymph nodes" in m for m in r.missing)
    assert "apoptosis" in r.explanation


def test_alps_dnt_needs_normal_lymphocyte_count():
    r = check_alps_criteria(**REQUIRED, lymphocyte_count_normal_or_high=False, pathogenic_variant=True)
    assert r.verdict == "not met"


def test_alps_required_without_accessory():
    r = check_alps_criteria(**REQUIRED)
    assert r.verdict == "not met" and "no accessory" in r.explanation


def test_alps_bad_findings():
    with pytest.raises(ValueError, match="spleen_size"):
        check_alps_criteria(spleen_size=3)
    with pytest.raises(ValueError, match="pathogenic_variant"):
        check_alps_criteria(pathogenic_variant="yes")
    with pytest.raises(ValueError, match="dnt_pct_of_cd3"):
        check_alps_criteria(dnt_pct_of_cd3=150)
    assert set(ALPS_FINDINGS) >= {"sfasl_pg_ml", "il10_pg_ml", "il18_pg_ml", "vitamin_b12_ng_l"}


# --------------------------------------------------------------------- CVID
TYPICAL_CVID = dict(
    increased_infection_susceptibility=True, marked_low_igg=True, marked_low_iga=True,
    poor_vaccine_response=True, secondary_causes_excluded=True, age_years=30,
    cd4_per_ul=600, naive_cd4_pct=30, t_cell_proliferation_absent=False,
)


def test_cvid_met():
    r = check_cvid_criteria(**TYPICAL_CVID)
    assert r.verdict == "met" and r.missing == ()
    assert len(r.met) == 6


def test_cvid_needs_both_igg_and_iga():
    r = check_cvid_criteria(**{**TYPICAL_CVID, "marked_low_iga": False})
    assert r.verdict == "not met"
    assert any("IgG and IgA" in m for m in r.missing)


def test_cvid_not_before_age_four():
    r = check_cvid_criteria(**{**TYPICAL_CVID, "age_years": 3})
    assert r.verdict == "not met"
    assert any("4th year" in m for m in r.missing)


def test_cvid_profound_t_cell_deficiency_excludes():
    r = check_cvid_criteria(**{**TYPICAL_CVID, "cd4_per_ul": 150, "naive_cd4_pct": 5})
    assert r.verdict == "not met"
    assert any("combined immunodeficiency" in m for m in r.missing)
    # one T-cell sign alone is not enough to exclude
    assert check_cvid_criteria(**{**TYPICAL_CVID, "cd4_per_ul": 150}).verdict == "met"


def test_cvid_cd4_limits_depend_on_age():
    child = {**TYPICAL_CVID, "age_years": 5, "cd4_per_ul": 280, "naive_cd4_pct": 22}
    assert check_cvid_criteria(**child).verdict == "not met"         # <300 and <25% at age 2-6
    teen = {**TYPICAL_CVID, "age_years": 14, "cd4_per_ul": 280, "naive_cd4_pct": 22}
    assert check_cvid_criteria(**teen).verdict == "met"              # limits 200 and 20% apply


def test_cvid_incomplete_when_unknown():
    r = check_cvid_criteria(increased_infection_susceptibility=True, marked_low_igg=True, marked_low_iga=True)
    assert r.verdict == "incomplete"
    assert any("not known yet" in m for m in r.missing)


def test_cvid_switched_memory_can_replace_vaccine_response():
    case = {**TYPICAL_CVID, "poor_vaccine_response": False, "low_switched_memory_b_cells": True}
    assert check_cvid_criteria(**case).verdict == "met"


def test_cvid_bad_findings():
    with pytest.raises(ValueError, match="igg_level"):
        check_cvid_criteria(igg_level=100)
    with pytest.raises(ValueError, match="age_years"):
        check_cvid_criteria(age_years=-3)
    assert "secondary_causes_excluded" in CVID_FINDINGS


def test_criteria_results_are_frozen():
    r = check_cvid_criteria(**TYPICAL_CVID)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.verdict = "maybe"


# --------------------------------------------------------------------- the project's real tables
needs_anc = pytest.mark.skipif(not (DATA_DIR / "anc_bands.csv").exists(), reason="data/anc_bands.csv not yet written")
needs_ranges = pytest.mark.skipif(not (DATA_DIR / "reference_ranges.csv").exists(),
                                  reason="data/reference_ranges.csv not yet written")


@needs_anc
def test_real_anc_bands_use_published_cutoffs():
    assert classify_anc(1499, age_years=30).severity != "normal"
    assert classify_anc(1500, age_years=30).severity == "normal"
    assert classify_anc(1000, age_years=0.5).threshold_per_ul == 1000
    assert classify_anc(400, age_years=30).severity in {"severe", "agranulocytosis"}


@needs_ranges
def test_real_reference_ranges_classify_adult_igg():
    assert classify_immunoglobulin("IgG", 200, 40).status == "low"
    assert classify_immunoglobulin("IgG", 1000, 40).status == "normal"


def test_criteria_result_displays_as_escaped_html():
    from widgets.models.clinical import CriteriaResult

    result = CriteriaResult(verdict="probable", met=("lymphadenopathy > 6 months",),
                            missing=("FAS variant <unknown>",), explanation="Two required criteria met.")
    html = result._repr_html_()
    assert "Verdict: probable" in html and "lymphadenopathy" in html
    assert "&lt;unknown&gt;" in html and "<unknown>" not in html
