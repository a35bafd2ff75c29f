"""Charts for the balance model: the time course and the 'seesaw' picture.

Both functions can be called again on the same Axes: the second call updates the
lines, patches and texts it made the first time instead of adding new ones.
"""
from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
from matplotlib.patches import Polygon, Rectangle

from .style import (DIRECTION_STYLE, PALETTE, SERIES_STYLE, artists, fmt_num, in_presentation,
                    nice_ceiling, remember, series_style, set_alt_text)

TIMECOURSE_SERIES = ("pathogen", "effector", "regulation", "tissue_damage")


def _check_timecourse(df):
    try:
        columns = set(df.columns)
    except AttributeError:
        raise ValueError(
            f"plot_scenario_timecourse needs a table from simulate_scenario(), got {type(df).__name__}"
        ) from None
    missing = [c for c in ("pathogen", "tissue_damage") if c not in columns]
    if missing:
        raise ValueError(
            "plot_scenario_timecourse needs the columns "
            f"{', '.join(TIMECOURSE_SERIES)}; missing: {', '.join(missing)}"
        )
    if len(df) == 0:
        raise ValueError("plot_scenario_timecourse was given an empty table (no days to draw)")


def _days(df):
    if "day" in df.columns:
        return np.asarray(df["day"], dtype=float)
    return np.asarray(df.index, dtype=float)


def timecourse_description(df) -> str:
    """One sentence describing the curves (used as alt text)."""
    days = _days(df)
    path = np.asarray(df["pathogen"], dtype=float)
    dmg = np.asarray(df["tissue_damage"], dtype=float)
    i_peak = int(np.nanargmax(path))
    text = (
        f"Over {fmt_num(days[-1] - days[0])} days the pathogen load peaks at "
        f"{fmt_num(path[i_peak])} on day {fmt_num(days[i_peak])} and ends at {fmt_num(path[-1])}, "
        f"while tissue damage reaches {fmt_num(np.nanmax(dmg))}"
    )
    if "effector" in df.columns:
        text += f" and immune attack peaks at {fmt_num(np.nanmax(np.asarray(df['effector'], float)))}"
    return text + " (model units)"


def plot_scenario_timecourse(ax, df, title=None, steady_axis=False):
    """Pathogen, immune attack, regulation and tissue damage over time.

    ``df`` is the table returned by ``widgets.models.balance.simulate_scenario``
    (indexed by ``day``).  Returns ``ax``.  The y axis ends 5 % above the highest
    curve; with ``steady_axis=True`` (the apps) it ends at the next round number above
    that (``nice_ceiling``), so it stays put while a slider moves the curves a little.
    """
    _check_timecourse(df)
    days = _days(df)
    with series_style():
        lines = artists(ax, "timecourse")
        if lines is None:
            lines = {}
            for name in TIMECOURSE_SERIES:
                st = SERIES_STYLE[name]
                (line,) = ax.plot([], [], color=st["color"], linestyle=st["linestyle"],
                                  linewidth=1.5 * mpl.rcParams["lines.linewidth"], label=st["label"])
                lines[name] = line
            ax.set_xlabel("Time since infection (days)")
            ax.set_ylabel("Level (model units)")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
            ax.grid(True, alpha=0.3)
            remember(ax, "timecourse", lines)
        for name, line in lines.items():
            if name in df.columns:
                line.set_data(days, np.asarray(df[name], dtype=float))
                line.set_visible(True)
            else:
                line.set_data([], [])
                line.set_visible(False)
        ax.set_title(title or "Infection and immune response over time")
        top = max((float(np.nanmax(l.get_ydata())) for l in lines.values()
                   if l.get_visible() and len(l.get_ydata())), default=1.0)
        ax.set_xlim(days[0], days[-1])
        top = top * 1.05 if top > 0 else 1.0
        ax.set_ylim(0, nice_ceiling(top) if steady_axis else top)
    set_alt_text(ax, timecourse_description(df))
    return ax


def balance_verdict(summary, tolerance=0.25):
    """'underactive', 'overactive' or 'balanced' from a scenario summary.

    The seesaw tips toward whichever harm is larger: infection (too little defence)
    or self-damage (too much attack).  ``tilt`` is in [-1, 1]: negative means the
    infection side is heavier.  A scenario counts as balanced when the pathogen was
    cleared and neither harm clearly outweighs the other.  When the summary carries
    the model's own ``direction`` (``scenario_summary`` does), that verdict is used
    and the tilt only shows how clear-cut it is.
    """
    inf = float(summary.get("infection_burden", 0.0) or 0.0)
    selfd = float(summary.get("self_damage", 0.0) or 0.0)
    if inf < 0 or selfd < 0 or math.isnan(inf) or math.isnan(selfd):
        raise ValueError(
            f"infection_burden and self_damage must be 0 or more, got {inf} and {selfd}"
        )
    total = inf + selfd
    tilt = 0.0 if total == 0 else (selfd - inf) / total
    direction = summary.get("direction")
    if direction in ("underactive", "overactive", "balanced"):
        # the model's own verdict wins; the tilt only shows how clear-cut it is
        if direction == "balanced":
            return "balanced", max(-tolerance, min(tolerance, tilt)) * 0.5
        sign = 1.0 if direction == "overactive" else -1.0
        return direction, sign * max(abs(tilt), 0.5)
    if abs(tilt) < tolerance and summary.get("cleared", True):
        return "balanced", tilt
    return ("overactive" if tilt > 0 else "underactive"), tilt


