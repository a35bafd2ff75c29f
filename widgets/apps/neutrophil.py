"""NeutrophilCalculator: absolute neutrophil count (ANC) from a blood count, and what it means.

    from widgets import NeutrophilCalculator
    NeutrophilCalculator()
"""
from __future__ import annotations

import ipywidgets as ipw

from widgets.charts import alt_text, plot_anc_gauge
from widgets.charts.style import fmt_int

from ._base import FigureApp, finish_for_static_pages, kernel_free, check_start, control, disclaimer_html, esc, friendly_errors

# disorder ids whose treatments the calculator describes (autoimmune neutropenia)
AIN_IDS = ("autoimmune_neutropenia_primary", "autoimmune_neutropenia_secondary")
# Primary AIN is a disease of infancy and early childhood (usually found between 5 and 15
# months, gone within a few years); in older children and adults AIN more often comes with
# another disease (secondary).  The calculator describes the form that fits the age typed in.
PRIMARY_AIN_BELOW_AGE_YEARS = 4.0


def _clinical():
    from widgets.models import clinical

    return clinical


def ain_treatments(age_years=None):
    """Rows of treatments.csv for the form of autoimmune neutropenia that fits the age:
    primary AIN under ``PRIMARY_AIN_BELOW_AGE_YEARS`` (or with no age), secondary AIN above."""
    from widgets.data import load

    t = load("treatments")
    young = age_years is None or float(age_years) < PRIMARY_AIN_BELOW_AGE_YEARS
    wanted = AIN_IDS[0] if young else AIN_IDS[1]
    return t[t["disorder_id"] == wanted].reset_index(drop=True)


def count_in_words(anc_per_ul, result) -> str:
    """What the count means, in words a family can read."""
    anc = fmt_int(anc_per_ul)
    who = "a baby under one year" if result["population"] == "infant" else "someone aged one year or over"
    limit = fmt_int(result["threshold_per_ul"])
    if result["anc_per_ul"] >= result["threshold_per_ul"]:
        return (f"About {anc} neutrophils (the white cells that fight bacteria) in each microlitre of "
                f"blood, a tiny drop. For {who}, {limit} or more counts as normal.")
    return (f"About {anc} neutrophils (the white cells that fight bacteria) in each microlitre of "
            f"blood, a tiny drop. For {who}, fewer than {limit} is low: this count is "
            f"in the '{result['severity']}' band.")


class NeutrophilCalculator(FigureApp):
    """WBC, neutrophil % and band % -> ANC, severity band, what it means, the fever warning
    for low counts, and how autoimmune neutropenia is managed (by status, never as options).

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
        res = self._classify(anc, age_years)
        self._anc_result = res
        return {
            "anc_per_ul": anc,
            "severity": res.severity,
            "population": res.population,
            "threshold_per_ul": float(res.threshold_per_ul),
            "notes": list(res.notes),
            "age_years": age_years,
            "infection_risk": res.infection_risk,
            "urgency": res.urgency,
            "fever_action": res.fever_action,
            "fever_warning": res.fever_warning,
        }

    def _classify(self, anc, age_years):
        """``classify_anc``, remembered per (count, age, data folder) for this app."""
        from widgets import data

        key = (anc, age_years, str(data.DATA_DIR))
        cache = self.__dict__.setdefault("_anc_cache", {})
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = _clinical().classify_anc(anc, age_years=age_years)
        return cache[key]

    def current_result(self):
        return self._result

    def update(self):
        try:
            result = self.compute(float(self.wbc.value), float(self.neutrophil_pct.value),
                                  float(self.band_pct.value), float(self.age.value))
            plot_anc_gauge(self.ax, result["anc_per_ul"], age_years=result["age_years"],
                           result=self._anc_result)
        except friendly_errors() as exc:
            self._fail(exc, "", notes=self._startup_notes)
            self._startup_notes = []
            return
        self._result = result
        self._render(alt_text(self.ax))
        self.info.value = self.info_html(result)
        notes, self._startup_notes = self._startup_notes, []
        if result["fever_warning"]:
            # the safety message comes first, every time the count is this low
            self._say(" ".join([result["fever_action"], *notes]), "warning")
        else:
            self._say(" ".join(notes), "warning" if notes else "info")

    def info_html(self, r) -> str:
        from ._info import treatments_html

        formula = (f"ANC = {fmt_int(self.wbc.value)} \u00d7 ({self.neutrophil_pct.value:g}% + "
                   f"{self.band_pct.value:g}%) = <b>{fmt_int(r['anc_per_ul'])} /\u00b5L</b>")
        parts = [f"<p>{formula}: <b>{esc(r['severity'])}</b>.</p>",
                 f"<p><b>In words:</b> {esc(count_in_words(r['anc_per_ul'], r))}</p>"]
        if r["fever_action"]:
            style = ("border:2px solid #8a5a00;padding:4px 8px;background:#fff8e6"
                     if r["fever_warning"] else "")
            parts.append(f"<p class='ib-fever' style='{style}'><b>If there is a fever:</b> "
                         f"{esc(r['fever_action'])}</p>")
        if r["infection_risk"]:
            parts.append(f"<p><b>What it means for infections:</b> {esc(r['infection_risk'])}</p>")
        if r["notes"]:
            parts.append("<ul>" + "".join(f"<li>{esc(n)}</li>" for n in r["notes"]) + "</ul>")
        if r["severity"] != "normal":
            try:
                t = ain_treatments(r["age_years"])
            except friendly_errors():
                t = None
            if t is not None and len(t):
                young = r["age_years"] is None or r["age_years"] < PRIMARY_AIN_BELOW_AGE_YEARS
                heading = ("If the cause turns out to be primary autoimmune neutropenia (the form "
                           "of early childhood), the sources describe:" if young else
                           "If the cause turns out to be autoimmune neutropenia with another "
                           "disease behind it (secondary, the usual form after early childhood), "
                           "the sources describe:")
                parts.append(treatments_html(_clinical().treatments_by_status(t), heading))
        parts.append(disclaimer_html())
        return "".join(parts)
