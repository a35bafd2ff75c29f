"""Load and validate the curated, cited tables in ``data/``.

Every table is a UTF-8 CSV file whose rows cite ``data/sources.csv`` through a
``source_ids`` column (ids separated by ``;``).  Each table has an entry in
:data:`SCHEMAS` that says which columns it has, what type each column holds,
which values are allowed, which columns form its key and which tables it
points to.  :func:`load` checks all of that on every load and raises
:class:`DataError` with a message that names the file, the line (counted the
way a person counts lines in the CSV: the header is line 1), the column and
what was expected.

Public API (see ``docs/architecture.md``):

* ``DATA_DIR`` -- the project's ``data/`` folder;
* ``DataError`` -- raised for any problem with a data file;
* ``load(name, data_dir=None)`` -- a validated ``pandas.DataFrame``;
* ``load_quiz(name, data_dir=None)`` -- a validated quiz ``dict``;
* ``sources_for(ids, data_dir=None)`` -- the rows of ``sources.csv`` for ``ids``;
* ``list_tables()`` -- the names of the tables this module knows;
* ``split_ids(text)`` -- ``"a;b"`` -> ``["a", "b"]``.

Text columns come back as Python strings (an empty optional cell is ``""``);
number columns come back as floats (an empty optional cell is ``NaN``).
No plotting and no ipywidgets here: this module only needs pandas and PyYAML.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import pandas as pd

__all__ = [
    "DATA_DIR",
    "DataError",
    "SCHEMAS",
    "load",
    "load_quiz",
    "sources_for",
    "table_version",
    "list_tables",
    "split_ids",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

SLUG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


class DataError(ValueError):
    """A data file is missing, unreadable or breaks its schema.

    The message says which file, which line and column, and what was expected.
    """


# --------------------------------------------------------------------------
# Schema registry
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a table.

    kind: ``text`` (free text), ``slug`` (lowercase id), ``ids`` (``;``-separated
    source ids), ``number`` (float), ``integer``, ``url`` or ``date`` (YYYY-MM-DD).
    """

    kind: str = "text"
    required: bool = True
    allowed: tuple = ()
    min: float | None = None
    max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Schema:
    columns: dict
    key: tuple = ()
    # column -> table whose key column it must match
    foreign: dict = field(default_factory=dict)
    # pairs (low_column, high_column) with low <= high when both are present
    ordered: tuple = ()
    description: str = ""


DIRECTIONS = ("underactive", "overactive", "mixed")
CATEGORIES = ("immunodeficiency", "autoimmunity", "dysregulation")
# primary/secondary is the split of immunodeficiency (inborn versus acquired); it does not
# apply to autoimmune, allergic and inflammatory diseases.
ORIGINS = ("primary", "secondary", "not applicable")
PREVALENCE_MEASURES = ("prevalence", "birth prevalence", "annual incidence")
# "red flag": not expected in this disorder; points to another or an additional diagnosis.
TYPICALITY = ("hallmark", "common", "occasional", "red flag")
BODY_SYSTEMS = (
    "general", "skin", "mouth", "ear-nose-throat", "respiratory", "gastrointestinal",
    "blood", "lymphoid", "musculoskeletal", "nervous", "heart-circulation",
    "endocrine", "eyes", "kidney-urinary", "liver", "multiple organs",
)
TREATMENT_CLASSES = (
    "replacement", "immunosuppression", "immunomodulation", "stimulation",
    "anti-infective", "transplant", "supportive", "watchful waiting",
)
LINES = ("first", "second", "third", "rescue", "curative", "supportive", "prevention", "none")
# Recommendation status of a treatment row: what the cited source says of it.
#   standard         -- a usual treatment for this disorder
#   selected cases   -- used only in particular situations named in the note
#   not recommended  -- the source advises against it (shown only crossed out, with the reason)
#   contraindicated  -- the source says it must not be used (shown only crossed out, with the reason)
STATUSES = ("standard", "selected cases", "not recommended", "contraindicated")
REJECTED_STATUSES = ("not recommended", "contraindicated")
# What a fever means at this neutrophil count (anc_bands.csv).
# the urgency every band below 1,000 per microlitre must carry (one place; apps and families read it)
FEVER_URGENCY = "same-day review if fever"
URGENCIES = ("routine", FEVER_URGENCY)
PURPOSES = ("replacement", "immunomodulation", "infection prevention")
ROUTES = ("IVIG", "SCIG", "IVIG or SCIG", "IM")
ANALYTES = ("IgG", "IgA", "IgM", "CD3", "CD4", "CD8", "CD19", "NK")
RANGE_UNITS = ("mg/dL", "cells/uL")
POPULATIONS = ("over_1_year", "infant")
SEVERITIES = ("normal", "mild", "moderate", "severe", "agranulocytosis")