VERDICT_TEXT = {
    "underactive": "Tipped toward infection:\ndefence too weak",
    "overactive": "Tipped toward self-damage:\nimmune attack too strong",
    "balanced": "In balance: infection cleared\nwithout much self-damage",
}


def plot_balance(ax, summary, title=None):
    """A seesaw: harm from infection (left) against harm from the immune system (right).

    ``summary`` comes from ``widgets.models.balance.scenario_summary`` (keys
    ``infection_burden``, ``self_damage``, ``cleared``, ``clearance_day``).  The two
    blocks are scaled to the larger value; the beam tilts toward the heavier side.
    """
    for key in ("infection_burden", "self_damage"):
        if key not in summary:
            raise ValueError(f"plot_balance needs a summary with '{key}' (from scenario_summary())")
    verdict, tilt = balance_verdict(summary)
    inf = float(summary["infection_burden"])
    selfd = float(summary["self_damage"])
    biggest = max(inf, selfd) or 1.0
    angle = math.radians(18.0 * tilt)  # positive tilt -> right side down
    half = 1.0
    pivot_y = 0.55
    lx, ly = -half * math.cos(angle), pivot_y + half * math.sin(angle)
    rx, ry = half * math.cos(angle), pivot_y - half * math.sin(angle)
    max_h = 0.55
    h_left = 0.05 + max_h * inf / biggest
    h_right = 0.05 + max_h * selfd / biggest
    w = 0.42
    vstyle = DIRECTION_STYLE[verdict]
    under, over = DIRECTION_STYLE["underactive"], DIRECTION_STYLE["overactive"]

    with series_style():
        a = artists(ax, "balance")
        if a is None:
            a = {}
            ax.set_xlim(-1.6, 1.6)
            top = 2.45 if in_presentation() else 2.05  # room for the verdict's larger projected text
            ax.set_ylim(-0.25, top)
            ax.set_aspect("auto")
            ax.axis("off")
            a["fulcrum"] = ax.add_patch(Polygon([[-0.12, 0.0], [0.12, 0.0], [0.0, pivot_y]],
                                                closed=True, facecolor=PALETTE["grey"],
                                                edgecolor="black"))
            (a["beam"],) = ax.plot([], [], color="black", linewidth=4, solid_capstyle="round")
            a["left"] = ax.add_patch(Rectangle((0, 0), w, 0.1, facecolor=under["color"],
                                               edgecolor="black", hatch=under["hatch"], alpha=0.85))
            a["right"] = ax.add_patch(Rectangle((0, 0), w, 0.1, facecolor=over["color"],
                                                edgecolor="black", hatch=over["hatch"], alpha=0.85))
            # projected text is larger; the two labels would touch above a steep beam
            label_size = "small" if in_presentation() else "medium"
            a["left_label"] = ax.text(0, 0, "", ha="center", va="bottom", fontsize=label_size)
            a["right_label"] = ax.text(0, 0, "", ha="center", va="bottom", fontsize=label_size)
            a["verdict"] = ax.text(0.0, top - 0.05, "", ha="center", va="top", fontsize="large",
                                   fontweight="bold")
            a["detail"] = ax.text(0.0, -0.08, "", ha="center", va="top", fontsize="medium")
            remember(ax, "balance", a)
        a["beam"].set_data([lx, rx], [ly, ry])
        a["left"].set_xy((lx - w / 2, ly))
        a["left"].set_height(h_left)
        a["right"].set_xy((rx - w / 2, ry))
        a["right"].set_height(h_right)
        a["left_label"].set_position((lx, ly + h_left + 0.04))
        a["left_label"].set_text(f"Harm from\ninfection: {fmt_num(inf)}")
        a["right_label"].set_position((rx, ry + h_right + 0.04))
        a["right_label"].set_text(f"Harm from own\nimmune response: {fmt_num(selfd)}")
        marker = {"underactive": "\u25BC", "overactive": "\u25B2", "balanced": "\u25CF"}[verdict]
        a["verdict"].set_text(f"{marker} {VERDICT_TEXT[verdict]}")
        a["verdict"].set_color(vstyle["color"] if verdict != "balanced" else "black")
        cleared = summary.get("cleared")
        day = summary.get("clearance_day")
        if cleared and day is not None and not (isinstance(day, float) and math.isnan(day)):
            detail = f"Pathogen cleared on day {fmt_num(day)}"
        elif cleared:
            detail = "Pathogen cleared"
        else:
            detail = "Pathogen not cleared in the time simulated"
        a["detail"].set_text(detail)
        ax.set_title(title or "Balance: which harm is bigger?")
    set_alt_text(
        ax,
        f"Seesaw comparing harm from infection ({fmt_num(inf)}) with harm from the immune "
        f"response itself ({fmt_num(selfd)}, model units): "
        f"{VERDICT_TEXT[verdict].replace(chr(10), ' ').lower()}; "
        f"{detail.lower()}",
    )
    return ax
