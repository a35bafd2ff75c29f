"""The teacher's documents: a lesson plan for every notebook, and links that lead somewhere."""
import json
import re

import pytest

from conftest import ROOT, load_tool

DOCS = ROOT / "docs"
GUIDE = DOCS / "teaching-guide.md"
HUB = DOCS / "jupyterhub.md"
KEY = DOCS / "answer-key.md"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path):
    return {_anchor(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", path.read_text(encoding="utf-8"),
                                                     re.MULTILINE)}


def _sections(text):
    """Level-2 sections of the guide: heading -> body."""
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    return {p.splitlines()[0].strip(): p for p in parts[1:]}


def test_every_notebook_has_a_full_lesson_plan():
    sections = _sections(GUIDE.read_text(encoding="utf-8"))
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert notebooks
    for nb in notebooks:
        number = int(nb.name[:2])
        heading = next((h for h in sections if h.startswith(f"{number}. ")), None)
        assert heading, f"docs/teaching-guide.md has no lesson plan for {nb.name}"
        body = sections[heading]
        for part in ("**Objectives", "**Demo.**", "Misconceptions", "**Discussion"):
            assert part.lower() in body.lower(), f"lesson plan {heading!r} lacks {part}"
        has_timing = "| Minutes |" in body or "Timing" in body
        assert has_timing, f"lesson plan {heading!r} has no timing"
        if (ROOT / "data" / "quizzes" / f"{nb.stem}.yaml").exists():
            assert f"answer-key.md#{nb.stem}" in body, f"lesson plan {heading!r} does not link its answer key"


def test_timings_fill_fifty_minutes():
    text = GUIDE.read_text(encoding="utf-8")
    for heading, body in _sections(text).items():
        rows = re.findall(r"^\| (\d+)[–-](\d+) \|", body, re.MULTILINE)
        if not rows:
            continue
        starts, ends = [int(a) for a, _ in rows], [int(b) for _, b in rows]
        assert starts[0] == 0 and ends[-1] == 50, f"{heading}: the plan should run from 0 to 50 minutes"
        assert all(e == s for e, s in zip(ends, starts[1:])), f"{heading}: gaps or overlaps in the timing"


@pytest.mark.parametrize("doc", [GUIDE, HUB], ids=lambda p: p.name)
def test_links_between_documents_resolve(doc):
    text = doc.read_text(encoding="utf-8")
    for target, anchor in re.findall(r"\]\(([\w\-.]*\.md)?#([\w\-]+)\)", text):
        path = DOCS / target if target else doc
        assert path.exists(), f"{doc.name} links to missing {target}"
        assert anchor in _anchors(path), f"{doc.name} links to #{anchor} in {path.name}, which has no such heading"


def test_jupyterhub_guide_gives_measured_students_per_node():
    text = HUB.read_text(encoding="utf-8")
    assert re.search(r"Measured on \d{1,2} \w+ 20\d\d", text), "say when the footprint was measured"
    for size in (8, 16, 32, 64):
        assert re.search(rf"^\| {size} GiB \| \d+ \| \d+ \| \d+ \|$", text, re.MULTILINE), f"no row for {size} GiB"
    for needed in ("tljh-config set limits.memory", "singleuser:", "nbgitpuller_link.py", "make student"):
        assert needed in text


def test_speaker_notes_file_is_up_to_date_and_holds_every_note():
    """docs/speaker-notes.md carries every speaker note (the teacher's 'ask the room' prompts)."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("speaker_notes", ROOT / "tools" / "speaker_notes.py")
    notes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notes)
    text = notes.build(ROOT)
    assert (ROOT / "docs" / "speaker-notes.md").read_text(encoding="utf-8") == text, \
        "docs/speaker-notes.md is out of date: run `python tools/speaker_notes.py`"
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if notes._is_note(cell) and "".join(cell["source"]).strip():
                assert " ".join("".join(cell["source"]).split()) in text, f"{path.name}: a note is missing"


def _lesson_time():
    return load_tool("lesson_time")


def test_each_notebook_states_its_measured_time_once_and_the_map_and_guide_agree():
    """A lesson's time is measured from its content (tools/lesson_time.py), stated once in the
    notebook, and repeated unchanged on the start page's map and in the teaching guide."""
    import json

    T = _lesson_time()
    start = "\n".join("".join(c["source"]) for c in
                      json.loads((ROOT / "notebooks" / "00-start-here.ipynb").read_text(encoding="utf-8"))["cells"])
    sections = _sections(GUIDE.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        number = int(path.name[:2])
        estimate = T.measure(path)["minutes"]
        guide = next(body for h, body in sections.items() if h.startswith(f"{number}. "))
        said = re.search(r"\*\*Self-study time\.\*\* About (\d+) minutes", guide)
        assert said, f"the teaching guide's plan for {path.name} gives no '**Self-study time.** About N minutes'"
        if number == 0:
            assert abs(int(said.group(1)) - estimate) <= max(5, estimate / 4), f"{path.name}: guide time far from {estimate}"
            continue
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        assert text.count("**Time.**") == 1, f"{path.name} must state its time exactly once"
        stated = T.stated_minutes(path)
        assert stated is not None, f"{path.name}: its '**Time.**' line does not say 'About N minutes'"
        assert abs(stated - estimate) <= estimate / 4, \
            f"{path.name} says {stated} minutes but measures about {estimate} (tools/lesson_time.py)"
        row = re.search(rf"\({re.escape(path.name)}\)[^\n]*\| (\d+) min \|", start)
        assert row and int(row.group(1)) == stated, f"the start page's map and {path.name} disagree on its time"
        assert int(said.group(1)) == stated, f"the teaching guide and {path.name} disagree on its time"


def test_lesson_time_measure_counts_reading_tasks_widgets_and_quiz(tmp_path):
    T = _lesson_time()
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": " ".join(["word"] * 360)},
        {"cell_type": "markdown", "metadata": {}, "source": "**Think first.** Why?"},
        {"cell_type": "markdown", "metadata": {}, "source": "**Your turn.** Do it."},
        {"cell_type": "code", "metadata": {}, "source": "ScenarioExplorer()", "outputs": []},
        {"cell_type": "markdown", "metadata": {"tags": ["teacher"], "slideshow": {"slide_type": "notes"}},
         "source": " ".join(["note"] * 900)},
    ]}
    path = tmp_path / "99-none.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    m = T.measure(path)
    # 360+ words at 180/min = 2, think first 2, your turn 4, widget 3; the speaker note is not read
    assert m["minutes"] == 11 and m["widgets"] == 1 and m["exercises"] == 1
