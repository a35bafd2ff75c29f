"""The families' material: tables and one-page summaries drawn from the families' data.

Notebook 9 (*For families*) and ``tools/family_summaries.py`` use these functions, so a
family reads the same words in the notebook and on the printed page:

    from widgets.families import urgent_signs, fever_bands, care_questions, vaccine_guidance
    urgent_signs("ain")                # signs that need help now, for autoimmune neutropenia
    fever_bands()                      # every low neutrophil band with what a fever means
    care_questions("choosing IVIG or SCIG")
    vaccine_guidance("cvid")           # the patient's and the household's vaccines
    show_summary("ig_replacement")     # the printable one-page summary, shown in a notebook
    summary_html("cvid")               # the same page as a complete HTML document

Every table comes from ``data/urgent_signs.csv``, ``data/care_questions.csv``,
``data/family_vaccines.csv``, ``data/anc_bands.csv``, ``data/disorders.csv`` and
``data/glossary.csv`` (see data/README.md); nothing here states a fact of its own.
No function names a treatment as a choice for the reader: the summaries list signs,
questions and vaccine guidance, never treatment options.

Bad input never raises: the table functions return a :class:`widgets.display.Message`,
and :func:`summary_html` raises ``ValueError`` with the allowed names (the tool turns it
into a one-line message). Pure Python, pandas and the data layer: no matplotlib, no ipywidgets.
"""
from __future__ import annotations

import html
import math

from widgets.data import FEVER_URGENCY, URGENT_LEVELS, DataError, load, sources_for, split_ids
from widgets.display import Message, Table

__all__ = [
    "CONDITIONS", "LOW_BAND_URGENCY", "urgent_signs", "fever_bands", "care_questions",
    "vaccine_guidance", "summary_html", "show_summary", "FamilySummary", "FamilyTable",
]

# The conditions with a one-page summary: which rows of each families' table belong to them.
CONDITIONS = {
    "ain": {
        "title": "Autoimmune neutropenia of infancy",
        "disorder_id": "autoimmune_neutropenia_primary",
        "glossary_term": "autoimmune neutropenia",
        "urgent": ("autoimmune neutropenia", "any"),
        "questions": ("new AIN diagnosis in an infant",),
        "vaccines": ("autoimmune neutropenia", "household"),
        "fever_bands": True,
    },
    "cvid": {
        "title": "Common variable immunodeficiency (CVID)",
        "disorder_id": "cvid",
        "glossary_term": "CVID",
        "urgent": ("CVID", "any"),
        "questions": ("CVID",),
        "vaccines": ("CVID", "household"),
        "fever_bands": False,
        "see_also": "ig_replacement",
    },
    "ig_replacement": {
        "title": "Immunoglobulin replacement (IVIG or SCIG)",
        "disorder_id": None,
        "glossary_term": "immunoglobulin replacement",
        "urgent": ("immunoglobulin replacement", "any"),
        "questions": ("starting immunoglobulin replacement", "choosing IVIG or SCIG"),
        "vaccines": ("immunoglobulin replacement", "household"),
        "fever_bands": False,
    },
}

# anc_bands.csv: the urgency every band below 1,000 per microlitre carries; urgent signs are
# listed from the most urgent level down (both defined once, in widgets.data).
LOW_BAND_URGENCY = FEVER_URGENCY
URGENCY_ORDER = URGENT_LEVELS


class FamilyTable(Table):
    """A table of the families' data, with its text left-aligned for easy reading."""

    def _repr_html_(self):
        return ('<div class="ib-family"><style>.ib-family td, .ib-family th {text-align: left !important; '
                'vertical-align: top;}</style>' + super()._repr_html_() + "</div>")


def _condition(condition):
    if condition not in CONDITIONS:
        raise ValueError(f"Unknown condition {condition!r}; choose one of {', '.join(CONDITIONS)}.")
    return CONDITIONS[condition]


def _load(name):
    try:
        return load(name), None
    except DataError as exc:
        return None, Message(f"Could not load table '{name}': {exc}")


