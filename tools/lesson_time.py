#!/usr/bin/env python3
"""How long each notebook takes, measured from its content rather than guessed.

    python tools/lesson_time.py            # a table: words, tasks, widgets, quiz, minutes

The estimate adds up what a learner does:

* reading: the learner-visible words (folded answers included, since learners open them;
  test cells and speaker notes excluded) at 180 words per minute, a careful pace for new
  technical material;
* tasks: 2 minutes for each "think first" or "quick check", 4 for each "your turn" exercise;
* widgets: 3 minutes for each interactive widget a learner drives, its prediction included;
* the quiz: 1 minute per question.

Every notebook states its time once, in its "**Time.**" line; the start page's map and the
teaching guide give the same number, and ``tests/test_teaching_docs.py`` checks that the stated
time is within a quarter of this estimate and that the three places agree.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("check_lessons", ROOT / "tools" / "check_lessons.py")
L = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(L)

WORDS_PER_MINUTE = 180
SHORT_TASK_MIN, EXERCISE_MIN, WIDGET_MIN, QUIZ_QUESTION_MIN = 2, 4, 3, 1
STATED = re.compile(r"\*\*Time\.\*\*\s*About\s+(\d+)(?:[–-](\d+))?\s*minutes(?:,\s*plus\s+(\d+)\s+for the quiz)?")


def measure(path: Path) -> dict:
    nb = L.load(path)
    words = sum(L.words(L.source(c)) for c in nb["cells"] if c.get("cell_type") == "markdown" and not
                (L.tags(c) & {"test", "teacher"}) and not L.is_notes(c))
    text = "\n".join(L.source(c) for c in nb["cells"] if not L.is_hidden(c))
    short = sum(text.count(label) for label in ("**Think first.**", "**Quick check.**"))
    exercises = text.count("**Your turn.**")
    widgets = sum(L.is_interactive(c) for c in nb["cells"])
    quiz = L.load_quiz_file(path.stem)
    questions = len(quiz["questions"]) if quiz else 0
    minutes = (words / WORDS_PER_MINUTE + short * SHORT_TASK_MIN + exercises * EXERCISE_MIN
               + widgets * WIDGET_MIN + questions * QUIZ_QUESTION_MIN)
    return {"notebook": path.stem, "words": words, "short_tasks": short, "exercises": exercises,
            "widgets": widgets, "quiz_questions": questions, "minutes": round(minutes)}


def stated_minutes(path: Path):
    """The total the notebook's "**Time.**" line states (a range gives its upper end), or None."""
    m = STATED.search("\n".join(L.source(c) for c in L.load(path)["cells"]))
    if not m:
        return None
    low, high, quiz = m.groups()
    return int(high or low) + int(quiz or 0)


def main() -> int:
    print(f"{'notebook':<32}{'words':>7}{'tasks':>7}{'ex.':>5}{'widg.':>7}{'quiz':>6}{'est.':>7}{'stated':>8}")
    for path in L.notebook_paths():
        m = measure(path)
        print(f"{m['notebook']:<32}{m['words']:>7}{m['short_tasks']:>7}{m['exercises']:>5}{m['widgets']:>7}"
              f"{m['quiz_questions']:>6}{m['minutes']:>7}{str(stated_minutes(path)):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
