"""Quiz: the check-your-understanding questions of a notebook, with instant feedback.

    from widgets import Quiz
    Quiz("01-immune-balance")          # reads data/quizzes/01-immune-balance.yaml

A missing or broken quiz file gives a visible message, never a traceback.

The choices of each multiple-choice question appear in an order shuffled for each learner (each
time the quiz is opened), so that the right answer has no fixed place; ``IMMUNE_BALANCE_QUIZ_SEED``
(or ``seed=``) fixes the order, as the tests do.  True-or-false questions keep True first.
The first answer a learner checks for each question is remembered: the quiz shows the first-try
score beside the current score, and the progress file keeps it beside the best score.
"""
from __future__ import annotations

import os
import random
import uuid

import ipywidgets as ipw

from ._base import kernel_free, esc, friendly_errors, status_html

# Long answers wrap inside their own radio button (ipywidgets gives every choice one fixed-height
# line, so a long choice spilled over the next one and drifted away from its button).
QUIZ_CSS = (
    "<style>"
    ".ib-quiz .widget-radio, .ib-quiz .jupyter-widget-radio{width:100%;max-width:100%}"
    ".ib-quiz .widget-radio-box{min-width:0}"
    ".ib-quiz .widget-radio-box label{display:flex;align-items:flex-start;height:auto;"
    "line-height:1.4;white-space:normal;overflow-wrap:anywhere;padding:3px 0}"
    ".ib-quiz .widget-radio-box input{order:-1;flex:none;float:none;height:1.4em;margin-top:0}"
    "</style>"
)


