"""The lesson rules of docs/lesson-structure.md, checked notebook by notebook.

    python tools/check_lessons.py                 # every rule, every notebook
    python tools/check_lessons.py 05              # notebooks whose name contains "05"

Each ``check_*`` function takes a notebook (the parsed JSON ``dict``) and returns a list of
problems, each a sentence naming the cell and what to change; an empty list means the rule
holds.  ``tests/test_learning.py`` runs them on every notebook, and on copies broken on purpose.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"

# Code cells that show an app the learner drives (docs/lesson-structure.md, rule 1).
INTERACTIVE = ("ScenarioExplorer", "IgTherapySimulator", "NeutrophilCalculator", "ImmunoglobulinLabExplorer",
               "SymptomTreatmentExplorer", "CriteriaChecker", "scenario_gallery", "therapy_gallery")
PREDICT_LABEL = "**Predict.**"
EXPLAIN_SUMMARY = "<summary>What you should have seen</summary>"
TASK_LABELS = ("**Predict.**", "**Think first.**", "**Quick check.**", "**Your turn.**")
TASK_CALLS = ("Quiz(",)
WORDS_BETWEEN_TASKS = 600
WORDS_PER_SLIDE = 80
NEAR = 3  # cells before / after a widget where its prediction / explanation must be
HIDDEN_TAGS = {"test", "teacher", "solution"}  # never part of what a learner reads as the lesson
TEACHER_PHRASES = ("ask the room", "ask the class", "ask students", "ask the students")


# ----------------------------------------------------------------------------- reading
def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def tags(cell) -> set:
    return set((cell.get("metadata") or {}).get("tags", []) or [])


def slide_type(cell) -> str:
    return ((cell.get("metadata") or {}).get("slideshow") or {}).get("slide_type", "-") or "-"


def is_notes(cell) -> bool:
    return slide_type(cell) == "notes" or "teacher" in tags(cell)


def is_hidden(cell) -> bool:
    """Not part of the lesson a learner reads: test cells, speaker notes, solutions."""
    return bool(tags(cell) & HIDDEN_TAGS) or is_notes(cell)


def without_folds(text: str) -> str:
    return re.sub(r"<details>.*?</details>", " ", text, flags=re.S | re.I)


def plain(text: str) -> str:
    """Markdown as read: link targets, HTML tags, code and LaTeX removed."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$[^$]*\$", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return text


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9µ][\w'’·µ/.,%-]*", plain(text)))


def visible_words(cell) -> int:
    """Words a learner reads in a cell without opening anything (folded text not counted)."""
    if cell.get("cell_type") != "markdown" or is_hidden(cell):
        return 0
    return words(without_folds(source(cell)))


def where(i: int, cell) -> str:
    first = next((ln.strip() for ln in source(cell).splitlines() if ln.strip()), "")
    return f"cell {i} ({first[:50]!r})"


def is_interactive(cell) -> bool:
    if cell.get("cell_type") != "code" or tags(cell) & HIDDEN_TAGS:
        return False
    src = source(cell)
    return any(re.search(rf"(?<![\w.]){name}\s*[(.]", src) for name in INTERACTIVE)


def is_task(cell) -> bool:
    if is_hidden(cell):
        return False
    src = source(cell)
    if cell.get("cell_type") == "code":
        return any(call in src for call in TASK_CALLS)
    return any(label in src for label in TASK_LABELS)


# ----------------------------------------------------------------------------- rule 1
def check_predict_explain(nb: dict) -> list[str]:
    cells = nb["cells"]
    problems = []
    for i, cell in enumerate(cells):
        if not is_interactive(cell):
            continue
        before = [c for c in reversed(cells[:i]) if "test" not in tags(c)][:NEAR]
        after = [c for c in cells[i + 1:] if "test" not in tags(c) and not is_notes(c)][:NEAR]
        predicted = any(
            c["cell_type"] == "markdown" and not is_hidden(c) and PREDICT_LABEL in source(c)
            and "?" in source(c).split(PREDICT_LABEL, 1)[1]
            for c in before)
        explained = any(c["cell_type"] == "markdown" and not is_hidden(c) and EXPLAIN_SUMMARY in source(c)
                        for c in after)
        if not predicted:
            problems.append(f"{where(i, cell)}: no '{PREDICT_LABEL}' question in the {NEAR} cells before this widget")
        if not explained:
            problems.append(f"{where(i, cell)}: no folded '{EXPLAIN_SUMMARY}' explanation in the {NEAR} cells "
                            "after this widget")
    return problems


# ----------------------------------------------------------------------------- rule 2
def check_task_spacing(nb: dict, limit: int = WORDS_BETWEEN_TASKS) -> list[str]:
    problems, run, start = [], 0, 0
    for i, cell in enumerate(nb["cells"]):
        if is_task(cell):
            if run > limit:
                problems.append(f"cells {start}-{i}: {run} words of reading without a task (at most {limit})")
            run, start = 0, i
            # the task's own words count towards the next stretch only after it
            continue
        run += visible_words(cell)
    if run > limit:
        problems.append(f"cells {start}-end: {run} words of reading without a task (at most {limit})")
    return problems


# ----------------------------------------------------------------------------- rule 4
def check_teacher_notes(nb: dict) -> list[str]:
    problems = []
    for i, cell in enumerate(nb["cells"]):
        text = source(cell).lower()
        if slide_type(cell) == "notes":
            if "teacher" not in tags(cell):
                problems.append(f"{where(i, cell)}: a speaker note without the 'teacher' tag")
            if not ((cell.get("metadata") or {}).get("jupyter") or {}).get("source_hidden"):
                problems.append(f"{where(i, cell)}: a speaker note not collapsed in JupyterLab "
                                "(metadata jupyter.source_hidden)")
        elif cell.get("cell_type") == "markdown" and any(p in text for p in TEACHER_PHRASES):
            problems.append(f"{where(i, cell)}: teacher-only text ('ask the room') outside the speaker notes")
        elif "teacher" in tags(cell):
            problems.append(f"{where(i, cell)}: tagged 'teacher' but not a speaker note (slide type 'notes')")
    return problems


# ----------------------------------------------------------------------------- rule 5
def abbreviations(data_dir: Path = DATA) -> dict[str, str]:
    with (data_dir / "abbreviations.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["abbreviation"]: row["expansion"] for row in csv.DictReader(fh)}


def _expansion_words(expansion: str) -> list[str]:
    return [w for w in re.findall(r"[a-zé]+", expansion.lower()) if len(w) > 3] or [expansion.lower()]


def check_abbreviations(nb: dict, table: dict[str, str] | None = None) -> list[str]:
    """At the first learner-visible use of each listed abbreviation it is spelled out next to it:
    'full name (ABBR)' or 'ABBR (full name)'; the spelled-out words are looked for close by."""
    table = abbreviations() if table is None else table
    text = "\n\n".join(plain(source(c)) for c in nb["cells"]
                       if c.get("cell_type") == "markdown" and not is_hidden(c))
    problems = []
    for abbr, expansion in table.items():
        m = re.search(rf"(?<![\w-]){re.escape(abbr)}(?![\w-])", text)
        if not m:
            continue
        before = text[max(0, m.start() - 120):m.start()].lower()
        after = text[m.end():m.end() + 120].lower()
        bracketed = text[max(0, m.start() - 1):m.start()] == "(" or text[m.end():m.end() + 2].startswith(" (")
        near = sum(w in before or w in after for w in _expansion_words(expansion))
        if not bracketed or near < max(1, len(_expansion_words(expansion)) // 2):
            context = text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ")
            problems.append(f"{abbr} is not spelled out ({expansion}) at its first use: ...{context}...")
    return problems


def check_key_words(nb: dict) -> list[str]:
    cells = [c for c in nb["cells"] if c.get("cell_type") == "markdown" and not is_hidden(c)]
    for i, cell in enumerate(cells):
        if "learning objectives" in source(cell).lower():
            if any("**Key words.**" in source(c) for c in cells[i:i + 3]):
                return []
            return ["no '**Key words.**' cell just after the learning objectives"]
    return []


# ----------------------------------------------------------------------------- rule 6
def slide_units(nb: dict) -> list[tuple[int, list]]:
    units = []
    for i, cell in enumerate(nb["cells"]):
        kind = slide_type(cell)
        if kind in ("slide", "subslide"):
            units.append((i, [cell]))
        elif kind in ("-", "fragment") and units:
            units[-1][1].append(cell)
    return units


def check_slides(nb: dict, limit: int = WORDS_PER_SLIDE) -> list[str]:
    problems = []
    for i, cells in slide_units(nb):
        first = cells[0]
        if first.get("cell_type") != "markdown" or not source(first).lstrip().startswith("#"):
            problems.append(f"{where(i, first)}: a slide without a heading (its first cell must be markdown "
                            "starting with #, ## or ###)")
        n = sum(words(without_folds(source(c))) for c in cells if c.get("cell_type") == "markdown")
        if n > limit:
            problems.append(f"{where(i, first)}: {n} words on one slide (at most {limit})")
        for cell in cells:
            if is_interactive(cell) and slide_type(cell) != "fragment":
                problems.append(f"{where(i, first)}: an interactive widget must be a 'fragment' under the slide's "
                                "heading, so that the live slides step to it and the first click reaches it")
        text = source(first).lstrip().lower()
        if text.startswith(("## glossary", "## references", "## sources")):
            problems.append(f"{where(i, first)}: the glossary and reference list stay out of the decks "
                            "(slide type 'skip')")
    return problems


# ----------------------------------------------------------------------------- rule 3
def load_quiz_file(stem: str, data_dir: Path = DATA):
    import yaml

    path = data_dir / "quizzes" / f"{stem}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


def check_quiz(quiz: dict) -> list[str]:
    problems = []
    qs = quiz.get("questions") or []
    levels = [q.get("level") for q in qs]
    missing = [q.get("id") for q in qs if q.get("level") not in ("recall", "understand", "apply", "analyse")]
    if missing:
        problems.append(f"questions without a level (recall/understand/apply/analyse): {', '.join(map(str, missing))}")
    applied = sum(lv in ("apply", "analyse") for lv in levels)
    if qs and applied * 2 < len(qs):
        problems.append(f"{applied} of {len(qs)} questions are apply or analyse (at least half must be)")
    mc = [q for q in qs if q.get("kind") == "multiple_choice" and len(q.get("choices") or []) >= 3]
    longest = []
    for q in mc:
        lengths = [len(str(c.get("text", ""))) for c in q["choices"]]
        right = next(len(str(c.get("text", ""))) for c in q["choices"] if c.get("correct"))
        if right == max(lengths) and lengths.count(right) == 1:
            longest.append(str(q.get("id")))
    if mc and len(longest) * 3 > len(mc):
        problems.append(f"the right choice is the longest in {len(longest)} of {len(mc)} multiple-choice questions "
                        f"({', '.join(longest)}); at most a third may be")
    no_idea = [str(q.get("id")) for q in qs if not str(q.get("key_idea") or "").strip()]
    if no_idea:
        problems.append(f"questions without a key_idea: {', '.join(no_idea)}")
    return problems


def visible_text(nb: dict) -> str:
    """Everything a learner can read in the notebook, folded text included (not tests, notes, solutions)."""
    return "\n".join(re.sub(r"\s+", " ", plain(source(c))) for c in nb["cells"]
                     if c.get("cell_type") == "markdown" and not is_hidden(c))


def check_key_ideas(quiz: dict, taught: str) -> list[str]:
    """Each question's key_idea is written in the text the learner has read so far."""
    norm = re.sub(r"\s+", " ", taught.replace("*", "").replace("_", " ")).lower()
    problems = []
    for q in quiz.get("questions") or []:
        idea = re.sub(r"\s+", " ", str(q.get("key_idea") or "")).strip().lower()
        if idea and idea not in norm:
            problems.append(f"question {q.get('id')}: its key idea {idea!r} is not in the learner-visible text of "
                            "this notebook or an earlier one")
    return problems


# ----------------------------------------------------------------------------- all together
def notebook_paths() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb"))


def problems_for(path: Path) -> dict[str, list[str]]:
    nb = load(path)
    found = {
        "predict-observe-explain": check_predict_explain(nb),
        "task every 600 words": check_task_spacing(nb),
        "teacher material": check_teacher_notes(nb),
        "abbreviations": check_abbreviations(nb),
        "key words": check_key_words(nb),
        "slides": check_slides(nb),
    }
    quiz = load_quiz_file(path.stem)
    if quiz is not None:
        taught = "\n".join(visible_text(load(p)) for p in notebook_paths() if p.name <= path.name)
        found["quiz"] = check_quiz(quiz) + check_key_ideas(quiz, taught)
    return found


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    paths = [p for p in notebook_paths() if not argv or any(a in p.name for a in argv)]
    total = 0
    for path in paths:
        for rule, problems in problems_for(path).items():
            for problem in problems:
                print(f"{path.name} [{rule}] {problem}")
            total += len(problems)
    print(f"{total} problem(s) in {len(paths)} notebook(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
