"""SymptomTreatmentExplorer, Quiz, Glossary, References and show_table."""
import shutil

import pytest
import yaml

from widgets import Glossary, Quiz, References, SymptomTreatmentExplorer
from widgets.data import DATA_DIR, load
from widgets.display import Message, Table, show_table


# ---------------------------------------------------------------- explorer
def test_explorer_by_disorder_shows_its_symptoms_treatments_and_relatives():
    app = SymptomTreatmentExplorer(disorder_id="alps")
    r = app.current_result()
    symptoms = load("symptoms")
    treatments = load("treatments")
    assert {s for s, _ in r["symptoms"]} == set(symptoms[symptoms.disorder_id == "alps"]["symptom"])
    alps = treatments[treatments.disorder_id == "alps"]
    offered = alps[~alps.status.isin(["not recommended", "contraindicated"])]
    assert {t for t, _, _ in r["treatments"]} == set(offered["treatment"])
    # splenectomy is advised against in ALPS: shown only crossed out, with its reason
    assert "splenectomy" not in {t for t, _, _ in r["treatments"]}
    assert "<del>splenectomy</del>" in app.info.value and "infections" in app.info.value
    assert r["related"] and all(n >= 2 for _, _, n in r["related"])
    assert "not medical advice" in app.info.value
    assert app.mode.tooltip and app.choice.tooltip


def test_explorer_by_symptom_groups_disorders_by_direction():
    app = SymptomTreatmentExplorer(symptom="lung infections")
    r = app.current_result()
    symptoms = load("symptoms")
    listed = {i for items in r["disorders"].values() for i, _ in items}
    assert listed == set(symptoms[symptoms.symptom == "lung infections"]["disorder_id"])
    assert "underactive" in r["disorders"]
    app.mode.value = "disorder"
    app.choice.value = "cvid"
    assert app.current_result()["disorder_id"] == "cvid"
    assert "CVID" in app.info.value or "variable" in app.info.value


def test_explorer_without_data_shows_a_message(monkeypatch):
    import widgets.data as data

    def broken(name, data_dir=None):
        raise data.DataError("disorders.csv: file not found.")

    monkeypatch.setattr(data, "load", broken)
    app = SymptomTreatmentExplorer()
    assert "could not be loaded" in app.status.value and "disorders.csv" in app.status.value
    assert app.choice.disabled


# ---------------------------------------------------------------- quiz
QUIZ = {
    "title": "Test quiz",
    "questions": [
        {"id": "q1", "kind": "multiple_choice", "prompt": "Which cells make antibodies?",
         "choices": [{"text": "Plasma cells", "correct": True, "why": "They are antibody factories."},
                     {"text": "Neutrophils", "correct": False, "why": "They eat bacteria instead."}],
         "source_ids": ["medlineplus_cvid"]},
        {"id": "q2", "kind": "true_false", "prompt": "ALPS is a failure of lymphocyte apoptosis.",
         "choices": [{"text": "True", "correct": True, "why": "Lymphocytes fail to die."},
                     {"text": "False", "correct": False, "why": "It is exactly that."}],
         "source_ids": ["genereviews_alps"]},
    ],
}


@pytest.fixture()
def quiz_dir(tmp_path):
    shutil.copy(DATA_DIR / "sources.csv", tmp_path / "sources.csv")
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "t.yaml").write_text(yaml.safe_dump(QUIZ), encoding="utf-8")
    (tmp_path / "quizzes" / "broken.yaml").write_text("title: [unclosed", encoding="utf-8")
    return tmp_path


def test_quiz_gives_feedback_and_keeps_score(quiz_dir):
    scores = []
    quiz = Quiz("t", data_dir=quiz_dir, on_score=lambda s, n: scores.append((s, n)))
    assert quiz.total == 2 and quiz.score == 0
    assert quiz.check_buttons[0].disabled  # nothing picked yet
    assert quiz.answer(0, 1) is False
    assert "Not quite" in quiz.feedback[0].value and "eat bacteria" in quiz.feedback[0].value
    assert quiz.score == 0
    assert quiz.answer(0, 0) is True
    assert "Right" in quiz.feedback[0].value and "antibody factories" in quiz.feedback[0].value
    assert quiz.answer(1, 0) is True
    assert quiz.score == 2 and "2 of 2" in quiz.score_html.value
    assert scores[-1] == (2, 2) and len(scores) == 3
    quiz.reset()
    assert quiz.score == 0 and quiz.choices[0].value is None and quiz.feedback[0].value == ""
    with pytest.raises(IndexError):
        quiz.answer(5, 0)


