"""ImmunoglobulinLabExplorer: where IgG, IgA and IgM sit against the range for age.

    from widgets import ImmunoglobulinLabExplorer
    ImmunoglobulinLabExplorer()
"""
from __future__ import annotations

import ipywidgets as ipw

from widgets.charts import alt_text, plot_ig_levels
from widgets.charts.style import fmt_int

from ._base import FigureApp, finish_for_static_pages, kernel_free, check_start, control, disclaimer_html, esc, friendly_errors

ANALYTES = ("IgG", "IgA", "IgM")

CAVEAT = (
    "Reference ranges depend on the laboratory and the method; always read a result "
    "against the range printed on its own report. One value outside the range is not a "
    "diagnosis: doctors look at repeated tests, symptoms and other findings."
)


class ImmunoglobulinLabExplorer(FigureApp):
    """Age and IgG/IgA/IgM (mg/dL) -> each value against its age-specific reference range.

    Public parts: ``age`` and ``values`` (dict analyte -> BoundedFloatText), ``image``,
    ``caption``, ``info``, ``status``, ``figure``.  ``current_result()`` returns a dict
    analyte -> {value_mg_dl, status, low, high, age_band, source_ids}.
    """

    figsize = (9, 3.8)

    def __init__(self, age_years=30.0, igg_mg_dl=1000.0, iga_mg_dl=200.0, igm_mg_dl=100.0):
        super().__init__()
        (self.ax,) = self._init_figure()
        start, self._startup_notes = check_start(
            {"age_years": age_years, "igg_mg_dl": igg_mg_dl, "iga_mg_dl": iga_mg_dl,
             "igm_mg_dl": igm_mg_dl},
            {"age_years": (0, 120), "igg_mg_dl": (0, 10000), "iga_mg_dl": (0, 10000),
             "igm_mg_dl": (0, 10000)},
            {"age_years": 30.0, "igg_mg_dl": 1000.0, "iga_mg_dl": 200.0, "igm_mg_dl": 100.0})
        age_years, igg_mg_dl = start["age_years"], start["igg_mg_dl"]
        iga_mg_dl, igm_mg_dl = start["iga_mg_dl"], start["igm_mg_dl"]
        self.age = control(ipw.BoundedFloatText(value=age_years, min=0, max=120, step=0.5,
                                                layout=ipw.Layout(width="260px")),
                           "Age (years)", "Age in years (0.25 = three months)", width="120px")
        start = {"IgG": igg_mg_dl, "IgA": iga_mg_dl, "IgM": igm_mg_dl}
        self.values = {
            a: control(ipw.BoundedFloatText(value=start[a], min=0, max=10000, step=10,
                                            layout=ipw.Layout(width="260px")),
                       f"{a} (mg/dL)", f"Serum {a} in milligrams per decilitre "
                       "(g/L \u00d7 100 = mg/dL)", width="120px")
            for a in ANALYTES
        }
        self.info = ipw.HTML()
        self._result = None
        for w in [self.age, *self.values.values()]:
            w.observe(lambda _c: self.update(), names="value")
        self.children = [
            ipw.HBox([self.age, *self.values.values()], layout=ipw.Layout(flex_flow="row wrap")),
            self.status, self.image, self.caption, self.info,
        ]
        self.update()
        finish_for_static_pages(self)

    def _classify(self, analyte, value, age_years):
        """``classify_immunoglobulin``, remembered per (analyte, value, age, data folder) for
        this app: changing one box does not look up the other two ranges again."""
        from widgets import data
        from widgets.models.clinical import classify_immunoglobulin

        key = (analyte, value, age_years, str(data.DATA_DIR))
        cache = self.__dict__.setdefault("_ig_cache", {})
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = classify_immunoglobulin(analyte, value, age_years)
        return cache[key]

    def compute(self, values_mg_dl, age_years):
        out = {}
        self._raw = {}
        for analyte, value in values_mg_dl.items():
            r = self._classify(analyte, float(value), float(age_years))
            self._raw[analyte] = r
            out[analyte] = {"value_mg_dl": float(value), "status": r.status, "low": float(r.low),
                            "high": float(r.high), "age_band": r.age_band,
                            "source_ids": list(r.source_ids), "notes": list(getattr(r, "notes", ()))}
        return out

    def current_result(self):
        return self._result

    def update(self):
        values = {a: float(w.value) for a, w in self.values.items()}
        age = float(self.age.value)
        try:
            result = self.compute(values, age)
            plot_ig_levels(self.ax, values, age, steady_axis=True, results=self._raw)
        except friendly_errors() as exc:
            self._fail(exc, "", notes=self._startup_notes)
            self._startup_notes = []
            return
        self._result = result
        self._render(alt_text(self.ax))
        rows = "".join(
            f"<tr><th style='text-align:left;padding:2px 8px'>{a}</th>"
            f"<td style='padding:2px 8px;text-align:right'>{fmt_int(r['value_mg_dl'])}</td>"
            f"<td style='padding:2px 8px'>{fmt_int(r['low'])}\u2013{fmt_int(r['high'])}</td>"
            f"<td style='padding:2px 8px'><b>{esc(r['status'])}</b></td>"
            f"<td style='padding:2px 8px;font-size:smaller'>{esc(', '.join(r['source_ids']))}</td></tr>"
            for a, r in result.items()
        )
        self.info.value = (
            "<table><thead><tr><th></th><th>Value (mg/dL)</th><th>Range for age (mg/dL)</th>"
            f"<th>Status</th><th>Source</th></tr></thead><tbody>{rows}</tbody></table>"
            + notes_html(result)
            + f"<p><b>Caveat:</b> {esc(CAVEAT)}</p>" + disclaimer_html()
        )
        notes, self._startup_notes = self._startup_notes, []
        self._say(" ".join(notes), "warning" if notes else "info")


def notes_html(result) -> str:
    """Notes from the clinical rules (e.g. the selective IgA deficiency rule), once each."""
    notes = []
    for r in result.values():
        for n in r.get("notes", []):
            if n not in notes:
                notes.append(n)
    if not notes:
        return ""
    return "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"
