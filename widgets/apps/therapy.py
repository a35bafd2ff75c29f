"""IgTherapySimulator: immunoglobulin replacement (IVIG or SCIG) over several months.

    from widgets import IgTherapySimulator
    IgTherapySimulator()                 # one regimen, all inputs editable
    IgTherapySimulator(compare=True)     # IVIG every 4 weeks vs weekly SCIG, same monthly dose
    IgTherapySimulator.static()          # kernel-free IVIG vs SCIG gallery for slides
"""
from __future__ import annotations

import functools

import ipywidgets as ipw

from widgets.charts import alt_text, figure_png, plot_igg_levels
from widgets.charts.style import artists, fmt_int, new_figure

from ._base import FigureApp, finish_for_static_pages, kernel_free, linked_gallery, control, disclaimer_html, esc, friendly_errors

# Input bounds: wide enough for every regimen the series discusses, narrow enough to
# keep the model in a sensible range.  Values outside them are clamped by the boxes.
BOUNDS = {
    "dose_mg_per_kg": (10.0, 2000.0, 10.0),
    "interval_days": (1, 42, 1),
    "weight_kg": (3.0, 200.0, 1.0),
    "half_life_days": (10.0, 90.0, 1.0),
    "target_trough_mg_dl": (100.0, 2000.0, 50.0),
    "months": (1, 12, 1),
}
# Outside these the inputs are allowed but a gentle warning explains why they are unusual.
USUAL = {
    "IVIG": {"dose_mg_per_kg": (200.0, 800.0), "interval_days": (21, 28)},
    "SCIG": {"dose_mg_per_kg": (50.0, 200.0), "interval_days": (1, 14)},
}


def _igg_model():
    from widgets.models import igg

    return igg


def terminal_half_life_days(clearance_ml_per_day_per_kg, weight_kg=70.0, pk=None):
    """Terminal half-life (days) of infused IgG in the model's two-compartment system.

    The IgG model is parameterised by clearance and volumes, not by a half-life; the
    app offers a half-life box (easier to explain) and converts it with this function
    and ``clearance_for_half_life``.  Same weight scaling as ``widgets.models.igg``.
    """
    import math

    import numpy as np

    igg = _igg_model()
    pk = pk or igg.pk_defaults()
    scale = (float(weight_kg) / igg.REFERENCE_WEIGHT_KG) ** -0.25
    cl = float(clearance_ml_per_day_per_kg) * scale
    q = pk["intercompartmental_clearance_ml_per_day_per_kg"] * scale
    v1, v2 = pk["central_volume_ml_per_kg"], pk["peripheral_volume_ml_per_kg"]
    rates = np.linalg.eigvals(np.array([[-(cl + q) / v1, q / v2], [q / v1, -q / v2]]))
    return math.log(2) / float(np.min(np.abs(rates)))


def clearance_for_half_life(half_life_days, weight_kg=70.0):
    """The clearance (mL/day/kg at 70 kg) that gives this terminal half-life (bisection)."""
    pk = _igg_model().pk_defaults()
    key = tuple(pk[k] for k in ("intercompartmental_clearance_ml_per_day_per_kg",
                                "central_volume_ml_per_kg", "peripheral_volume_ml_per_kg"))
    return _clearance_cached(float(half_life_days), float(weight_kg), key)


@functools.lru_cache(maxsize=256)
def _clearance_cached(half_life_days, weight_kg, _pk_key):
    import math

    pk = _igg_model().pk_defaults()
    lo, hi = 0.1, 50.0  # the model's allowed clearance range
    t_lo = terminal_half_life_days(hi, weight_kg, pk)
    t_hi = terminal_half_life_days(lo, weight_kg, pk)
    if not t_lo <= half_life_days <= t_hi:
        raise ValueError(
            f"A half-life of {half_life_days:g} days is outside what the model can show at "
            f"{weight_kg:g} kg (about {t_lo:.0f} to {t_hi:.0f} days).")
    a, b = math.log(lo), math.log(hi)
    for _ in range(60):
        mid = (a + b) / 2
        if terminal_half_life_days(math.exp(mid), weight_kg, pk) > half_life_days:
            a = mid  # half-life too long -> need more clearance
        else:
            b = mid
    return math.exp((a + b) / 2)


