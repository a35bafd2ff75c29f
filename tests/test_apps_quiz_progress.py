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