def _ids(df):
    out = []
    for cell in df["source_ids"]:
        for sid in split_ids(cell):
            if sid not in out:
                out.append(sid)
    return out


def _urgent_rows(condition=None):
    df, problem = _load("urgent_signs")
    if problem:
        return None, problem
    if condition is not None:
        try:
            spec = _condition(condition)
        except ValueError as exc:
            return None, Message(str(exc))
        df = df[df["condition"].isin(spec["urgent"])]
    order = {u: i for i, u in enumerate(URGENCY_ORDER)}
    df = df.assign(_rank=df["urgency"].map(order)).sort_values("_rank", kind="stable").drop(columns="_rank")
    return df.reset_index(drop=True), None


def urgent_signs(condition=None):
    """Signs that need help now (all of them, or those of ``condition``: 'ain', 'cvid',
    'ig_replacement'), most urgent first, with what to do and what to say on the phone."""
    df, problem = _urgent_rows(condition)
    if problem:
        return problem
    out = df[["sign", "urgency", "what_to_do", "say_on_the_phone"]].rename(columns={
        "sign": "If you see this", "urgency": "How fast", "what_to_do": "What to do",
        "say_on_the_phone": "What to say on the phone"})
    return FamilyTable(out, caption="When to get help now", source_ids=_ids(df))


def _low_bands():
    df, problem = _load("anc_bands")
    if problem:
        return None, problem
    low = df[df["urgency"] == LOW_BAND_URGENCY].copy()
    low = low.sort_values(["population", "anc_min_per_ul"], ascending=[False, False]).reset_index(drop=True)
    return low, None


def _band_range(row):
    upper = row["anc_max_per_ul"]
    if isinstance(upper, float) and math.isnan(upper):
        return f"{row['anc_min_per_ul']:,.0f} or more"
    return f"{row['anc_min_per_ul']:,.0f} to under {upper:,.0f}"


AGE_WORDS = {"infant": "under 1 year", "over_1_year": "1 year and older"}


def fever_bands():
    """Every neutrophil band that needs a same-day review when there is a fever, at every age,
    with the action the data gives for a fever."""
    low, problem = _low_bands()
    if problem:
        return problem
    out = low.assign(
        age=low["population"].map(AGE_WORDS).fillna(low["population"]),
        count=[_band_range(r) for _, r in low.iterrows()],
    )[["age", "count", "severity", "urgency", "fever_action"]].rename(columns={
        "age": "Age", "count": "Neutrophils per microlitre", "severity": "Band",
        "urgency": "If there is a fever", "fever_action": "What to do"})
    return FamilyTable(out, caption="Low neutrophil counts and fever", source_ids=_ids(low))


def care_questions(situation):
    """The questions for the care team in one situation of ``care_questions.csv``."""
    df, problem = _load("care_questions")
    if problem:
        return problem
    known = list(dict.fromkeys(df["situation"]))
    if situation not in known:
        return Message(f"No questions for {situation!r}. Situations: {', '.join(known)}.")
    rows = df[df["situation"] == situation].reset_index(drop=True)
    out = rows[["question", "why_it_matters"]].rename(columns={"question": "Question", "why_it_matters": "Why it matters"})
    return FamilyTable(out, caption=f"Questions to ask: {situation}", source_ids=_ids(rows))


def vaccine_guidance(condition):
    """What the vaccine guidelines say for the patient with ``condition`` and for the household."""
    try:
        spec = _condition(condition)
    except ValueError as exc:
        return Message(str(exc))
    df, problem = _load("family_vaccines")
    if problem:
        return problem
    rows = df[df["condition"].isin(spec["vaccines"])].reset_index(drop=True)
    out = rows[["who", "vaccines", "guidance", "note"]].rename(columns={
        "who": "For", "vaccines": "Vaccines", "guidance": "What the guidelines say", "note": "Why"})
    return FamilyTable(out, caption="Vaccines for the patient and the household", source_ids=_ids(rows))


# --------------------------------------------------------------------------- one-page summaries

