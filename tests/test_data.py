"""Tests for the curated data layer (widgets/data.py and data/*.csv).

Three groups:
1. every table loads and validates, and the loader's API behaves as documented;
2. every validation rule fires on a deliberately broken copy of a real table, with a
   message naming the file, the line (header = line 1) and the column;
3. the content covers every seed fact and its numbers match the cited sources.
"""
import csv
import math
import re
import shutil
import sys
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from widgets import data as D
from widgets.data import DataError, load, load_quiz, sources_for, list_tables

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
OWN_TABLES = ["sources", "disorders", "symptoms", "treatments", "immunoglobulin_uses",
              "reference_ranges", "anc_bands", "clinical_notes", "glossary"]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

@pytest.fixture
def data_copy(tmp_path):
    """A private copy of the real data folder that a test may break."""
    dest = tmp_path / "data"
    shutil.copytree(DATA, dest, ignore=shutil.ignore_patterns("quizzes"))
    (dest / "quizzes").mkdir()
    return dest


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(path, row_index, column, value):
    """Change one cell; row_index counts data rows from 0. Returns the CSV line number."""
    rows = read_rows(path)
    col = rows[0].index(column)
    rows[row_index + 1][col] = value
    write_rows(path, rows)
    return row_index + 2  # header is line 1 and no cell of these tables spans lines


def expect_error(data_dir, table, *fragments):
    with pytest.raises(DataError) as info:
        load(table, data_dir=data_dir)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in error message: {message}"
    return message


# --------------------------------------------------------------------------
# 1. everything loads
# --------------------------------------------------------------------------

@pytest.mark.parametrize("table", list_tables())
def test_every_table_loads_and_validates(table):
    df = load(table)
    assert len(df) > 0
    assert list(df.columns) == list(D.SCHEMAS[table].columns)


def test_list_tables_matches_files_in_data_folder():
    on_disk = {p.stem for p in DATA.glob("*.csv")}
    assert set(list_tables()) == on_disk, "every CSV in data/ needs a schema, and every schema a file"


def test_data_dir_points_at_project_data_folder():
    assert D.DATA_DIR == DATA
    assert (D.DATA_DIR / "sources.csv").exists()


def test_every_own_table_cites_sources_on_every_row():
    for table in OWN_TABLES[1:]:
        df = load(table)
        assert (df["source_ids"].str.len() > 0).all(), table


def test_number_columns_are_floats_and_text_columns_are_strings():
    rr = load("reference_ranges")
    assert rr["low"].dtype == float and rr["age_max_years"].dtype == float
    d = load("disorders")
    assert d["prevalence_per_100k"].dtype == float
    assert d["prevalence_per_100k"].isna().any(), "blank prevalence stays blank (NaN), never 0"
    assert all(isinstance(x, str) for x in d["summary"])
    s = load("symptoms")
    assert all(isinstance(x, str) for x in s["note"]), "empty optional text is '' not NaN"


def test_load_returns_a_copy_so_callers_cannot_corrupt_the_cache():
    first = load("disorders")
    first.loc[0, "name"] = "CHANGED"
    first["summary"] = ""
    again = load("disorders")
    assert len(again) > 0 and "CHANGED" not in set(again["name"])
    assert (again["summary"].str.len() > 0).all()


def test_cache_notices_when_a_file_changes(data_copy):
    assert len(load("clinical_notes", data_dir=data_copy)) == len(load("clinical_notes"))
    rows = read_rows(data_copy / "clinical_notes.csv")
    write_rows(data_copy / "clinical_notes.csv", rows[:2])
    assert len(load("clinical_notes", data_dir=data_copy)) == 1


def test_cache_notices_when_a_dependency_changes(data_copy):
    load("symptoms", data_dir=data_copy)
    rows = read_rows(data_copy / "disorders.csv")
    dropped = rows.pop(1)  # remove the first disorder; its symptoms now dangle
    write_rows(data_copy / "disorders.csv", rows)
    expect_error(data_copy, "symptoms", "symptoms.csv", "disorder_id", dropped[0])


def test_unknown_table_name_is_a_friendly_error():
    with pytest.raises(DataError, match="no table called 'disorder'.*Known tables:.*disorders"):
        load("disorder")


def test_sources_for_returns_rows_in_the_order_asked():
    df = sources_for(["privigen_label", "medlineplus_cvid", "privigen_label"])
    assert list(df["id"]) == ["privigen_label", "medlineplus_cvid"]
    assert df.iloc[0]["url"].startswith("https://dailymed.nlm.nih.gov/")
    assert list(sources_for("genereviews_alps; oliveira2010_alps")["id"]) == ["genereviews_alps", "oliveira2010_alps"]


def test_sources_for_unknown_id_names_it():
    with pytest.raises(DataError, match="'no_such_source'"):
        sources_for(["medlineplus_cvid", "no_such_source"])


def test_split_ids():
    assert D.split_ids("a; b;;c ") == ["a", "b", "c"]
    assert D.split_ids(float("nan")) == []
    assert D.split_ids(["x", " y "]) == ["x", "y"]


