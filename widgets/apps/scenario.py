"""ScenarioExplorer: underactive, balanced or overactive immune response, side by side.

Live version (needs a kernel)::

    from widgets import ScenarioExplorer
    ScenarioExplorer()

Kernel-free version for slides and static HTML (pre-rendered pictures that a
JavaScript link switches)::

    ScenarioExplorer.static()
"""
from __future__ import annotations

import ipywidgets as ipw

from widgets.charts import plot_balance, plot_scenario_timecourse, show_chart
from widgets.charts.style import DIRECTION_STYLE, new_figure

from . import _info
from ._base import FigureApp, finish_for_static_pages, kernel_free, linked_gallery, control, disclaimer_html, esc, friendly_errors

DIRECTIONS = ("underactive", "balanced", "overactive")
TOGGLE_LABELS = {"underactive": "Underactive", "balanced": "Balanced", "overactive": "Overactive"}
TOGGLE_TIPS = {
    "underactive": "Too little defence: the microbe wins (immunodeficiency)",
    "balanced": "A healthy response: the microbe is cleared, then the response stands down",
    "overactive": "Too much attack or too few brakes: the body's own tissue is harmed",
}

# The model parameters a learner can move, with slider bounds and plain labels.
SLIDERS = (
    ("effector_activation", "Immune activation", 0.0, 12.0, 0.05,
     "How strongly the microbe switches on the attack (model units)"),
    ("kill_rate", "Killing power (/day)", 0.0, 3.0, 0.05,
     "How well the immune attack removes microbes, per unit of attack per day"),
    ("regulation_strength", "Regulation (\u00d7 normal)", 0.0, 2.0, 0.05,
     "Size of the regulatory T-cell 'brakes' compared with normal (1 = normal)"),
)

DAYS = 60


def _balance_model():
    from widgets.models import balance

    return balance


def scenarios_for(direction: str):
    """Sub-scenario names of the balance model belonging to ``direction``, main one first."""
    bal = _balance_model()
    names = [n for n in bal.SCENARIOS if bal.SCENARIO_INFO.get(n, {}).get("direction") == direction]
    if direction in names:
        names.remove(direction)
        names.insert(0, direction)
    return names or [direction]


def _label(name: str) -> str:
    info = _balance_model().SCENARIO_INFO.get(name, {})
    return info.get("label", name.replace("_", " ").capitalize())


