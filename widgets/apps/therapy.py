"""IgTherapySimulator: immunoglobulin replacement (IVIG or SCIG) over several months.

    from widgets import IgTherapySimulator
    IgTherapySimulator()                 # one regimen, all inputs editable
    IgTherapySimulator(own_igg_mg_dl=0)  # a patient who makes no IgG (XLA)
    IgTherapySimulator(compare=True)     # IVIG every 4 weeks vs weekly SCIG, same monthly dose
    IgTherapySimulator.static()          # kernel-free IVIG vs SCIG gallery for slides
"""
from __future__ import annotations


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
    "own_igg_mg_dl": (0.0, 2000.0, 10.0),
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
    """Terminal half-life (days) of infused IgG; see ``widgets.models.igg.terminal_half_life_days``."""
    return _igg_model().terminal_half_life_days(clearance_ml_per_day_per_kg, weight_kg)


def clearance_for_half_life(half_life_days, weight_kg=70.0):
    """The clearance (mL/day/kg at 70 kg) for this half-life, volumes kept as calibrated
    (``widgets.models.igg.clearance_for_half_life``)."""
    return _igg_model().clearance_for_half_life(half_life_days, weight_kg)


# Words that would turn a teaching chart into dosing advice; no message may contain them
# (tests/test_apps_therapy.py checks every message against this list).
ADVICE_PHRASES = ("increase the dose", "raise the dose", "higher dose", "lower the dose",
                  "reduce the dose", "decrease the dose", "more often", "shorten the interval",
                  "you should", "should be given", "needs more", "need more", "meets the target",
                  "meeting target", "adequate dose", "enough medicine", "recommended dose")

CARE_TEAM = "Real targets are set for each person: your care team sets the target and the dose."


def _defaults():
    """Starting values: the model's own defaults (pk_defaults) where it has them."""
    values = {"route": "IVIG", "dose_mg_per_kg": 400.0, "interval_days": 28, "weight_kg": 70.0,
              "half_life_days": 30.0, "target_trough_mg_dl": 700.0, "own_igg_mg_dl": 200.0,
              "months": 6}
    try:
        pk = _igg_model().pk_defaults()
        values["half_life_days"] = round(
            terminal_half_life_days(pk["clearance_ml_per_day_per_kg"], 70.0), 1)
        values["target_trough_mg_dl"] = float(pk.get("target_trough_mg_dl", 700.0))
        values["own_igg_mg_dl"] = float(pk["baseline_igg_mg_dl"])
    except Exception:  # defaults must never stop the app from opening
        pass
    return values


def half_life_range_days():
    """(low, high) individual half-lives in the Privigen label's study, from the data table."""
    try:
        row = _igg_model().pk_table().set_index("parameter").loc["terminal_half_life_days"]
        return float(row["low"]), float(row["high"])
    except Exception:  # the range is a caption; never let it stop the app
        return None


def level_sentence(reg, target, own) -> str:
    """One plain sentence about the trough relative to the teaching target (no advice)."""
    where = "at or above" if reg["trough_mg_dl"] >= target else "below"
    return (f"{reg['label']}: at steady state the lowest level (trough) is about "
            f"{fmt_int(reg['trough_mg_dl'])} mg/dL, of which {fmt_int(own)} mg/dL is the patient's "
            f"own IgG and about {fmt_int(reg['infused_trough_mg_dl'])} mg/dL comes from the medicine. "
            f"That is {where} the {fmt_int(target)} mg/dL teaching target.")


# Above this trough the pneumonia curve and the model have nothing to say (pneumonia_rate's range).
MAX_PLAUSIBLE_TROUGH_MG_DL = 5000.0


def _regimen_label(route, dose, interval):
    every = {1: "every day", 7: "every week"}.get(interval, f"every {interval} days")
    return f"{route} {fmt_int(dose)} mg/kg {every}"


