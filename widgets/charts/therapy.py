"""Immunoglobulin replacement: IgG level over time against a teaching target trough."""
from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .style import PALETTE, artists, fmt_int, nice_ceiling, remember, series_style, set_alt_text

# line looks for up to four regimens on one Axes (colour + line style)
REGIMEN_STYLES = (
    {"color": PALETTE["blue"], "linestyle": "-"},
    {"color": PALETTE["orange"], "linestyle": "--"},
    {"color": PALETTE["bluish_green"], "linestyle": "-."},
    {"color": PALETTE["reddish_purple"], "linestyle": ":"},
)


def _check_levels(df):
    try:
        ok = {"day", "igg_mg_dl"} <= set(df.columns)
    except AttributeError:
        raise ValueError(
            f"plot_igg_levels needs a table from igg_levels(), got {type(df).__name__}"
        ) from None
    if not ok:
        raise ValueError("plot_igg_levels needs the columns 'day' and 'igg_mg_dl' (from igg_levels())")
    if len(df) == 0:
        raise ValueError("plot_igg_levels was given an empty table (no days to draw)")


def igg_description(df, target_trough_mg_dl=None, label=None, own_igg_mg_dl=None) -> str:
    days = np.asarray(df["day"], float)
    level = np.asarray(df["igg_mg_dl"], float)
    last = days >= days[-1] - min(35.0, (days[-1] - days[0]) / 3)
    peak, trough = level[last].max(), level[last].min()
    name = f"{label}: " if label else ""
    text = (
        f"{name}serum IgG over {fmt_int(days[-1] - days[0])} days rises and falls with each dose; "
        f"in the last weeks it swings between {fmt_int(trough)} and {fmt_int(peak)} mg/dL"
    )
    if own_igg_mg_dl is not None:
        text += f"; {fmt_int(own_igg_mg_dl)} mg/dL of it is the patient's own IgG (dotted line)"
    if target_trough_mg_dl is not None:
        where = "at or above" if trough >= target_trough_mg_dl else "below"
        text += f", with the lowest level {where} the {fmt_int(target_trough_mg_dl)} mg/dL teaching target"
    return text


def plot_igg_levels(ax, df, target_trough_mg_dl=None, label=None, title=None, slot=None,
                    own_igg_mg_dl=None, steady_axis=False):
    """Serum IgG (mg/dL) against day, with the teaching target trough as a shaded band.

    ``own_igg_mg_dl`` (optional) draws the patient's own IgG as a dotted line, so the
    part of the level that comes from the medicine is the gap above it.

    Call it several times on the same Axes with different ``label`` values to compare
    regimens; calling it again with the same label updates that line in place.
    ``slot`` (optional) names the line independently of its legend text, so an app
    can relabel a line ("IVIG 400 mg/kg ...") without creating a new one.
    Lines made invisible (``line.set_visible(False)``) are left out of the scaling
    and the legend. The y axis ends 15 % above the highest level; with ``steady_axis=True``
    (the apps) at the next round number above that (``nice_ceiling``), so it stays put
    while a box changes the curve a little.
    """
    _check_levels(df)
    if own_igg_mg_dl is not None:
        own_igg_mg_dl = float(own_igg_mg_dl)
        if not np.isfinite(own_igg_mg_dl) or own_igg_mg_dl < 0:
            raise ValueError(f"the patient's own IgG must be 0 mg/dL or more, got {own_igg_mg_dl}")
    if target_trough_mg_dl is not None:
        target_trough_mg_dl = float(target_trough_mg_dl)
        if not target_trough_mg_dl > 0:
            raise ValueError(f"target trough must be above 0 mg/dL, got {target_trough_mg_dl}")
    days = np.asarray(df["day"], float)
    level = np.asarray(df["igg_mg_dl"], float)
    key = f"igg:{slot if slot is not None else (label or '')}"
    with series_style():
        store = artists(ax, "igg_lines")
        if store is None:
            store = remember(ax, "igg_lines", {})
            ax.set_xlabel("Time since first dose (days)")
            ax.set_ylabel("Serum IgG (mg/dL)")
            ax.grid(True, alpha=0.3)
        line = store.get(key)
        if line is None:
            st = REGIMEN_STYLES[len(store) % len(REGIMEN_STYLES)]
            (line,) = ax.plot([], [], linewidth=1.5 * mpl.rcParams["lines.linewidth"],
                               label=label or "Serum IgG", **st)
            store[key] = line
        line.set_data(days, level)
        line.set_label(label or "Serum IgG")
        line.set_visible(True)
        band = artists(ax, "igg_target")
        if target_trough_mg_dl is not None:
            if band is None:
                band = {
                    # above the grid (1.5), below the curves (2): when new limits move the band,
                    # the apps redraw it without redrawing the x axis under it
                    "span": ax.axhspan(0, 1, facecolor=PALETTE["vermillion"], alpha=0.12,
                                       hatch="//", edgecolor=PALETTE["vermillion"], linewidth=0,
                                       label="Below the teaching target", zorder=1.6),
                    "line": ax.axhline(1, color=PALETTE["vermillion"], linewidth=1.5,
                                       linestyle="--"),
                }
                remember(ax, "igg_target", band)
            band["span"].set_visible(True)
            band["line"].set_visible(True)
            # axhspan returns a Rectangle in data y / axes x coordinates
            band["span"].set_y(0)
            band["span"].set_height(target_trough_mg_dl)
            band["line"].set_ydata([target_trough_mg_dl, target_trough_mg_dl])
            band["line"].set_label(f"Teaching target trough {fmt_int(target_trough_mg_dl)} mg/dL")
        elif band is not None:
            band["span"].set_visible(False)
            band["line"].set_visible(False)
        own = artists(ax, "igg_own")
        if own_igg_mg_dl is not None:
            if own is None:
                (own,) = ax.plot([0, 1], [0, 0], color=PALETTE["black"],
                                 linestyle=":", linewidth=1.5 * mpl.rcParams["lines.linewidth"])
                remember(ax, "igg_own", own)
            own.set_xdata([float(days.min()), float(days.max())])
            own.set_ydata([own_igg_mg_dl, own_igg_mg_dl])
            own.set_label(f"Patient's own IgG {fmt_int(own_igg_mg_dl)} mg/dL")
            own.set_visible(True)
        elif own is not None:
            own.set_visible(False)
        lines = [l for l in store.values() if l.get_visible()]
        top = max(float(np.nanmax(l.get_ydata())) for l in lines if len(l.get_ydata()))
        if target_trough_mg_dl is not None:
            top = max(top, target_trough_mg_dl)
        all_days = np.concatenate([np.asarray(l.get_xdata(), float) for l in lines])
        ax.set_xlim(float(all_days.min()), float(all_days.max()))
        ax.set_ylim(0, nice_ceiling(top * 1.15) if steady_axis else top * 1.15)
        handles = [l for l in lines]
        if own is not None and own.get_visible():
            own.set_xdata([float(all_days.min()), float(all_days.max())])
            handles.append(own)
        if band is not None and band["line"].get_visible():
            handles += [band["line"], band["span"]]
        ax.legend(handles=handles, loc="lower right", frameon=True, framealpha=0.9)
        ax.set_title(title or "Serum IgG with replacement therapy")
    set_alt_text(ax, igg_description(df, target_trough_mg_dl, label, own_igg_mg_dl))
    return ax