PRINT_CSS = """
@page { margin: 9mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 8.1pt; line-height: 1.22;
       color: #111; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 14pt; margin: 0 0 2pt 0; }
h2 { font-size: 10pt; margin: 4pt 0 2pt 0; padding-bottom: 1pt; border-bottom: 1.5pt solid #0072B2; }
p { margin: 0 0 3pt 0; }
.lead { font-size: 8.8pt; }
.banner { border: 1.5pt solid #D55E00; padding: 3pt 5pt; margin: 4pt 0; }
table { width: 100%; border-collapse: collapse; margin: 0 0 2pt 0; }
th, td { text-align: left; vertical-align: top; padding: 1.5pt 3pt; border-bottom: 0.5pt solid #bbb; }
th { background: #eef3f8; font-size: 8pt; }
.urg { font-weight: bold; }
.urg-emergency { color: #a33b00; }
.signs { column-count: 2; column-gap: 10pt; }
.sign { break-inside: avoid; margin: 0 0 3pt 0; padding: 2pt 4pt; border-left: 2pt solid #0072B2; }
.cols { display: flex; gap: 8pt; }
.cols > div { flex: 1 1 0; }
ul { margin: 0 0 2pt 12pt; padding: 0; }
li { margin: 0 0 1.5pt 0; }
.small { font-size: 7pt; color: #333; }
.sources { font-size: 6.4pt; color: #333; margin-top: 4pt; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _e(text) -> str:
    return html.escape(str(text))


def _intro(spec):
    """The plain-language description of the condition, from the data."""
    ids = []
    if spec["disorder_id"]:
        df = load("disorders")
        row = df[df["disorder_id"] == spec["disorder_id"]].iloc[0]
        ids += split_ids(row["source_ids"])
        return row["summary"], ids
    glossary = load("glossary")
    row = glossary[glossary["term"].str.lower() == spec["glossary_term"].lower()].iloc[0]
    ids += split_ids(row["source_ids"])
    return row["definition"], ids


def _summary_parts(condition):
    spec = _condition(condition)
    ids = []
    parts = []
    intro, intro_ids = _intro(spec)
    ids += intro_ids
    parts.append(f'<p class="lead">{_e(intro)}</p>')
    parts.append('<p class="banner"><strong>This page is for learning, not medical advice.</strong> '
                 "Your own care team's plan comes first. Keep their phone numbers here: "
                 "day ______________ &nbsp; night and weekends ______________</p>")

    urgent, problem = _urgent_rows(condition)
    if problem:
        raise DataError(problem.text)
    ids += _ids(urgent)
    items = []
    for _, r in urgent.iterrows():
        cls = "urg urg-emergency" if r["urgency"] == URGENCY_ORDER[0] else "urg"
        items.append(f'<div class="sign"><span class="{cls}">{_e(r["urgency"][0].upper() + r["urgency"][1:])}:</span> '
                     f"{_e(r['sign'])} <em>What to do:</em> {_e(r['what_to_do'])} "
                     f'<span class="small"><strong>On the phone, say:</strong> {_e(r["say_on_the_phone"])}</span></div>')
    parts.append('<h2>When to get help now</h2><div class="signs">' + "".join(items) + "</div>")
    if spec.get("see_also"):
        other = CONDITIONS[spec["see_also"]]["title"]
        parts.append(f"<p>If you receive immunoglobulin, also keep the page <em>{_e(other)}</em>: it lists the "
                     "signs to watch for during and after infusions.</p>")

    if spec["fever_bands"]:
        low, problem = _low_bands()
        if problem:
            raise DataError(problem.text)
        ids += _ids(low)
        brows = []
        for population, group in low.groupby("population", sort=False):
            bands = " &middot; ".join(f"{_e(r['severity'])} ({_e(_band_range(r))})" for _, r in group.iterrows())
            urgencies = " / ".join(_e(u) for u in dict.fromkeys(group["urgency"]))
            brows.append(f"<tr><td>{_e(AGE_WORDS.get(population, population))}</td><td>{bands}</td>"
                         f"<td class=\"urg\">{urgencies}</td></tr>")
        actions = list(dict.fromkeys(low["fever_action"]))
        parts.append("<h2>Low neutrophil counts and fever</h2><table><thead><tr><th>Age</th>"
                     "<th>Bands (neutrophils per microlitre)</th><th>If there is a fever</th></tr></thead>"
                     "<tbody>" + "".join(brows) + "</tbody></table>"
                     + "".join(f"<p><strong>What to do:</strong> {_e(a)}</p>" for a in actions))

    qdf = load("care_questions")
    qrows = qdf[qdf["situation"].isin(spec["questions"])]
    ids += _ids(qrows)
    qhtml = []
    for situation in spec["questions"]:
        items = qrows[qrows["situation"] == situation]
        qhtml.append(f"<p><strong>{_e(situation[0].upper() + situation[1:])}</strong></p><ul>"
                     + "".join(f"<li>{_e(r['question'])}</li>" for _, r in items.iterrows()) + "</ul>")
    vdf = load("family_vaccines")
    vrows = vdf[vdf["condition"].isin(spec["vaccines"])]
    ids += _ids(vrows)
    vhtml = []
    for who, label in (("patient", "For the patient"), ("household", "For the people at home")):
        items = vrows[vrows["who"] == who]
        if items.empty:
            continue
        vhtml.append(f"<p><strong>{label}</strong></p><ul>"
                     + "".join(f"<li><strong>{_e(r['guidance'])}:</strong> {_e(r['vaccines'])}. "
                               f"<span class=\"small\">{_e(r['note'])}</span></li>" for _, r in items.iterrows())
                     + "</ul>")
    parts.append('<div class="cols"><div><h2>Questions to ask the care team</h2>' + "".join(qhtml)
                 + '</div><div><h2>Vaccines: what the guidelines say</h2>' + "".join(vhtml) + "</div></div>")

    unique = list(dict.fromkeys(ids))
    src = sources_for(unique)
    parts.append('<p class="sources"><strong>Sources</strong> (every line above comes from the Immune Balance '
                 "data tables, which cite them): "
                 + "; ".join(f"{_e(_short(r['title']))} ({_e(_short(r['publisher'], 40))}"
                             f"{', ' + str(int(r['year'])) if not _isna(r['year']) else ''})"
                             for _, r in src.iterrows())
                 + ".</p>")
    return spec, "\n".join(parts), unique


def _short(text, limit=70):
    """A title cut at a word boundary, for the sources line of a printed page."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def _isna(value):
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False