def _defaults():
    """Starting values: the model's own defaults (pk_defaults) where it has them."""
    values = {"route": "IVIG", "dose_mg_per_kg": 400.0, "interval_days": 28, "weight_kg": 70.0,
              "half_life_days": 25.0, "target_trough_mg_dl": 700.0, "months": 6}
    try:
        pk = _igg_model().pk_defaults()
        values["half_life_days"] = round(
            terminal_half_life_days(pk["clearance_ml_per_day_per_kg"], 70.0, pk), 1)
        values["target_trough_mg_dl"] = float(pk.get("target_trough_mg_dl", 700.0))
    except Exception:  # defaults must never stop the app from opening
        pass
    return values


def _regimen_label(route, dose, interval):
    every = "every week" if interval == 7 else f"every {interval} days"
    return f"{route} {fmt_int(dose)} mg/kg {every}"


class IgTherapySimulator(FigureApp):
    """Serum IgG under replacement therapy, with peak, trough and pneumonia estimate.

    Public parts: ``route`` (ToggleButtons), ``dose``, ``interval``, ``weight``,
    ``half_life``, ``target``, ``months`` (Bounded*Text boxes), ``compare``
    (Checkbox), ``image``, ``caption``, ``results`` (HTML), ``status``, ``figure``.
    ``current_result()`` returns the numbers shown.
    """

    figsize = (9, 4.5)

    def __init__(self, compare: bool = False, **start):
        super().__init__()
        (self.ax,) = self._init_figure()
        defaults = _defaults()
        unknown = sorted(set(start) - set(defaults))
        self._startup_notes = []
        if unknown:
            self._startup_notes.append(
                f"Ignored unknown setting(s) {', '.join(unknown)}; the settings are: "
                f"{', '.join(defaults)}.")
        d = {**defaults, **{k: v for k, v in start.items() if k in defaults}}
        for key, value in start.items():
            if key in BOUNDS:
                lo, hi, _step = BOUNDS[key]
                try:
                    number = float(value)
                    if number != number:  # NaN: not a number, and no nearest allowed value
                        raise ValueError(value)
                except (TypeError, ValueError):
                    self._startup_notes.append(
                        f"{key}={value!r} is not a number; the usual {defaults[key]:g} is used.")
                    d[key] = defaults[key]
                    continue
                if not lo <= number <= hi:
                    self._startup_notes.append(
                        f"{key}={value!r} is outside the allowed {lo:g}-{hi:g}; the box shows the "
                        "nearest allowed value instead.")
                    d[key] = min(max(number, lo), hi)
        if "route" in start and start["route"] not in ("IVIG", "SCIG"):
            self._startup_notes.append(f"route must be 'IVIG' or 'SCIG', not {start['route']!r}.")
            d["route"] = defaults["route"]
        self.route = ipw.ToggleButtons(options=["IVIG", "SCIG"], value=d["route"],
                                       tooltips=["Intravenous: a large dose every 3-4 weeks",
                                                 "Subcutaneous: smaller doses under the skin, often weekly"])
        control(self.route, "Route:", "How the immunoglobulin is given")

        def box(cls, key, label, tip):
            lo, hi, step = BOUNDS[key]
            w = cls(value=d[key], min=lo, max=hi, step=step, layout=ipw.Layout(width="290px"))
            return control(w, label, tip, width="170px")

        self.dose = box(ipw.BoundedFloatText, "dose_mg_per_kg", "Dose per infusion (mg/kg)",
                        "Immunoglobulin given at each infusion, in mg per kg of body weight")
        self.interval = box(ipw.BoundedIntText, "interval_days", "Interval (days)",
                            "Days between infusions (IVIG usually 21-28, SCIG usually 7)")
        self.weight = box(ipw.BoundedFloatText, "weight_kg", "Body weight (kg)",
                          "Body weight in kilograms")
        self.half_life = box(ipw.BoundedFloatText, "half_life_days", "IgG half-life (days)",
                             "Days for the infused IgG level to halve; varies between people")
        self.target = box(ipw.BoundedFloatText, "target_trough_mg_dl", "Target trough (mg/dL)",
                          "Lowest IgG level (just before a dose) the care team aims for")
        self.months = box(ipw.BoundedIntText, "months", "Months shown",
                          "How many months of treatment to simulate")
        self.compare = ipw.Checkbox(value=compare, indent=False)
        control(self.compare, "Compare IVIG every 4 weeks with weekly SCIG at the same monthly dose",
                "Show both regimens together, using the dose above as the 4-weekly total")
        self.results = ipw.HTML()
        self._result = None
        self._updating = False
        for w in self.controls:
            w.observe(self._on_change, names="value")
        self.children = [
            ipw.HBox([ipw.VBox([self.route, self.dose, self.interval, self.weight]),
                      ipw.VBox([self.half_life, self.target, self.months, self.compare])]),
            self.status, self.image, self.caption, self.results,
        ]
        self.update()
        if kernel_free():
            finish_for_static_pages(self, None if compare else therapy_gallery())

    @property
    def controls(self):
        return [self.route, self.dose, self.interval, self.weight, self.half_life,
                self.target, self.months, self.compare]

    # -- pure part ----------------------------------------------------------
    def regimens(self):
        """The regimen(s) to simulate, as dicts of igg_levels() arguments."""
        dose, interval = float(self.dose.value), int(self.interval.value)
        if self.compare.value:
            monthly = dose * 28.0 / interval  # same total per 4 weeks as the entered regimen
            return [
                {"route": "IVIG", "dose_mg_per_kg": monthly, "interval_days": 28},
                {"route": "SCIG", "dose_mg_per_kg": monthly / 4.0, "interval_days": 7},
            ]
        return [{"route": self.route.value, "dose_mg_per_kg": dose, "interval_days": interval}]

    def compute(self):
        igg = _igg_model()
        days = int(self.months.value) * 30
        target = float(self.target.value)
        out = []
        for reg in self.regimens():
            kwargs = dict(reg, weight_kg=float(self.weight.value), **self._pk_kwargs())
            df = igg.igg_levels(days=days, **kwargs)
            ss = igg.steady_state(**kwargs)
            rate = igg.pneumonia_rate(ss["trough_mg_dl"])
            out.append({
                **reg,
                "label": _regimen_label(reg["route"], reg["dose_mg_per_kg"], reg["interval_days"]),
                "df": df,
                "peak_mg_dl": float(ss["peak_mg_dl"]),
                "trough_mg_dl": float(ss["trough_mg_dl"]),
                "days_to_steady_state": float(ss["days_to_steady_state"]),
                "pneumonia_per_patient_year": float(rate),
                "meets_target": float(ss["trough_mg_dl"]) >= target,
            })
        return {"target_trough_mg_dl": target, "days": days, "regimens": out}

    def _pk_kwargs(self):
        """Model overrides: the half-life box, converted to a clearance."""
        return {"clearance_ml_per_day_per_kg":
                clearance_for_half_life(float(self.half_life.value), float(self.weight.value))}

    def current_result(self):
        """The numbers shown now (regimens with peak, trough, steady state, pneumonia rate)."""
        return self._result

    # -- events / drawing -----------------------------------------------------
    def _on_change(self, change):
        if not self._updating:
            self.update()

    def warnings(self):
        notes = []
        if self.compare.value:
            return notes
        usual = USUAL[self.route.value]
        lo, hi = usual["dose_mg_per_kg"]
        if not lo <= self.dose.value <= hi:
            notes.append(f"{fmt_int(self.dose.value)} mg/kg per {self.route.value} dose is outside the "
                         f"usual replacement range of about {fmt_int(lo)}-{fmt_int(hi)} mg/kg used here.")
        lo, hi = usual["interval_days"]
        if not lo <= self.interval.value <= hi:
            notes.append(f"An interval of {self.interval.value} days is unusual for {self.route.value} "
                         f"(typically {lo}-{hi} days).")
        return notes

    def update(self):
        try:
            result = self.compute()
            store = artists(self.ax, "igg_lines") or {}
            wanted = {f"igg:{i}" for i in range(len(result["regimens"]))}
            for key, line in store.items():
                if key not in wanted:
                    line.set_visible(False)
            for i, reg in enumerate(result["regimens"]):
                plot_igg_levels(self.ax, reg["df"], target_trough_mg_dl=result["target_trough_mg_dl"],
                                label=reg["label"], slot=i,
                                title="Serum IgG: IVIG vs SCIG" if self.compare.value else None)
        except friendly_errors() as exc:
            self._fail(exc, "Could not simulate this regimen")
            return
        self._result = result
        alt = "; ".join(
            f"{r['label']}: IgG settles between {fmt_int(r['trough_mg_dl'])} and "
            f"{fmt_int(r['peak_mg_dl'])} mg/dL, trough {'above' if r['meets_target'] else 'below'} "
            f"the {fmt_int(result['target_trough_mg_dl'])} mg/dL target"
            for r in result["regimens"]
        )
        self._render(f"Line chart of serum IgG over {result['days']} days. {alt}")
        self.results.value = results_html(result)
        notes = self._startup_notes + self.warnings()
        self._startup_notes = []
        self._say(" ".join(notes), "warning" if notes else "info")