SOURCE_IDS = Column("ids", description="ids from sources.csv separated by ';'")
# Families' tables: the conditions with a one-page summary, and the words they use.
FAMILY_CONDITIONS = ("autoimmune neutropenia", "CVID", "immunoglobulin replacement")
URGENT_SITUATIONS = (
    "fever with a low neutrophil count", "serious infection", "infusion reaction (during)",
    "infusion reaction (after)", "blood clot (thrombosis)", "kidney problems after IVIG",
)
URGENT_LEVELS = (
    "call the emergency number now", "call the care team now", "tell the nurse or care team now",
    "tell the care team soon",
)
CARE_SITUATIONS = (
    "new AIN diagnosis in an infant", "CVID", "starting immunoglobulin replacement", "choosing IVIG or SCIG",
)
VACCINE_GUIDANCE = ("usually given", "ask the care team", "avoid")

SCHEMAS: dict[str, Schema] = {
    "sources": Schema(
        columns={
            "id": Column("slug"),
            "title": Column(),
            "publisher": Column(),
            "year": Column("integer", required=False, min=1900, max=2100),
            "url": Column("url"),
            "accessed": Column("date"),
        },
        key=("id",),
        description="Every source cited anywhere in the series.",
    ),
    "disorders": Schema(
        columns={
            "disorder_id": Column("slug"),
            "name": Column(),
            "short_name": Column(),
            "category": Column(allowed=CATEGORIES),
            "direction": Column(allowed=DIRECTIONS),
            "origin": Column(allowed=ORIGINS),
            "component": Column(),
            "onset": Column(),
            "prevalence_text": Column(),
            "prevalence_per_100k": Column("number", required=False, min=0, max=100000),
            "prevalence_measure": Column(required=False, allowed=PREVALENCE_MEASURES),
            "summary": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("disorder_id",),
        description="One row per disorder.",
    ),
    "symptoms": Schema(
        columns={
            "disorder_id": Column("slug"),
            "symptom": Column(),
            "body_system": Column(allowed=BODY_SYSTEMS),
            "typicality": Column(allowed=TYPICALITY),
            "note": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("disorder_id", "symptom"),
        foreign={"disorder_id": "disorders"},
        description="Disorder x symptom, long form.",
    ),
    "treatments": Schema(
        columns={
            "disorder_id": Column("slug"),
            "treatment": Column(),
            "treatment_class": Column(allowed=TREATMENT_CLASSES),
            "line": Column(allowed=LINES),
            "status": Column(allowed=STATUSES),
            "note": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("disorder_id", "treatment"),
        foreign={"disorder_id": "disorders"},
        description="Disorder x treatment, long form.",
    ),
    "immunoglobulin_uses": Schema(
        columns={
            "indication": Column(),
            "disorder_id": Column("slug", required=False),
            "purpose": Column(allowed=PURPOSES),
            "route": Column(allowed=ROUTES),
            "dose_text": Column(),
            "dose_g_per_kg_min": Column("number", required=False, min=0, max=5),
            "dose_g_per_kg_max": Column("number", required=False, min=0, max=5),
            "schedule": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("indication", "route"),
        foreign={"disorder_id": "disorders"},
        ordered=(("dose_g_per_kg_min", "dose_g_per_kg_max"),),
        description="What immunoglobulin is given for, by which route and dose.",
    ),
    # Adverse effects of immunoglobulin therapy (notebook 07, show_table("adverse_effects")).
    # Frequencies are percentages as a source states them; `per` says what they count
    # (people or infusions: the two differ a lot); blank numbers and `per` = no rate known.
    "adverse_effects": Schema(
        columns={
            "effect_id": Column("slug"),
            "effect": Column(),
            "route": Column(allowed=("IVIG", "SCIG", "both")),
            "seriousness": Column(allowed=("common-mild", "uncommon", "rare-serious")),
            "boxed_warning": Column(allowed=("yes", "no")),
            "when_it_happens": Column(),
            "frequency_text": Column(),
            "frequency_low_pct": Column("number", required=False, min=0, max=100),
            "frequency_high_pct": Column("number", required=False, min=0, max=100),
            "per": Column(required=False, allowed=("patients", "infusions", "not stated")),
            "who_is_at_higher_risk": Column(),
            "what_helps": Column(),
            "warning_signs": Column(),
            "source_ids": SOURCE_IDS,
            "notes": Column(required=False),
        },
        key=("effect_id",),
        ordered=(("frequency_low_pct", "frequency_high_pct"),),
        description="Adverse effects of IVIG and SCIG: how often, for whom, what helps, when to get help.",
    ),
    "reference_ranges": Schema(
        columns={
            "analyte": Column(allowed=ANALYTES),
            "age_min_years": Column("number", min=0, max=120),
            "age_max_years": Column("number", min=0, max=120),
            "low": Column("number", min=0),
            "high": Column("number", min=0),
            "unit": Column(allowed=RANGE_UNITS),
            "lab": Column(),
            "note": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("analyte", "lab", "age_min_years"),
        ordered=(("age_min_years", "age_max_years"), ("low", "high")),
        description="Age-banded reference intervals (age_max exclusive).",
    ),
    "anc_bands": Schema(
        columns={
            "population": Column(allowed=POPULATIONS),
            "severity": Column(allowed=SEVERITIES),
            "anc_min_per_ul": Column("number", min=0),
            "anc_max_per_ul": Column("number", required=False, min=0),
            "infection_risk": Column(),
            "urgency": Column(allowed=URGENCIES),
            "fever_action": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("population", "severity"),
        ordered=(("anc_min_per_ul", "anc_max_per_ul"),),
        description="Absolute neutrophil count bands (min inclusive, max exclusive).",
    ),
    "clinical_notes": Schema(
        columns={
            "note_id": Column("slug"),
            "topic": Column(),
            "note": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("note_id",),
        description="Caveats that travel with the numbers (e.g. Duffy-null ANC).",
    ),
    "abbreviations": Schema(
        columns={
            "abbreviation": Column(),
            "expansion": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("abbreviation",),
        description="Abbreviations the notebooks use, each spelled out at its first use in every notebook.",
    ),
    "glossary": Schema(
        columns={
            "term": Column(),
            "definition": Column(),
            "see_also": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("term",),
        description="Plain-language definitions the notebooks link to.",
    ),
    "pharmacokinetics": Schema(
        columns={
            "parameter": Column("slug"),
            "value": Column("number"),
            "low": Column("number", required=False),
            "high": Column("number", required=False),
            "unit": Column(),
            "note": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("parameter",),
        ordered=(("low", "high"), ("low", "value"), ("value", "high")),
        description="Parameters of the IgG therapy model (owned by the models layer).",
    ),
    "claims": Schema(
        columns={
            "claim_id": Column("slug"),
            "notebook": Column(),
            "claim": Column(),
            "numbers": Column(required=False),
            "source_ids": SOURCE_IDS,
        },
        key=("claim_id",),
        description="The claim register: facts and numbers stated in notebook prose, with sources.",
    ),
    # Families' tables (notebook 09 and the printable summaries, tools/family_summaries.py).
    "urgent_signs": Schema(
        columns={
            "sign_id": Column("slug"),
            "condition": Column(allowed=FAMILY_CONDITIONS + ("any",)),
            "situation": Column(allowed=URGENT_SITUATIONS),
            "sign": Column(),
            "what_to_do": Column(),
            "urgency": Column(allowed=URGENT_LEVELS),
            "say_on_the_phone": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("sign_id",),
        description="Signs that need help now, what to do and what to say on the phone.",
    ),
    "care_questions": Schema(
        columns={
            "situation": Column(allowed=CARE_SITUATIONS),
            "question": Column(),
            "why_it_matters": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("situation", "question"),
        description="Questions a family can ask the care team, by situation.",
    ),
    "family_vaccines": Schema(
        columns={
            "condition": Column(allowed=FAMILY_CONDITIONS + ("household",)),
            "who": Column(allowed=("patient", "household")),
            "vaccines": Column(),
            "guidance": Column(allowed=VACCINE_GUIDANCE),
            "note": Column(),
            "source_ids": SOURCE_IDS,
        },
        key=("condition", "who", "vaccines"),
        description="What the vaccine guidelines say for the patient and the household.",
    ),
}


def list_tables() -> list[str]:
    """Names of the tables :func:`load` knows, e.g. ``["anc_bands", ...]``."""
    return sorted(SCHEMAS)


def split_ids(text) -> list[str]:
    """Split a ``source_ids`` cell (``"a; b"``) into a list of ids."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return []
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [part.strip() for part in str(text).split(";") if part.strip()]


# --------------------------------------------------------------------------
# Reading CSV text with line numbers
# --------------------------------------------------------------------------

def _resolve_dir(data_dir) -> Path:
    return Path(data_dir) if data_dir is not None else DATA_DIR


def _table_path(name: str, data_dir) -> Path:
    if not isinstance(name, str) or name not in SCHEMAS:
        known = ", ".join(list_tables())
        raise DataError(f"There is no table called {name!r}. Known tables: {known}.")
    return _resolve_dir(data_dir) / f"{name}.csv"


def _read_text(path: Path) -> str:
    if not path.exists():
        raise DataError(
            f"{path.name}: file not found. Looked for it at {path}. "
            "Check the table name and the data folder."
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{path.name}, line {line}: the file is not valid UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x}). Save it again as UTF-8."
        ) from None
    if not text.strip():
        raise DataError(f"{path.name}: the file is empty; expected a header line and rows.")
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise DataError(
            f"{path.name}, line {last}: the file does not end with a line break, so it "
            "may have been cut off. Check the last row and end the file with a newline."
        )
    return text


def _parse_rows(path: Path, text: str, schema: Schema):
    """Yield (line_number, dict) for each data row, checking the shape."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    name = path.name
    try:
        header = next(reader)
    except csv.Error as exc:
        raise DataError(f"{name}, line 1: the header could not be read ({exc}).") from None
    header = [h.strip() for h in header]
    expected = list(schema.columns)
    if len(header) == 1 and len(expected) > 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if sep in header[0]:
                raise DataError(
                    f"{name}, line 1: the columns seem to be separated by {label}; "
                    "this project's CSV files use commas. Expected the header: "
                    + ",".join(expected)
                )
    missing = [c for c in expected if c not in header]
    if missing:
        raise DataError(
            f"{name}, line 1: missing column(s) {', '.join(missing)}. "
            f"Expected the header: {','.join(expected)}"
        )
    extra = [c for c in header if c not in expected]
    if extra:
        raise DataError(
            f"{name}, line 1: unexpected column(s) {', '.join(repr(c) for c in extra)}. "
            f"Allowed columns: {','.join(expected)}. Add new columns to the schema in "
            "widgets/data.py and to data/README.md first."
        )
    dupes = {c for c in header if header.count(c) > 1}
    if dupes:
        raise DataError(f"{name}, line 1: column(s) {', '.join(sorted(dupes))} appear twice.")
    rows = []
    prev_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(
                f"{name}, line {prev_end + 1}: the row could not be read ({exc}); "
                "look for an unclosed quote. The file may be truncated."
            ) from None
        start = prev_end + 1
        prev_end = reader.line_num
        if not cells or all(not c.strip() for c in cells) and len(cells) <= 1:
            continue  # a blank line carries no data
        if len(cells) != len(header):
            raise DataError(
                f"{name}, line {start}: expected {len(header)} fields "
                f"({','.join(header)}) but found {len(cells)}. A comma inside a text "
                "needs the whole cell in double quotes; a short row may mean the file "
                "was cut off."
            )
        rows.append((start, {h: c.strip() for h, c in zip(header, cells)}))
    if not rows:
        raise DataError(f"{name}: the file has a header but no rows.")
    return rows


def _fail(name, line, column, message):
    raise DataError(f"{name}, line {line}, column '{column}': {message}")


def _convert(name, line, col, spec: Column, value: str):
    if value == "":
        if spec.required:
            _fail(name, line, col, "is empty; a value is required here.")
        return math.nan if spec.kind in ("number", "integer") else ""
    kind = spec.kind
    if kind in ("number", "integer"):
        if not NUMBER.match(value):
            _fail(name, line, col, f"expected a number, got {value!r} "
                  "(write plain digits with a dot for decimals, no units or commas).")
        number = float(value)
        if kind == "integer" and number != int(number):
            _fail(name, line, col, f"expected a whole number, got {value!r}.")
        if spec.min is not None and number < spec.min:
            _fail(name, line, col, f"expected a value >= {spec.min:g}, got {value}.")
        if spec.max is not None and number > spec.max:
            _fail(name, line, col, f"expected a value <= {spec.max:g}, got {value}.")
        return number
    if spec.allowed and value not in spec.allowed:
        _fail(name, line, col, f"expected one of {', '.join(spec.allowed)}; got {value!r}.")
    if kind == "slug" and not SLUG.match(value):
        _fail(name, line, col, f"expected a lowercase id such as 'cvid' or 'iga_deficiency' "
              f"(letters, digits, '_' or '-'), got {value!r}.")
    if kind == "url" and not re.match(r"^https?://\S+$", value):
        _fail(name, line, col, f"expected a web address starting with http:// or https://, got {value!r}.")
    if kind == "date" and not DATE.match(value):
        _fail(name, line, col, f"expected a date written YYYY-MM-DD, got {value!r}.")
    if kind == "ids":
        ids = split_ids(value)
        bad = [i for i in ids if not SLUG.match(i)]
        if bad or not ids:
            _fail(name, line, col, "expected source ids separated by ';' "
                  f"(e.g. 'medlineplus_cvid;genereviews_alps'), got {value!r}.")
        return ";".join(ids)
    return value


def _validate(path: Path, name: str, text: str, data_dir) -> pd.DataFrame:
    schema = SCHEMAS[name]
    fname = path.name
    rows = _parse_rows(path, text, schema)
    records, lines = [], []
    for line, raw in rows:
        rec = {col: _convert(fname, line, col, spec, raw[col]) for col, spec in schema.columns.items()}
        for low_col, high_col in schema.ordered:
            low, high = rec[low_col], rec[high_col]
            if not (isinstance(low, float) and isinstance(high, float)):
                continue
            if math.isnan(low) or math.isnan(high):
                continue
            if low > high:
                _fail(fname, line, high_col,
                      f"expected {high_col} >= {low_col}, but {high_col} is {high:g} "
                      f"and {low_col} is {low:g}.")
        records.append(rec)
        lines.append(line)

    # unique key
    if schema.key:
        seen = {}
        for rec, line in zip(records, lines):
            k = tuple(str(rec[c]).casefold() if isinstance(rec[c], str) else rec[c] for c in schema.key)
            if k in seen:
                _fail(fname, line, schema.key[-1] if len(schema.key) == 1 else "+".join(schema.key),
                      f"duplicate key {', '.join(str(rec[c]) for c in schema.key)}; it already "
                      f"appears on line {seen[k]}. Each row must be unique.")
            seen[k] = line

    # source ids exist
    if "source_ids" in schema.columns:
        known = _source_ids(data_dir)
        for rec, line in zip(records, lines):
            unknown = [i for i in split_ids(rec["source_ids"]) if i not in known]
            if unknown:
                _fail(fname, line, "source_ids",
                      f"unknown source id(s) {', '.join(unknown)}; every id must be a row "
                      "of sources.csv (add the source there first).")

    # foreign keys
    for col, table in schema.foreign.items():
        keys = _disorder_ids(data_dir) if table == "disorders" else set()
        for rec, line in zip(records, lines):
            if rec[col] and rec[col] not in keys:
                _fail(fname, line, col,
                      f"{rec[col]!r} is not a disorder_id in disorders.csv.")

    # table-specific rules
    if name == "reference_ranges":
        _check_bands_do_not_overlap(fname, records, lines)
    if name == "anc_bands":
        _check_anc_bands(fname, records, lines)
    if name == "treatments":
        _check_treatment_status(fname, records, lines)
    if name == "disorders":
        for rec, line in zip(records, lines):
            has_number = not math.isnan(rec["prevalence_per_100k"])
            if has_number != bool(rec["prevalence_measure"]):
                _fail(fname, line, "prevalence_measure",
                      "say which measure prevalence_per_100k is (prevalence, birth prevalence or annual "
                      "incidence) exactly when that number is filled in.")
    if name == "symptoms":
        for rec, line in zip(records, lines):
            if rec["typicality"] == "red flag" and not rec["note"]:
                _fail(fname, line, "note", "a red-flag symptom needs a note saying what it points to instead.")
    if name == "claims":
        _check_claims(fname, records, lines)
    if name == "glossary":
        terms = {r["term"].casefold() for r in records}
        for rec, line in zip(records, lines):
            for other in _split_terms(rec["see_also"]):
                if other.casefold() not in terms:
                    _fail(fname, line, "see_also",
                          f"{other!r} is not a term in the glossary (terms are separated by ';').")

    df = pd.DataFrame.from_records(records, columns=list(schema.columns))
    for col, spec in schema.columns.items():
        if spec.kind == "integer":
            df[col] = df[col].astype("Int64")
        elif spec.kind == "number":
            df[col] = df[col].astype(float)
        else:
            df[col] = df[col].astype(object)
    df.attrs["source_file"] = str(path)
    df.attrs["csv_lines"] = list(lines)
    return df


def _split_terms(text: str) -> list[str]:
    return [t.strip() for t in str(text).split(";") if t.strip()]


def _check_bands_do_not_overlap(fname, records, lines):
    groups: dict = {}
    for rec, line in zip(records, lines):
        groups.setdefault((rec["analyte"], rec["lab"]), []).append((rec, line))
        if rec["age_max_years"] == rec["age_min_years"]:
            _fail(fname, line, "age_max_years", "expected an age band wider than zero "
                  "(age_max_years is exclusive).")
    for (analyte, lab), items in groups.items():
        units = {r["unit"] for r, _ in items}
        if len(units) > 1:
            _fail(fname, items[-1][1], "unit",
                  f"{analyte} from {lab} is given in more than one unit ({', '.join(sorted(units))}).")
        items = sorted(items, key=lambda x: x[0]["age_min_years"])
        for (a, _), (b, line_b) in zip(items, items[1:]):
            if b["age_min_years"] < a["age_max_years"]:
                _fail(fname, line_b, "age_min_years",
                      f"the {analyte} band from {lab} starting at {b['age_min_years']:g} years "
                      f"overlaps the band {a['age_min_years']:g}-{a['age_max_years']:g} years.")


# A band whose counts are all below this gets the fever warning (every age).
FEVER_WARNING_BELOW_PER_UL = 1000


def _check_anc_bands(fname, records, lines):
    for rec, line in zip(records, lines):
        upper = rec["anc_max_per_ul"]
        low_band = not math.isnan(upper) and upper <= FEVER_WARNING_BELOW_PER_UL
        if low_band and rec["urgency"] != FEVER_URGENCY:
            _fail(fname, line, "urgency",
                  f"a band below {FEVER_WARNING_BELOW_PER_UL:,} per microlitre must say "
                  f"{FEVER_URGENCY!r}, got {rec['urgency']!r}.")
        if rec["urgency"] == FEVER_URGENCY and "fever" not in rec["fever_action"].lower():
            _fail(fname, line, "fever_action",
                  f"a band marked {FEVER_URGENCY!r} needs a fever_action sentence that "
                  "says what to do when there is a fever.")
    groups: dict = {}
    for rec, line in zip(records, lines):
        groups.setdefault(rec["population"], []).append((rec, line))
    for population, items in groups.items():
        items = sorted(items, key=lambda x: x[0]["anc_min_per_ul"])
        if items[0][0]["anc_min_per_ul"] != 0:
            _fail(fname, items[0][1], "anc_min_per_ul",
                  f"the lowest band for {population} must start at 0.")
        for (a, line_a), (b, line_b) in zip(items, items[1:]):
            if math.isnan(a["anc_max_per_ul"]) or a["anc_max_per_ul"] != b["anc_min_per_ul"]:
                _fail(fname, line_b, "anc_min_per_ul",
                      f"bands for {population} must meet without gaps or overlaps: "
                      f"the previous band ends at {a['anc_max_per_ul']:g}, this one starts at "
                      f"{b['anc_min_per_ul']:g}.")
        if not math.isnan(items[-1][0]["anc_max_per_ul"]):
            _fail(fname, items[-1][1], "anc_max_per_ul",
                  f"the highest band for {population} must have no upper bound (leave it blank).")


def _check_treatment_status(fname, records, lines):
    for rec, line in zip(records, lines):
        rejected = rec["status"] in REJECTED_STATUSES
        if rejected and rec["line"] != "none":
            _fail(fname, line, "line",
                  f"a treatment that is {rec['status']} has no line of treatment: write 'none', "
                  f"got {rec['line']!r}.")
        if not rejected and rec["line"] == "none":
            _fail(fname, line, "line",
                  f"line 'none' is only for treatments that are {' or '.join(REJECTED_STATUSES)}.")
        if rejected and not rec["note"]:
            _fail(fname, line, "note",
                  f"a treatment that is {rec['status']} needs a note giving the reason.")
        if rec["status"] == "selected cases" and not rec["note"]:
            _fail(fname, line, "note",
                  "a treatment for selected cases needs a note saying which cases.")


def _check_claims(fname, records, lines):
    for rec, line in zip(records, lines):
        for part in [p.strip() for p in rec["numbers"].split(";") if p.strip()]:
            if not NUMBER.match(part):
                _fail(fname, line, "numbers",
                      f"expected numbers separated by ';' written as plain digits (e.g. '1500;0.4'), "
                      f"got {part!r}.")


# --------------------------------------------------------------------------
# Cache and public functions
# --------------------------------------------------------------------------

def _stamp(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _deps(name: str) -> list[str]:
    schema = SCHEMAS[name]
    deps = []
    if "source_ids" in schema.columns:
        deps.append("sources")
    deps += [t for t in schema.foreign.values() if t not in deps]
    return deps


def _stamps(name: str, directory: Path):
    seen, order = set(), [name]
    stamps = []
    while order:
        n = order.pop()
        if n in seen:
            continue
        seen.add(n)
        stamps.append((n, _stamp(directory / f"{n}.csv")))
        order.extend(_deps(n))
    return tuple(sorted(stamps))


@lru_cache(maxsize=64)
def _load_cached(name: str, directory: str, stamps) -> pd.DataFrame:
    path = Path(directory) / f"{name}.csv"
    text = _read_text(path)
    return _validate(path, name, text, Path(directory))


def load(name: str, data_dir=None) -> pd.DataFrame:
    """Load table ``name`` (e.g. ``"disorders"``) from ``data_dir`` (default
    :data:`DATA_DIR`), validated against its schema.

    Raises :class:`DataError` naming the file, line and column of the first
    problem.  Returns a fresh copy each time, so changing it cannot affect
    later loads.
    """
    df = _load_cached(name, *table_version(name, data_dir))
    out = df.copy(deep=True)
    out.attrs = {k: (list(v) if isinstance(v, list) else v) for k, v in df.attrs.items()}
    return out


def table_version(name: str, data_dir=None) -> tuple:
    """What :func:`load` would read for table ``name`` now: its folder and the modification
    time and size of its file and of the tables it refers to. Equal versions mean equal tables,
    so a caller can keep what it derived from a table until the version changes."""
    path = _table_path(name, data_dir)
    directory = path.parent.resolve()
    return str(directory), _stamps(name, directory)


def _source_ids(data_dir) -> set:
    return set(load("sources", data_dir)["id"])


def _disorder_ids(data_dir) -> set:
    return set(load("disorders", data_dir)["disorder_id"])


def sources_for(ids, data_dir=None) -> pd.DataFrame:
    """Rows of ``sources.csv`` for ``ids`` (a list or a ``"a;b"`` string), in the
    order given, each id once.  Unknown ids raise :class:`DataError`."""
    wanted = []
    for i in split_ids(ids):
        if i not in wanted:
            wanted.append(i)
    sources = load("sources", data_dir).set_index("id", drop=False)
    unknown = [i for i in wanted if i not in sources.index]
    if unknown:
        raise DataError(
            f"sources.csv: no source with id {', '.join(repr(u) for u in unknown)}. "
            "Ids are lowercase, e.g. 'medlineplus_cvid'."
        )
    return sources.loc[wanted].reset_index(drop=True)


# --------------------------------------------------------------------------
# Quizzes
# --------------------------------------------------------------------------

QUIZ_KINDS = ("multiple_choice", "true_false")
# What a question asks of the learner (a short form of Bloom's levels): recall a fact, explain it in
# other words, apply it to a new case, or analyse a situation (compare, find the cause, spot the odd one).
QUIZ_LEVELS = ("recall", "understand", "apply", "analyse")
APPLIED_LEVELS = ("apply", "analyse")
_QUIZ_TOP = {"title": True, "questions": True, "description": False}
_QUESTION_KEYS = {"id": True, "kind": True, "prompt": True, "choices": True,
                  "source_ids": True, "hint": False, "level": False, "key_idea": False}
_CHOICE_KEYS = {"text": True, "correct": True, "why": True}


def _text(value):
    """YAML turns unquoted True/False/numbers into non-strings; give them back as text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def load_quiz(name: str, data_dir=None) -> dict:
    """Read and validate ``data/quizzes/<name>.yaml``.

    Returns ``{"title", "description", "questions": [{"id", "kind", "prompt",
    "choices": [{"text", "correct", "why"}], "source_ids": [...], "hint"}]}``.
    Raises :class:`DataError` naming the file, the question and the field.
    """
    import yaml  # local import: only quizzes need PyYAML

    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", name) or name.endswith(".yaml"):
        raise DataError(
            f"Quiz name {name!r} is not valid: give the notebook stem without '.yaml', "
            "e.g. '01-balance'."
        )
    path = _resolve_dir(data_dir) / "quizzes" / f"{name}.yaml"
    if not path.exists():
        raise DataError(f"{path.name}: quiz file not found. Looked for it at {path}.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: the file is not valid UTF-8 text.") from None
    fname = f"quizzes/{path.name}"
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(f"{fname}{where}: not valid YAML ({problem}).") from None

    def fail(where, message):
        raise DataError(f"{fname}, {where}: {message}")

    if not isinstance(doc, dict):
        raise DataError(f"{fname}: expected a mapping with 'title' and 'questions' at the top.")
    _check_keys(fname, "top level", doc, _QUIZ_TOP)
    title = doc.get("title")
    if not isinstance(title, str) or not title.strip():
        fail("title", "expected a non-empty text.")
    questions = doc.get("questions")
    if not isinstance(questions, list) or not questions:
        fail("questions", "expected a non-empty list of questions.")
    known_sources = _source_ids(data_dir)
    seen_ids = {}
    out_questions = []
    for n, q in enumerate(questions, start=1):
        where = f"question {n}"
        if not isinstance(q, dict):
            fail(where, "expected a mapping with id, kind, prompt, choices and source_ids.")
        qid = _text(q.get("id"))
        if isinstance(qid, str) and qid.strip():
            where = f"question {n} (id '{qid}')"
        _check_keys(fname, where, q, _QUESTION_KEYS)
        if not isinstance(qid, str) or not qid.strip():
            fail(where, "field 'id': expected a non-empty id such as 'q1'.")
        if qid in seen_ids:
            fail(where, f"field 'id': '{qid}' is already used by question {seen_ids[qid]}; ids must be unique.")
        seen_ids[qid] = n
        kind = q.get("kind")
        if kind not in QUIZ_KINDS:
            fail(where, f"field 'kind': expected one of {', '.join(QUIZ_KINDS)}, got {kind!r}.")
        prompt = q.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            fail(where, "field 'prompt': expected a non-empty question text.")
        choices = q.get("choices")
        if not isinstance(choices, list):
            fail(where, "field 'choices': expected a list of choices.")
        if kind == "true_false" and len(choices) != 2:
            fail(where, f"field 'choices': a true_false question needs exactly 2 choices, found {len(choices)}.")
        if kind == "multiple_choice" and len(choices) < 2:
            fail(where, f"field 'choices': a multiple_choice question needs at least 2 choices, found {len(choices)}.")
        out_choices, texts = [], set()
        for m, c in enumerate(choices, start=1):
            cwhere = f"{where}, choice {m}"
            if not isinstance(c, dict):
                fail(cwhere, "expected a mapping with text, correct and why.")
            _check_keys(fname, cwhere, c, _CHOICE_KEYS)
            ctext = _text(c.get("text"))
            if not isinstance(ctext, str) or not ctext.strip():
                fail(cwhere, "field 'text': expected a non-empty text.")
            if ctext.strip().casefold() in texts:
                fail(cwhere, f"field 'text': {ctext!r} appears twice in this question.")
            texts.add(ctext.strip().casefold())
            correct = c.get("correct")
            if not isinstance(correct, bool):
                fail(cwhere, f"field 'correct': expected true or false, got {correct!r}.")
            why = c.get("why")
            if not isinstance(why, str) or not why.strip():
                fail(cwhere, "field 'why': expected a non-empty explanation shown when this choice is picked.")
            out_choices.append({"text": ctext.strip(), "correct": correct, "why": why.strip()})
        n_correct = sum(c["correct"] for c in out_choices)
        if n_correct != 1:
            fail(where, f"field 'choices': expected exactly one correct choice, found {n_correct}.")
        raw_ids = q.get("source_ids")
        if isinstance(raw_ids, str):
            ids = split_ids(raw_ids)
        elif isinstance(raw_ids, list) and all(isinstance(i, str) for i in raw_ids):
            ids = [i.strip() for i in raw_ids if i.strip()]
        else:
            ids = []
        if not ids:
            fail(where, "field 'source_ids': expected a list of ids from sources.csv, e.g. [medlineplus_cvid].")
        unknown = [i for i in ids if i not in known_sources]
        if unknown:
            fail(where, f"field 'source_ids': unknown source id(s) {', '.join(unknown)} (not in sources.csv).")
        hint = q.get("hint", "")
        if hint is None:
            hint = ""
        if not isinstance(hint, str):
            fail(where, "field 'hint': expected a text.")
        level = q.get("level", "")
        if level not in ("",) + QUIZ_LEVELS:
            fail(where, f"field 'level': expected one of {', '.join(QUIZ_LEVELS)}, got {level!r}.")
        key_idea = q.get("key_idea", "") or ""
        if not isinstance(key_idea, str):
            fail(where, "field 'key_idea': expected a short phrase that the notebook's text teaches.")
        out_questions.append({
            "id": qid, "kind": kind, "prompt": prompt.strip(), "choices": out_choices,
            "source_ids": ids, "hint": hint.strip(), "level": level, "key_idea": key_idea.strip(),
        })
    description = doc.get("description", "") or ""
    if not isinstance(description, str):
        fail("description", "expected a text.")
    return {"title": title.strip(), "description": description.strip(), "questions": out_questions}


def _check_keys(fname, where, mapping, spec):
    unknown = [k for k in mapping if k not in spec]
    if unknown:
        raise DataError(
            f"{fname}, {where}: unknown field(s) {', '.join(repr(str(k)) for k in unknown)}; "
            f"allowed fields: {', '.join(spec)}."
        )
    missing = [k for k, req in spec.items() if req and k not in mapping]
    if missing:
        raise DataError(f"{fname}, {where}: missing field(s) {', '.join(missing)}.")
