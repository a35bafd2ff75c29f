"""The notebook series as a whole: every notebook has the parts a learner and a teacher rely on,
and together they cover every topic of the seed articles."""
import ast
import json
import re

import pytest

from conftest import ROOT, notebook_paths
from widgets.data import load, load_quiz

LESSONS = [p for p in notebook_paths() if not p.name.startswith("00-")]


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _markdown(path):
    return "\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")


def _calls(path, name):
    """The literal arguments of every call of `name(...)` in the notebook's code cells."""
    found = []
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                found.append([ast.literal_eval(a) for a in node.args])
    return found


def test_the_series_has_seven_lessons_after_the_start_page():
    assert len(LESSONS) >= 7


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_objectives_prerequisites_time_and_key_points(path):
    text = _markdown(path)
    first = "".join(_cells(path)[0]["source"])
    assert re.match(r"# \d+\. ", first), "the first cell is the title: '# N. Title'"
    for part in ("Learning objectives", "Prerequisites", "Time", "Key points", "Glossary", "References"):
        assert part in text, f"{path.name} lacks its '{part}' part"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_quiz_has_at_least_five_questions_with_feedback(path):
    calls = [args for args in _calls(path, "Quiz") if args]
    assert [path.stem] in calls, f"{path.name} must show Quiz('{path.stem}')"
    quiz = load_quiz(path.stem)
    assert len(quiz["questions"]) >= 5
    for q in quiz["questions"]:
        assert all(c.get("why") for c in q["choices"]), f"{q['id']}: feedback on every choice"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_glossary_terms_and_references_exist(path):
    terms = set(load("glossary")["term"].str.lower())
    sources = set(load("sources")["id"])
    glossary_calls = [args[0] for args in _calls(path, "Glossary") if args]
    assert glossary_calls, f"{path.name} lists its glossary terms with Glossary([...])"
    missing = sorted({t for call in glossary_calls for t in call if t.lower() not in terms})
    assert not missing, f"{path.name}: terms not in data/glossary.csv: {missing}"
    ref_calls = [args[0] for args in _calls(path, "References") if args]
    assert ref_calls and all(ref_calls), f"{path.name} lists its references with References([...])"
    unknown = sorted({s for call in ref_calls for s in call if s not in sources})
    assert not unknown, f"{path.name}: source ids not in data/sources.csv: {unknown}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_an_exercise_with_a_hidden_solution(path):
    solutions = [c for c in _cells(path) if "solution" in c.get("metadata", {}).get("tags", [])]
    assert solutions, f"{path.name} has no exercise solution (a cell tagged 'solution')"
    for cell in solutions:
        assert cell["metadata"]["slideshow"]["slide_type"] == "skip"


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_links_between_notebooks_resolve(path):
    for target in re.findall(r"\]\(([0-9]{2}-[a-z0-9-]+\.ipynb)", _markdown(path)):
        assert (ROOT / "notebooks" / target).exists(), f"{path.name} links to a missing {target}"


# Every topic the five seed articles raise, as words a learner would find in the series
# ("a|b": either wording counts).
SEED_TOPICS = {
    "autoimmune deficiency (and why it is not a clinical term)": ["autoimmune deficiency"],
    "CVID": ["common variable immunodeficiency"],
    "ALPS": ["autoimmune lymphoproliferative syndrome", "apoptosis"],
    "rheumatoid arthritis": ["rheumatoid arthritis"], "lupus": ["lupus"], "multiple sclerosis": ["multiple sclerosis"],
    "autoantibodies": ["autoantibod"], "genetic testing": ["genetic"], "biopsy": ["biops"],
    "immunoglobulin replacement": ["immunoglobulin replacement"], "antibiotics": ["antibiotic"],
    "stem-cell transplant": ["stem cell", "stem-cell"], "biologics": ["biologic"],
    "overactive and underactive": ["overactive", "underactive"], "allergy": ["allerg"], "cancer": ["cancer"],
    "causes": ["infection", "medicine", "environment"], "signs": ["fatigue", "fever", "rash", "joint pain|aching joints|painful joints", "weight loss"],
    "organ failure": ["organ"], "surgery": ["surgery"],
    "recurrent infections sites": ["lungs", "sinuses", "ears", "skin"],
    "vaccine response testing": ["vaccine response", "weeks"], "imaging": ["imaging"],
    "live vaccines": ["live vaccine", "MMR", "varicella"], "IVIG and SCIG": ["IVIG", "SCIG"],
    "autoimmune neutropenia": ["autoimmune neutropenia", "neutrophil"],
    "AIN symptoms": ["sore throat", "mouth", "swollen", "rapid heartbeat", "shortness of breath", "pale", "bruis", "petechiae"],
    "AIN causes": ["Epstein", "HIV", "hepatitis", "cytomegalovirus", "leukaemia", "bone marrow", "toxin"],
    "AIN treatments": ["G-CSF", "corticosteroid", "azathioprine", "rituximab", "observation", "hygiene|hand washing", "trigger"],
    "haemolytic anaemia and thrombocytopenia": ["haemolytic", "thrombocytopenia"],
    "PIDD and secondary immunodeficiency": ["primary immunodeficiency", "secondary immunodeficiency"],
    "transplantation": ["transplant"], "lymphoma": ["lymphoma"],
    "immunomodulation indications": ["Guillain", "ITP", "Kawasaki", "CIDP"], "RSV": ["RSV"],
    "infection prevention": ["passive"], "cytokines": ["cytokine"],
}


def test_every_seed_topic_is_taught_somewhere():
    series = "\n".join(_markdown(p) for p in notebook_paths()).lower()
    missing = {topic: [w for w in words if not any(alt.lower() in series for alt in w.split("|"))]
               for topic, words in SEED_TOPICS.items()}
    missing = {t: w for t, w in missing.items() if w}
    assert not missing, f"seed topics the notebooks never mention: {missing}"
