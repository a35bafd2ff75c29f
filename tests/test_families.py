"""The families' material (notebook 9, widgets.families, the one-page summaries): every low
neutrophil band and every infusion-reaction row carries its urgency, no treatment the sources
reject is offered, the notebook runs, and each summary prints on one A4 and one Letter page."""
import html
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SCREENSHOTS
from widgets.data import REJECTED_STATUSES, URGENT_LEVELS, load
from widgets.families import (CONDITIONS, LOW_BAND_URGENCY, care_questions, fever_bands, show_summary,
                              summary_html, urgent_signs, vaccine_guidance)

NOTEBOOK = ROOT / "notebooks" / "09-for-families.ipynb"
TOOL = ROOT / "tools" / "family_summaries.py"
# The disorders the families' material is about: their rejected treatments must never appear as options.
FAMILY_DISORDERS = ("autoimmune_neutropenia_primary", "autoimmune_neutropenia_secondary", "cvid")


def _text(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _low_bands():
    bands = load("anc_bands")
    return bands[bands["anc_max_per_ul"] <= 1000]


def _infusion_rows():
    rows = load("urgent_signs")
    return rows[rows["situation"].str.startswith("infusion reaction")]


# ----------------------------------------------------------------------------- urgency

def test_every_low_anc_band_at_every_age_says_what_a_fever_means():
    low = _low_bands()
    assert set(low["population"]) == {"infant", "over_1_year"}, "low bands for infants and for older children"
    shown = fever_bands()
    assert shown.ok and len(shown) == len(low)
    for _, band in low.iterrows():
        assert band["urgency"] == LOW_BAND_URGENCY
        assert "fever" in band["fever_action"].lower()
    for action in shown.df["What to do"]:
        assert "fever" in action.lower() and "same day" in action.lower(), action
    page = _text(summary_html("ain"))
    for _, band in low.iterrows():
        assert f"{band['severity']} (" in page, f"the AIN summary lacks the {band['severity']} band"
        assert band["fever_action"] in page
    assert page.count(LOW_BAND_URGENCY) >= low["population"].nunique()


def test_the_ain_page_and_table_lead_with_the_fever_rule():
    signs = urgent_signs("ain")
    fever = signs.df[signs.df["If you see this"].str.contains("38.0")]
    assert len(fever) == 1 and fever.iloc[0]["How fast"] == "call the care team now"
    assert "straight away" in fever.iloc[0]["What to do"]


@pytest.mark.parametrize("sign_id", list(_infusion_rows()["sign_id"]))
def test_every_infusion_reaction_row_says_how_fast_and_what_to_do(sign_id):
    row = load("urgent_signs").set_index("sign_id").loc[sign_id]
    assert row["urgency"] in URGENT_LEVELS
    assert len(row["what_to_do"].split()) >= 3 and len(row["say_on_the_phone"].split()) >= 3
    table = urgent_signs("ig_replacement").df.set_index("If you see this")
    assert table.loc[row["sign"], "How fast"] == row["urgency"]
    page = _text(summary_html("ig_replacement"))
    assert row["sign"] in page and row["what_to_do"] in page
    assert f"{row['urgency'][0].upper()}{row['urgency'][1:]}:" in page, "the urgency is printed with the sign"


def test_clots_and_kidneys_from_the_boxed_warning_are_on_the_immunoglobulin_page():
    rows = load("urgent_signs")
    for situation, urgency in (("blood clot (thrombosis)", "call the emergency number now"),
                               ("kidney problems after IVIG", "call the care team now")):
        match = rows[rows["situation"] == situation]
        assert len(match) == 1 and match.iloc[0]["urgency"] == urgency
        assert match.iloc[0]["sign"] in _text(summary_html("ig_replacement"))
    assert "infusion reaction (after)" in set(rows["situation"]), "reactions in the days after an infusion"


def test_every_summary_shows_the_spreading_infection_signs_and_its_own_questions_and_vaccines():
    spreading = load("urgent_signs").query("situation == 'serious infection'").iloc[0]["sign"]
    questions = load("care_questions")
    vaccines = load("family_vaccines")
    for name, spec in CONDITIONS.items():
        page = _text(summary_html(name))
        assert spreading in page, name
        for question in questions[questions["situation"].isin(spec["questions"])]["question"]:
            assert question in page, (name, question)
        household = vaccines[vaccines["who"] == "household"]["vaccines"]
        assert all(v in page for v in household), f"{name}: the household's vaccines are missing"
        assert "not medical advice" in page


def test_each_situation_has_questions_and_each_condition_vaccine_guidance():
    for situation in ("new AIN diagnosis in an infant", "CVID", "starting immunoglobulin replacement",
                      "choosing IVIG or SCIG"):
        table = care_questions(situation)
        assert table.ok and len(table) >= 4, situation
    for name in CONDITIONS:
        table = vaccine_guidance(name)
        assert table.ok and {"patient", "household"} <= set(table.df["For"]), name


def test_bad_input_gives_a_message_not_a_traceback():
    for result in (urgent_signs("measles"), care_questions("teething"), vaccine_guidance(""), show_summary("x")):
        assert result.ok is False and result.text
    done = subprocess.run([sys.executable, str(TOOL), "not-a-condition"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "ain" in done.stderr


# ----------------------------------------------------------------------------- no rejected treatment offered

def _rejected_names():
    treatments = load("treatments")
    rejected = treatments[treatments["status"].isin(REJECTED_STATUSES)
                          & treatments["disorder_id"].isin(FAMILY_DISORDERS)]
    names = set()
    for name in rejected["treatment"]:
        names.add(name.lower())
        names.add(re.sub(r"\s*\(.*\)", "", name).lower())  # "G-CSF (filgrastim)" -> "g-csf"
    return sorted(names)


def offered(text: str, names) -> list:
    """Rejected treatment names a text mentions outside a crossed-out passage (<del>, <s>, ~~)."""
    visible = re.sub(r"<(del|s)\b[^>]*>.*?</\1>|~~.*?~~", " ", text, flags=re.S | re.I).lower()
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", visible)]


def _families_material():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    yield "notebook 9", "\n".join("".join(c["source"]) for c in nb["cells"])
    for table in ("urgent_signs", "care_questions", "family_vaccines"):
        yield f"data/{table}.csv", (ROOT / "data" / f"{table}.csv").read_text(encoding="utf-8")
    yield "quiz 09", (ROOT / "data" / "quizzes" / "09-for-families.yaml").read_text(encoding="utf-8")
    for name in CONDITIONS:
        yield f"summary {name}", summary_html(name)


def test_the_scanner_finds_an_offered_rejected_treatment_and_ignores_a_crossed_out_one():
    names = _rejected_names()
    assert "bone marrow transplant" in names, "the data should mark transplant as rejected for primary AIN"
    assert offered("Options: G-CSF, bone marrow transplant.", names) == ["bone marrow transplant"]
    assert offered("Not used: <del>bone marrow transplant</del> (the condition goes away).", names) == []


def test_no_treatment_the_sources_reject_is_offered_in_the_families_material():
    names = _rejected_names()
    found = {where: hits for where, text in _families_material() if (hits := offered(text, names))}
    assert not found, f"rejected treatments appear in the families' material: {found}"


def test_family_tables_never_list_treatments_as_choices():
    for table in (urgent_signs(), fever_bands(), vaccine_guidance("cvid"), care_questions("CVID")):
        assert not any("treatment" in c.lower() or "option" in c.lower() for c in table.df.columns)


# ----------------------------------------------------------------------------- the notebook runs

def test_notebook_8_runs_under_nbval(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(NOTEBOOK), "--nbval-lax", "--nbval-cell-timeout=120",
         "-p", "no:cacheprovider", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


# ----------------------------------------------------------------------------- one printed page each

def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_page_counter_counts_pages():
    assert _pages(b"<< /Type /Pages /Kids [1 0 R 2 0 R] >> << /Type /Page >> << /Type /Page >>") == 2


@pytest.mark.parametrize("condition", list(CONDITIONS))
def test_summary_builds_offline_and_prints_on_one_page(browser, tmp_path, condition):
    spec = importlib_tool()
    out = tmp_path / "summaries"
    written = spec.build(out, [condition])
    assert [p.name for p in written] == [f"{condition}.html"] and (out / "index.html").exists()
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url))
    try:
        page.goto(written[0].as_uri())
        assert page.locator("h1").inner_text().strip() == CONDITIONS[condition]["title"]
        for fmt in ("A4", "Letter"):
            pdf = page.pdf(format=fmt, print_background=True)
            assert _pages(pdf) == 1, f"{condition}: the summary takes {_pages(pdf)} {fmt} pages"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # an A4 sheet at 96 dpi
        page.screenshot(path=str(SCREENSHOTS / f"family-summary-{condition}.png"), full_page=True)
    finally:
        page.close()
    assert not outside, f"the summary fetched outside resources: {outside}"


def importlib_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("family_summaries", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
