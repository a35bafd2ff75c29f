"""Educational clinical rules: neutrophil counts, immunoglobulin ranges, ALPS and CVID criteria.

These functions show *how* published rules work so learners can try cases.
They are teaching aids, not diagnostic tools: real diagnosis needs a clinician,
repeated tests, the local laboratory's own ranges and the full criteria text.

Sources (ids in ``data/sources.csv``)
* ANC bands and infection risk: ``data/anc_bands.csv`` (its ``source_ids``;
  e.g. ``capsoni2005_ain``, ``medscape_neutropenia_grades``); benign
  Duffy-null neutropenia: ``haddy1999_ben``, ``merz2023_duffy``.
* Immunoglobulin reference ranges: ``data/reference_ranges.csv`` (its
  ``source_ids``); selective IgA deficiency (IgA < 7 mg/dL after age 4 with
  normal IgG and IgM): ``msd_iga_deficiency``, ``statpearls_iga_deficiency``.
* ALPS: revised criteria of the 2009 NIH International Workshop, Oliveira et
  al., Blood 2010;116:e35-40 (``oliveira2010_alps``).
* CVID: ESID Registry working definition (2014) (``esid_cvid_definition``),
  as reproduced by Ameratunga et al., Front Immunol 2014;5:415
  (``ameratunga2014_cvid_criteria``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = [
    "AncResult",
    "IgResult",
    "CriteriaResult",
    "anc_from_cbc",
    "classify_anc",
    "classify_immunoglobulin",
    "check_alps_criteria",
    "check_cvid_criteria",
    "treatments_by_status",
    "ALPS_FINDINGS",
    "CVID_FINDINGS",
]

DUFFY_NOTE = (
    "Many healthy people of African or Middle Eastern ancestry who carry the Duffy-null "
    "blood group have counts below the usual cut-off without extra infections "
    "(Duffy-null associated, once called benign ethnic, neutropenia); a low count on its "
    "own is not a diagnosis."
)
DUFFY_SOURCES = ("haddy1999_ben", "merz2023_duffy")
DUFFY_FLOOR_PER_UL = 1000.0
SIGAD_SOURCES = ("msd_iga_deficiency",)
SIGAD_CUTOFF_MG_DL = 7.0
SIGAD_MIN_AGE_YEARS = 4.0


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class AncResult:
    """Result of ``classify_anc``: severity band of an absolute neutrophil count."""

    anc_per_ul: float
    severity: str                 # normal / mild / moderate / severe / agranulocytosis
    population: str               # over_1_year / infant
    threshold_per_ul: float       # below this count = neutropenia for this population
    band_min_per_ul: float
    band_max_per_ul: float | None
    infection_risk: str
    notes: tuple = ()
    source_ids: tuple = ()
    urgency: str = "routine"      # routine / same-day review if fever (data/anc_bands.csv)
    fever_action: str = ""        # what to do with a fever at this count, in plain words

    @property
    def neutropenic(self) -> bool:
        return self.anc_per_ul < self.threshold_per_ul

    @property
    def fever_warning(self) -> bool:
        """True when a fever at this count needs a doctor the same day."""
        from widgets.data import FEVER_URGENCY

        return self.urgency == FEVER_URGENCY


@dataclass(frozen=True)
class IgResult:
    """Result of ``classify_immunoglobulin``."""

    analyte: str
    value_mg_dl: float
    age_years: float
    status: str                   # low / normal / high
    low: float
    high: float
    age_band: str                 # e.g. "4-10 years"
    lab: str
    notes: tuple = ()
    source_ids: tuple = ()


@dataclass(frozen=True)
class CriteriaResult:
    """Result of a criteria checker: verdict, what is met, what is missing, in plain words."""

    verdict: str
    met: tuple = field(default_factory=tuple)
    missing: tuple = field(default_factory=tuple)
    explanation: str = ""
    source_ids: tuple = ()

    def _repr_html_(self) -> str:
        """How a notebook shows the result: verdict, explanation, then what is met and missing."""
        from html import escape

        def items(values):
            return "".join(f"<li>{escape(str(v))}</li>" for v in values) or "<li>none</li>"

        return (f"<div><p><strong>Verdict: {escape(self.verdict)}</strong></p>"
                f"<p>{escape(self.explanation)}</p>"
                f"<p>Criteria met:</p><ul>{items(self.met)}</ul>"
                f"<p>Still missing or not met:</p><ul>{items(self.missing)}</ul></div>")


# ----------------------------------------------------------------------------- helpers
def _number(name, value, low, high, unit=""):
    unit_text = f" {unit}" if unit else ""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}{unit_text}; got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}{unit_text}; got {value!r}.") from None
    if not math.isfinite(number) or number < low or number > high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}{unit_text}; got {value!r}.")
    return number


def _ids(text):
    from widgets.data import split_ids

    return tuple(split_ids(text))


def _fmt(x):
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


# ----------------------------------------------------------------------------- ANC
def anc_from_cbc(wbc_per_ul, neutrophil_pct, band_pct=0):
    """Absolute neutrophil count (cells/uL) from a blood count.

    ANC = white cells per uL x (segmented neutrophils % + band forms %) / 100.
    ``wbc_per_ul`` 0-500,000 cells/uL (a count in 10^9/L, e.g. 4.5, is 4,500/uL);
    percentages 0-100 and together at most 100.
    """
    wbc = _number("wbc_per_ul", wbc_per_ul, 0, 500_000, "cells/uL")
    seg = _number("neutrophil_pct", neutrophil_pct, 0, 100, "%")
    band = _number("band_pct", band_pct, 0, 100, "%")
    if seg + band > 100:
        raise ValueError(
            f"neutrophil_pct + band_pct must be at most 100%; got {seg:g} + {band:g} = {seg + band:g}."
        )
    return wbc * (seg + band) / 100.0


def classify_anc(anc_per_ul, age_years=None, data_dir=None):
    """Severity band of an absolute neutrophil count (cells/uL) from ``data/anc_bands.csv``.

    Children under 1 year use the ``infant`` bands (a lower neutropenia
    cut-off); everyone else, and calls without an age, the ``over_1_year`` bands.
    ``notes`` always say which cut-off was used and, when the count is low, add
    the Duffy-null caveat.  Returns an ``AncResult``.
    """
    from widgets.data import load

    anc = _number("anc_per_ul", anc_per_ul, 0, 500_000, "cells/uL")
    age = None if age_years is None else _number("age_years", age_years, 0, 120, "years")
    population = "infant" if age is not None and age < 1 else "over_1_year"
    bands = load("anc_bands", data_dir=data_dir)
    bands = bands[bands["population"] == population].sort_values("anc_min_per_ul")
    if bands.empty:
        raise ValueError(f"data/anc_bands.csv has no bands for population {population!r}.")
    normal = bands[bands["severity"] == "normal"]
    threshold = float(normal["anc_min_per_ul"].iloc[0]) if not normal.empty else float("nan")
    row = bands[bands["anc_min_per_ul"] <= anc].iloc[-1]
    band_max = row["anc_max_per_ul"]
    band_max = None if band_max is None or (isinstance(band_max, float) and math.isnan(band_max)) else float(band_max)
    notes = []
    if population == "infant":
        notes.append(f"Infant (under 1 year) cut-off used: neutropenia means fewer than {_fmt(threshold)} per \u00b5L.")
    else:
        notes.append(f"Cut-off for ages 1 year and over: neutropenia means fewer than {_fmt(threshold)} per \u00b5L.")
        if age is None:
            notes.append("No age given, so the over-1-year cut-off was used; infants have a lower cut-off.")
    sources = list(_ids(row["source_ids"]))
    # Duffy-null counts sit mostly above 1,000/uL (Merz 2023); a lower count is never
    # explained away by it, so the caveat is shown only for mild neutropenia.
    if DUFFY_FLOOR_PER_UL <= anc < threshold:
        notes.append(DUFFY_NOTE)
        sources += [s for s in DUFFY_SOURCES if s not in sources]
    return AncResult(
        anc_per_ul=anc,
        severity=str(row["severity"]),
        population=population,
        threshold_per_ul=threshold,
        band_min_per_ul=float(row["anc_min_per_ul"]),
        band_max_per_ul=band_max,
        infection_risk=str(row["infection_risk"]),
        notes=tuple(notes),
        source_ids=tuple(sources),
        urgency=str(row["urgency"]),
        fever_action=str(row["fever_action"]),
    )


# ----------------------------------------------------------------------------- treatment status
TREATMENT_GROUPS = ("standard", "selected cases", "rejected")


def treatments_by_status(treatments):
    """Group treatment rows by what the sources say of them (``status`` in treatments.csv).

    Returns ``{"standard": [...], "selected cases": [...], "rejected": [...]}``, each a list
    of dicts with ``treatment``, ``treatment_class``, ``line``, ``status``, ``note``,
    ``source_ids``; one entry per treatment name (the first row wins).  "rejected" holds the
    rows that are *not recommended* or *contraindicated*: they are never options, and a
    display shows them only crossed out with the note (the reason).
    """
    from widgets.data import REJECTED_STATUSES

    groups = {g: [] for g in TREATMENT_GROUPS}
    seen = set()
    for row in treatments.to_dict("records"):
        name = row["treatment"]
        if name in seen:
            continue
        seen.add(name)
        status = row.get("status", "standard") or "standard"
        group = "rejected" if status in REJECTED_STATUSES else (
            "selected cases" if status == "selected cases" else "standard")
        groups[group].append({k: row.get(k, "") for k in
                              ("treatment", "treatment_class", "line", "status", "note", "source_ids")})
    return groups


# ----------------------------------------------------------------------------- immunoglobulins
def _age_band_text(a, b):
    """'0-5 months', '15-24 months', '4-7 years' or '18 years and over' (upper age exclusive)."""
    if b <= 2:
        return f"{round(a * 12, 1):g}-{round(b * 12, 1):g} months"
    return f"{a:g}-{b:g} years" if b < 120 else f"{a:g} years and over"


def classify_immunoglobulin(analyte, value_mg_dl, age_years, lab=None, data_dir=None):
    """Is a serum immunoglobulin level low, normal or high for age?

    ``analyte`` IgG, IgA or IgM (any capitalisation); ``value_mg_dl`` in mg/dL
    (g/L x 100); ``age_years`` 0-120.  Uses ``data/reference_ranges.csv``
    (age bands: minimum inclusive, maximum exclusive) from ``lab`` (default: the
    first lab in the table that covers this age).  For IgA it also applies the
    selective IgA deficiency rule (IgA below 7 mg/dL after age 4; the diagnosis
    also needs normal IgG and IgM).  Returns an ``IgResult``.
    """
    from widgets.data import load

    names = {"igg": "IgG", "iga": "IgA", "igm": "IgM"}
    key = str(analyte).strip().lower()
    if key not in names:
        raise ValueError(f"analyte must be one of IgG, IgA, IgM; got {analyte!r}.")
    analyte = names[key]
    value = _number("value_mg_dl", value_mg_dl, 0, 20_000, "mg/dL")
    age = _number("age_years", age_years, 0, 120, "years")
    table = load("reference_ranges", data_dir=data_dir)
    rows = table[(table["analyte"] == analyte) & (table["unit"] == "mg/dL")]
    labs = list(dict.fromkeys(rows["lab"]))
    if lab is not None:
        if lab not in labs:
            raise ValueError(f"lab must be one of {labs} for {analyte}; got {lab!r}.")
        labs = [lab]
    match = None
    for name in labs:
        # upper age exclusive, except at 120 years (the oldest age accepted), which the top band includes
        below_max = (age < rows["age_max_years"]) | ((age == 120) & (rows["age_max_years"] >= 120))
        cand = rows[(rows["lab"] == name) & (rows["age_min_years"] <= age) & below_max]
        if not cand.empty:
            match = cand.iloc[0]
            break
    if match is None:
        covered = ", ".join(f"{r.age_min_years:g}-{r.age_max_years:g}" for r in rows.itertuples())
        raise ValueError(f"No {analyte} reference range covers age {age:g} years (covered ages: {covered}).")
    low, high = float(match["low"]), float(match["high"])
    status = "low" if value < low else "high" if value > high else "normal"
    notes = []
    sources = list(_ids(match["source_ids"]))
    if analyte == "IgA" and value < SIGAD_CUTOFF_MG_DL:
        if age > SIGAD_MIN_AGE_YEARS:
            notes.append(
                "IgA below 7 mg/dL after age 4 fits selective IgA deficiency if IgG and IgM are "
                "normal and other causes are excluded."
            )
        else:
            notes.append(
                "IgA is very low, but selective IgA deficiency is only diagnosed after age 4, "
                "because IgA production matures slowly in young children."
            )
        sources += [s for s in SIGAD_SOURCES if s not in sources]
    note = match.get("note") if hasattr(match, "get") else None
    if isinstance(note, str) and note.strip():
        notes.append(note.strip())
    return IgResult(
        analyte=analyte,
        value_mg_dl=value,
        age_years=age,
        status=status,
        low=low,
        high=high,
        age_band=_age_band_text(float(match["age_min_years"]), float(match["age_max_years"])),
        lab=str(match["lab"]),
        notes=tuple(notes),
        source_ids=tuple(sources),
    )


# ----------------------------------------------------------------------------- criteria helpers
def _check_findings(kind, findings, allowed):
    unknown = sorted(set(findings) - set(allowed))
    if unknown:
        raise ValueError(
            f"Unknown {kind} finding(s) {unknown}. Allowed: {', '.join(allowed)}."
        )
    clean = {}
    for name, value in findings.items():
        spec = allowed[name]
        if value is None:
            clean[name] = None
        elif spec[0] == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{name} must be True, False or None (unknown); got {value!r}.")
            clean[name] = value
        else:
            clean[name] = _number(name, value, 0, spec[2], spec[1])
    return clean


# ----------------------------------------------------------------------------- ALPS
#: finding name -> ("bool", meaning) or ("number", unit, max, meaning)
ALPS_FINDINGS = {
    "chronic_lymphadenopathy_or_splenomegaly": ("bool", "lasting over 6 months, not cancer, not infection"),
    "dnt_pct_of_lymphocytes": ("number", "%", 100, "alpha-beta double-negative T cells, % of all lymphocytes"),
    "dnt_pct_of_cd3": ("number", "%", 100, "alpha-beta double-negative T cells, % of CD3+ T cells"),
    "lymphocyte_count_normal_or_high": ("bool", "total lymphocytes normal or raised"),
    "defective_apoptosis": ("bool", "defective lymphocyte apoptosis in 2 separate assays"),
    "pathogenic_variant": ("bool", "somatic or germline disease-causing variant in FAS, FASLG or CASP10"),
    "sfasl_pg_ml": ("number", "pg/mL", 1e6, "plasma soluble FAS ligand"),
    "il10_pg_ml": ("number", "pg/mL", 1e6, "plasma interleukin-10"),
    "vitamin_b12_ng_l": ("number", "ng/L", 1e6, "serum or plasma vitamin B12"),
    "il18_pg_ml": ("number", "pg/mL", 1e6, "plasma interleukin-18"),
    "typical_immunohistology": ("bool", "lymph-node histology typical of ALPS, read by a pathologist"),
    "autoimmune_cytopenias_with_polyclonal_hyper_igg": ("bool", "autoimmune cytopenias plus polyclonal raised IgG"),
    "family_history": ("bool", "family history of non-cancer lymphoproliferation, with or without autoimmunity"),
}
ALPS_THRESHOLDS = {"dnt_pct_of_lymphocytes": 1.5, "dnt_pct_of_cd3": 2.5, "sfasl_pg_ml": 200,
                   "il10_pg_ml": 20, "vitamin_b12_ng_l": 1500, "il18_pg_ml": 500}


def check_alps_criteria(**findings):
    """Revised ALPS criteria (2009 NIH workshop; Oliveira et al., Blood 2010; ``oliveira2010_alps``).

    Required (both): (1) chronic (> 6 months) non-malignant, non-infectious
    lymphadenopathy and/or splenomegaly; (2) alpha-beta double-negative T cells
    (DNT) > 1.5% of all lymphocytes or > 2.5% of CD3+ T cells, with a normal or
    raised lymphocyte count.
    Primary accessory: defective lymphocyte apoptosis; variant in FAS, FASLG or CASP10.
    Secondary accessory: sFASL > 200 pg/mL, IL-10 > 20 pg/mL, vitamin B12 > 1,500 ng/L
    or IL-18 > 500 pg/mL; typical immunohistology; autoimmune cytopenias with
    polyclonal hyper-IgG; family history.
    Verdict: ``definitive`` (both required + a primary accessory), ``probable``
    (both required + a secondary accessory), otherwise ``not met``.  Findings
    left out or None count as not shown.  Keyword names: ``ALPS_FINDINGS``.
    """
    f = _check_findings("ALPS", findings, ALPS_FINDINGS)
    met, missing = [], []

    req1 = f.get("chronic_lymphadenopathy_or_splenomegaly") is True
    (met if req1 else missing).append(
        "Required: long-lasting (over 6 months) enlarged lymph nodes and/or spleen, not due to cancer or infection")

    dnt_l, dnt_c = f.get("dnt_pct_of_lymphocytes"), f.get("dnt_pct_of_cd3")
    dnt_high = (dnt_l is not None and dnt_l > 1.5) or (dnt_c is not None and dnt_c > 2.5)
    lymph_ok = f.get("lymphocyte_count_normal_or_high") is not False
    req2 = dnt_high and lymph_ok
    if req2:
        met.append("Required: raised double-negative T cells (over 1.5% of lymphocytes or over 2.5% of T cells)")
    elif dnt_high and not lymph_ok:
        missing.append("Required: raised double-negative T cells only count when the lymphocyte count is normal or high")
    else:
        missing.append("Required: double-negative T cells over 1.5% of lymphocytes or over 2.5% of CD3+ T cells")

    primary = []
    if f.get("defective_apoptosis") is True:
        primary.append("Primary accessory: lymphocytes fail to die normally (apoptosis test)")
    if f.get("pathogenic_variant") is True:
        primary.append("Primary accessory: disease-causing variant in FAS, FASLG or CASP10")
    secondary = []
    for name, label in (("sfasl_pg_ml", "soluble FAS ligand over 200 pg/mL"),
                        ("il10_pg_ml", "IL-10 over 20 pg/mL"),
                        ("vitamin_b12_ng_l", "vitamin B12 over 1,500 ng/L"),
                        ("il18_pg_ml", "IL-18 over 500 pg/mL")):
        if f.get(name) is not None and f[name] > ALPS_THRESHOLDS[name]:
            secondary.append(f"Secondary accessory: {label}")
    for name, label in (("typical_immunohistology", "typical lymph-node histology"),
                        ("autoimmune_cytopenias_with_polyclonal_hyper_igg",
                         "autoimmune cytopenias with raised polyclonal IgG"),
                        ("family_history", "family history of lymphoproliferation")):
        if f.get(name) is True:
            secondary.append(f"Secondary accessory: {label}")
    met += primary + secondary

    if req1 and req2 and primary:
        verdict = "definitive"
        explanation = ("Both required criteria and at least one primary accessory criterion are present: "
                       "this meets the definition of definitive ALPS.")
    elif req1 and req2 and secondary:
        verdict = "probable"
        explanation = ("Both required criteria and a secondary accessory criterion are present: probable ALPS. "
                       "The workshop advised treating and following it as ALPS while apoptosis or genetic tests "
                       "are done.")
        missing.append("Primary accessory (for a definitive diagnosis): apoptosis defect or FAS/FASLG/CASP10 variant")
    else:
        verdict = "not met"
        if req1 and req2:
            missing.append("At least one accessory criterion (primary or secondary)")
            explanation = ("Both required criteria are present, but no accessory criterion yet, so ALPS is "
                           "neither definitive nor probable.")
        else:
            explanation = ("At least one required criterion is missing, so the ALPS criteria are not met. "
                           "Remember: ALPS is a failure of lymphocyte apoptosis, so the required findings are "
                           "too many lymphocytes, not too few.")
    return CriteriaResult(verdict, tuple(met), tuple(missing), explanation, ("oliveira2010_alps",))


# ----------------------------------------------------------------------------- CVID
CVID_FINDINGS = {
    "increased_infection_susceptibility": ("bool", "more, or more severe, infections than expected"),
    "autoimmune_manifestations": ("bool", "autoimmune disease, e.g. ITP or autoimmune haemolytic anaemia"),
    "granulomatous_disease": ("bool", "granulomas"),
    "unexplained_polyclonal_lymphoproliferation": ("bool", "enlarged lymph nodes or spleen without a cause"),
    "family_member_with_antibody_deficiency": ("bool", "a relative with antibody deficiency"),
    "marked_low_igg": ("bool", "IgG below 2 SD of normal for age, measured at least twice"),
    "marked_low_iga": ("bool", "IgA below 2 SD of normal for age, measured at least twice"),
    "poor_vaccine_response": ("bool", "no protective antibody levels despite vaccination"),
    "absent_isohemagglutinins": ("bool", "no natural anti-A/anti-B antibodies (where expected)"),
    "low_switched_memory_b_cells": ("bool", "switched memory B cells below 70% of the age-related normal"),
    "secondary_causes_excluded": ("bool", "drugs, protein loss, cancers and other causes ruled out"),
    "age_years": ("number", "years", 120, "age when the diagnosis is made"),
    "cd4_per_ul": ("number", "cells/uL", 1e5, "CD4 T-cell count"),
    "naive_cd4_pct": ("number", "%", 100, "naive CD4 T cells, % of CD4"),
    "t_cell_proliferation_absent": ("bool", "T cells do not proliferate in the laboratory test"),
}


def _low_cd4(cd4, age):
    if cd4 is None or age is None or age < 2:
        return None
    limit = 300 if age < 6 else 250 if age < 12 else 200
    return cd4 < limit


def _low_naive(pct, age):
    if pct is None or age is None or age < 2:
        return None
    limit = 25 if age < 6 else 20 if age < 16 else 10
    return pct < limit


def check_cvid_criteria(**findings):
    """ESID Registry working definition of CVID (2014) as an educational checklist.

    All of: (1) at least one clinical feature (infections, autoimmunity,
    granulomas, unexplained polyclonal lymphoproliferation, affected relative);
    (2) marked decrease of IgG **and** IgA (IgM may be low or normal), below
    2 SD for age and measured twice; (3) poor vaccine response / absent
    isohaemagglutinins **or** switched memory B cells below 70% of normal;
    (4) secondary causes excluded; (5) diagnosis after the 4th year of life;
    (6) no profound T-cell deficiency (2 of: low CD4 count for age, low % naive
    CD4 for age, absent T-cell proliferation).  Sources: ``esid_cvid_definition``,
    ``ameratunga2014_cvid_criteria``.

    Verdict: ``met``, ``not met`` (a criterion is clearly absent) or
    ``incomplete`` (nothing contradicts it, but some findings are unknown).
    Keyword names: ``CVID_FINDINGS``; None means not known.
    """
    f = _check_findings("CVID", findings, CVID_FINDINGS)
    met, missing = [], []
    states = []  # True / False / None per criterion

    def record(state, text_met, text_missing):
        states.append(state)
        if state is True:
            met.append(text_met)
        else:
            missing.append(text_missing + ("" if state is False else " (not known yet)"))

    clinical = ["increased_infection_susceptibility", "autoimmune_manifestations", "granulomatous_disease",
                "unexplained_polyclonal_lymphoproliferation", "family_member_with_antibody_deficiency"]
    vals = [f.get(k) for k in clinical]
    state = True if any(v is True for v in vals) else (False if all(v is False for v in vals) else None)
    record(state, "At least one typical clinical feature (infections, autoimmunity, granulomas, "
           "lymphoproliferation or an affected relative)",
           "At least one typical clinical feature")

    igg, iga = f.get("marked_low_igg"), f.get("marked_low_iga")
    state = True if (igg is True and iga is True) else (False if (igg is False or iga is False) else None)
    record(state, "Marked decrease of both IgG and IgA", "Marked decrease of both IgG and IgA")

    func = [f.get("poor_vaccine_response"), f.get("absent_isohemagglutinins"), f.get("low_switched_memory_b_cells")]
    state = True if any(v is True for v in func) else (False if all(v is False for v in func) else None)
    record(state, "Poor antibody function (weak vaccine response, absent isohaemagglutinins) "
           "or low switched memory B cells",
           "Poor vaccine response / absent isohaemagglutinins, or low switched memory B cells")

    record(f.get("secondary_causes_excluded"), "Other (secondary) causes of low antibodies ruled out",
           "Other (secondary) causes of low antibodies ruled out")

    age = f.get("age_years")
    record(None if age is None else age > 4, "Diagnosis made after the 4th year of life",
           "Diagnosis made after the 4th year of life (younger children's antibodies are still maturing)")

    t_signs = [_low_cd4(f.get("cd4_per_ul"), age), _low_naive(f.get("naive_cd4_pct"), age),
               f.get("t_cell_proliferation_absent")]
    n_true = sum(v is True for v in t_signs)
    n_unknown = sum(v is None for v in t_signs)
    if n_true >= 2:
        profound = True
    elif n_true + n_unknown < 2:
        profound = False
    else:
        profound = None
    record(None if profound is None else not profound, "No profound T-cell deficiency",
           "No profound T-cell deficiency (2 of: low CD4 count, low naive CD4 %, absent T-cell proliferation)"
           if profound is not True else
           "No profound T-cell deficiency: here 2 or more T-cell signs are present, which points to a combined "
           "immunodeficiency instead")

    if all(s is True for s in states):
        verdict = "met"
        explanation = ("Every part of the ESID working definition is fulfilled: this pattern fits CVID. "
                       "In practice specialists confirm it with repeated tests.")
    elif any(s is False for s in states):
        verdict = "not met"
        explanation = ("At least one part of the definition is clearly absent, so these findings do not fit "
                       "CVID as defined by ESID; look at the missing items for why.")
    else:
        verdict = "incomplete"
        explanation = ("Nothing so far rules CVID out, but some parts are still unknown; the missing items "
                       "say which tests or facts are needed.")
    return CriteriaResult(verdict, tuple(met), tuple(missing), explanation,
                          ("esid_cvid_definition", "ameratunga2014_cvid_criteria"))