class IgTherapySimulator(FigureApp):
    """Serum IgG under replacement therapy, with peak, trough and pneumonia estimate.

    Public parts: ``route`` (ToggleButtons), ``dose``, ``interval``, ``weight``,
    ``half_life``, ``own_igg``, ``target``, ``months`` (Bounded*Text boxes), ``compare``
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
        self.own_igg = box(ipw.BoundedFloatText, "own_igg_mg_dl", "Patient's own IgG (mg/dL)",
                           "IgG the patient still makes without treatment: near 0 in XLA, "
                           "low in CVID; drawn as a dotted line")
        self.target = box(ipw.BoundedFloatText, "target_trough_mg_dl", "Teaching target trough (mg/dL)",
                          "A teaching value for the lowest level before a dose; real targets are "
                          "set for each person by their care team")
        self.months = box(ipw.BoundedIntText, "months", "Months shown",
                          "How many months of treatment to simulate")
        self.compare = ipw.Checkbox(value=compare, indent=False)
        control(self.compare, "Compare IVIG every 4 weeks with weekly SCIG at the same monthly dose (1:1)",
                "Show both regimens together, using the dose above as the 4-weekly total")
        self.results = ipw.HTML()
        self._result = None
        self._updating = False
        for w in self.controls:
            w.observe(self._on_change, names="value")
        self.children = [
            ipw.HBox([ipw.VBox([self.route, self.dose, self.interval, self.weight]),
                      ipw.VBox([self.half_life, self.own_igg, self.target, self.months])]),
            self.compare,
            self.status, self.image, self.caption, self.results,
        ]
        self.update()
        if kernel_free():
            finish_for_static_pages(self, None if compare else therapy_gallery())

    @property
    def controls(self):
        return [self.route, self.dose, self.interval, self.weight, self.half_life,
                self.own_igg, self.target, self.months, self.compare]

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
        own = self._own_igg()
        out = []
        for reg in self.regimens():
            kwargs = dict(reg, weight_kg=float(self.weight.value), **self._pk_kwargs())
            df, ss = self._run(igg, days, kwargs)
            trough = float(ss["trough_mg_dl"])
            if trough > MAX_PLAUSIBLE_TROUGH_MG_DL:
                raise ValueError(
                    f"{_regimen_label(reg['route'], reg['dose_mg_per_kg'], reg['interval_days'])} would keep "
                    f"the IgG level above {fmt_int(MAX_PLAUSIBLE_TROUGH_MG_DL)} mg/dL even at its lowest, far "
                    "beyond anything measured in people, so the model cannot describe it. Check the dose "
                    "and the interval you typed.")
            rate = igg.pneumonia_rate(trough)
            out.append({
                **reg,
                "label": _regimen_label(reg["route"], reg["dose_mg_per_kg"], reg["interval_days"]),
                "df": df,
                "peak_mg_dl": float(ss["peak_mg_dl"]),
                "trough_mg_dl": trough,
                "infused_trough_mg_dl": trough - own,
                "own_igg_mg_dl": own,
                "days_to_steady_state": float(ss["days_to_steady_state"]),
                "pneumonia_per_patient_year": float(rate),
                "pneumonia_extrapolated": bool(igg.pneumonia_extrapolated(trough)),
                # trough at or above the teaching target (a comparison, never a verdict on a dose)
                "above_target": trough >= target,
                "meets_target": trough >= target,  # older name of above_target
            })
        return {"target_trough_mg_dl": target, "own_igg_mg_dl": own, "days": days,
                "regimens": out, "pneumonia_data_range": igg.pneumonia_data_range()}

    def _run(self, igg, days, kwargs):
        """``igg_levels`` and ``steady_state`` for these inputs, remembered for this app."""
        key = (days, tuple(sorted(kwargs.items())))
        cache = self.__dict__.setdefault("_runs", {})
        if key not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[key] = (igg.igg_levels(days=days, **kwargs), igg.steady_state(**kwargs))
        df, ss = cache[key]
        return df.copy(), dict(ss)

    def _own_igg(self):
        """The own-IgG box as a number, or a ValueError with a message for families."""
        lo, hi, _step = BOUNDS["own_igg_mg_dl"]
        value = self.own_igg.value
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if isinstance(value, bool) or not lo <= number <= hi:
            raise ValueError(
                f"The patient's own IgG must be a number from {fmt_int(lo)} to {fmt_int(hi)} mg/dL "
                f"(0 for someone who makes none, as in XLA); got {value!r}.")
        return number

    def _pk_kwargs(self):
        """Model overrides: the half-life box (converted to a clearance, volumes kept as
        calibrated) and the patient's own IgG."""
        return {"clearance_ml_per_day_per_kg":
                clearance_for_half_life(float(self.half_life.value), float(self.weight.value)),
                "baseline_igg_mg_dl": self._own_igg()}

    def current_result(self):
        """The numbers shown now (regimens with peak, trough, steady state, pneumonia rate)."""
        return self._result

    # -- events / drawing -----------------------------------------------------
    def _on_change(self, change):
        if not self._updating:
            self.update()

    def warnings(self):
        notes = []
        result = self._result
        if result:
            low, high = result["pneumonia_data_range"]
            odd = [r for r in result["regimens"] if r["pneumonia_extrapolated"]]
            if odd:
                notes.append(
                    f"A trough of {' and '.join(fmt_int(r['trough_mg_dl']) for r in odd)} mg/dL lies outside "
                    f"the {fmt_int(low)}-{fmt_int(high)} mg/dL the pneumonia studies covered, so that "
                    "estimate is an extrapolation.")
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
                                label=reg["label"], slot=i, own_igg_mg_dl=result["own_igg_mg_dl"],
                                steady_axis=True,
                                title="Serum IgG: IVIG vs SCIG" if self.compare.value else None)
        except friendly_errors() as exc:
            self._fail(exc, "Could not simulate this regimen")
            return
        self._result = result
        alt = "; ".join(
            f"{r['label']}: IgG settles between {fmt_int(r['trough_mg_dl'])} and "
            f"{fmt_int(r['peak_mg_dl'])} mg/dL, trough {'at or above' if r['above_target'] else 'below'} "
            f"the {fmt_int(result['target_trough_mg_dl'])} mg/dL teaching target"
            for r in result["regimens"]
        )
        self._render(f"Line chart of serum IgG over {result['days']} days, with the patient's own IgG "
                     f"({fmt_int(result['own_igg_mg_dl'])} mg/dL) as a dotted line. {alt}")
        self.results.value = results_html(result)
        notes = self._startup_notes + self.warnings()
        self._startup_notes = []
        self._say(" ".join(notes), "warning" if notes else "info")