def test_quiz_check_button_checks_the_selected_choice(quiz_dir):
    quiz = Quiz("t", data_dir=quiz_dir)
    quiz.choices[1].value = 0
    assert not quiz.check_buttons[1].disabled
    quiz.check_buttons[1].click()
    assert quiz.score == 1 and "apoptosis" not in quiz.feedback[0].value


@pytest.mark.parametrize("name, words", [("missing", "not found"), ("broken", "broken.yaml")])
def test_missing_or_broken_quiz_gives_a_message_not_an_exception(quiz_dir, name, words):
    quiz = Quiz(name, data_dir=quiz_dir)
    assert "could not be opened" in quiz.status.value and words in quiz.status.value
    assert quiz.total == 0 and quiz.score == 0


def test_a_broken_progress_hook_does_not_break_the_quiz(quiz_dir):
    def hook(score, total):
        raise OSError("disk full")

    quiz = Quiz("t", data_dir=quiz_dir, on_score=hook)
    assert quiz.answer(0, 0) is True
    assert "disk full" in quiz.status.value


# ---------------------------------------------------------------- glossary and references
def glossary_or_skip():
    try:
        return load("glossary")
    except Exception as exc:  # the glossary table is written by another helper
        pytest.skip(f"glossary.csv not available yet: {exc}")


def test_glossary_shows_definitions_and_names_unknown_terms():
    g = glossary_or_skip()
    term = g["term"].iloc[0]
    panel = Glossary([term.upper(), "flibbertigibbet"])
    assert panel.found == [term]
    assert g["definition"].iloc[0][:30] in panel.html.value.replace("&#x27;", "'")
    assert panel.missing == ["flibbertigibbet"]
    assert "flibbertigibbet" in panel.status.value
    everything = Glossary()
    assert len(everything.found) == len(g) and everything.missing == []


def test_glossary_without_its_table_shows_a_message(monkeypatch):
    import widgets.data as data

    def broken(name, data_dir=None):
        raise data.DataError("glossary.csv: file not found.")

    monkeypatch.setattr(data, "load", broken)
    panel = Glossary(["x"])
    assert "could not be loaded" in panel.status.value


def test_references_numbered_with_links_and_unknown_ids_reported():
    refs = References(["medlineplus_cvid", "orange2010_trough", "no_such_source"])
    assert refs.found == ["medlineplus_cvid", "orange2010_trough"]
    assert refs.missing == ["no_such_source"]
    assert refs.html.value.startswith("<ol>") and refs.html.value.count("<li") == 2
    assert "https://medlineplus.gov/genetics/condition/common-variable-immune-deficiency/" in refs.html.value
    assert "(2010)" in refs.html.value
    assert "no_such_source" in refs.status.value
    assert "No source ids" in References([]).status.value


# ---------------------------------------------------------------- show_table
def test_show_table_filters_and_lists_sources():
    t = show_table("anc_bands", where={"population": "infant"}, columns=["severity", "anc_min_per_ul"],
                   caption="Infant bands", rename={"anc_min_per_ul": "from (/µL)"})
    assert isinstance(t, Table)
    bands = load("anc_bands")
    assert len(t) == (bands.population == "infant").sum()
    html = t._repr_html_()
    assert "<caption>Infant bands</caption>" in html and "from (/µL)" in html
    assert "medscape_ain" in html


@pytest.mark.parametrize("kwargs, words", [
    ({"name": "nope"}, "Could not load table 'nope'"),
    ({"name": "disorders", "where": {"colour": "red"}}, "no column 'colour'"),
    ({"name": "disorders", "where": {"direction": "sideways"}}, "No rows"),
    ({"name": "disorders", "columns": ["name", "shoe_size"]}, "shoe_size"),
])
def test_show_table_bad_input_gives_a_message(kwargs, words):
    m = show_table(**kwargs)
    assert isinstance(m, Message) and not m.ok
    assert words in m.text
    assert "\u26a0" in m._repr_html_()