def results_html(result) -> str:
    head = "".join(f"<th style='padding:2px 10px'>{esc(r['label'])}</th>" for r in result["regimens"])

    def row(name, fmt):
        cells = "".join(f"<td style='padding:2px 10px;text-align:right'>{fmt(r)}</td>"
                        for r in result["regimens"])
        return f"<tr><th style='text-align:left;padding:2px 10px'>{name}</th>{cells}</tr>"

    table = (
        "<table><thead><tr><th></th>" + head + "</tr></thead><tbody>"
        + row("Peak at steady state (mg/dL)", lambda r: fmt_int(r["peak_mg_dl"]))
        + row("Trough at steady state (mg/dL)", lambda r: fmt_int(r["trough_mg_dl"]))
        + row(f"Trough reaches target {fmt_int(result['target_trough_mg_dl'])} mg/dL?",
              lambda r: "yes \u2714" if r["meets_target"] else "no \u2716")
        + row("Time to steady state (days)", lambda r: fmt_int(r["days_to_steady_state"]))
        + row("Estimated pneumonias per patient-year",
              lambda r: f"{r['pneumonia_per_patient_year']:.3f}")
        + "</tbody></table>"
    )
    note = (
        "<p style='font-size:smaller'>The pneumonia estimate follows the trend in a meta-analysis "
        "of replacement studies in primary antibody deficiency (Orange et al. 2010, source "
        "<code>orange2010_trough</code>): higher troughs went with fewer pneumonias. It describes groups "
        "of patients, not any one person. The curve is a simple model: real levels vary between "
        "people and products.</p>"
    )
    return table + note + disclaimer_html()


