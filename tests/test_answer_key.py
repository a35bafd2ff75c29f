"""docs/answer-key.md: complete (every quiz answer, every exercise solution) and up to date."""
import importlib.util
import json
import subprocess
import sys

import yaml

from conftest import ROOT

TOOL = ROOT / "tools" / "answer_key.py"
_spec = importlib.util.spec_from_file_location("answer_key", TOOL)
answer_key = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answer_key)

KEY = ROOT / "docs" / "answer-key.md"


def _one_line(text):
    return " ".join(str(text).split())


def test_answer_key_is_up_to_date():
    assert KEY.is_file(), "docs/answer-key.md is missing: run `python tools/answer_key.py`"
    assert KEY.read_text(encoding="utf-8") == answer_key.build(ROOT), \
        "docs/answer-key.md is out of date with the quizzes or solution cells: run `python tools/answer_key.py`"


def test_every_quiz_question_has_its_right_answer_in_the_key():
    text = answer_key.build(ROOT)
    quizzes = sorted((ROOT / "data" / "quizzes").glob("*.yaml"))
    assert quizzes, "no quizzes found"
    for path in quizzes:
        assert f"## {path.stem}: " in text, f"{path.name} has no section in the answer key"
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            right = next(c for c in q["choices"] if c["correct"])
            assert f"**{_one_line(q['prompt'])}**" in text, f"{path.name} {q['id']}: question missing"
            assert f"**Answer: {answer_key._sentence(right['text'])}**" in text, \
                f"{path.name} {q['id']}: answer missing"
            for c in q["choices"]:
                assert _one_line(c["why"]) in text, f"{path.name} {q['id']}: feedback missing"


def test_every_solution_cell_is_in_the_key():
    text = answer_key.build(ROOT)
    count = 0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if answer_key.is_solution(cell):
                count += 1
                for line in answer_key._source(cell).splitlines():
                    line = line.strip()
                    if len(line) > 20 and "<summary>" not in line:
                        assert line in text, f"{path.name}: solution line missing from the key: {line[:60]!r}"
    assert count > 0, "the series should have at least one exercise with a solution"
    assert text.count("**Solution:**") == count


def test_exercise_prompt_and_solution_are_paired(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# 9. Demo"},
        {"cell_type": "markdown", "metadata": {}, "source": "### Exercise: count the cells\n\nHow many?"},
        {"cell_type": "code", "metadata": {"tags": ["test"]}, "source": "assert True"},
        {"cell_type": "markdown", "metadata": {"tags": ["solution"]},
         "source": "<details><summary>Show solution</summary>\n\nThere are **three**.\n\n</details>"},
        {"cell_type": "code", "metadata": {"tags": ["Solution"]}, "source": "answer = 3"},
    ]
    items = answer_key.exercises(cells)
    assert [i["cell"] for i in items] == [3, 4]
    assert items[0]["title"] == "Exercise: count the cells" and items[0]["prompt"] == "How many?"
    assert items[0]["solution"] == "There are **three**."
    assert items[1]["kind"] == "code" and items[1]["prompt"] == "How many?"
    rendered = "\n".join(answer_key.exercise_section(items))
    assert "#### Exercise 1: count the cells\n" in rendered
    assert "```python\nanswer = 3\n```" in rendered and "<details>" not in rendered
    assert answer_key.notebook_title(cells, "x") == "9. Demo"


def test_answers_end_with_exactly_one_full_stop():
    assert answer_key._sentence("Viruses") == "Viruses."
    assert answer_key._sentence("Is it  true?") == "Is it true?"
    assert answer_key._sentence("Done.") == "Done."
    assert ".." not in "".join(l for l in answer_key.build(ROOT).splitlines() if l.startswith("   - **Answer:"))


def test_check_mode_reports_a_stale_key(tmp_path):
    stale = tmp_path / "answer-key.md"
    stale.write_text("old\n")
    done = subprocess.run([sys.executable, str(TOOL), "--check", "--out", str(stale)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "out of date" in done.stderr
    done = subprocess.run([sys.executable, str(TOOL), "--out", str(stale)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0
    done = subprocess.run([sys.executable, str(TOOL), "--check", "--out", str(stale)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
