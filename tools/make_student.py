#!/usr/bin/env python3
"""Write the student copy of the series: every notebook without its exercise solutions.

    python tools/make_student.py                 # -> build/student/   (what `make student` runs)
    python tools/make_student.py --out DIR

The instructor copy is the repository itself: its notebooks keep the cells tagged
``solution``.  The student copy is a folder laid out like the repository:

* ``notebooks/*.ipynb`` -- each cell tagged ``solution`` (or marked as a solution by
  nbgrader) is replaced by an empty "your answer" cell of the same kind, so the
  exercise still has a place to write in; speaker notes (tagged ``teacher``, slide type
  ``notes``: "ask the room" prompts and their answers) are dropped; all outputs and saved widget state are
  cleared, so no answer survives in a stored output either.  Quiz cells, test cells
  and everything else are kept: quizzes still give feedback.
* the files the notebooks need to run elsewhere: the ``widgets`` package, ``data/``
  (tables and quizzes), ``pyproject.toml``, ``environment.yml``, ``requirements.lock``,
  ``LICENSE`` and the README, plus ``STUDENT-COPY.md`` saying what this folder is.
  ``docs/`` (with the teaching guide and answer key) and ``tests/`` are left out.

Run from ``build/student/notebooks/`` with the project installed (``pip install -e .``
in the main clone or in the student copy), every notebook runs under nbval.  A teacher
can also publish the folder as its own repository and hand it out with
``tools/nbgitpuller_link.py``.
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "build" / "student"
SOLUTION_TAG = "solution"
TEACHER_TAG = "teacher"
# What the notebooks need besides themselves (paths relative to the repository).
SUPPORT = ["widgets", "data", "pyproject.toml", "environment.yml", "requirements.lock", "LICENSE", "README.md"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

CODE_PLACEHOLDER = "# Your turn: write your answer here, then run this cell.\n"
MARKDOWN_PLACEHOLDER = ("**Your answer:** *double-click here and write your own answer. "
                        "Your teacher has a worked answer to compare with.*")

NOTE = """# Student copy of Immune Balance

This folder was written by `tools/make_student.py` from the instructor copy.
The exercises in the notebooks have an empty "Your answer" cell where the
worked solution would be; the quizzes still tell you at once whether an answer
is right and why.

Start with `notebooks/00-start-here.ipynb`.

Educational use only: this series teaches how the immune system works; it is
not medical advice.
"""


def is_solution(cell: dict) -> bool:
    """True for a cell tagged ``solution`` (any case) or marked as a solution by nbgrader."""
    meta = cell.get("metadata", {}) or {}
    tags = meta.get("tags", []) or []
    if any(isinstance(t, str) and t.strip().lower() == SOLUTION_TAG for t in tags):
        return True
    nbgrader = meta.get("nbgrader") or {}
    return bool(isinstance(nbgrader, dict) and nbgrader.get("solution"))


def is_teacher(cell: dict) -> bool:
    """True for a speaker note: tagged ``teacher`` or of slide type ``notes``."""
    meta = cell.get("metadata", {}) or {}
    return TEACHER_TAG in (meta.get("tags", []) or []) or (meta.get("slideshow") or {}).get("slide_type") == "notes"


def placeholder_for(cell: dict) -> dict:
    """An empty answer cell standing where ``cell`` (a solution) was."""
    slideshow = copy.deepcopy((cell.get("metadata") or {}).get("slideshow", {"slide_type": "fragment"}))
    meta = {"slideshow": slideshow, "tags": ["exercise"]}
    if cell.get("cell_type") == "code":
        new = {"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [],
               "source": CODE_PLACEHOLDER}
    else:
        new = {"cell_type": "markdown", "metadata": meta, "source": MARKDOWN_PLACEHOLDER}
    if "id" in cell:  # nbformat 4.5 cell ids stay unique: the answer cell takes the solution's id
        new["id"] = cell["id"]
    return new


def student_notebook(nb: dict) -> tuple[dict, int]:
    """A copy of ``nb`` with solutions replaced and every output cleared; returns (notebook, removed)."""
    nb = copy.deepcopy(nb)
    cells, removed = [], 0
    for cell in nb.get("cells", []):
        if is_teacher(cell):  # speaker notes: the teacher's, not the learner's
            continue
        if is_solution(cell):
            cells.append(placeholder_for(cell))
            removed += 1
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        (cell.get("metadata") or {}).pop("execution", None)
        cells.append(cell)
    nb["cells"] = cells
    nb.setdefault("metadata", {}).pop("widgets", None)
    return nb, removed


def notebook_paths(src: Path) -> list[Path]:
    return sorted(p for p in src.glob("*.ipynb") if not p.name.startswith("."))


def make_student(root: Path = ROOT, out: Path = DEFAULT_OUT) -> dict:
    """Write the student copy of ``root`` into ``out`` (replaced wholesale). Returns a report dict."""
    root, out = Path(root).resolve(), Path(out).resolve()
    src = root / "notebooks"
    if not src.is_dir():
        raise FileNotFoundError(f"no notebooks folder at {src}")
    if out == root or root.is_relative_to(out) or out.is_relative_to(src):
        raise ValueError(f"refusing to write the student copy to {out}: it would overwrite the instructor copy")
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    report = {"out": out, "notebooks": {}, "support": []}
    for path in notebook_paths(src):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{path.relative_to(root)} is not a valid notebook (JSON error: {exc})") from None
        student, removed = student_notebook(nb)
        leftover = [i for i, c in enumerate(student["cells"]) if is_solution(c)]
        if leftover:  # cannot happen unless student_notebook is broken; never ship a solution
            raise RuntimeError(f"solution cells survived in {path.name}: {leftover}")
        (out / "notebooks" / path.name).write_text(
            json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        report["notebooks"][path.name] = removed
    # other files next to the notebooks (images, small data) travel along
    for extra in sorted(src.iterdir()):
        if extra.suffix == ".ipynb" or extra.name.startswith("."):
            continue
        target = out / "notebooks" / extra.name
        if extra.is_dir():
            shutil.copytree(extra, target, ignore=IGNORE)
        else:
            shutil.copy2(extra, target)
    for name in SUPPORT:
        item = root / name
        if item.is_dir():
            shutil.copytree(item, out / name, ignore=IGNORE)
        elif item.is_file():
            shutil.copy2(item, out / name)
        else:
            continue
        report["support"].append(name)
    (out / "STUDENT-COPY.md").write_text(NOTE, encoding="utf-8")
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write the student copy of Immune Balance "
                                                 "(exercise solutions removed, quizzes kept).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder, replaced if it exists (default: build/student)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        report = make_student(args.root, args.out)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = sum(report["notebooks"].values())
    for name, removed in report["notebooks"].items():
        print(f"  {name}: {removed} solution cell(s) replaced by an empty answer cell")
    print(f"Student copy written to {report['out']} ({len(report['notebooks'])} notebook(s), "
          f"{total} solution(s) removed). Open notebooks/00-start-here.ipynb there.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
