"""SymptomTreatmentExplorer: pick a disorder or a symptom and see what goes with it.

    from widgets import SymptomTreatmentExplorer
    SymptomTreatmentExplorer()
"""
from __future__ import annotations

import ipywidgets as ipw

from widgets.charts.style import DIRECTION_STYLE

from ._base import finish_for_static_pages, control, disclaimer_html, esc, friendly_errors, status_html

MARK = {"underactive": "\u25BC", "overactive": "\u25B2", "mixed": "\u25C6"}


def _tables():
    from widgets.data import load

    return load("disorders"), load("symptoms"), load("treatments")


def about_disorder(disorder_id, tables=None):
    """Everything the explorer shows for one disorder, as plain Python data."""
    disorders, symptoms, treatments = tables or _tables()
    row = disorders[disorders["disorder_id"] == disorder_id]
    if row.empty:
        raise ValueError(f"Unknown disorder '{disorder_id}'. Pick one from the list.")
    row = row.iloc[0]
    own_all = symptoms[symptoms["disorder_id"] == disorder_id]
    order = {"hallmark": 0, "common": 1, "occasional": 2}
    red = own_all[own_all["typicality"] == "red flag"].sort_values("symptom")
    own = own_all[own_all["typicality"] != "red flag"]
    own = own.assign(_o=own["typicality"].map(order)).sort_values(["_o", "symptom"])
    expected = symptoms[symptoms["typicality"] != "red flag"]
    shared = expected[expected["symptom"].isin(own["symptom"]) & (expected["disorder_id"] != disorder_id)]
    overlap = shared.groupby("disorder_id")["symptom"].nunique().sort_values(ascending=False, kind="stable")
    names = dict(zip(disorders["disorder_id"], disorders["short_name"]))
    related = [(i, names.get(i, i), int(n)) for i, n in overlap.items() if n >= 2][:8]
    tr = treatments[treatments["disorder_id"] == disorder_id]
    from widgets.models.clinical import treatments_by_status

    by_status = treatments_by_status(tr)
    offered = by_status["standard"] + by_status["selected cases"]
    return {
        "disorder_id": disorder_id,
        "name": row["name"],
        "short_name": row["short_name"],
        "direction": row["direction"],
        "category": row["category"],
        "summary": row.get("summary", ""),
        "symptoms": list(own[["symptom", "typicality"]].itertuples(index=False, name=None)),
        # signs that are not expected here: they point to another or an additional diagnosis
        "red_flags": list(red[["symptom", "note"]].itertuples(index=False, name=None)),
        # what the sources describe as used (standard or selected cases), never a rejected row
        "treatments": [(t["treatment"], t["treatment_class"], t["line"]) for t in offered],
        "treatments_by_status": by_status,
        "related": related,
        "source_ids": sorted({s for cell in list(own_all["source_ids"]) + list(tr["source_ids"])
                              for s in str(cell).split(";") if s}),
    }


def about_symptom(symptom, tables=None):
    """Disorders listing ``symptom`` (by direction) and the treatment classes used for them."""
    disorders, symptoms, treatments = tables or _tables()
    rows = symptoms[(symptoms["symptom"] == symptom) & (symptoms["typicality"] != "red flag")]
    if rows.empty:
        raise ValueError(f"No disorder in the data lists the symptom '{symptom}' as expected.")
    d = disorders[disorders["disorder_id"].isin(rows["disorder_id"])]
    by_direction = {}
    for direction in ("underactive", "overactive", "mixed"):
        part = d[d["direction"] == direction].sort_values("short_name")
        if len(part):
            by_direction[direction] = list(zip(part["disorder_id"], part["short_name"]))
    from widgets.data import REJECTED_STATUSES

    tr = treatments[treatments["disorder_id"].isin(rows["disorder_id"]) & ~treatments["status"].isin(REJECTED_STATUSES)]
    classes = tr.groupby("treatment_class")["disorder_id"].nunique().sort_values(ascending=False, kind="stable")
    return {
        "symptom": symptom,
        "disorders": by_direction,
        "treatment_classes": [(c, int(n)) for c, n in classes.items()],
        "source_ids": sorted({s for cell in rows["source_ids"] for s in str(cell).split(";") if s}),
    }