def test_data_module_imports_neither_matplotlib_nor_ipywidgets():
    code = ("import sys; import widgets.data as d; d.load('disorders'); "
            "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_sources_have_web_addresses_and_access_dates():
    src = load("sources")
    assert src["url"].str.match(r"^https?://").all()
    import datetime as dt

    accessed = src["accessed"].map(dt.date.fromisoformat)
    # the edition was first checked on 2026-11-21; later rows carry the day they were checked
    assert (accessed >= dt.date(2026, 11, 21)).all()
    assert (accessed <= dt.date.today()).all(), "an access date lies in the future"


def test_no_two_sources_share_a_url():
    src = load("sources")
    dupes = src[src["url"].duplicated(keep=False)].sort_values("url")
    assert dupes.empty, f"same page cited under two ids: {dupes[['id', 'url']].values.tolist()}"


def test_no_banned_or_mirror_domains_in_sources():
    banned = ("medmind.pro", "droracle.ai", "grokipedia", "questionai", "wikimili",
              "findzebra", "scribd", "docslib", "fdokumen", "uptodatefree", "studylib")
    for url in load("sources")["url"]:
        assert not any(b in url for b in banned), url


# --------------------------------------------------------------------------
# 2. each validation rule, on a broken copy of a real table
# --------------------------------------------------------------------------

def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(DataError) as info:
        load("disorders", data_dir=tmp_path)
    assert "disorders.csv" in str(info.value) and str(tmp_path) in str(info.value)


def test_missing_column(data_copy):
    rows = read_rows(data_copy / "anc_bands.csv")
    write_rows(data_copy / "anc_bands.csv", [r[:-2] + r[-1:] for r in rows])  # drop infection_risk
    expect_error(data_copy, "anc_bands", "anc_bands.csv", "line 1", "missing column", "infection_risk")


def test_unexpected_extra_column(data_copy):
    rows = read_rows(data_copy / "glossary.csv")
    rows[0].append("comment")
    for r in rows[1:]:
        r.append("")
    write_rows(data_copy / "glossary.csv", rows)
    expect_error(data_copy, "glossary", "glossary.csv", "line 1", "unexpected column", "'comment'")


def test_category_outside_allowed_set(data_copy):
    line = set_cell(data_copy / "disorders.csv", 4, "direction", "hyperactive")
    expect_error(data_copy, "disorders", "disorders.csv", f"line {line}", "'direction'",
                 "underactive, overactive, mixed", "'hyperactive'")


def test_typicality_outside_allowed_set(data_copy):
    line = set_cell(data_copy / "symptoms.csv", 7, "typicality", "rare")
    expect_error(data_copy, "symptoms", f"symptoms.csv, line {line}", "'typicality'", "hallmark")


def test_treatment_class_outside_allowed_set(data_copy):
    line = set_cell(data_copy / "treatments.csv", 2, "treatment_class", "magic")
    expect_error(data_copy, "treatments", f"treatments.csv, line {line}", "'treatment_class'", "watchful waiting")


def test_route_outside_allowed_set(data_copy):
    line = set_cell(data_copy / "immunoglobulin_uses.csv", 0, "route", "oral")
    expect_error(data_copy, "immunoglobulin_uses", f"line {line}", "'route'", "IVIG or SCIG")


def test_number_that_does_not_parse(data_copy):
    line = set_cell(data_copy / "reference_ranges.csv", 3, "high", "1,170")
    expect_error(data_copy, "reference_ranges", f"reference_ranges.csv, line {line}", "'high'",
                 "expected a number", "'1,170'")


def test_number_with_unit_does_not_parse(data_copy):
    line = set_cell(data_copy / "anc_bands.csv", 1, "anc_min_per_ul", "1000/uL")
    expect_error(data_copy, "anc_bands", f"line {line}", "'anc_min_per_ul'", "expected a number")


def test_low_greater_than_high(data_copy):
    line = set_cell(data_copy / "reference_ranges.csv", 0, "low", "5000")
    expect_error(data_copy, "reference_ranges", f"line {line}", "'high'", "high >= low")


def test_dose_min_greater_than_max(data_copy):
    line = set_cell(data_copy / "immunoglobulin_uses.csv", 0, "dose_g_per_kg_min", "0.9")
    expect_error(data_copy, "immunoglobulin_uses", f"line {line}", "dose_g_per_kg_max",
                 "dose_g_per_kg_max >= dose_g_per_kg_min")


def test_negative_prevalence(data_copy):
    line = set_cell(data_copy / "disorders.csv", 0, "prevalence_per_100k", "-4")
    expect_error(data_copy, "disorders", f"line {line}", "'prevalence_per_100k'", ">= 0")


def test_required_cell_empty(data_copy):
    line = set_cell(data_copy / "disorders.csv", 2, "summary", "")
    expect_error(data_copy, "disorders", f"disorders.csv, line {line}", "'summary'", "is empty")


def test_duplicate_key(data_copy):
    rows = read_rows(data_copy / "disorders.csv")
    rows.append(list(rows[1]))
    write_rows(data_copy / "disorders.csv", rows)
    expect_error(data_copy, "disorders", f"line {len(rows)}", "duplicate key", rows[1][0], "line 2")


def test_duplicate_glossary_term_ignores_case(data_copy):
    rows = read_rows(data_copy / "glossary.csv")
    extra = list(rows[1])
    extra[0] = extra[0].upper()
    rows.append(extra)
    write_rows(data_copy / "glossary.csv", rows)
    expect_error(data_copy, "glossary", "duplicate key")


def test_unknown_source_id(data_copy):
    line = set_cell(data_copy / "treatments.csv", 5, "source_ids", "capsoni2005_ain;made_up_2020")
    expect_error(data_copy, "treatments", f"treatments.csv, line {line}", "'source_ids'",
                 "made_up_2020", "sources.csv")


def test_badly_written_source_ids(data_copy):
    line = set_cell(data_copy / "clinical_notes.csv", 0, "source_ids", "Merz 2023, Blood Adv")
    expect_error(data_copy, "clinical_notes", f"line {line}", "'source_ids'", "separated by ';'")


def test_unknown_disorder_id(data_copy):
    line = set_cell(data_copy / "symptoms.csv", 0, "disorder_id", "lupus_typo")
    expect_error(data_copy, "symptoms", f"symptoms.csv, line {line}", "'disorder_id'",
                 "'lupus_typo'", "disorders.csv")


def test_unknown_disorder_id_in_immunoglobulin_uses(data_copy):
    line = set_cell(data_copy / "immunoglobulin_uses.csv", 2, "disorder_id", "bruton")
    expect_error(data_copy, "immunoglobulin_uses", f"line {line}", "'disorder_id'", "'bruton'")


def test_glossary_see_also_must_name_a_term(data_copy):
    line = set_cell(data_copy / "glossary.csv", 0, "see_also", "innate immunity;no such term")
    expect_error(data_copy, "glossary", f"line {line}", "'see_also'", "'no such term'")


def test_overlapping_age_bands(data_copy):
    # the second IgG band starts at 5 months; make it start at 3 months instead
    line = set_cell(data_copy / "reference_ranges.csv", 1, "age_min_years", "0.25")
    expect_error(data_copy, "reference_ranges", f"line {line}", "'age_min_years'", "overlaps")


def test_anc_bands_must_meet_without_gaps(data_copy):
    line = set_cell(data_copy / "anc_bands.csv", 2, "anc_max_per_ul", "900")
    expect_error(data_copy, "anc_bands", "anc_bands.csv", "without gaps")


def test_bad_slug(data_copy):
    line = set_cell(data_copy / "sources.csv", 0, "id", "MedlinePlus CVID")
    expect_error(data_copy, "sources", f"sources.csv, line {line}", "'id'", "lowercase id")


def test_bad_date_and_url(data_copy):
    line = set_cell(data_copy / "sources.csv", 1, "accessed", "21/11/2026")
    expect_error(data_copy, "sources", f"line {line}", "'accessed'", "YYYY-MM-DD")
    set_cell(data_copy / "sources.csv", 1, "accessed", "2026-11-21")
    line = set_cell(data_copy / "sources.csv", 2, "url", "www.example.org")
    expect_error(data_copy, "sources", f"line {line}", "'url'", "http")


def test_non_utf8_file(data_copy):
    path = data_copy / "clinical_notes.csv"
    raw = path.read_bytes().replace("Duffy".encode(), "D\xfcffy".encode("latin-1"), 1)
    path.write_bytes(raw)
    expect_error(data_copy, "clinical_notes", "clinical_notes.csv", "line 2", "not valid UTF-8")


def test_truncated_file_short_last_row(data_copy):
    path = data_copy / "treatments.csv"
    text = path.read_text(encoding="utf-8")
    cut = text[: text.rstrip("\n").rfind(",")] + "\n"  # lose the last field of the last row
    path.write_text(cut, encoding="utf-8")
    n_lines = cut.count("\n")
    expect_error(data_copy, "treatments", f"line {n_lines}", "expected 7 fields")


def test_truncated_file_without_final_newline(data_copy):
    path = data_copy / "glossary.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:-40], encoding="utf-8")
    expect_error(data_copy, "glossary", "glossary.csv", "cut off")


def test_unclosed_quote(data_copy):
    path = data_copy / "clinical_notes.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'extra_note,Topic,"an unfinished quote,merz2023_duffy\n', encoding="utf-8")
    expect_error(data_copy, "clinical_notes", "clinical_notes.csv", "unclosed quote")


def test_wrong_delimiter(data_copy):
    path = data_copy / "anc_bands.csv"
    rows = read_rows(path)
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=";", lineterminator="\n").writerows(rows)
    expect_error(data_copy, "anc_bands", "anc_bands.csv", "line 1", "semicolons", "commas")


