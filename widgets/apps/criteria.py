"""CriteriaChecker: tick a fictional patient's findings, see what a diagnostic checklist says.

    from widgets import CriteriaChecker
    CriteriaChecker("cvid", age_years=34, marked_low_igg=True, ...)
    CriteriaChecker("alps", chronic_lymphadenopathy_or_splenomegaly=True, ...)

Composition only: the rules live in ``widgets.models.clinical`` (``check_cvid_criteria``,
``check_alps_criteria``); this app turns checkboxes and number boxes into their keyword
arguments and shows the ``CriteriaResult`` they return.  Every finding has a
"not known yet" box: ticked, the finding is passed as ``None`` (unknown), which is what
lets the CVID checklist answer "incomplete" instead of "not met"; setting the finding
itself unticks it.
"""
from __future__ import annotations

import ipywidgets as ipw

from ._base import disclaimer_html, esc, finish_for_static_pages, friendly_errors, status_html

#: kind -> (title, name of the rule function in widgets.models.clinical, name of its findings table)
CHECKLISTS = {
    "cvid": ("CVID: the ESID working definition", "check_cvid_criteria", "CVID_FINDINGS"),
    "alps": ("ALPS: the revised criteria (NIH workshop 2009)", "check_alps_criteria", "ALPS_FINDINGS"),
}

# Plain labels for the boxes (the model's own table holds the precise meaning, shown as a tooltip).
LABELS = {
    # CVID
    "increased_infection_susceptibility": "More infections than expected",
    "autoimmune_manifestations": "Autoimmune disease (e.g. ITP)",
    "granulomatous_disease": "Granulomas",
    "unexplained_polyclonal_lymphoproliferation": "Enlarged lymph nodes or spleen, no cause found",
    "family_member_with_antibody_deficiency": "A relative with antibody deficiency",
    "marked_low_igg": "IgG markedly low (twice)",
    "marked_low_iga": "IgA markedly low (twice)",
    "poor_vaccine_response": "Poor response to a test vaccine",
    "absent_isohemagglutinins": "No natural blood-group antibodies",
    "low_switched_memory_b_cells": "Few switched memory B cells",
    "secondary_causes_excluded": "Other causes of low antibodies ruled out",
    "age_years": "Age at diagnosis (years)",
    "cd4_per_ul": "CD4 T cells (per \u00b5L)",
    "naive_cd4_pct": "Naive CD4 T cells (% of CD4)",
    "t_cell_proliferation_absent": "T cells fail to multiply in the lab test",
    # ALPS
    "chronic_lymphadenopathy_or_splenomegaly": "Nodes or spleen enlarged 6+ months, no cancer or infection",
    "dnt_pct_of_lymphocytes": "Double-negative T cells (% of lymphocytes)",
    "dnt_pct_of_cd3": "Double-negative T cells (% of T cells)",
    "lymphocyte_count_normal_or_high": "Lymphocyte count normal or high",
    "defective_apoptosis": "Lab test: lymphocytes fail to die on cue",
    "pathogenic_variant": "Disease-causing variant in FAS, FASLG or CASP10",
    "sfasl_pg_ml": "Soluble FAS ligand (pg/mL)",
    "il10_pg_ml": "IL-10 (pg/mL)",
    "vitamin_b12_ng_l": "Vitamin B12 (ng/L)",
    "il18_pg_ml": "IL-18 (pg/mL)",
    "typical_immunohistology": "Lymph-node biopsy looks typical of ALPS",
    "autoimmune_cytopenias_with_polyclonal_hyper_igg": "Autoimmune low blood counts with high IgG",
    "family_history": "Family history of similar lymph-node swelling",
}

VERDICT_KIND = {"met": "ok", "definitive": "ok", "probable": "ok", "incomplete": "warning", "not met": "info"}


def _clinical():
    from widgets.models import clinical

    return clinical