class Quiz(ipw.VBox):
    """One quiz: RadioButtons + Check button per question, feedback, running score, Reset.

    Public parts: ``questions`` (list of dicts from the YAML), ``choices`` (list of
    RadioButtons), ``check_buttons``, ``feedback`` (list of HTML), ``score_html``,
    ``reset_button``, ``status``.  ``answer(i, j)`` picks choice ``j`` of question ``i``
    and checks it (returns True when right); ``score`` counts questions answered
    right; ``reset()`` clears everything.  ``on_score(score, total)`` (optional) is
    called after every check, a hook for saving learner progress.
    """

    def __init__(self, name: str, on_score=None, data_dir=None, save_progress: bool = True, seed=None):
        super().__init__()
        self.name = name
        self.attempt = uuid.uuid4().hex  # this sitting, for the first-try score in the progress file
        self._first = {}  # question index -> right at the first checked answer
        self.order = []  # per question: the choice indices (as in the YAML) in the order shown
        self.on_score = on_score
        # Scores a learner earns by clicking "Check" go to their local progress file
        # (widgets.progress); answers set from code (answer(), check()) do not.
        self.save_progress = save_progress
        self.status = ipw.HTML(status_html())
        self.questions, self.choices, self.check_buttons, self.feedback = [], [], [], []
        self.title = ""
        self._right = {}
        self.score_html = ipw.HTML()
        self.reset_button = ipw.Button(description="Start again", icon="undo",
                                       tooltip="Clear all answers and the score")
        try:
            from widgets.data import load_quiz

            quiz = load_quiz(name, data_dir=data_dir)
        except friendly_errors() as exc:
            self.status.value = status_html(f"This quiz could not be opened: {exc}", "error")
            self.children = [self.status]
            return
        except Exception as exc:  # a broken file must not stop the notebook
            self.status.value = status_html(
                f"This quiz could not be opened ({exc.__class__.__name__}: {exc}).", "error")
            self.children = [self.status]
            return
        self.title = quiz.get("title", "Quiz")
        self.questions = list(quiz["questions"])
        if kernel_free():
            # No kernel to check answers: each answer and its reason folds out in the browser.
            self.children = [ipw.HTML(static_quiz_html(self.title, self.questions))]
            return
        self.add_class("ib-quiz")
        boxes = [ipw.HTML(f"{QUIZ_CSS}<h3>{esc(self.title)}</h3>")]
        rng = quiz_rng(name, seed)
        for i, q in enumerate(self.questions):
            order = list(range(len(q["choices"])))
            if q.get("kind") != "true_false":
                rng.shuffle(order)
            self.order.append(order)
            radio = ipw.RadioButtons(options=[(q["choices"][j]["text"], j) for j in order],
                                     value=None, layout=ipw.Layout(width="auto"))
            radio.description = "Answer:"
            radio.style.description_width = "initial"
            radio.tooltip = f"Answers to question {i + 1}"
            button = ipw.Button(description="Check", tooltip=f"Check your answer to question {i + 1}",
                                button_style="primary", disabled=True)
            fb = ipw.HTML()
            radio.observe(lambda c, b=button: setattr(b, "disabled", c["new"] is None), names="value")
            button.on_click(lambda _b, i=i: self._clicked(i))
            self.choices.append(radio)
            self.check_buttons.append(button)
            self.feedback.append(fb)
            kind = "True or false" if q.get("kind") == "true_false" else "Choose one"
            boxes.append(ipw.VBox([
                ipw.HTML(f"<p><b>{i + 1}. {esc(q['prompt'])}</b> <i style='color:#555'>({kind})</i></p>"),
                radio, button, fb,
            ], layout=ipw.Layout(margin="0 0 12px 0")))
        self.reset_button.on_click(lambda _b: self.reset())
        self.children = [*boxes, self.score_html, self.reset_button, self.status]
        self._show_score()

    @property
    def score(self) -> int:
        """Number of questions whose last checked answer was right."""
        return sum(1 for ok in self._right.values() if ok)

    @property
    def first_try_score(self) -> int:
        """Number of questions whose first checked answer was right (Start again keeps it)."""
        return sum(1 for ok in self._first.values() if ok)

    @property
    def total(self) -> int:
        return len(self.questions)

    def answer(self, question_index: int, choice_index: int) -> bool:
        """Select choice ``choice_index`` of question ``question_index`` and check it."""
        if not 0 <= question_index < self.total:
            raise IndexError(f"question_index must be 0..{self.total - 1}, got {question_index}")
        n = len(self.questions[question_index]["choices"])
        if not 0 <= choice_index < n:
            raise IndexError(f"choice_index must be 0..{n - 1} for question {question_index}, got {choice_index}")
        self.choices[question_index].value = choice_index
        return self.check(question_index)

    def _progress(self):
        from widgets.progress import ProgressStore

        return ProgressStore()

    def _clicked(self, i: int) -> bool:
        """A learner pressed Check: check the answer and save the score locally."""
        right = self.check(i)
        if self.save_progress and i in self._right:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                store = self._progress()
                store.record_quiz(self.name, self.score, self.total, first_try=self.first_try_score,
                                  attempt=self.attempt)
            if getattr(store, "last_error", None):
                self.status.value = status_html(
                    f"Your score could not be saved on this computer ({store.last_error}); "
                    "it still counts for this session.", "warning")
        return right

    def _repr_mimebundle_(self, **kwargs):
        # Shown to a learner: remember that this notebook was worked through.
        if self.save_progress and self.questions:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._progress().mark_visited(self.name)
        return super()._repr_mimebundle_(**kwargs)

    def check(self, i: int) -> bool:
        j = self.choices[i].value
        if j is None:
            self.feedback[i].value = status_html("Pick an answer first.", "info")
            return False
        choice = self.questions[i]["choices"][j]
        right = bool(choice["correct"])
        self._right[i] = right
        self._first.setdefault(i, right)
        if right:
            head = "<b style='color:#006b4f'>\u2714 Right.</b>"
        else:
            head = "<b style='color:#a33b00'>\u2716 Not quite.</b> Try another answer."
        src = ", ".join(self.questions[i].get("source_ids", []))
        self.feedback[i].value = (
            f"<div role='status' aria-live='polite'>{head} {esc(choice['why'])}"
            + (f" <span style='font-size:smaller;color:#555'>(source: {esc(src)})</span>" if src else "")
            + "</div>"
        )
        self._show_score()
        if self.on_score is not None:
            try:
                self.on_score(self.score, self.total)
            except Exception as exc:  # a broken hook must not break the quiz
                self.status.value = status_html(f"Progress could not be saved: {exc}", "warning")
        return right

    def reset(self):
        self._right.clear()
        for radio, fb in zip(self.choices, self.feedback):
            radio.value = None
            fb.value = ""
        self._show_score()

    def _show_score(self):
        answered = len(self._right)
        first = (f"; right at the first try: {self.first_try_score} of {len(self._first)}"
                 if self._first else "")
        self.score_html.value = (f"<p role='status' aria-live='polite'><b>Score: {self.score} of "
                                 f"{self.total}</b> ({answered} checked{first})</p>")


def quiz_rng(name: str, seed=None) -> random.Random:
    """The random order of a quiz's choices: fixed by ``seed`` or ``IMMUNE_BALANCE_QUIZ_SEED``
    (the same order for the same quiz every time), otherwise new for every sitting."""
    if seed is None:
        seed = os.environ.get("IMMUNE_BALANCE_QUIZ_SEED") or None
    if seed is None:
        return random.Random()
    return random.Random(f"{seed}:{name}")


def static_quiz_html(title: str, questions) -> str:
    """The quiz for pages without a kernel: questions with choices, and the right answer with
    every choice's explanation folded in a <details> element the reader opens."""
    parts = [f"<h3>{esc(title)}</h3>"]
    for i, q in enumerate(questions, start=1):
        choices = "".join(f"<li>{esc(c['text'])}</li>" for c in q["choices"])
        right = next(c for c in q["choices"] if c.get("correct"))
        reasons = "".join(
            f"<li><b>{esc(c['text'])}</b>: {'right' if c.get('correct') else 'not quite'}. {esc(c['why'])}</li>"
            for c in q["choices"])
        parts.append(
            f"<p><b>{i}. {esc(q['prompt'])}</b></p><ol type='a'>{choices}</ol>"
            f"<details><summary>Show the answer</summary><p>Answer: <b>{esc(right['text'])}</b></p>"
            f"<ul>{reasons}</ul></details>")
    return "".join(parts)