class SymptomTreatmentExplorer(ipw.VBox):
    """Browse the data: by disorder (symptoms, treatments, related disorders) or by symptom.

    Public parts: ``mode`` (ToggleButtons 'disorder'/'symptom'), ``choice`` (Dropdown),
    ``info`` (HTML), ``status`` (HTML).  ``current_result()`` returns the dict shown.
    """

    def __init__(self, disorder_id=None, symptom=None):
        super().__init__()
        self.status = ipw.HTML(status_html())
        self.info = ipw.HTML()
        self.mode = ipw.ToggleButtons(options=[("By disorder", "disorder"), ("By symptom", "symptom")],
                                      tooltips=["Choose a disorder", "Choose a symptom"])
        control(self.mode, "Explore:", "Start from a disorder or from a symptom")
        self.choice = ipw.Dropdown(layout=ipw.Layout(width="480px"))
        control(self.choice, "Choose:", "Pick an item; type its first letters to jump")
        self._result = None
        self._tables = None
        self._filling = False
        self.children = [self.mode, self.choice, self.status, self.info]
        try:
            self._tables = _tables()
        except friendly_errors() as exc:
            self.status.value = status_html(f"The data could not be loaded: {exc}", "error")
            self.mode.disabled = self.choice.disabled = True
            return
        self.mode.observe(lambda c: None if self._filling else self._fill(), names="value")
        self.choice.observe(lambda c: None if self._filling else self.update(), names="value")
        if symptom is not None:
            self._filling = True
            self.mode.value = "symptom"
            self._filling = False
        self._fill(disorder_id if symptom is None else symptom)
        finish_for_static_pages(self)

    def _fill(self, value=None):
        disorders, symptoms, _ = self._tables
        if self.mode.value == "disorder":
            d = disorders.sort_values("name")
            options = [(f"{MARK.get(r.direction, '')} {r.name}", r.disorder_id) for r in d.itertuples()]
        else:
            expected = symptoms[symptoms["typicality"] != "red flag"]
            options = [(s, s) for s in sorted(expected["symptom"].unique(), key=str.lower)]
        values = [v for _, v in options]
        self._filling = True
        try:
            self.choice.options = options
            self.choice.value = value if value in values else (values[0] if values else None)
        finally:
            self._filling = False
        self.update()

    def current_result(self):
        return self._result

    def update(self):
        if self.choice.value is None:
            return
        try:
            if self.mode.value == "disorder":
                result = about_disorder(self.choice.value, self._tables)
                html = disorder_html(result)
            else:
                result = about_symptom(self.choice.value, self._tables)
                html = symptom_html(result)
        except friendly_errors() as exc:
            self.status.value = status_html(str(exc), "error")
            return
        self._result = result
        self.info.value = html + disclaimer_html()
        self.status.value = status_html()


# Darker shades of the direction colours for small text on white (WCAG AA contrast of 4.5:1 or more;
# the chart colours themselves, #D55E00 and #CC79A7, reach only 3.9 and 3.1 as text).
_TEXT_SHADE = {"overactive": "#B34700", "mixed": "#9E4A7D"}


def _direction_badge(direction):
    st = DIRECTION_STYLE.get(direction, DIRECTION_STYLE["balanced"])
    colour = _TEXT_SHADE.get(direction, st["color"])
    return (f"<span style='color:{colour};font-weight:bold'>{MARK.get(direction, '')} "
            f"{esc(direction)}</span>")


def disorder_html(r) -> str:
    from ._info import treatments_html

    sym = "".join(f"<li>{esc(s)} <span style='color:#555'>({esc(t)})</span></li>" for s, t in r["symptoms"])
    red = "".join(f"<li>{esc(s)} <span style='color:#555'>({esc(n)})</span></li>" for s, n in r["red_flags"])
    red_html = (f"<div><b>Red flags: not expected here</b><ul>{red}</ul></div>" if red else "")
    tr = treatments_html(r["treatments_by_status"], "Treatments the sources describe")
    rel = ", ".join(f"{esc(name)} ({n} shared)" for _, name, n in r["related"]) or "none with two or more shared symptoms"
    return (
        f"<h4 style='margin:4px 0'>{esc(r['name'])}</h4>"
        f"<p>{_direction_badge(r['direction'])} \u00b7 {esc(r['category'])}</p>"
        f"<p>{esc(r['summary'])}</p>"
        "<div style='display:flex;gap:24px;flex-wrap:wrap'>"
        f"<div><b>Symptoms</b><ul>{sym or '<li>none listed</li>'}</ul></div>{red_html}"
        f"<div>{tr}</div></div>"
        f"<p><b>Related disorders</b> (sharing symptoms): {rel}</p>"
        f"<p style='font-size:smaller'>Sources: {esc(', '.join(r['source_ids']))}</p>"
    )


def symptom_html(r) -> str:
    groups = "".join(
        f"<p>{_direction_badge(d)}: {esc(', '.join(name for _, name in items))}</p>"
        for d, items in r["disorders"].items()
    )
    classes = ", ".join(f"{esc(c)} ({n})" for c, n in r["treatment_classes"])
    return (
        f"<h4 style='margin:4px 0'>{esc(r['symptom'])}</h4>"
        f"<p>Disorders in the series that list it:</p>{groups}"
        f"<p><b>Kinds of treatment used for these disorders</b> (number of disorders): {classes}</p>"
        "<p style='font-size:smaller'>The same symptom can come from too little defence or from "
        "too much attack, which is why tests are needed to tell them apart.</p>"
        f"<p style='font-size:smaller'>Sources: {esc(', '.join(r['source_ids']))}</p>"
    )
