"""A learner's quiz clicks are saved to their local progress file; hidden test cells are not."""
import pytest

from widgets import ProgressView, Quiz
from widgets.data import load_quiz
from widgets.progress import ProgressStore


@pytest.fixture
def progress_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("IMMUNE_BALANCE_PROGRESS_DIR", str(tmp_path))
    return tmp_path


def _right_choice(question):
    return next(j for j, c in enumerate(question["choices"]) if c["correct"])


def test_a_learners_check_click_saves_the_score(progress_dir):
    name = "03-immunodeficiency"
    quiz = Quiz(name)
    q0 = load_quiz(name)["questions"][0]
    quiz.choices[0].value = _right_choice(q0)
    quiz.check_buttons[0].click()
    entry = ProgressStore().entry(name)
    assert entry["quiz_best"] == 1 and entry["quiz_total"] == len(quiz.questions)


def test_answers_set_from_code_do_not_touch_progress(progress_dir):
    name = "03-immunodeficiency"
    quiz = Quiz(name)
    quiz.answer(0, _right_choice(load_quiz(name)["questions"][0]))
    assert not (progress_dir / "progress.json").exists()


def test_showing_a_quiz_marks_the_notebook_visited_and_the_view_shows_it(progress_dir):
    Quiz("04-when-both-meet")._repr_mimebundle_()
    assert ProgressStore().entry("04-when-both-meet")["visited"]
    view = ProgressView()
    assert "04" in view.table.value


# ----------------------------------------------------------------------------- issue 14
def _shown(quiz, i):
    """The YAML indices of question i's choices, in the order the learner sees them."""
    return [value for _label, value in quiz.choices[i].options]


def test_choices_are_shuffled_per_learner_and_fixed_by_a_seed(monkeypatch):
    name = "05-autoimmune-neutropenia"
    questions = load_quiz(name)["questions"]
    mc = [i for i, q in enumerate(questions) if q["kind"] == "multiple_choice"]
    monkeypatch.delenv("IMMUNE_BALANCE_QUIZ_SEED", raising=False)
    orders = {tuple(tuple(_shown(Quiz(name, save_progress=False), i)) for i in mc) for _ in range(8)}
    assert len(orders) > 1, "eight sittings all showed the same order: the choices are not shuffled"
    # the right answer does not sit in one place across the quiz
    places = {_shown(Quiz(name, save_progress=False), i).index(_right_choice(questions[i])) for i in mc}
    monkeypatch.setenv("IMMUNE_BALANCE_QUIZ_SEED", "7")
    a, b = Quiz(name, save_progress=False), Quiz(name, save_progress=False)
    assert [_shown(a, i) for i in mc] == [_shown(b, i) for i in mc], "a seed must fix the order (tests rely on it)"
    assert len(places) > 1
    for i, q in enumerate(questions):
        assert sorted(_shown(a, i)) == list(range(len(q["choices"]))), "every choice is still offered once"
        if q["kind"] == "true_false":
            assert _shown(a, i) == [0, 1], "true-or-false keeps its order"


def test_a_shuffled_choice_still_gets_its_own_feedback():
    name = "05-autoimmune-neutropenia"
    quiz = Quiz(name, save_progress=False, seed=3)
    q = quiz.questions[0]
    for j, choice in enumerate(q["choices"]):
        quiz.choices[0].value = j
        assert quiz.check(0) is choice["correct"]
        assert choice["why"][:30] in quiz.feedback[0].value.replace("&#x27;", "'").replace("&quot;", '"')


def test_first_try_score_is_kept_beside_the_best(progress_dir):
    name = "03-immunodeficiency"
    quiz = Quiz(name, seed=1)
    questions = load_quiz(name)["questions"]
    wrong = next(j for j, c in enumerate(questions[0]["choices"]) if not c["correct"])
    quiz.choices[0].value = wrong
    quiz.check_buttons[0].click()
    quiz.choices[0].value = _right_choice(questions[0])
    quiz.check_buttons[0].click()
    quiz.choices[1].value = _right_choice(questions[1])
    quiz.check_buttons[1].click()
    assert quiz.score == 2 and quiz.first_try_score == 1
    assert "first try: 1 of 2" in quiz.score_html.value
    entry = ProgressStore().entry(name)
    assert entry["quiz_best"] == 2 and entry["quiz_first_try"] == 1
    # Start again, all right: the best rises to all; question 1 stays wrong at its first try
    quiz.reset()
    for i, q in enumerate(questions):
        quiz.choices[i].value = _right_choice(q)
        quiz.check_buttons[i].click()
    n = len(questions)
    entry = ProgressStore().entry(name)
    assert entry["quiz_best"] == n and entry["quiz_first_try"] == n - 1
    # a later sitting, wrong at once, does not overwrite the first sitting's first try
    later = Quiz(name, seed=1)
    later.choices[1].value = next(j for j, c in enumerate(questions[1]["choices"]) if not c["correct"])
    later.check_buttons[1].click()
    assert ProgressStore().entry(name)["quiz_first_try"] == n - 1
    view = ProgressView()
    assert f"first try {n - 1} of {n}" in view.table.value and f"best {n} of {n}" in view.table.value
