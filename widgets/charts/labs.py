"""Laboratory charts: the neutrophil-count gauge and immunoglobulins against age bands.

The cut-offs are not typed here: severity bands come from ``data/anc_bands.csv``
(through ``widgets.data.load``) and the classification from
``widgets.models.clinical``, so the chart always agrees with the calculators.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, NullFormatter

from .style import (PALETTE, SEVERITY_ORDER, SEVERITY_STYLE, STATUS_STYLE, artists,
                    fmt_int, in_presentation, nice_ceiling, nice_floor, remember, series_style,
                    set_alt_text)

GAUGE_MIN = 10.0       # cells/µL, left edge of the log-scaled gauge
GAUGE_MAX = 20000.0    # cells/µL, right edge

SEVERITY_LABEL = {
    "normal": "Normal",
    "mild": "Mild",
    "moderate": "Moderate",
    "severe": "Severe",
    "agranulocytosis": "Agranulo-\ncytosis",
}


def anc_bands(age_years=None):
    """Severity bands as a list of ``(severity, low_per_ul, high_per_ul)``, lowest first.

    Read from ``data/anc_bands.csv``; the open top band ends at ``GAUGE_MAX``.
    """
    from widgets.data import load

    table = load("anc_bands")
    return _bands_from_table(table, age_years)


def _col(table, *names):
    for n in names:
        if n in table.columns:
            return n
    raise ValueError(f"anc_bands table has none of the columns {names}")


def _bands_from_table(table, age_years=None):
    sev = _col(table, "severity", "band")
    lo = _col(table, "anc_min_per_ul", "low_per_ul", "lower_per_ul", "min_per_ul")
    hi = _col(table, "anc_max_per_ul", "high_per_ul", "upper_per_ul", "max_per_ul")
    rows = table
    if "population" in table.columns:
        pop = table["population"].astype(str).str.lower()
        infant = age_years is not None and float(age_years) < 1
        chosen = rows[pop == "infant"] if infant else rows[pop != "infant"]
        if len(chosen):
            rows = chosen
    bands = []
    for _, r in rows.iterrows():
        s = str(r[sev]).strip().lower()
        if s not in SEVERITY_STYLE:
            continue
        low = float(r[lo]) if r[lo] == r[lo] else 0.0
        high = float(r[hi]) if r[hi] == r[hi] else GAUGE_MAX
        bands.append((s, low, high))
    if not bands:
        raise ValueError("anc_bands table has no rows with a known severity")
    bands.sort(key=lambda b: b[1])
    return bands


def _draw_bands(ax, a, bands, population):
    """The coloured severity bands and their labels (replacing any drawn before)."""
    for artist in a.get("band_artists", ()):
        artist.remove()
    a["bands"], a["band_artists"] = {}, []
    for sev, low, high in bands:
        st = SEVERITY_STYLE[sev]
        left, right = max(low, GAUGE_MIN), min(high, GAUGE_MAX)
        if right <= left:
            continue
        a["bands"][sev] = ax.add_patch(Rectangle((left, 0), right - left, 0.6,
                                                 facecolor=st["color"], hatch=st["hatch"],
                                                 edgecolor="white", alpha=0.9))
        label = ax.text(math.sqrt(left * right), 0.3, SEVERITY_LABEL[sev], ha="center",
                        va="center", fontsize="small", fontweight="bold",
                        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none",
                              "pad": 1.5})
        a["band_artists"] += [a["bands"][sev], label]
    a["bands_drawn"], a["population"] = tuple(bands), population


def plot_anc_gauge(ax, anc_per_ul, age_years=None, bands=None, title=None, result=None):
    """A horizontal gauge of neutrophil severity bands with a pointer at ``anc_per_ul``.

    The x axis is logarithmic (cells/µL) so the narrow low bands stay visible.
    ``result`` (optional): the ``classify_anc`` result the caller already has for this
    count and age, so it is not looked up twice. Returns ``ax``.
    """
    from widgets.models.clinical import classify_anc

    try:
        anc = float(anc_per_ul)
    except (TypeError, ValueError):
        raise ValueError(f"ANC must be a number of cells/µL, got {anc_per_ul!r}") from None
    if math.isnan(anc) or anc < 0:
        raise ValueError(f"ANC must be 0 or more cells/µL, got {anc_per_ul!r}")
    if result is None or float(result.anc_per_ul) != anc:
        result = classify_anc(anc, age_years=age_years)
    shown = min(max(anc, GAUGE_MIN * 1.05), GAUGE_MAX * 0.95)
    with series_style():
        a = artists(ax, "anc")
        if a is None:
            if bands is None:
                bands = anc_bands(age_years)
            a = {"bands": {}}
            ax.set_xscale("log")
            ax.set_xlim(GAUGE_MIN, GAUGE_MAX)
            ax.set_ylim(-0.9, 1.6)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
            ax.set_xlabel("Absolute neutrophil count (cells/µL, log scale)")
            ticks = [10, 100, 500, 1000, 1500, 5000, 10000]
            ax.set_xticks(ticks)
            ax.set_xticklabels([fmt_int(t) for t in ticks])
            ax.minorticks_off()
            _draw_bands(ax, a, bands, result.population)
            (a["pointer"],) = ax.plot([shown], [0.75], marker="v", markersize=16,
                                      color="black", linestyle="none")
            (a["stem"],) = ax.plot([shown, shown], [-0.05, 0.65], color="black", linewidth=2.5)
            a["label"] = ax.text(shown, 0.95, "", ha="center", va="bottom", fontsize="medium",
                                 fontweight="bold")
            a["threshold"] = ax.axvline(1500, ymin=0.0, ymax=0.0, color=PALETTE["black"],
                                        linestyle="--", linewidth=1.2)
            a["threshold_label"] = ax.text(1500, -0.35, "", ha="right", va="top",
                                           fontsize="small")
            remember(ax, "anc", a)
        elif bands is not None and tuple(bands) != a["bands_drawn"]:
            _draw_bands(ax, a, bands, result.population)
        elif bands is None and a["population"] != result.population:
            # an infant's bands differ from those of everyone older (no "mild" band, a lower cut-off)
            _draw_bands(ax, a, anc_bands(age_years), result.population)
        a["pointer"].set_data([shown], [0.75])
        a["stem"].set_data([shown, shown], [-0.05, 0.65])
        a["label"].set_position((shown, 0.95))
        ha = "center"
        if shown < 60:
            ha = "left"
        elif shown > 4000:
            ha = "right"
        a["label"].set_horizontalalignment(ha)
        a["label"].set_text(f"ANC {fmt_int(anc)} /µL: {result.severity}")
        thr = float(result.threshold_per_ul)
        # dashed line under the bar marking where neutropenia starts for this age
        a["threshold"].set_xdata([thr, thr])
        a["threshold"].set_transform(ax.get_xaxis_transform())
        a["threshold"].set_ydata([0.0, 0.36])
        a["threshold_label"].set_position((thr * 0.92, -0.3))
        who = "infants" if age_years is not None and float(age_years) < 1 else "this age"
        a["threshold_label"].set_text(f"neutropenia below {fmt_int(thr)} /µL for {who}")
        ax.set_title(title or "Where the neutrophil count sits")
    set_alt_text(
        ax,
        f"Gauge of neutrophil severity bands with the pointer at an ANC of {fmt_int(anc)} cells/µL, "
        f"which is in the {result.severity} band (neutropenia starts below {fmt_int(thr)} cells/µL "
        f"for {who})",
    )
    return ax


ANALYTE_ORDER = ("IgG", "IgA", "IgM")


def _tick_label(value, _pos=None):
    """1000 -> '1,000' (a module-level function, so the figure can be copied with pickle)."""
    return fmt_int(value)


def _classify_all(values_mg_dl, age_years, known=None):
    from widgets.models.clinical import classify_immunoglobulin

    if not isinstance(values_mg_dl, dict) or not values_mg_dl:
        raise ValueError("values_mg_dl must be a dict like {'IgG': 800, 'IgA': 120, 'IgM': 90}")
    known = known or {}
    results = []
    for analyte, value in values_mg_dl.items():
        if value is None:
            continue
        res = known.get(analyte)
        if res is None or float(res.value_mg_dl) != float(value) or float(res.age_years) != float(age_years):
            res = classify_immunoglobulin(analyte, float(value), age_years)
        results.append((analyte, float(value), res))
    if not results:
        raise ValueError("values_mg_dl has no values to show")
    order = {a.lower(): i for i, a in enumerate(ANALYTE_ORDER)}
    results.sort(key=lambda r: order.get(r[0].lower(), 99))
    return results


def plot_ig_levels(ax, values_mg_dl, age_years, title=None, steady_axis=False, results=None):
    """Each immunoglobulin value as a marker on its age-specific reference range.

    ``values_mg_dl`` maps analyte (``IgG``, ``IgA``, ``IgM``) to mg/dL.  Ranges come
    from ``classify_immunoglobulin`` (data/reference_ranges.csv).  Log-scaled x axis.
    With ``steady_axis=True`` (the apps) the x axis starts and ends at round numbers
    (``nice_floor`` / ``nice_ceiling``), so it stays put while a value changes a little.
    ``results`` (optional): ``{analyte: IgResult}`` the caller already has for these values
    and this age, so the ranges are not looked up twice.
    """
    results = _classify_all(values_mg_dl, age_years, results)
    n = len(results)
    ys = np.arange(n)[::-1].astype(float)
    lows = [r[2].low for r in results]
    highs = [r[2].high for r in results]
    vals = [r[1] for r in results]
    positive = [v for v in lows + highs + vals if v and v > 0]
    x_min = max(min(positive) / 3, 0.5)
    x_max = max(positive) * 4
    if steady_axis:
        x_min, x_max = nice_floor(x_min, (1.0, 2.0, 5.0)), nice_ceiling(x_max, (1.0, 2.0, 5.0, 10.0))
    with series_style():
        a = artists(ax, "ig")
        if a is not None and len(a["rows"]) != n:
            for row in a["rows"]:
                for art in row.values():
                    art.remove()
            a = None
        if a is None:
            a = {"rows": []}
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(_tick_label))
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("Serum level (mg/dL, log scale)")
            ax.grid(True, axis="x", alpha=0.3, which="both")
            for y in ys:
                row = {
                    "range": ax.add_patch(Rectangle((1, y - 0.18), 1, 0.36,
                                                    facecolor=PALETTE["grey"], alpha=0.35,
                                                    edgecolor=PALETTE["grey"])),
                    "value": ax.plot([1], [y], linestyle="none", markersize=13,
                                     markeredgecolor="black")[0],
                    "text": ax.text(1, y + 0.3, "", ha="center", va="bottom",
                                    fontsize="small"),
                }
                a["rows"].append(row)
            a["note"] = ax.text(0.0, -0.2, "", transform=ax.transAxes, fontsize="small",
                                style="italic", va="top")
            remember(ax, "ig", a)
        ax.set_yticks(ys)
        ax.set_yticklabels([r[0] for r in results])
        ax.set_ylim(-0.7, n - 0.2)
        ax.set_xlim(x_min, x_max)
        parts = []
        for y, (analyte, value, res), row in zip(ys, results, a["rows"]):
            st = STATUS_STYLE.get(res.status, STATUS_STYLE["normal"])
            row["range"].set_xy((res.low, y - 0.18))
            row["range"].set_width(res.high - res.low)
            row["value"].set_data([value], [y])
            row["value"].set_marker(st["marker"])
            row["value"].set_color(st["color"])
            row["value"].set_markeredgecolor("black")
            row["text"].set_position((math.sqrt(res.low * res.high) if res.low > 0 else res.high / 2,
                                      y + 0.22))
            row["text"].set_text(
                f"{analyte} {fmt_int(value)} mg/dL is {res.status.upper()} "
                f"(age band {res.age_band}: {fmt_int(res.low)}\u2013{fmt_int(res.high)})"
            )
            parts.append(f"{analyte} {fmt_int(value)} mg/dL is {res.status} "
                         f"(range {fmt_int(res.low)}\u2013{fmt_int(res.high)})")
        note = ("Grey bars: reference range for the age band. Ranges differ between "
                "laboratories and methods; use the range printed on the lab report.")
        if in_presentation():  # projected text is larger: two lines keep the note inside the figure
            note = note.replace(" Ranges differ", "\nRanges differ")
        a["note"].set_text(note)
        ax.set_title(title or f"Immunoglobulins against the age band (age {age_years:g} years)")
    set_alt_text(ax, f"For age {age_years:g} years, " + "; ".join(parts))
    return ax