class ScenarioExplorer(FigureApp):
    """Pick a direction (and a sub-scenario), move the key parameters, watch the outcome.

    Public parts: ``scenario`` (ToggleButtons), ``variant`` (Dropdown of
    sub-scenarios), ``sliders`` (dict parameter -> FloatSlider), ``reset_button``,
    ``image``, ``caption``, ``info`` (HTML), ``status`` (HTML), ``figure``.
    ``current_result()`` returns what is shown.
    """

    figsize = (11.5, 4.2)

    def __init__(self, scenario: str = "balanced", days: int = DAYS):
        super().__init__()
        self.days = days
        self._updating = False
        self.ax_time, self.ax_balance = self._init_figure(1, 2, width_ratios=[2.0, 1.0])
        self.scenario = ipw.ToggleButtons(
            options=[(TOGGLE_LABELS[d], d) for d in DIRECTIONS],
            value=scenario if scenario in DIRECTIONS else "balanced",
            tooltips=[TOGGLE_TIPS[d] for d in DIRECTIONS],
            style={"button_width": "120px"},
        )
        control(self.scenario, "Response:", "Choose how strong the immune response is")
        self.variant = ipw.Dropdown(layout=ipw.Layout(width="420px"))
        control(self.variant, "Example:", "A more specific version of the chosen direction")
        self.sliders = {}
        for name, label, lo, hi, step, tip in SLIDERS:
            s = ipw.FloatSlider(min=lo, max=hi, step=step, continuous_update=False,
                                readout_format=".2f", layout=ipw.Layout(width="420px"))
            self.sliders[name] = control(s, label, tip, width="170px")
        self.reset_button = ipw.Button(description="Reset sliders", icon="undo",
                                       tooltip="Put the sliders back to this scenario's values")
        self.info = ipw.HTML()
        self._result = None

        self.scenario.observe(self._on_direction, names="value")
        self.variant.observe(self._on_variant, names="value")
        for s in self.sliders.values():
            s.observe(self._on_slider, names="value")
        self.reset_button.on_click(lambda _b: self._reset_sliders())

        self.children = [
            self.scenario,
            ipw.HBox([self.variant, self.reset_button]),
            ipw.VBox(list(self.sliders.values())),
            self.status,
            self.image,
            self.caption,
            self.info,
        ]
        self._fill_variants(self.scenario.value)
        self._reset_sliders()
        if kernel_free():
            finish_for_static_pages(self, self.static(days=days))

    # -- the pure part ----------------------------------------------------
    def parameters(self) -> dict:
        """The slider values, as overrides for ``simulate_scenario``."""
        return {name: float(s.value) for name, s in self.sliders.items()}

    def compute(self, name=None, **overrides):
        """Run the model for sub-scenario ``name`` with ``overrides``; no drawing."""
        bal = _balance_model()
        name = name or self.variant.value
        key = (name, self.days, tuple(sorted(overrides.items())))
        cache = self.__dict__.setdefault("_runs", {})
        if key not in cache:  # a model run per set of inputs: going back to one costs nothing
            if len(cache) > 64:
                cache.clear()
            df = bal.simulate_scenario(name, days=self.days, **overrides)
            cache[key] = (df, bal.scenario_summary(df))
        df, summary = cache[key]
        df = df.copy()
        summary = dict(summary)
        result = {"scenario": name, "direction": self.scenario.value, "parameters": overrides,
                  "df": df, "summary": summary}
        # the plotted curves, also reachable directly (result["pathogen"] is a Series by day)
        for column in ("pathogen", "effector", "regulation", "tissue_damage"):
            result[column] = df[column]
        return result

    def current_result(self) -> dict:
        """What is shown now: ``scenario``, ``direction``, ``parameters``, ``df`` (model
        table), ``summary`` (from ``scenario_summary``) and the plotted curves
        ``pathogen``, ``effector``, ``regulation``, ``tissue_damage`` (Series by day)."""
        return self._result

    # -- events -----------------------------------------------------------
    def _fill_variants(self, direction):
        names = scenarios_for(direction)
        self._updating = True
        try:
            self.variant.options = [(_label(n), n) for n in names]
            self.variant.value = names[0]
            self.variant.disabled = len(names) == 1
        finally:
            self._updating = False

    def _reset_sliders(self):
        bal = _balance_model()
        preset = bal.scenario_parameters(self.variant.value)
        self._updating = True
        try:
            for name, s in self.sliders.items():
                s.value = min(max(float(preset[name]), s.min), s.max)
        finally:
            self._updating = False
        self.update()

    def _on_direction(self, change):
        self._fill_variants(change["new"])
        self._reset_sliders()

    def _on_variant(self, change):
        if not self._updating:
            self._reset_sliders()

    def _on_slider(self, change):
        if not self._updating:
            self.update()

    # -- drawing ----------------------------------------------------------
    def update(self):
        """Recompute and redraw; errors go to ``status`` and keep the last chart."""
        try:
            result = self.compute(**self.parameters())
            plot_scenario_timecourse(self.ax_time, result["df"],
                                     title=f"{_label(result['scenario'])}: {self.days} days",
                                     steady_axis=True)
            plot_balance(self.ax_balance, result["summary"])
        except friendly_errors() as exc:
            self._fail(exc, "Could not run this scenario")
            return
        self._result = result
        from widgets.charts import alt_text

        self._render(f"{alt_text(self.ax_time)} {alt_text(self.ax_balance)}")
        self.info.value = info_html(result["scenario"], self.scenario.value)
        self._say()

    # -- kernel-free gallery -------------------------------------------------
    @classmethod
    def static(cls, directions=DIRECTIONS, days: int = DAYS):
        """A kernel-free gallery: ToggleButtons linked in the browser to pre-rendered views.

        Returns an ``ipw.VBox`` whose first child is the toggle and second an
        ``ipw.Stack`` with one child (image + caption + info) per direction, joined
        by ``ipw.jslink`` so switching works in static HTML and offline slides.
        """
        bal = _balance_model()
        pages = []
        for direction in directions:
            name = scenarios_for(direction)[0]
            df = bal.simulate_scenario(name, days=days)
            summary = bal.scenario_summary(df)
            fig, (ax1, ax2) = new_figure(figsize=cls.figsize, ncols=2,
                                         gridspec_kw={"width_ratios": [2.0, 1.0]})
            plot_scenario_timecourse(ax1, df, title=f"{_label(name)}: {days} days")
            plot_balance(ax2, summary)
            from widgets.charts import alt_text, figure_png
            from widgets.charts.style import wrap_titles_when_projected

            wrap_titles_when_projected(ax1, ax2)

            png = figure_png(fig)
            alt = f"{alt_text(ax1)} {alt_text(ax2)}"
            pages.append(ipw.VBox([
                ipw.Image(value=png, format="png", layout=ipw.Layout(width="100%", max_width="1000px")),
                ipw.HTML(f'<p style="margin:2px 0 8px 0"><em>Chart:</em> {esc(alt)}</p>'),
                ipw.HTML(info_html(name, direction)),
            ]))
        toggle = ipw.ToggleButtons(
            options=[TOGGLE_LABELS.get(d, d) for d in directions],
            tooltips=[TOGGLE_TIPS.get(d, "") for d in directions],
            description="Response:", style={"button_width": "120px"},
        )
        toggle.tooltip = "Choose how strong the immune response is"
        return linked_gallery(toggle, pages)


def info_html(scenario: str, direction: str) -> str:
    """The info panel: what the scenario shows, example disorders, symptoms, treatments."""
    bal = _balance_model()
    info = bal.SCENARIO_INFO.get(scenario, {})
    st = DIRECTION_STYLE.get(direction, DIRECTION_STYLE["balanced"])
    marker = {"underactive": "\u25BC", "overactive": "\u25B2", "balanced": "\u25CF"}.get(direction, "")
    parts = [
        f'<div style="border-left:6px solid {st["color"]};padding:4px 10px">',
        f'<h4 style="margin:4px 0">{marker} {esc(info.get("label", scenario))}</h4>',
        f"<p>{esc(info.get('description', ''))}</p>",
    ]
    if direction != "balanced":
        parts.append(
            "<p style='font-size:smaller'><em>This preset illustrates one mechanism often discussed "
            "for the disorders below; it is not a model of any of them.</em></p>"
        )
    try:
        summary = _info.direction_summary(direction, highlight=info.get("disorder_ids", []))
    except friendly_errors() as exc:
        parts.append(f"<p><em>Disorder examples could not be loaded: {esc(exc)}</em></p>")
        summary = None
    if summary is None:
        pass
    elif direction == "balanced":
        parts.append(
            "<p>In health the response is strong enough to clear microbes and is then switched "
            "off by regulation, so tissue damage stays small. The other two buttons show what "
            "happens when this balance fails.</p>"
        )
    else:
        parts.append(summary)
    parts.append(disclaimer_html())
    parts.append("</div>")
    return "".join(parts)