def results_html(result) -> str:
    head = "".join(f"<th style='padding:2px 10px'>{esc(r['label'])}</th>" for r in result["regimens"])
    target = result["target_trough_mg_dl"]

    def rate(r):
        text = f"about {r['pneumonia_per_patient_year']:.2f}"
        return text + " (extrapolated)" if r["pneumonia_extrapolated"] else text

    def row(name, fmt):
        cells = "".join(f"<td style='padding:2px 10px;text-align:right'>{fmt(r)}</td>"
                        for r in result["regimens"])
        return f"<tr><th style='text-align:left;padding:2px 10px'>{name}</th>{cells}</tr>"

    table = (
        "<table><thead><tr><th></th>" + head + "</tr></thead><tbody>"
        + row("Peak at steady state (mg/dL)", lambda r: fmt_int(r["peak_mg_dl"]))
        + row("Trough at steady state (mg/dL)", lambda r: fmt_int(r["trough_mg_dl"]))
        + row("&nbsp;&nbsp;of which the patient's own IgG", lambda r: fmt_int(r["own_igg_mg_dl"]))
        + row("&nbsp;&nbsp;of which from the medicine", lambda r: fmt_int(r["infused_trough_mg_dl"]))
        + row(f"Trough compared with the {fmt_int(target)} mg/dL teaching target",
              lambda r: "at or above" if r["above_target"] else "below")
        + row("Time to steady state (days)", lambda r: fmt_int(r["days_to_steady_state"]))
        + row("Estimated pneumonias per patient-year (group average)", rate)
        + "</tbody></table>"
    )
    sentences = " ".join(esc(level_sentence(r, target, r["own_igg_mg_dl"])) for r in result["regimens"])
    summary = f"<p>{sentences} {esc(CARE_TEAM)}</p>"
    spread = half_life_range_days()
    if spread:
        summary += (f"<p style='font-size:smaller'>IgG half-life differs between people: in the Privigen "
                    f"label's study (<code>privigen_label</code>) single patients ranged from "
                    f"{spread[0]:g} to {spread[1]:g} days. Change the half-life box to see what that does.</p>")
    note = (
        "<p style='font-size:smaller'>The pneumonia estimate follows the trend in a meta-analysis "
        "of replacement studies in primary antibody deficiency (Orange et al. 2010, source "
        "<code>orange2010_trough</code>): higher troughs went with fewer pneumonias. It describes groups "
        "of patients, not any one person, and only troughs of about "
        f"{fmt_int(result['pneumonia_data_range'][0])} to {fmt_int(result['pneumonia_data_range'][1])} mg/dL "
        "were studied; beyond them the numbers are an extrapolation (for all infections the benefit "
        "flattened above about 960 mg/dL, <code>lee2020_trough</code>). The curve is a simple model: "
        "real levels vary between people and products.</p>"
    )
    if any(r["route"] == "SCIG" for r in result["regimens"]) and len(result["regimens"]) > 1:
        note += (
            "<p style='font-size:smaller'>Compare mode converts 1:1 (EU-style): the weekly SCIG dose is "
            "the 4-weekly IVIG dose divided by four. US labels multiply by 1.37, the relative AUC measured "
            "for the product (<code>hizentra_dosing</code>); this model's bioavailability of 0.67 would "
            "need a factor of about 1.49 for the same AUC.</p>"
        )
    return table + summary + note + disclaimer_html()


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
        plot_igg_levels(ax, df, target_trough_mg_dl=target, label=label,
                        own_igg_mg_dl=igg.pk_defaults()["baseline_igg_mg_dl"])
        png = figure_png(fig)
        labels.append(route)
        own = igg.pk_defaults()["baseline_igg_mg_dl"]
        text = (f"<p><b>{esc(label)}</b> (1:1 monthly conversion): peak {fmt_int(ss['peak_mg_dl'])} mg/dL, "
                f"trough {fmt_int(ss['trough_mg_dl'])} mg/dL at steady state, of which "
                f"{fmt_int(own)} mg/dL is the patient's own IgG.</p>")
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
