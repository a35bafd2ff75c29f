"""`make student`: the student copy has no exercise solutions, keeps every quiz, and still runs."""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, notebook_paths

TOOL = ROOT / "tools" / "make_student.py"
_spec = importlib.util.spec_from_file_location("make_student", TOOL)
make_student = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_student)


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """The student copy of the real series, written to a scratch folder."""
    out = tmp_path_factory.mktemp("copy") / "student"
    report = make_student.make_student(ROOT, out)
    return out, report


def test_every_notebook_is_copied(student):
    out, report = student
    expected = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert expected, "the series has no notebooks"
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == expected
    assert sorted(report["notebooks"]) == expected


def test_no_solution_survives_in_the_student_copy(student):
    out, _ = student
    for original in notebook_paths():
        copy_path = out / "notebooks" / original.name
        copied = _cells(copy_path)
        assert not [c for c in copied if make_student.is_solution(c)], f"{original.name}: a solution cell is left"
        text = copy_path.read_text(encoding="utf-8")
        for cell in _cells(original):
            if make_student.is_solution(cell):
                for line in _source(cell).splitlines():
                    line = line.strip()
                    if len(line) >= 25:   # a distinctive line of the worked answer
                        assert json.dumps(line)[1:-1] not in text, \
                            f"{original.name}: solution text leaked into the student copy: {line[:60]!r}"
        for cell in copied:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, \
                    f"{original.name}: stored outputs could reveal answers"


def test_every_other_cell_is_kept_in_order_and_quizzes_survive(student):
    out, report = student
    for original in notebook_paths():
        before = [c for c in _cells(original) if not make_student.is_teacher(c)]
        after = _cells(out / "notebooks" / original.name)
        assert len(before) == len(after), ("each solution is replaced by one answer cell and speaker notes are "
                                           "dropped; nothing else changes")
        solutions = 0
        for old, new in zip(before, after):
            if make_student.is_solution(old):
                solutions += 1
                assert new["cell_type"] == old["cell_type"]
                assert "exercise" in new["metadata"]["tags"]
                assert "slideshow" in new["metadata"], "every cell keeps slide metadata"
            else:
                assert _source(new) == _source(old)
                assert new["metadata"].get("tags", []) == old["metadata"].get("tags", [])
        assert report["notebooks"][original.name] == solutions
        quizzes_before = [_source(c) for c in before if "Quiz(" in _source(c)]
        quizzes_after = [_source(c) for c in after if "Quiz(" in _source(c)]
        assert quizzes_after == quizzes_before, f"{original.name}: a Quiz cell was lost"


def test_no_teacher_material_reaches_the_student_copy(student):
    """Speaker notes ("ask the room" prompts with their answers) stay with the teacher."""
    out, _ = student
    for original in notebook_paths():
        notes = [_source(c) for c in _cells(original) if make_student.is_teacher(c)]
        copied = "\n".join(_source(c) for c in _cells(out / "notebooks" / original.name))
        for note in notes:
            assert note.strip()[:80] not in copied, f"{original.name}: a speaker note reached the student copy"
        assert "ask the room" not in copied.lower(), f"{original.name}: 'ask the room' in the student copy"


def test_the_copy_carries_what_it_needs_and_no_answer_key(student):
    out, report = student
    assert (out / "STUDENT-COPY.md").is_file()
    assert (out / "widgets" / "__init__.py").is_file() and (out / "data" / "sources.csv").is_file()
    assert "widgets" in report["support"] and "data" in report["support"]
    quizzes = sorted(p.name for p in (ROOT / "data" / "quizzes").glob("*.yaml")) \
        if (ROOT / "data" / "quizzes").is_dir() else []
    assert sorted(p.name for p in (out / "data" / "quizzes").glob("*.yaml")) == quizzes
    assert not (out / "docs").exists(), "the teaching guide and answer key stay in the instructor copy"
    assert not (out / "tests").exists()
    assert not list(out.rglob("__pycache__"))