class CriteriaChecker(ipw.VBox):
    """Checkboxes (and a few number boxes) for one diagnostic checklist, and its verdict.

    ``kind`` is ``"cvid"`` or ``"alps"``; keyword arguments are the fictional patient's
    starting findings, named as in ``CVID_FINDINGS`` / ``ALPS_FINDINGS`` (None or left out:
    not known yet).  Public parts: ``boxes`` (finding -> Checkbox or BoundedFloatText),
    ``unknown`` (finding -> the "not known yet" Checkbox), ``verdict`` (HTML), ``status``.
    ``findings()`` is what is passed to the rule; ``current_result()`` is its ``CriteriaResult``
    (None while the input makes no sense).
    """

    def __init__(self, kind: str = "cvid", **findings):
        super().__init__()
        self.boxes, self.unknown = {}, {}
        self.status = ipw.HTML(status_html())
        self.verdict = ipw.HTML()
        self._result = None
        key = str(kind).strip().lower()
        if key not in CHECKLISTS:
            self.kind = None
            self.status.value = status_html(
                f"There is no checklist called {kind!r}. Choose one of: "
                f"{', '.join(repr(k) for k in CHECKLISTS)}.", "error")
            self.children = [self.status]
            return
        self.kind = key
        title, rule, table = CHECKLISTS[key]
        clinical = _clinical()
        self._rule = getattr(clinical, rule)
        self._spec = getattr(clinical, table)
        start, notes = self._clean_start(findings)
        rows = [self._row(name, spec, start.get(name)) for name, spec in self._spec.items()]
        half = (len(rows) + 1) // 2
        self.children = [
            ipw.HTML(f"<h4 style='margin:4px 0'>{esc(title)}</h4>"
                     "<p style='margin:2px 0'>Tick what the fictional patient has. Tick "
                     "<em>not known yet</em> for anything not tested.</p>"),
            ipw.HBox([ipw.VBox(rows[:half]), ipw.VBox(rows[half:])],
                     layout=ipw.Layout(flex_flow="row wrap")),
            self.status, self.verdict, ipw.HTML(disclaimer_html()),
        ]
        self._startup_notes = notes
        self.update()
        finish_for_static_pages(self)

    # -- building ---------------------------------------------------------
    def _clean_start(self, findings):
        """Starting findings the rule knows, with plain notes for the ones it does not."""
        start, notes = {}, []
        for name, value in findings.items():
            spec = self._spec.get(name)
            if spec is None:
                notes.append(f"{name!r} is not a finding of this checklist and was left out.")
            elif value is None:
                continue
            elif spec[0] == "bool" and not isinstance(value, bool):
                notes.append(f"{name}={value!r} should be True or False; it starts as not known.")
            elif spec[0] != "bool" and (isinstance(value, bool) or not isinstance(value, (int, float))
                                        or not 0 <= value <= spec[2]):
                notes.append(f"{name}={value!r} should be a number from 0 to {spec[2]:g}; "
                             "it starts as not known.")
            else:
                start[name] = value
        return start, notes

    def _row(self, name, spec, value):
        label = LABELS.get(name, name.replace("_", " "))
        tip = spec[-1]
        if spec[0] == "bool":
            box = ipw.Checkbox(value=value is True, description=label, indent=False,
                               layout=ipw.Layout(width="380px"))
        else:
            box = ipw.BoundedFloatText(value=0.0 if value is None else float(value), min=0,
                                       max=spec[2], step=0.5 if spec[2] <= 120 else 10,
                                       description=label, layout=ipw.Layout(width="380px"))
            box.style.description_width = "260px"
        box.tooltip = tip
        unknown = ipw.Checkbox(value=value is None, description="not known yet", indent=False,
                               layout=ipw.Layout(width="110px"))
        unknown.tooltip = f"Tick if this has not been tested or asked yet: {label}"
        self.boxes[name], self.unknown[name] = box, unknown

        def on_value(_change, name=name):
            if self.unknown[name].value:  # a learner who sets a finding has now found it out
                self.unknown[name].value = False
            else:
                self.update()

        def on_unknown(_change):
            self.update()

        box.observe(on_value, names="value")
        unknown.observe(on_unknown, names="value")
        return ipw.HBox([box, unknown])

    # -- state ------------------------------------------------------------
    def findings(self) -> dict:
        """The keyword arguments for the rule: None where 'not known yet' is ticked."""
        out = {}
        for name, box in self.boxes.items():
            if self.unknown[name].value:
                out[name] = None
            elif isinstance(box, ipw.Checkbox):
                out[name] = bool(box.value)
            else:
                out[name] = float(box.value)
        return out

    def set_finding(self, name, value):
        """Set one finding as a learner would: True/False/a number, or None for not known."""
        if name not in self.boxes:
            self._say(f"{name!r} is not a finding of this checklist. Choose one of: "
                      f"{', '.join(self.boxes)}.", "error")
            return
        if value is None:
            self.unknown[name].value = True
        else:
            self.boxes[name].value = value

    def current_result(self):
        return self._result

    def _say(self, message="", kind="info"):
        self.status.value = status_html(message, kind)

    def update(self):
        if self.kind is None:
            return
        notes, self._startup_notes = list(getattr(self, "_startup_notes", [])), []
        try:
            result = self._rule(**self.findings())
        except friendly_errors() as exc:
            self._result = None
            self.verdict.value = ""
            self._say(f"{str(exc).strip(chr(39) + chr(34))} The verdict appears once the findings make sense.",
                      "error")
            return
        self._result = result
        self.verdict.value = self.verdict_html(result)
        self._say(" ".join(notes), "warning" if notes else "info")

    @staticmethod
    def verdict_html(result) -> str:
        kind = VERDICT_KIND.get(result.verdict, "info")
        colour = {"ok": "#006b4f", "warning": "#8a5a00", "info": "#0072B2"}[kind]

        def items(values):
            return "".join(f"<li>{esc(v)}</li>" for v in values) or "<li>none</li>"

        return (f'<div role="status" aria-live="polite" style="border-left:4px solid {colour};'
                f'padding:4px 8px;margin:4px 0">'
                f'<p style="margin:2px 0"><strong>Verdict: {esc(result.verdict)}</strong></p>'
                f'<p style="margin:2px 0">{esc(result.explanation)}</p>'
                f'<details><summary>Criteria met ({len(result.met)}) and still missing '
                f'({len(result.missing)})</summary><p>Met:</p><ul>{items(result.met)}</ul>'
                f'<p>Still missing or not met:</p><ul>{items(result.missing)}</ul></details></div>')
