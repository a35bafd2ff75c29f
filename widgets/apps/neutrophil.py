"""NeutrophilCalculator: absolute neutrophil count (ANC) from a blood count, and what it means.

    from widgets import NeutrophilCalculator
    NeutrophilCalculator()
"""
from __future__ import annotations

import ipywidgets as ipw

from widgets.charts import alt_text, plot_anc_gauge
from widgets.charts.style import fmt_int

from ._base import FigureApp, finish_for_static_pages, kernel_free, check_start, control, disclaimer_html, esc, friendly_errors

# disorder ids whose treatments the calculator lists (autoimmune neutropenia)
AIN_IDS = ("autoimmune_neutropenia_primary", "autoimmune_neutropenia_secondary")


def _clinical():
    from widgets.models import clinical

    return clinical


def infection_risk_text(severity: str, age_years=None) -> str:
    """The ``infection_risk`` sentence of ``anc_bands.csv`` for this severity."""
    from widgets.data import load

    bands = load("anc_bands")
    rows = bands[bands["severity"] == severity]
    if age_years is not None and float(age_years) < 1 and (rows["population"] == "infant").any():
        rows = rows[rows["population"] == "infant"]
    elif (rows["population"] == "over_1_year").any():
        rows = rows[rows["population"] == "over_1_year"]
    return str(rows["infection_risk"].iloc[0]) if len(rows) else ""


def ain_treatments():
    """Rows of treatments.csv for autoimmune neutropenia (primary and secondary)."""
    from widgets.data import load

    t = load("treatments")
    ids = [i for i in AIN_IDS if i in set(t["disorder_id"])] or [
        i for i in set(t["disorder_id"]) if "neutropenia" in i and "autoimmune" in i]
    return t[t["disorder_id"].isin(ids)].reset_index(drop=True)


class NeutrophilCalculator(FigureApp):
    """WBC, neutrophil % and band % -> ANC, severity band, meaning and treatments.

    Public parts: ``wbc``, ``neutrophil_pct``, ``band_pct``, ``age`` (BoundedFloatText),
    ``image``, ``caption``, ``info`` (HTML), ``status``, ``figure``.
    ``current_result()`` returns ``{'anc_per_ul', 'severity', 'threshold_per_ul', 'notes', ...}``.
    """

    figsize = (9, 3.2)

    def __init__(self, wbc_per_ul=6000.0, neutrophil_pct=55.0, band_pct=3.0, age_years=30.0):
        super().__init__()
        (self.ax,) = self._init_figure()
        start, self._startup_notes = check_start(
            {"wbc_per_ul": wbc_per_ul, "neutrophil_pct": neutrophil_pct, "band_pct": band_pct,
             "age_years": age_years},
            {"wbc_per_ul": (0, 200000), "neutrophil_pct": (0, 100), "band_pct": (0, 100),
             "age_years": (0, 120)},
            {"wbc_per_ul": 6000.0, "neutrophil_pct": 55.0, "band_pct": 3.0, "age_years": 30.0})
        wbc_per_ul, neutrophil_pct = start["wbc_per_ul"], start["neutrophil_pct"]
        band_pct, age_years = start["band_pct"], start["age_years"]

        def box(value, lo, hi, step, label, tip):
            w = ipw.BoundedFloatText(value=value, min=lo, max=hi, step=step,
                                     layout=ipw.Layout(width="300px"))
            return control(w, label, tip, width="180px")

        self.wbc = box(wbc_per_ul, 0, 200000, 100, "White cells (/\u00b5L)",
                       "Total white blood cell count per microlitre (e.g. 6,000; 6.0 \u00d7 10\u2079/L = 6,000/\u00b5L)")
        self.neutrophil_pct = box(neutrophil_pct, 0, 100, 1, "Segmented neutrophils (%)",
                                  "Mature (segmented) neutrophils as a percentage of white cells")
        self.band_pct = box(band_pct, 0, 100, 1, "Band neutrophils (%)",
                            "Young (band) neutrophils as a percentage of white cells; 0 if not reported")
        self.age = box(age_years, 0, 120, 0.5, "Age (years)",
                       "Age in years; under 1 year a lower cut-off applies (e.g. 0.5 = six months)")
        self.info = ipw.HTML()
        self._result = None
        for w in (self.wbc, self.neutrophil_pct, self.band_pct, self.age):
            w.observe(lambda _c: self.update(), names="value")
        self.children = [
            ipw.HBox([ipw.VBox([self.wbc, self.neutrophil_pct]), ipw.VBox([self.band_pct, self.age])]),
            self.status, self.image, self.caption, self.info,
        ]
        self.update()
        finish_for_static_pages(self)

    def compute(self, wbc_per_ul, neutrophil_pct, band_pct=0.0, age_years=None):
        """ANC and its classification; ValueError with a plain message for nonsense."""
        if neutrophil_pct + band_pct > 100:
            raise ValueError(
                f"Neutrophils {neutrophil_pct:g}% + bands {band_pct:g}% = "
                f"{neutrophil_pct + band_pct:g}%, but together they cannot be more than 100% "
                "of the white cells. Please check the numbers."
            )
        clinical = _clinical()
        anc = float(clinical.anc_from_cbc(wbc_per_ul, neutrophil_pct, band_pct))
        res = clinical.classify_anc(anc, age_years=age_years)
        return {
            "anc_per_ul": anc,
            "severity": res.severity,
            "threshold_per_ul": float(res.threshold_per_ul),
            "notes": list(res.notes),
            "age_years": age_years,
            "infection_risk": infection_risk_text(res.severity, age_years),
        }

    def current_result(self):
        return self._result

    def update(self):
        try:
            result = self.compute(float(self.wbc.value), float(self.neutrophil_pct.value),
                                  float(self.band_pct.value), float(self.age.value))
            plot_anc_gauge(self.ax, result["anc_per_ul"], age_years=result["age_years"])
        except friendly_errors() as exc:
            self._fail(exc, "", notes=self._startup_notes)
            self._startup_notes = []
            return
        self._result = result
        self._render(alt_text(self.ax))
        self.info.value = self.info_html(result)
        notes, self._startup_notes = self._startup_notes, []
        self._say(" ".join(notes), "warning" if notes else "info")

    def info_html(self, r) -> str:
        formula = (f"ANC = {fmt_int(self.wbc.value)} \u00d7 ({self.neutrophil_pct.value:g}% + "
                   f"{self.band_pct.value:g}%) = <b>{fmt_int(r['anc_per_ul'])} /\u00b5L</b>")
        parts = [f"<p>{formula}: <b>{esc(r['severity'])}</b>.</p>"]
        if r["infection_risk"]:
            parts.append(f"<p><b>What it means for infections:</b> {esc(r['infection_risk'])}</p>")
        if r["notes"]:
            parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in r["notes"]) + "</ul>")
        if r["severity"] != "normal":
            try:
                t = ain_treatments()
            except friendly_errors():
                t = None
            if t is not None and len(t):
                items = "".join(
                    f"<li>{esc(row.treatment)} <span style='color:#555'>({esc(row.treatment_class)}"
                    f"{'; ' + esc(row.note) if getattr(row, 'note', '') else ''})</span></li>"
                    for row in t.drop_duplicates("treatment").itertuples())
                parts.append("<p><b>If the cause is autoimmune neutropenia</b>, the options this "
                             f"series discusses are:</p><ul>{items}</ul>")
        parts.append(disclaimer_html())
        return "".join(parts)