def therapy_gallery(dose_mg_per_kg_per_4_weeks: float = 400.0, weight_kg: float = 70.0,
                    months: int = 6):
    """Kernel-free IVIG vs SCIG views: a toggle jslinked to a Stack of pre-rendered images."""
    igg = _igg_model()
    target = _defaults()["target_trough_mg_dl"]
    regs = [("IVIG", dose_mg_per_kg_per_4_weeks, 28), ("SCIG", dose_mg_per_kg_per_4_weeks / 4, 7)]
    pages, labels = [], []
    for route, dose, interval in regs:
        df = igg.igg_levels(dose, interval, route=route, days=months * 30, weight_kg=weight_kg)
        ss = igg.steady_state(dose, interval, route=route)
        fig, ax = new_figure(figsize=IgTherapySimulator.figsize)
        label = _regimen_label(route, dose, interval)
        plot_igg_levels(ax, df, target_trough_mg_dl=target, label=label)
        png = figure_png(fig)
        labels.append(route)
        text = (f"<p><b>{esc(label)}</b>: peak {fmt_int(ss['peak_mg_dl'])} mg/dL, trough "
                f"{fmt_int(ss['trough_mg_dl'])} mg/dL at steady state.</p>")
        pages.append(ipw.VBox([
            ipw.Image(value=png, format="png", layout=ipw.Layout(width="100%", max_width="1000px")),
            ipw.HTML(f'<p style="margin:2px 0 8px 0"><em>Chart:</em> {esc(alt_text(ax))}</p>'),
            ipw.HTML(text + disclaimer_html()),
        ]))
    toggle = ipw.ToggleButtons(options=labels, description="Route:",
                               tooltips=["Intravenous every 4 weeks", "Subcutaneous every week"])
    toggle.tooltip = "Switch between the two ways of giving the same monthly dose"
    return linked_gallery(toggle, pages)


IgTherapySimulator.static = staticmethod(therapy_gallery)
