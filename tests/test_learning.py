"""Learning by doing (issue 14): the rules of docs/lesson-structure.md hold in every notebook.

Each rule is checked on every notebook (tools/check_lessons.py does the reading), and once on a
copy broken on purpose, so that a checker that stopped seeing problems would fail here too.
"""
import copy
import importlib.util
import json

import pytest

from conftest import ROOT, notebook_paths

spec = importlib.util.spec_from_file_location("check_lessons", ROOT / "tools" / "check_lessons.py")
L = importlib.util.module_from_spec(spec)
spec.loader.exec_module(L)

NOTEBOOKS = notebook_paths()
QUIZZED = [p for p in NOTEBOOKS if (ROOT / "data" / "quizzes" / f"{p.stem}.yaml").exists()]


def _nb(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _report(problems):
    return "\n".join(problems[:25]) + (f"\n... and {len(problems) - 25} more" if len(problems) > 25 else "")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_every_lesson_rule(path):
    """Predict/explain around widgets, a task every 600 words, teacher notes collapsed, abbreviations
    spelled out, key words, slides with headings and few words, and (where there is a quiz) questions
    that test understanding and rest only on what the learner can read: tools/check_lessons.py."""
    found = L.problems_for(path)
    problems = [f"[{rule}] {problem}" for rule, items in found.items() for problem in items]
    assert not problems, _report(problems)
    assert set(found) >= {"predict-observe-explain", "task every 600 words", "teacher material",
                          "abbreviations", "key words", "slides"}
    if path in QUIZZED:
        assert "quiz" in found, f"{path.stem}: its quiz was not checked"


# ----------------------------------------------------------------------------- broken on purpose
def _md(text, kind="-", tags=()):
    cell = {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": kind}}, "source": text}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    return cell


def _code(text, kind="-", tags=()):
    cell = {"cell_type": "code", "metadata": {"slideshow": {"slide_type": kind}}, "source": text,
            "outputs": [], "execution_count": None}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    return cell


GOOD_WIDGET = [
    _md("### Try it\n\n**Predict.** What happens to the count when you raise the dose?", "subslide"),
    _code("IgTherapySimulator()"),
    _code("_s = IgTherapySimulator()\nassert _s", "skip", ("test",)),
    _md("### What happened\n\n<details><summary>What you should have seen</summary>\n\nIt rose.\n\n</details>",
        "subslide"),
]


def test_predict_explain_checker_sees_a_missing_prediction_and_explanation():
    assert L.check_predict_explain({"cells": GOOD_WIDGET}) == []
    no_predict = copy.deepcopy(GOOD_WIDGET)
    no_predict[0]["source"] = "### Try it\n\nMove the dose slider."
    assert any("Predict" in p for p in L.check_predict_explain({"cells": no_predict}))
    instruction_only = copy.deepcopy(GOOD_WIDGET)
    instruction_only[0]["source"] = "### Try it\n\n**Predict.** Move the dose slider."
    assert L.check_predict_explain({"cells": instruction_only}), "a prediction must be a question"
    no_explain = GOOD_WIDGET[:3]
    assert any("What you should have seen" in p for p in L.check_predict_explain({"cells": no_explain}))
    # an explanation hidden in a speaker note is not one the learner reads
    hidden = copy.deepcopy(GOOD_WIDGET)
    hidden[3]["metadata"]["slideshow"]["slide_type"] = "notes"
    assert L.check_predict_explain({"cells": hidden})


def test_task_spacing_checker_counts_reading_between_tasks():
    prose = " ".join(["word"] * 350)
    ok = [_md(prose), _md("**Think first.** Why?"), _md(prose)]
    assert L.check_task_spacing({"cells": ok}) == []
    too_long = [_md(prose), _md(prose), _md("**Think first.** Why?")]
    assert L.check_task_spacing({"cells": too_long})
    folded = [_md(prose + "<details><summary>Answer</summary>" + prose + "</details>"), _md("**Quick check.** ?")]
    assert L.check_task_spacing({"cells": folded}) == [], "folded text is not counted as reading"


def test_teacher_checker_finds_ask_the_room_in_learner_view_and_open_notes():
    good = {"cell_type": "markdown", "source": "Ask the room: why? (Because.)",
            "metadata": {"slideshow": {"slide_type": "notes"}, "tags": ["teacher"], "jupyter": {"source_hidden": True}}}
    assert L.check_teacher_notes({"cells": [good]}) == []
    open_note = copy.deepcopy(good)
    del open_note["metadata"]["jupyter"]
    assert L.check_teacher_notes({"cells": [open_note]})
    in_view = _md("Ask the room: why? (Because.)")
    assert L.check_teacher_notes({"cells": [in_view]})


def test_abbreviation_checker_wants_the_words_at_first_use():
    table = {"CVID": "common variable immunodeficiency"}
    assert L.check_abbreviations({"cells": [_md("Common variable immunodeficiency (CVID) is common. CVID.")]},
                                 table) == []
    assert L.check_abbreviations({"cells": [_md("CVID (common variable immunodeficiency) is common.")]}, table) == []
    assert L.check_abbreviations({"cells": [_md("CVID is common. Common variable immunodeficiency (CVID).")]}, table)
    # a use in a test cell does not count, a use in a heading does
    assert L.check_abbreviations({"cells": [_md("## CVID"), _md("Common variable immunodeficiency (CVID).")]}, table)


def test_slide_checker_wants_a_heading_and_few_words():
    assert L.check_slides({"cells": [_md("## One idea\n\nShort text.", "slide")]}) == []
    assert L.check_slides({"cells": [_md("Short text without heading.", "slide")]})
    assert L.check_slides({"cells": [_code("show_chart()", "subslide")]})
    long = _md("## One idea\n\n" + " ".join(["word"] * 81), "slide")
    assert L.check_slides({"cells": [long]})
    assert L.check_slides({"cells": [_md("## Glossary", "slide")]})
    widget = [_md("## Try it\n\n**Predict.** What rises?", "slide"), _code("ScenarioExplorer()", "fragment")]
    assert L.check_slides({"cells": widget}) == []
    widget[1]["metadata"]["slideshow"]["slide_type"] = None  # continues the slide: live slides swallow a click
    assert any("fragment" in p for p in L.check_slides({"cells": widget}))


def _question(level, right_len, other_len, idea="immune balance"):
    return {"id": "q", "kind": "multiple_choice", "level": level, "key_idea": idea, "choices": [
        {"text": "r" * right_len, "correct": True, "why": "."},
        {"text": "a" * other_len, "correct": False, "why": "."},
        {"text": "b" * (other_len - 1), "correct": False, "why": "."}]}


def test_quiz_checker_wants_applied_levels_and_no_longest_right_answer():
    good = {"questions": [_question("apply", 10, 12), _question("analyse", 12, 12), _question("recall", 20, 12)]}
    assert L.check_quiz(good) == []
    recall = {"questions": [_question("recall", 10, 12), _question("understand", 10, 12), _question("apply", 10, 12)]}
    assert any("apply or analyse" in p for p in L.check_quiz(recall))
    longest = {"questions": [_question("apply", 20, 12), _question("apply", 20, 12), _question("apply", 10, 12)]}
    assert any("longest" in p for p in L.check_quiz(longest))
    no_level = {"questions": [dict(_question("apply", 10, 12), level=None)]}
    assert L.check_quiz(no_level)


def test_key_idea_checker_looks_in_visible_text_only():
    quiz = {"questions": [_question("apply", 10, 12, idea="seesaw of defence")]}
    seen = {"cells": [_md("The **seesaw of defence** tips.")]}
    assert L.check_key_ideas(quiz, L.visible_text(seen)) == []
    only_in_test = {"cells": [_md("The seesaw of defence tips.", tags=("test",))]}
    assert L.check_key_ideas(quiz, L.visible_text(only_in_test))