def test_solutions_of_every_kind_are_removed(tmp_path):
    """A hand-made notebook with markdown, code and nbgrader solutions (and stored outputs)."""
    root = tmp_path / "repo"
    (root / "notebooks").mkdir(parents=True)
    secret_md, secret_code = "The answer is forty-two, because of regulation.", "answer = 6 * 7  # secret"
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"widgets": {"state": {"x": secret_md}}}, "cells": [
        {"id": "a", "cell_type": "markdown", "metadata": {"slideshow": {"slide_type": "slide"}}, "source": "Exercise"},
        {"id": "b", "cell_type": "markdown", "metadata": {"tags": ["Solution"], "slideshow": {"slide_type": "-"}},
         "source": secret_md},
        {"id": "c", "cell_type": "code", "metadata": {"tags": ["solution", "x"]}, "execution_count": 3,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "42"}], "source": secret_code},
        {"id": "d", "cell_type": "code", "metadata": {"nbgrader": {"solution": True}}, "execution_count": None,
         "outputs": [], "source": "print('nbgrader secret')"},
        {"id": "e", "cell_type": "code", "metadata": {}, "execution_count": 9,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": secret_md}], "source": "Quiz('x')"},
    ]}
    (root / "notebooks" / "01-x.ipynb").write_text(json.dumps(nb))
    (root / "notebooks" / "figure.png").write_bytes(b"png")
    (root / "docs").mkdir()
    (root / "docs" / "answer-key.md").write_text(secret_md)
    out = tmp_path / "student"
    report = make_student.make_student(root, out)
    assert report["notebooks"] == {"01-x.ipynb": 3}
    text = (out / "notebooks" / "01-x.ipynb").read_text()
    for secret in (secret_md, secret_code, "nbgrader secret", "42"):
        assert secret not in text
    cells = json.loads(text)["cells"]
    assert [c["id"] for c in cells] == list("abcde"), "cell ids stay unique and stable"
    assert _source(cells[4]) == "Quiz('x')" and cells[4]["outputs"] == []
    assert cells[2]["source"] == make_student.CODE_PLACEHOLDER
    assert (out / "notebooks" / "figure.png").read_bytes() == b"png"
    assert not (out / "docs").exists()
    # running again replaces the old copy instead of mixing with it
    (root / "notebooks" / "01-x.ipynb").unlink()
    assert make_student.make_student(root, out)["notebooks"] == {}
    assert not list((out / "notebooks").glob("*.ipynb"))


def test_refuses_to_overwrite_the_instructor_copy(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for bad in (tmp_path, tmp_path / "notebooks" / "student"):
        with pytest.raises(ValueError, match="overwrite the instructor copy"):
            make_student.make_student(tmp_path, bad)
    assert (tmp_path / "notebooks").is_dir()


def test_cli_reports_a_broken_notebook_clearly(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01-bad.ipynb").write_text("{ not json")
    done = subprocess.run([sys.executable, str(TOOL), "--root", str(tmp_path), "--out", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "01-bad.ipynb is not a valid notebook" in done.stderr and "Traceback" not in done.stderr


def test_student_copy_runs_under_nbval(student, tmp_path):
    out, _ = student
    notebooks = sorted(str(p) for p in (out / "notebooks").glob("*.ipynb"))
    scratch = tmp_path / "home"
    for sub in ("ipython", "jupyter-config", "jupyter-runtime", "mpl", "progress"):
        (scratch / sub).mkdir(parents=True)
    env = dict(os.environ, MPLBACKEND="Agg", PYDEVD_DISABLE_FILE_VALIDATION="1",
               IPYTHONDIR=str(scratch / "ipython"), JUPYTER_CONFIG_DIR=str(scratch / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(scratch / "jupyter-runtime"), MPLCONFIGDIR=str(scratch / "mpl"),
               IMMUNE_BALANCE_PROGRESS_DIR=str(scratch / "progress"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-cell-timeout=120", "-p", "no:cacheprovider",
         "-q", "--rootdir", str(out / "notebooks"), "-c", os.devnull, *notebooks],
        cwd=out / "notebooks", env=env, capture_output=True, text=True, timeout=1800)
    tail = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, (f"the student copy does not run under nbval (if the same cell also fails in "
                                  f"notebooks/, fix it there first):\n{tail}")
    assert " passed" in done.stdout and "failed" not in done.stdout.splitlines()[-1]