def test_empty_file_and_header_only(data_copy):
    (data_copy / "clinical_notes.csv").write_text("", encoding="utf-8")
    expect_error(data_copy, "clinical_notes", "clinical_notes.csv", "empty")
    (data_copy / "clinical_notes.csv").write_text("note_id,topic,note,source_ids\n", encoding="utf-8")
    expect_error(data_copy, "clinical_notes", "no rows")


def test_excel_bom_is_accepted(data_copy):
    path = data_copy / "anc_bands.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load("anc_bands", data_dir=data_copy)) == len(load("anc_bands"))


def test_pharmacokinetics_value_outside_its_range(data_copy):
    rows = read_rows(data_copy / "pharmacokinetics.csv")
    header = rows[0]
    i = next(k for k, r in enumerate(rows[1:]) if r[header.index("high")])
    line = set_cell(data_copy / "pharmacokinetics.csv", i, "value", "1e9")
    expect_error(data_copy, "pharmacokinetics", f"line {line}", "'high'")


# --------------------------------------------------------------------------
# quizzes (temporary files; data/quizzes belongs to the notebook writers)
# --------------------------------------------------------------------------

GOOD_QUIZ = """\
title: Check your understanding
description: Two quick questions.
questions:
  - id: q1
    kind: multiple_choice
    prompt: What fails in ALPS?
    choices:
      - text: Lymphocyte apoptosis
        correct: true
        why: FAS-mediated cell death fails, so lymphocytes pile up.
      - text: Antibody production
        correct: false
        why: That is CVID.
    source_ids: [genereviews_alps]
  - id: q2
    kind: true_false
    prompt: Most infants with primary autoimmune neutropenia recover on their own.
    choices:
      - text: True
        correct: true
        why: It usually remits within a few years.
      - text: False
        correct: false
        why: Remission is the rule, not the exception.
    source_ids: capsoni2005_ain; dale2017_cin_ain
"""


