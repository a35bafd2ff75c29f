"""CriteriaChecker (notebook 04): ticking boxes changes the verdict the learner sees."""
import pytest

from widgets import CriteriaChecker
from widgets.models.clinical import check_alps_criteria, check_cvid_criteria

MS_A = dict(age_years=34, increased_infection_susceptibility=True, autoimmune_manifestations=True,
            marked_low_igg=True, marked_low_iga=True, poor_vaccine_response=True, cd4_per_ul=800,
            naive_cd4_pct=35, t_cell_proliferation_absent=False, secondary_causes_excluded=None)
LEO = dict(chronic_lymphadenopathy_or_splenomegaly=True, dnt_pct_of_lymphocytes=4.0,
           lymphocyte_count_normal_or_high=True, vitamin_b12_ng_l=2500)


def shown_verdict(app):
    return app.verdict.value.split("Verdict: ", 1)[1].split("<", 1)[0]


def test_cvid_boxes_start_from_the_patient_and_agree_with_the_rule():
    app = CriteriaChecker("cvid", **MS_A)
    assert app.boxes["marked_low_iga"].value is True
    assert app.unknown["secondary_causes_excluded"].value is True
    assert shown_verdict(app) == "incomplete" == check_cvid_criteria(**MS_A).verdict


def test_ticking_the_last_cvid_finding_turns_the_verdict_to_met():
    app = CriteriaChecker("cvid", **MS_A)
    app.boxes["secondary_causes_excluded"].value = True  # a click on the box
    assert app.unknown["secondary_causes_excluded"].value is False, "setting a finding makes it known"
    assert shown_verdict(app) == "met"
    assert app.current_result().verdict == "met"


def test_unticking_iga_makes_cvid_not_met_and_not_known_makes_it_incomplete():
    app = CriteriaChecker("cvid", **{**MS_A, "secondary_causes_excluded": True})
    app.boxes["marked_low_iga"].value = False
    assert shown_verdict(app) == "not met"
    assert any("IgA" in m for m in app.current_result().missing)
    app.unknown["marked_low_iga"].value = True
    assert shown_verdict(app) == "incomplete"


def test_alps_number_and_boxes_move_between_probable_definitive_and_not_met():
    app = CriteriaChecker("alps", **LEO)
    assert shown_verdict(app) == "probable" == check_alps_criteria(**LEO).verdict
    app.boxes["pathogenic_variant"].value = True
    assert shown_verdict(app) == "definitive"
    app.boxes["dnt_pct_of_lymphocytes"].value = 1.0
    assert shown_verdict(app) == "not met"
    assert app.findings()["dnt_pct_of_lymphocytes"] == pytest.approx(1.0)


def test_every_finding_of_the_rule_has_a_labelled_box():
    for kind in ("cvid", "alps"):
        app = CriteriaChecker(kind)
        assert set(app.boxes) == set(app.findings())
        for name, box in app.boxes.items():
            assert box.description and "_" not in box.description, name
            assert app.unknown[name].value is True, "a finding not given starts as not known"


def test_bad_input_gives_a_message_not_a_traceback():
    app = CriteriaChecker("lupus")
    assert app.current_result() is None and "cvid" in app.status.value
    app = CriteriaChecker("alps", **LEO, spleen_size=3, family_history="yes")
    assert "spleen_size" in app.status.value and "family_history" in app.status.value
    assert shown_verdict(app) == "probable"
    app.set_finding("no_such_finding", True)
    assert "not a finding" in app.status.value


def test_kernel_free_pages_get_the_static_note(monkeypatch):
    monkeypatch.setenv("IMMUNE_BALANCE_RENDER", "static")
    app = CriteriaChecker("alps", **LEO)
    assert "ib-static-note" in app.children[0].value
    assert shown_verdict(app) == "probable"
