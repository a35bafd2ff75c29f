"""One look for every chart in the series.

* ``PALETTE``: the Okabe–Ito colours, which stay distinct for the common forms of
  colour-vision deficiency.
* ``DIRECTION_STYLE``: how the three directions of dysregulation (and the balanced
  state) are drawn.  Every direction has a colour *and* a marker *and* a hatch, so
  colour is never the only cue (the charts also print the direction as text).
* ``SERIES_STYLE``: colour + line style for the curves of the balance model.
* ``SEVERITY_STYLE``: colour + hatch for the neutrophil-count severity bands.
* ``presentation_style()``: a context manager with larger fonts for projection.
* ``set_alt_text`` / ``alt_text``: every chart function stores a one-sentence text
  description on the Axes; apps show it as the caption under the image.

No pyplot here: the library draws on ``matplotlib.figure.Figure`` objects only.
"""
from __future__ import annotations

from contextlib import contextmanager

import math
import os

import matplotlib as mpl
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design".
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#7F7F7F",  # neutral grey for reference bands (not part of the eight)
}

DIRECTIONS = ("underactive", "overactive", "mixed")

DIRECTION_STYLE = {
    "underactive": {"color": PALETTE["blue"], "marker": "v", "hatch": "//",
                    "label": "Underactive (too little defence)"},
    "overactive": {"color": PALETTE["vermillion"], "marker": "^", "hatch": "\\\\",
                   "label": "Overactive (attacks self or overreacts)"},
    "mixed": {"color": PALETTE["reddish_purple"], "marker": "D", "hatch": "xx",
              "label": "Mixed (both at once)"},
    "balanced": {"color": PALETTE["bluish_green"], "marker": "o", "hatch": "",
                 "label": "Balanced"},
}

SERIES_STYLE = {
    "pathogen": {"color": PALETTE["orange"], "linestyle": "-", "label": "Pathogen load"},
    "effector": {"color": PALETTE["blue"], "linestyle": "--", "label": "Immune attack (effector cells)"},
    "regulation": {"color": PALETTE["bluish_green"], "linestyle": "-.", "label": "Regulation (brakes)"},
    "tissue_damage": {"color": PALETTE["black"], "linestyle": ":", "label": "Tissue damage"},
}

SEVERITY_ORDER = ("agranulocytosis", "severe", "moderate", "mild", "normal")

SEVERITY_STYLE = {
    "normal": {"color": PALETTE["bluish_green"], "hatch": ""},
    "mild": {"color": PALETTE["yellow"], "hatch": ".."},
    "moderate": {"color": PALETTE["orange"], "hatch": "//"},
    "severe": {"color": PALETTE["vermillion"], "hatch": "xx"},
    "agranulocytosis": {"color": PALETTE["reddish_purple"], "hatch": "xxx"},
}

STATUS_STYLE = {
    "low": {"color": PALETTE["blue"], "marker": "v"},
    "normal": {"color": PALETTE["bluish_green"], "marker": "o"},
    "high": {"color": PALETTE["vermillion"], "marker": "^"},
}

BASE_RC = {
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "hatch.linewidth": 0.8,
    "savefig.dpi": 100,
    "figure.dpi": 100,
}

PRESENTATION_RC = {
    "font.size": 15,
    "axes.titlesize": 18,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "lines.linewidth": 3.0,
    "lines.markersize": 10,
}

_presentation_depth = 0


@contextmanager
def presentation_style():
    """Larger fonts and thicker lines for projecting slides.

    Use it around the code that *creates* the figure and draws on it::

        with presentation_style():
            show_chart(plot_balance, summary)
    """
    global _presentation_depth
    _presentation_depth += 1
    try:
        with mpl.rc_context({**BASE_RC, **PRESENTATION_RC}):
            yield
    finally:
        _presentation_depth -= 1


PRESENT_ENV = "IMMUNE_BALANCE_PRESENT"  # "1" while the offline decks are built: every chart is drawn for projection


def in_presentation() -> bool:
    """True inside ``presentation_style()``, and for every chart while the decks are built
    (``IMMUNE_BALANCE_PRESENT=1``, set by ``tools/build_site.py slides``)."""
    return _presentation_depth > 0 or os.environ.get(PRESENT_ENV, "").strip() == "1"


def wrap_titles_when_projected(*axes) -> bool:
    """While projecting (``in_presentation()``), let every title of ``axes`` wrap inside the
    figure instead of running off it: projected text is larger. Returns whether it did."""
    projected = in_presentation()
    if projected:
        for ax in axes:
            for title in (ax.title, ax._left_title, ax._right_title):
                title.set_wrap(True)
    return projected


@contextmanager
def series_style():
    """The series' normal look (what every chart is drawn with by default)."""
    rc = dict(BASE_RC)
    if in_presentation():
        rc.update(PRESENTATION_RC)
    with mpl.rc_context(rc):
        yield


def new_figure(figsize=(8, 4.5), nrows=1, ncols=1, gridspec_kw=None, **subplot_kw):
    """A fresh ``Figure`` (not registered with pyplot) and its axes.

    Returns ``(fig, ax)`` for a single panel, otherwise ``(fig, axes_array)``.
    """
    with series_style():
        fig = Figure(figsize=figsize, layout="constrained")
        axes = fig.subplots(nrows, ncols, subplot_kw=subplot_kw or None,
                            gridspec_kw=gridspec_kw, squeeze=True)
    return fig, axes


def set_alt_text(ax, text: str) -> str:
    """Store the chart's one-sentence description on the Axes and return it."""
    text = " ".join(str(text).split())
    if text and not text.endswith("."):
        text += "."
    ax.alt_text = text
    return text


def alt_text(ax) -> str:
    """The one-sentence description a chart function stored on ``ax`` ('' if none)."""
    return getattr(ax, "alt_text", "") or ""


def artists(ax, key: str):
    """The artists a chart function made on this Axes last time (or None).

    Chart functions keep their artists in ``ax.ib_artists[key]`` so that calling the
    same function again on the same Axes updates them in place (``set_data`` ...)
    instead of piling up new ones.  Apps rely on this to redraw quickly.
    """
    store = getattr(ax, "ib_artists", None)
    if store is None:
        return None
    return store.get(key)


def remember(ax, key: str, value):
    store = getattr(ax, "ib_artists", None)
    if store is None:
        store = {}
        ax.ib_artists = store
    store[key] = value
    return value


NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(value: float, steps=NICE_STEPS) -> float:
    """The smallest "round" number (``steps`` times a power of ten) at or above ``value``.

    Interactive apps use it for an axis limit, so that the axis stays put while a slider
    moves the data a little (the reader can compare curves) and changes only when the data
    outgrow it. ``nice_ceiling(8.7) == 10``, ``nice_ceiling(1234) == 1500``.
    """
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        return value
    power = 10.0 ** math.floor(math.log10(value))
    for step in steps:
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power


def nice_floor(value: float, steps=NICE_STEPS) -> float:
    """The largest "round" number (``steps`` times a power of ten) at or below ``value``."""
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        return value
    power = 10.0 ** math.floor(math.log10(value))
    for step in reversed(steps):
        if step * power <= value * (1 + 1e-12):
            return step * power
    return power


def fmt_int(value) -> str:
    """1234.4 -> '1,234' (thousands separator, no decimals)."""
    return f"{value:,.0f}"


def fmt_num(value, digits=2) -> str:
    """A short human number: 0.0231 -> '0.023', 12.5 -> '12.5', 1234 -> '1,234'."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) < 5e-4:  # e.g. 5.6e-10 left of a cleared microbe: say "about 0"
        return "~0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.{digits}g}"