def write_quiz(data_dir, text, name="01-test"):
    (data_dir / "quizzes").mkdir(exist_ok=True)
    (data_dir / "quizzes" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return name


def quiz_error(data_dir, text, *fragments):
    name = write_quiz(data_dir, text)
    with pytest.raises(DataError) as info:
        load_quiz(name, data_dir=data_dir)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in: {info.value}"


def test_good_quiz_loads_and_is_normalised(data_copy):
    quiz = load_quiz(write_quiz(data_copy, GOOD_QUIZ), data_dir=data_copy)
    assert quiz["title"] == "Check your understanding"
    assert [q["id"] for q in quiz["questions"]] == ["q1", "q2"]
    q2 = quiz["questions"][1]
    assert [c["text"] for c in q2["choices"]] == ["True", "False"], "YAML booleans come back as text"
    assert q2["source_ids"] == ["capsoni2005_ain", "dale2017_cin_ain"]


def test_real_quizzes_validate():
    for path in sorted((DATA / "quizzes").glob("*.yaml")):
        quiz = load_quiz(path.stem)
        assert quiz["questions"], path.name


def test_quiz_missing_file_names_the_path(data_copy):
    with pytest.raises(DataError) as info:
        load_quiz("99-nothing", data_dir=data_copy)
    assert "99-nothing.yaml" in str(info.value) and str(data_copy) in str(info.value)


def test_quiz_bad_name():
    with pytest.raises(DataError, match="without '.yaml'"):
        load_quiz("01-balance.yaml")
    with pytest.raises(DataError):
        load_quiz("../sources")


def test_quiz_two_correct_choices(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("correct: false\n        why: That is CVID.",
                                            "correct: true\n        why: That is CVID."),
               "question 1 (id 'q1')", "exactly one correct choice, found 2")


def test_quiz_no_correct_choice(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("correct: true\n        why: FAS", "correct: false\n        why: FAS"),
               "exactly one correct choice, found 0")


def test_quiz_choice_without_why(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("        why: That is CVID.\n", ""),
               "question 1 (id 'q1'), choice 2", "missing field(s) why")


def test_quiz_unknown_kind(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("kind: multiple_choice", "kind: essay"),
               "field 'kind'", "multiple_choice, true_false", "'essay'")


def test_quiz_true_false_needs_two_choices(data_copy):
    text = GOOD_QUIZ.replace("""      - text: False
        correct: false
        why: Remission is the rule, not the exception.
""", "")
    quiz_error(data_copy, text, "question 2 (id 'q2')", "exactly 2 choices, found 1")


def test_quiz_duplicate_ids(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("id: q2", "id: q1"),
               "question 2 (id 'q1')", "already used by question 1")


def test_quiz_unknown_source_id(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("[genereviews_alps]", "[genereviews_alps, wikipedia]"),
               "field 'source_ids'", "wikipedia")


def test_quiz_missing_source_ids(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("    source_ids: [genereviews_alps]\n", ""),
               "missing field(s) source_ids")


def test_quiz_correct_must_be_boolean(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("correct: true\n        why: FAS", "correct: yes please\n        why: FAS"),
               "field 'correct'", "true or false")


def test_quiz_unknown_field(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("    prompt: What fails", "    promt: typo\n    prompt: What fails"),
               "unknown field(s) 'promt'")


def test_quiz_invalid_yaml_names_the_line(data_copy):
    quiz_error(data_copy, GOOD_QUIZ.replace("  - id: q2", "  - id: [q2"), "not valid YAML", "line")


def test_quiz_not_a_mapping(data_copy):
    quiz_error(data_copy, "- just\n- a list\n", "expected a mapping")


# --------------------------------------------------------------------------
# 3. content: every seed fact is present
# --------------------------------------------------------------------------

SEED_DISORDERS = [
    "cvid", "alps", "autoimmune_neutropenia_primary", "autoimmune_neutropenia_secondary",
    "ra", "sle", "ms", "itp", "gbs", "kawasaki", "cidp", "aiha", "hiv_aids",
    "secondary_id_cancer", "secondary_id_treatment",
]
CLASSIC_PID = ["xla", "scid", "iga_deficiency", "cgd", "digeorge_22q11", "ipex", "apeced",
               "was", "xhigm", "scn", "lad1"]


def test_at_least_25_disorders_including_every_seed_and_classic_pid():
    d = load("disorders")
    assert len(d) >= 25
    missing = [x for x in SEED_DISORDERS + CLASSIC_PID + ["allergy"] if x not in set(d["disorder_id"])]
    assert not missing


def test_every_disorder_has_symptoms_and_treatments():
    ids = set(load("disorders")["disorder_id"])
    assert ids - set(load("symptoms")["disorder_id"]) == set()
    assert ids - set(load("treatments")["disorder_id"]) == set()


def test_disorder_categories_span_the_balance():
    d = load("disorders")
    assert set(d["direction"]) == {"underactive", "overactive", "mixed"}
    assert set(d["category"]) == {"immunodeficiency", "autoimmunity", "dysregulation"}
    assert set(d["origin"]) == {"primary", "secondary", "not applicable"}


def test_alps_is_described_as_failed_apoptosis_not_destruction():
    row = load("disorders").set_index("disorder_id").loc["alps"]
    text = row["summary"].lower()
    assert "apoptosis" in text and "fas" in text
    assert row["direction"] == "mixed"


def test_cvid_summary_mentions_autoimmunity_in_about_a_quarter():
    text = load("disorders").set_index("disorder_id").loc["cvid", "summary"].lower()
    assert re.search(r"quarter|one patient in four|25%", text), "about a quarter have autoimmunity"
    assert "autoimmun" in text and "plasma cell" in text


SEED_AIN_SYMPTOMS = [
    "recurrent or persistent infections", "fever", "sore throat", "mouth sores or ulcers",
    "swollen lymph nodes", "fatigue or weakness", "rapid heartbeat", "shortness of breath",
    "pale skin", "easy bruising or bleeding", "petechiae", "prolonged or frequent illness",
]


def test_all_twelve_seed_ain_symptoms_present():
    s = load("symptoms")
    ain = set(s.loc[s["disorder_id"] == "autoimmune_neutropenia_primary", "symptom"])
    assert [x for x in SEED_AIN_SYMPTOMS if x not in ain] == []


def test_ain_symptoms_from_other_cytopenias_are_red_flags_with_an_explaining_note():
    """In primary AIN neutropenia is usually the only abnormality: signs of anaemia, low
    platelets or big nodes point to another or an additional diagnosis, never 'expected'."""
    s = load("symptoms").set_index(["disorder_id", "symptom"])
    for symptom, word in [("pale skin", "anaemia"), ("easy bruising or bleeding", "platelet"),
                          ("petechiae", "platelet"), ("rapid heartbeat", "anaemia"),
                          ("shortness of breath", "pneumonia"), ("fatigue or weakness", "anaemia"),
                          ("swollen lymph nodes", "another diagnosis")]:
        row = s.loc[("autoimmune_neutropenia_primary", symptom)]
        assert row["typicality"] == "red flag", symptom
        assert word in row["note"].lower(), (symptom, row["note"])
    note = s.loc[("autoimmune_neutropenia_primary", "sore throat"), "note"].lower()
    assert "infection" in note


def test_general_dysregulation_signs_and_infection_sites_present():
    symptoms = set(load("symptoms")["symptom"])
    for needed in ["fatigue or weakness", "fever", "rash", "joint pain", "weight loss",
                   "organ damage or failure", "lung infections", "sinus infections",
                   "ear infections", "skin infections"]:
        assert needed in symptoms, needed


def test_shared_symptoms_join_across_disorders():
    s = load("symptoms")
    per_symptom = s.groupby("symptom")["disorder_id"].nunique()
    assert per_symptom["fever"] >= 4 and per_symptom["lung infections"] >= 4
    assert per_symptom["petechiae"] >= 3


SEED_TREATMENTS = {
    "autoimmune_neutropenia_primary": ["observation (watch and wait)", "G-CSF (filgrastim)",
                                       "prophylactic antibiotics",
                                       "intravenous immunoglobulin (IVIG)", "bone marrow transplant",
                                       "good hygiene and mouth care", "corticosteroids"],
    # a drug trigger makes a neutropenia secondary, so "avoidance of triggers" lives there
    "autoimmune_neutropenia_secondary": ["corticosteroids", "azathioprine", "rituximab", "avoidance of triggers"],
    "cvid": ["immunoglobulin replacement (IVIG or SCIG)", "antibiotics for infections"],
    "scid": ["haematopoietic stem-cell transplant"],
}


def test_every_seed_treatment_present():
    t = load("treatments")
    pairs = set(zip(t["disorder_id"], t["treatment"]))
    missing = [(d, x) for d, xs in SEED_TREATMENTS.items() for x in xs if (d, x) not in pairs]
    assert not missing
    classes = set(t["treatment_class"])
    assert classes == set(D.TREATMENT_CLASSES), "every class, incl. stimulation and watchful waiting"
    names = " ".join(t["treatment"]).lower()
    for word in ["biologic", "surgery", "symptom management", "immunosuppressive"]:
        assert word in names, word


def test_ain_caveats_are_in_the_notes():
    t = load("treatments").set_index(["disorder_id", "treatment"])
    gcsf = t.loc[("autoimmune_neutropenia_primary", "G-CSF (filgrastim)"), "note"].lower()
    assert "intermittently" in gcsf or "only" in gcsf
    bmt = t.loc[("autoimmune_neutropenia_primary", "bone marrow transplant"), "note"].lower()
    assert "not a treatment" in bmt
    assert t.loc[("autoimmune_neutropenia_primary", "bone marrow transplant"), "status"] == "not recommended"
    obs = t.loc[("autoimmune_neutropenia_primary", "observation (watch and wait)"), "note"].lower()
    assert "on its own" in obs


def test_immunoglobulin_uses_cover_the_seed_indications():
    u = load("immunoglobulin_uses")
    ids = set(u["disorder_id"])
    for d in ["cvid", "secondary_id_cancer", "itp", "kawasaki", "gbs", "cidp", "mmn"]:
        assert d in ids, d
    cidp_routes = set(u.loc[u["disorder_id"] == "cidp", "route"])
    assert {"IVIG", "SCIG"} <= cidp_routes
    rsv = u[u["indication"].str.contains("RSV")].iloc[0]
    assert rsv["purpose"] == "infection prevention"
    assert "monoclonal" in rsv["dose_text"] and "nirsevimab" in rsv["dose_text"]
    assert set(u["purpose"]) == set(D.PURPOSES)


def test_glossary_has_at_least_120_unique_terms_covering_the_series():
    g = load("glossary")
    assert g["term"].str.casefold().nunique() == len(g) >= 120
    terms = set(g["term"].str.casefold())
    for needed in ["innate immunity", "adaptive immunity", "antigen", "antibody", "igg", "iga", "igm",
                   "ige", "b cell", "t cell", "plasma cell", "treg", "tolerance", "autoantibody",
                   "cytokine", "neutrophil", "anc", "g-csf", "apoptosis", "fas", "lymphadenopathy",
                   "splenomegaly", "ivig", "scig", "trough level", "half-life", "hypogammaglobulinaemia",
                   "opportunistic infection", "live vaccine", "titre", "isohaemagglutinin",
                   "switched memory b cell", "double-negative t cell", "hsct", "immunosuppression",
                   "biologic", "corticosteroid", "plasma exchange", "petechiae", "cytopenia"]:
        assert needed in terms, needed


def test_glossary_names_every_disorder_family():
    terms = " ".join(load("glossary")["term"]).lower()
    for name in ["cvid", "xla", "scid", "alps", "ipex", "apeced", "selective iga deficiency",
                 "autoimmune neutropenia", "immune thrombocytopenia", "kawasaki", "guillain",
                 "cidp", "hiv", "aids", "wiskott", "chronic granulomatous", "22q11.2",
                 "systemic lupus", "rheumatoid", "multiple sclerosis"]:
        assert name in terms, name


def test_duffy_null_caveat_is_in_data_with_source():
    notes = load("clinical_notes").set_index("note_id")
    row = notes.loc["duffy_null_anc"]
    assert "1,500" in row["note"] and "merz2023_duffy" in row["source_ids"]


def test_reference_ranges_cover_every_age_from_birth_to_120():
    rr = load("reference_ranges")
    mayo = rr[rr["lab"].str.startswith("Mayo Clinic Laboratories (nephelometry)")]
    for analyte in ["IgG", "IgA", "IgM"]:
        bands = mayo[mayo["analyte"] == analyte].sort_values("age_min_years")
        assert bands["age_min_years"].iloc[0] == 0 and bands["age_max_years"].iloc[-1] == 120
        assert (bands["age_min_years"].values[1:] == bands["age_max_years"].values[:-1]).all()
        assert len(bands) == 11
    assert rr["note"].str.contains("laboratory- and method-specific").all()
    for subset in ["CD4", "CD8", "CD19", "NK"]:
        adult = rr[(rr["analyte"] == subset) & (rr["age_min_years"] == 18)]
        assert len(adult) == 1 and adult["unit"].iloc[0] == "cells/uL"


# --------------------------------------------------------------------------
# number spot checks against the cited sources
# --------------------------------------------------------------------------

def _ig(analyte, age):
    rr = load("reference_ranges")
    rr = rr[(rr["lab"] == "Mayo Clinic Laboratories (nephelometry)") & (rr["analyte"] == analyte)
            & (rr["age_min_years"] <= age) & (rr["age_max_years"] > age)]
    assert len(rr) == 1
    return rr.iloc[0]


def test_spot_adult_igg_767_to_1590_mayo():
    row = _ig("IgG", 40)
    assert (row["low"], row["high"]) == (767, 1590), "Mayo test 8160: adult IgG 767-1,590 mg/dL"
    assert "mayo_igg" in row["source_ids"]


def test_spot_infant_igg_and_adult_iga_igm_mayo():
    assert tuple(_ig("IgG", 0.2)[["low", "high"]]) == (100, 334), "Mayo: IgG 0-<5 months 100-334 mg/dL"
    assert tuple(_ig("IgA", 30)[["low", "high"]]) == (61, 356), "Mayo: adult IgA 61-356 mg/dL"
    assert tuple(_ig("IgM", 30)[["low", "high"]]) == (37, 286), "Mayo: adult IgM 37-286 mg/dL"
    assert tuple(_ig("IgG", 5)[["low", "high"]]) == (386, 1470), "Mayo: IgG 4-<7 years 386-1,470 mg/dL"


def test_spot_sigad_threshold_7_mg_dl_msd():
    note = load("clinical_notes").set_index("note_id").loc["iga_deficiency_age"]
    assert "below 7 mg/dL" in note["note"] and "age 4" in note["note"], "MSD/StatPearls: IgA < 7 mg/dL, age > 4"
    assert "msd_iga_deficiency" in note["source_ids"]


def test_spot_xla_1_in_200000_medlineplus():
    row = load("disorders").set_index("disorder_id").loc["xla"]
    assert "1 in 200,000" in row["prevalence_text"], "MedlinePlus: XLA about 1 in 200,000 newborns"
    assert math.isclose(row["prevalence_per_100k"], 100000 / 200000)
    assert "medlineplus_xla" in row["source_ids"]


def test_spot_prevalence_numbers_match_their_text():
    d = load("disorders").set_index("disorder_id")
    # SLE 72.8/100,000 (Izmirly 2021); MS 309.2/100,000 (Wallin 2019); ITP 9.5/100,000 (Segal 2006)
    assert d.loc["sle", "prevalence_per_100k"] == 72.8 and "72.8" in d.loc["sle", "prevalence_text"]
    assert d.loc["ms", "prevalence_per_100k"] == 309.2 and "wallin2019_ms" in d.loc["ms", "source_ids"]
    assert d.loc["itp", "prevalence_per_100k"] == 9.5 and "segal2006_itp" in d.loc["itp", "source_ids"]
    # SCID 1 in 65,000 births (Amatuni 2019)
    assert math.isclose(d.loc["scid", "prevalence_per_100k"], 100000 / 65000, rel_tol=0.01)
    # LAD-1 1 per million (MedlinePlus)
    assert d.loc["lad1", "prevalence_per_100k"] == 0.1


def test_every_numeric_prevalence_appears_in_its_text():
    d = load("disorders").dropna(subset=["prevalence_per_100k"])
    for _, row in d.iterrows():
        numbers = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*\.?\d*", row["prevalence_text"])]
        per_100k = row["prevalence_per_100k"]
        candidates = set(numbers) | {100000 / n for n in numbers if n > 0}
        assert any(math.isclose(per_100k, c, rel_tol=0.02) for c in candidates), row["disorder_id"]


def test_spot_kawasaki_ivig_2_g_per_kg_aha_2017():
    u = load("immunoglobulin_uses").set_index("disorder_id").loc["kawasaki"]
    assert (u["dose_g_per_kg_min"], u["dose_g_per_kg_max"]) == (2, 2), "AHA 2017: IVIG 2 g/kg single infusion"
    assert "aha2017_kawasaki" in u["source_ids"]


def test_spot_gbs_0_4_g_per_kg_for_5_days_cochrane():
    u = load("immunoglobulin_uses").set_index("disorder_id").loc["gbs"]
    assert "0.4 g/kg a day for 5 days" in u["dose_text"], "Cochrane/EU SmPC: 0.4 g/kg/day x 5 days"
    assert u["dose_g_per_kg_max"] == pytest.approx(0.4 * 5)


def test_spot_pid_replacement_0_4_to_0_6_g_per_kg_ontario():
    u = load("immunoglobulin_uses")
    row = u[(u["disorder_id"] == "cvid") & (u["route"] == "IVIG")].iloc[0]
    assert (row["dose_g_per_kg_min"], row["dose_g_per_kg_max"]) == (0.4, 0.6), "Ontario: 0.4-0.6 g/kg q3-4 wk"
    assert "3-4 weeks" in row["schedule"]


def test_spot_cidp_scig_0_2_to_0_4_hizentra():
    u = load("immunoglobulin_uses")
    row = u[(u["disorder_id"] == "cidp") & (u["route"] == "SCIG")].iloc[0]
    assert (row["dose_g_per_kg_min"], row["dose_g_per_kg_max"]) == (0.2, 0.4), "Hizentra: 0.2-0.4 g/kg/week"


def test_spot_itp_children_0_8_to_1_ash_2019():
    u = load("immunoglobulin_uses").set_index("indication").loc["Immune thrombocytopenia (children)"]
    assert (u["dose_g_per_kg_min"], u["dose_g_per_kg_max"]) == (0.8, 1), "ASH 2019: 0.8-1 g/kg single dose"


def test_spot_anc_bands_capsoni_medscape():
    a = load("anc_bands").set_index(["population", "severity"])
    # neutropenia < 1500 (Capsoni 2005); mild 1000-1500, moderate 500-1000, severe < 500 (Medscape)
    assert a.loc[("over_1_year", "normal"), "anc_min_per_ul"] == 1500
    assert tuple(a.loc[("over_1_year", "mild"), ["anc_min_per_ul", "anc_max_per_ul"]]) == (1000, 1500)
    assert tuple(a.loc[("over_1_year", "moderate"), ["anc_min_per_ul", "anc_max_per_ul"]]) == (500, 1000)
    assert a.loc[("over_1_year", "severe"), "anc_max_per_ul"] == 500
    assert a.loc[("over_1_year", "agranulocytosis"), "anc_max_per_ul"] == 100, "Medscape: agranulocytosis < 100"
    assert a.loc[("infant", "normal"), "anc_min_per_ul"] == 1000, "Medscape AIN: infants < 1000"
    assert math.isnan(a.loc[("infant", "normal"), "anc_max_per_ul"])


def test_spot_orange_2010_trough_pneumonia():
    note = load("clinical_notes").set_index("note_id").loc["trough_and_pneumonia", "note"]
    # Orange 2010: IRR 0.726 (-27% per 100 mg/dL); 0.113 at 500 vs 0.023 at 1000 mg/dL; 17 studies, 676 patients
    for number in ["27%", "0.113", "0.023", "17 studies", "676"]:
        assert number in note, number


def test_spot_adult_cd4_mayo_and_cdc_aids_threshold():
    rr = load("reference_ranges")
    cd4 = rr[(rr["analyte"] == "CD4") & (rr["age_min_years"] == 18)].iloc[0]
    assert (cd4["low"], cd4["high"]) == (424, 1509), "Mayo TBBS: adult CD4 424-1,509 cells/uL"
    aids = load("glossary").set_index("term").loc["AIDS", "definition"]
    assert "below 200" in aids, "CDC 2014: stage 3 = CD4 < 200/uL"


def test_spot_hiv_unaids_39_million():
    row = load("disorders").set_index("disorder_id").loc["hiv_aids"]
    assert "39.0 million" in row["prevalence_text"] and "2022" in row["prevalence_text"], "UNAIDS: 39.0 million (2022)"


# --------------------------------------------------------------------------
# writing rules
# --------------------------------------------------------------------------

def test_no_ten_word_run_copied_from_the_seeds():
    tool = Path("/work/shared/tools/seed_overlap.py")
    if not tool.exists():
        pytest.skip("seed overlap tool not available on this machine")
    seeds = sorted(Path("/work/shared/seeds").glob("*.txt"))
    words = lambda t: re.findall(r"[a-z0-9]+", t.lower())
    shingles = set()
    for seed in seeds:
        w = words(seed.read_text(encoding="utf-8", errors="replace"))
        shingles |= {tuple(w[i:i + 10]) for i in range(len(w) - 9)}
    for path in list(DATA.glob("*.csv")) + [DATA / "README.md"]:
        if not path.exists():
            continue
        w = words(path.read_text(encoding="utf-8"))
        copied = [" ".join(w[i:i + 10]) for i in range(len(w) - 9) if tuple(w[i:i + 10]) in shingles]
        assert not copied, f"{path.name}: {copied[:3]}"


# --------------------------------------------------------------------------
# adverse_effects.csv: what a family reads about the risks of IVIG and SCIG
# --------------------------------------------------------------------------

ADVERSE_EFFECTS = ["infusion_reaction", "headache", "aseptic_meningitis", "haemolysis", "thrombosis",
                   "acute_kidney_injury", "anaphylaxis", "scig_site_reaction"]


def _effects():
    return load("adverse_effects").set_index("effect_id")


def test_adverse_effects_cover_every_risk_the_notebook_discusses():
    assert set(ADVERSE_EFFECTS) <= set(_effects().index)


def test_adverse_effects_boxed_warnings_match_the_labels():
    e = _effects()
    # US labels: IVIG boxed warning = thrombosis + renal failure; SCIG (Hizentra) = thrombosis only
    assert set(e.index[e["boxed_warning"] == "yes"]) == {"thrombosis", "acute_kidney_injury"}
    assert e.loc["thrombosis", "route"] == "both"
    assert e.loc["acute_kidney_injury", "route"] == "IVIG"
    assert e.loc["scig_site_reaction", "route"] == "SCIG"


def test_every_adverse_effect_frequency_says_what_it_counts():
    """A percentage without 'per' (people or infusions) misleads: the two differ tenfold."""
    for effect_id, row in _effects().iterrows():
        has_number = not (math.isnan(row["frequency_low_pct"]) and math.isnan(row["frequency_high_pct"]))
        assert has_number == bool(row["per"]), f"{effect_id}: fill 'per' exactly when a frequency is given"
        assert row["frequency_text"].strip(), effect_id


def test_adverse_effects_describe_and_never_prescribe():
    """Education, not advice: what_helps describes what sources and care teams do, never a dose for the reader."""
    dose = re.compile(r"\d\s*(mg|g|ml|mL)\b|\bper kg\b", re.IGNORECASE)
    for effect_id, row in _effects().iterrows():
        text = row["what_helps"]
        assert not dose.search(text), f"{effect_id}: what_helps names a dose: {text!r}"
        assert not re.search(r"\byou(r)?\b", text, re.IGNORECASE), f"{effect_id}: what_helps addresses the reader"


def test_spot_adverse_effect_figures_match_their_sources():
    e = _effects()
    # CMAJ review table: flu-like syndrome 1-15%; Kato 2021: 4.9% of patients, 2.5% of infusions
    assert tuple(e.loc["infusion_reaction", ["frequency_low_pct", "frequency_high_pct"]]) == (1, 15)
    assert "4.9" in e.loc["infusion_reaction", "frequency_text"] and "2.5" in e.loc["infusion_reaction", "frequency_text"]
    # Gammagard Liquid IV trial: headache after 94 of 1,812 infusions (5.2%), 29 of 61 patients (47.5%)
    assert (e.loc["headache", "frequency_low_pct"], e.loc["headache", "per"]) == (5.2, "infusions")
    assert "94 of 1,812" in e.loc["headache", "frequency_text"] and "47.5" in e.loc["headache", "notes"]
    # Bharath 2015: aseptic meningitis in 0.60% of patients and 0.067% of infusions
    assert tuple(e.loc["aseptic_meningitis", ["frequency_low_pct", "frequency_high_pct", "per"]]) == (0.6, 0.6, "patients")
    assert "0.067%" in e.loc["aseptic_meningitis", "frequency_text"]
    # Ammann 2016: thromboembolic events reported in 0.5% to 15% of patients treated with IVIG
    assert tuple(e.loc["thrombosis", ["frequency_low_pct", "frequency_high_pct", "per"]]) == (0.5, 15, "patients")
    # Martinez 2021: 7.3 moderate or severe anaphylactic events per 10,000 IVIG administrations
    assert (e.loc["anaphylaxis", "frequency_high_pct"], e.loc["anaphylaxis", "per"]) == (0.073, "infusions")
    # MMWR 1999 / FDA 1999: kidney failure known from reports only, so no rate
    assert math.isnan(e.loc["acute_kidney_injury", "frequency_high_pct"])
    assert "120 reports" in e.loc["acute_kidney_injury", "frequency_text"]
    # SCIG site reactions: Borte 2016 (35.4% of patients) to Kanegane 2014 (20 of 25, 80%)
    assert tuple(e.loc["scig_site_reaction", ["frequency_low_pct", "frequency_high_pct", "per"]]) == (35.4, 80, "patients")


def _effect_row(data_dir, effect_id):
    rows = read_rows(data_dir / "adverse_effects.csv")
    return [r[0] for r in rows[1:]].index(effect_id)


def test_adverse_effects_low_above_high_is_refused(data_copy):
    line = set_cell(data_copy / "adverse_effects.csv", _effect_row(data_copy, "thrombosis"),
                    "frequency_low_pct", "20")
    expect_error(data_copy, "adverse_effects", f"adverse_effects.csv, line {line}", "frequency_high_pct",
                 "frequency_high_pct >= frequency_low_pct")


def test_adverse_effects_percentage_above_100_is_refused(data_copy):
    line = set_cell(data_copy / "adverse_effects.csv", _effect_row(data_copy, "scig_site_reaction"),
                    "frequency_high_pct", "180")
    expect_error(data_copy, "adverse_effects", f"line {line}", "'frequency_high_pct'", "<= 100")


def test_adverse_effects_unknown_source_id_is_refused(data_copy):
    line = set_cell(data_copy / "adverse_effects.csv", _effect_row(data_copy, "headache"),
                    "source_ids", "gammagard_pi_safety;ivig_blog_2024")
    expect_error(data_copy, "adverse_effects", f"line {line}", "'source_ids'", "ivig_blog_2024", "sources.csv")


def test_adverse_effects_unknown_route_is_refused(data_copy):
    line = set_cell(data_copy / "adverse_effects.csv", _effect_row(data_copy, "anaphylaxis"), "route", "IM")
    expect_error(data_copy, "adverse_effects", f"line {line}", "'route'", "IVIG, SCIG, both", "'IM'")


def test_adverse_effects_unknown_per_and_seriousness_are_refused(data_copy):
    path = data_copy / "adverse_effects.csv"
    line = set_cell(path, _effect_row(data_copy, "headache"), "per", "people")
    expect_error(data_copy, "adverse_effects", f"line {line}", "'per'", "patients, infusions, not stated")
    set_cell(path, _effect_row(data_copy, "headache"), "per", "infusions")
    line = set_cell(path, _effect_row(data_copy, "haemolysis"), "seriousness", "rare")
    expect_error(data_copy, "adverse_effects", f"line {line}", "'seriousness'", "common-mild")