def summary_html(condition) -> str:
    """The one-page summary for ``condition`` ('ain', 'cvid', 'ig_replacement') as a complete,
    self-contained HTML page (inline CSS, no scripts, no outside resources), ready to print."""
    spec, body, _ = _summary_parts(condition)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(spec['title'])}: a one-page summary for families</title>"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{PRINT_CSS}</style>"
            f"</head><body><main><h1>{_e(spec['title'])}</h1>"
            "<p class=\"small\">A one-page summary for families from the Immune Balance teaching series "
            "(notebook 9, <em>For families</em>).</p>"
            f"{body}</main></body></html>\n")


class FamilySummary:
    """A one-page summary shown inside a notebook (``ok`` is True); ``.html`` is the full page."""

    ok = True

    def __init__(self, condition):
        self.condition = condition
        self.spec, self.body, self.source_ids = _summary_parts(condition)
        self.html = summary_html(condition)

    def _repr_html_(self):
        return (f'<div class="ib-family-summary" style="border:1px solid #999;padding:8px;max-width:60em">'
                f"<h3>{_e(self.spec['title'])}</h3>{self.body}</div>")

    def __repr__(self):
        return f"FamilySummary({self.condition!r}): {len(self.body)} characters of HTML"


def show_summary(condition):
    """The one-page summary of ``condition`` for a notebook, or a friendly message."""
    try:
        return FamilySummary(condition)
    except ValueError as exc:  # DataError is a ValueError too
        return Message(str(exc))
