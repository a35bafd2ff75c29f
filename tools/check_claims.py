"""The claim register's check: every number a notebook states in prose has a source.

A number in learner-visible text (markdown cells, and the text of cells a learner sees)
must be either

* drawn from a data row: it appears in a cell of a table in ``data/`` (whose rows cite
  ``data/sources.csv``) or in a quiz of ``data/quizzes/``, or
* registered: listed in the ``numbers`` column of a row of ``data/claims.csv`` whose
  ``notebook`` is that notebook's stem (or ``*`` for every notebook), with its sources.

Run ``python tools/check_claims.py`` to list the numbers that have neither, notebook by
notebook; ``tests/test_claims.py`` fails while any remain.  How to add a claim is in
``data/README.md`` ("The claim register").

What does not count as a stated number (so the register stays about facts):
* whole numbers up to 10 (counts such as "two steps", list numbering, "notebook 3");
* years from 1950 to 2039 (dates of sources and guidelines);
* numbers that are part of a name: gene, cell or molecule names (CD4, IL-10, 22q11.2,
  HNA-1a, COVID-19), notebook links and file names, and section numbers;
* anything inside code, links' targets, HTML tags and LaTeX;
* a lesson's own length: its "**Time.**" line and the "N min" cells of the start page's map
  (measured by ``tools/lesson_time.py`` and checked by ``tests/test_teaching_docs.py``).
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"

# A number as a person writes it: 1,500 / 0.4 / 25 / 1.37; not glued to letters or hyphens
# on the left (CD4, IL-10, HNA-1a) nor followed by letters (22q11, 3rd) or a hyphen and a
# letter (05-autoimmune).
NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.\-/#])(?<!\w-)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])(?!-[A-Za-z])(?!\.\d)")


def normalise(token: str) -> str:
    """'1,500' -> '1500'; '0.40' -> '0.4'; '7.0' -> '7'."""
    value = float(token.replace(",", ""))
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _strip_markup(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)            # fenced code
    text = re.sub(r"`[^`]*`", " ", text)                          # inline code
    text = re.sub(r"\$[^$]*\$", " ", text)                        # LaTeX
    text = re.sub(r"<[^>]+>", " ", text)                          # HTML tags
    text = re.sub(r"\]\([^)]*\)", "]", text)                      # link targets
    text = re.sub(r"https?://\S+", " ", text)                     # bare addresses
    text = re.sub(r"^\s{0,3}#{1,6}\s*\d+(\.\d+)*\.?\s", "# ", text, flags=re.M)  # section numbers
    text = re.sub(r"^\s*\d+\.\s", " ", text, flags=re.M)          # numbered-list markers
    # a lesson's own length (its "Time." line and the start page's map), measured by tools/lesson_time.py
    text = re.sub(r"^\*\*Time\.\*\*.*$", " ", text, flags=re.M)
    text = re.sub(r"\|\s*\d+ min\s*\|", "| |", text)
    return text


def numbers_in(text: str) -> set[str]:
    """The stated numbers of a piece of prose, normalised (see the module docstring)."""
    found = set()
    for m in NUMBER_IN_TEXT.finditer(_strip_markup(text)):
        token = m.group(1) + (m.group(2) or "")
        value = float(token.replace(",", ""))
        if m.group(2) is None and value <= 10:
            continue
        if m.group(2) is None and 1950 <= value <= 2039 and "," not in token:
            continue
        found.add(normalise(token))
    return found


def learner_text(path: Path) -> str:
    """The markdown a learner reads in a notebook (teacher-only notes cells excluded)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        slide = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if slide == "notes":
            continue
        parts.append("".join(cell["source"]))
    return "\n\n".join(parts)


def data_numbers(data_dir: Path = DATA) -> set[str]:
    """Every number that appears in any cell of the data tables or the quizzes (not the
    claim register itself, which is checked separately)."""
    found = set()
    for path in sorted(data_dir.glob("*.csv")):
        if path.name == "claims.csv":
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    cell = cell.strip()
                    if re.fullmatch(r"[+-]?\d+(\.\d+)?", cell):
                        found.add(normalise(cell))
                    found |= _all_numbers(cell)
    for path in sorted((data_dir / "quizzes").glob("*.yaml")):
        found |= _all_numbers(path.read_text(encoding="utf-8"))
    return found


def _all_numbers(text: str) -> set[str]:
    return {normalise(m.group(0)) for m in re.finditer(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text)}


def registered(data_dir: Path = DATA) -> dict[str, set[str]]:
    """notebook stem (or '*') -> the numbers the claim register holds for it."""
    out: dict[str, set[str]] = {}
    path = data_dir / "claims.csv"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            nums = {normalise(n) for n in (row.get("numbers") or "").split(";") if n.strip()}
            for stem in (s.strip() for s in row["notebook"].split(";")):
                out.setdefault(stem, set()).update(nums)
    return out


def unsourced(notebook: Path, data_dir: Path = DATA, _cache={}) -> list[str]:
    """Numbers stated in the notebook's prose that neither the data nor the register holds."""
    key = str(data_dir)
    if key not in _cache:
        _cache[key] = data_numbers(data_dir)
    in_data = _cache[key]
    reg = registered(data_dir)
    allowed = in_data | reg.get("*", set()) | reg.get(notebook.stem, set())
    return sorted(numbers_in(learner_text(notebook)) - allowed, key=lambda n: float(n))


def main(argv=None) -> int:
    paths = [Path(a) for a in (argv or [])] or sorted(NOTEBOOKS.glob("*.ipynb"))
    bad = 0
    for path in paths:
        missing = unsourced(path)
        if missing:
            bad += len(missing)
            print(f"{path.name}: {len(missing)} number(s) with no data row or claim: {', '.join(missing)}")
    if bad:
        print("\nAdd each to data/claims.csv with its source (see data/README.md, 'The claim register').")
        return 1
    print("Every number stated in the notebooks' prose is in the data or the claim register.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
