"""Overview maps: disorders x symptoms and disorders x treatment classes.

Rows are disorders grouped by direction (underactive, overactive, mixed); each
group gets a lightly hatched background band and its own colour and marker, so the
grouping is readable without colour.  Both functions load the tables through
``widgets.data.load`` when they are not given.
"""
from __future__ import annotations

import numpy as np

from .style import DIRECTION_STYLE, DIRECTIONS, PALETTE, series_style, set_alt_text

TYPICALITY_SIZE = {"hallmark": 110.0, "common": 60.0, "occasional": 25.0}
# Rows the data marks as not expected (symptoms) or advised against (treatments): drawn as a
# cross, never as a dot, and never counted (see data/README.md: typicality, status).
RED_FLAG = "red flag"
REJECTED = ("not recommended", "contraindicated")
CROSS = dict(marker="X", s=70, color="white", edgecolors="black", linewidths=1.2, zorder=4)
TREATMENT_CLASSES = ("replacement", "immunosuppression", "immunomodulation", "stimulation",
                     "anti-infective", "transplant", "supportive", "watchful waiting")



def _matrix_axes(ax, column_labels, row_labels, fontsize, rotation, column_fontsize=None):
    """Ticks, limits and a light grid for a dot matrix (rows top to bottom, one column per item)."""
    ax.set_xticks(range(len(column_labels)))
    ax.set_xticklabels(column_labels, rotation=rotation, ha="right", rotation_mode="anchor",
                       fontsize=column_fontsize)
    ax.set_yticks(range(len(row_labels)))
    ax.set_yticklabels(row_labels, fontsize=fontsize)
    ax.set_xlim(-0.6, len(column_labels) - 0.4)
    ax.set_ylim(len(row_labels) - 0.5, -0.5)
    ax.grid(True, color=PALETTE["grey"], alpha=0.25, linewidth=0.5)
    ax.set_axisbelow(True)

def _load(name, given):
    if given is not None:
        return given
    from widgets.data import load

    return load(name)


def _need(df, columns, what):
    try:
        missing = [c for c in columns if c not in df.columns]
    except AttributeError:
        raise ValueError(f"{what} must be a table (DataFrame), got {type(df).__name__}") from None
    if missing:
        raise ValueError(f"{what} needs the columns {', '.join(columns)}; missing: {', '.join(missing)}")


def _rows(disorders, present_ids, disorder_ids):
    """Disorder rows to show, grouped by direction then sorted by short name."""
    d = disorders.copy()
    if "short_name" in d.columns:
        names = d["short_name"].astype(str)
        d["short_name"] = names.where(names.str.len() > 0, d["name"])
    else:
        d["short_name"] = d["name"]
    if disorder_ids is not None:
        wanted = list(dict.fromkeys(disorder_ids))
        unknown = [i for i in wanted if i not in set(d["disorder_id"])]
        if unknown:
            raise ValueError(
                f"Unknown disorder id(s): {', '.join(unknown)}. "
                f"Known ids include: {', '.join(sorted(d['disorder_id'])[:8])}, ..."
            )
        d = d[d["disorder_id"].isin(wanted)]
    else:
        d = d[d["disorder_id"].isin(present_ids)]
    if d.empty:
        raise ValueError("No disorders to show: the selection is empty")
    order = {k: i for i, k in enumerate(DIRECTIONS)}
    d = d.assign(_g=d["direction"].map(order).fillna(9)).sort_values(["_g", "short_name"])
    return d.reset_index(drop=True)


def _draw_groups(ax, rows, n_cols, label_x):
    """Background bands + direction labels for each group of rows (y = row index)."""
    for direction in DIRECTIONS:
        idx = np.flatnonzero(rows["direction"].to_numpy() == direction)
        if idx.size == 0:
            continue
        st = DIRECTION_STYLE[direction]
        lo, hi = idx.min() - 0.5, idx.max() + 0.5
        ax.axhspan(lo, hi, facecolor=st["color"], alpha=0.07, hatch=st["hatch"],
                   edgecolor=st["color"], linewidth=0)
        ax.axhline(lo, color=PALETTE["grey"], linewidth=0.6)
        # pick the longest label that fits the group's height (rotated text)
        height_pt = (hi - lo) * _row_height_pt(ax, len(rows))
        short = {"underactive": "Under", "overactive": "Over", "mixed": "Mixed"}[direction]
        text = next((t for t in (direction.capitalize(), short)
                     if len(t) * 0.7 * 8.5 <= height_pt), "")
        if text:
            ax.text(label_x, (lo + hi) / 2, text, rotation=-90, ha="left", va="center",
                    fontsize=8.5, fontweight="bold", color=st["color"], clip_on=False)


def _row_height_pt(ax, n_rows, share=0.55):
    """Rough height of one row in points.

    The rotated tick labels below take a good part of the figure, so the axes are
    assumed to get ``share`` of its height (0.55 is on the safe side).
    """
    height_in = ax.get_figure().get_figheight() * min(ax.get_position().height, share)
    return height_in * 72 / max(n_rows, 1)


def _row_fontsize(ax, n_rows):
    return float(max(6.0, min(10.0, _row_height_pt(ax, n_rows, share=0.68) * 0.75)))


def _short(text, width=36):
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _table_alternative(ax, rows, cols, cells, caption):
    """Attach the chart's data as a table (``ax.table_alternative``, a DataFrame; rows are the
    disorders, columns the chart's columns, ``cells`` maps (disorder_id, column) -> text), so a
    reader who cannot see the dots can read the same content (show_chart offers it as a table)."""
    import pandas as pd

    table = pd.DataFrame({
        "Disorder": list(rows["short_name"]),
        "Direction": list(rows["direction"]),
        **{str(c): [cells.get((d, c), "") for d in rows["disorder_id"]] for c in cols},
    })
    ax.table_alternative = table
    ax.table_caption = caption


def plot_symptom_map(ax, symptoms=None, disorders=None, disorder_ids=None, max_symptoms=16,
                     title=None):
    """Dot matrix: which disorders (rows) show which symptoms (columns).

    Only the ``max_symptoms`` symptoms shared by the most disorders are shown (ties
    broken alphabetically); dot size shows how typical the symptom is (hallmark,
    common, occasional).  ``disorder_ids`` limits the rows.  Returns ``ax``.
    """
    symptoms = _load("symptoms", symptoms)
    disorders = _load("disorders", disorders)
    _need(symptoms, ("disorder_id", "symptom"), "symptoms")
    _need(disorders, ("disorder_id", "name", "direction"), "disorders")
    if max_symptoms is not None and int(max_symptoms) < 1:
        raise ValueError(f"max_symptoms must be at least 1, got {max_symptoms}")
    rows = _rows(disorders, set(symptoms["disorder_id"]), disorder_ids)
    s_all = symptoms[symptoms["disorder_id"].isin(rows["disorder_id"])]
    if s_all.empty:
        raise ValueError("The chosen disorders have no symptoms listed")
    flagged = s_all["typicality"] == RED_FLAG if "typicality" in s_all else s_all["symptom"].map(lambda _: False)
    red, s = s_all[flagged], s_all[~flagged]
    if s.empty:
        raise ValueError("The chosen disorders have no expected symptoms listed")
    counts = s.groupby("symptom")["disorder_id"].nunique()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower()))
    if max_symptoms is not None:
        ranked = ranked[: int(max_symptoms)]
    cols = [name for name, _ in ranked]
    col_x = {name: i for i, name in enumerate(cols)}
    row_y = {d: i for i, d in enumerate(rows["disorder_id"])}
    direction_of = dict(zip(rows["disorder_id"], rows["direction"]))
    with series_style():
        fs = _row_fontsize(ax, len(rows))
        _draw_groups(ax, rows, len(cols), len(cols) - 0.35)
        shown = s[s["symptom"].isin(cols)]
        for direction in DIRECTIONS:
            part = shown[shown["disorder_id"].map(direction_of) == direction]
            if part.empty:
                continue
            st = DIRECTION_STYLE[direction]
            sizes = part["typicality"].map(TYPICALITY_SIZE).fillna(60.0) if "typicality" in part else 60.0
            ax.scatter(part["symptom"].map(col_x), part["disorder_id"].map(row_y), s=sizes,
                       marker=st["marker"], color=st["color"], edgecolors="black", linewidths=0.5,
                       zorder=3, label=st["label"])
        red_shown = red[red["symptom"].isin(cols)]
        if not red_shown.empty:
            ax.scatter(red_shown["symptom"].map(col_x), red_shown["disorder_id"].map(row_y),
                       label="red flag: not expected,\npoints to another diagnosis", **CROSS)
        _matrix_axes(ax, [_short(c) for c in cols], rows["short_name"], fs,
                     rotation=55, column_fontsize=min(fs, 8.5))
        ax.set_xlabel("Symptom (the most shared first)")
        if "typicality" in s.columns:
            for name, size in TYPICALITY_SIZE.items():
                ax.scatter([], [], s=size, marker="o", color="white", edgecolors="black",
                           label=f"{name} symptom")
        ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), frameon=False,
                  fontsize="small", borderaxespad=0)
        ax.set_title(title or "Which symptoms go with which disorders")
    groups = rows["direction"].value_counts()
    group_text = ", ".join(f"{groups.get(d, 0)} {d}" for d in DIRECTIONS if groups.get(d, 0))
    top_name, top_count = ranked[0]
    n_red = int(red["symptom"].isin(cols).sum())
    red_text = (f"; {n_red} red-flag sign(s) that point to another diagnosis are drawn as crosses"
                if n_red else "")
    set_alt_text(
        ax,
        f"Dot matrix of {len(rows)} disorders ({group_text}) against the {len(cols)} most shared "
        f"symptoms; the most shared symptom, '{top_name}', appears in {top_count} of them{red_text}",
    )
    cells = {}
    for r in s[s["symptom"].isin(cols)].itertuples():
        cells[(r.disorder_id, r.symptom)] = str(getattr(r, "typicality", "") or "listed")
    for r in red[red["symptom"].isin(cols)].itertuples():
        cells[(r.disorder_id, r.symptom)] = "red flag: points to another diagnosis"
    _table_alternative(ax, rows, cols, cells, "The symptom map as a table: how typical each symptom is "
                       "for each disorder (empty: not listed)")
    return ax


def plot_treatment_map(ax, treatments=None, disorders=None, disorder_ids=None, title=None):
    """Dot matrix: which classes of treatment (columns) are used for which disorders (rows).

    Dot size grows with the number of listed treatments in that class; the number is
    printed next to dots for more than one.  Returns ``ax``.
    """
    treatments = _load("treatments", treatments)
    disorders = _load("disorders", disorders)
    _need(treatments, ("disorder_id", "treatment", "treatment_class"), "treatments")
    _need(disorders, ("disorder_id", "name", "direction"), "disorders")
    rows = _rows(disorders, set(treatments["disorder_id"]), disorder_ids)
    t_all = treatments[treatments["disorder_id"].isin(rows["disorder_id"])]
    if t_all.empty:
        raise ValueError("The chosen disorders have no treatments listed")
    rejected = t_all["status"].isin(REJECTED) if "status" in t_all else t_all["treatment"].map(lambda _: False)
    t, no = t_all[~rejected], t_all[rejected]
    present = set(t_all["treatment_class"])
    cols = [c for c in TREATMENT_CLASSES if c in present] + sorted(present - set(TREATMENT_CLASSES))
    col_x = {c: i for i, c in enumerate(cols)}
    row_y = {d: i for i, d in enumerate(rows["disorder_id"])}
    direction_of = dict(zip(rows["disorder_id"], rows["direction"]))
    counts = t.groupby(["disorder_id", "treatment_class"]).size().reset_index(name="n")
    with series_style():
        fs = _row_fontsize(ax, len(rows))
        _draw_groups(ax, rows, len(cols), len(cols) - 0.35)
        for direction in DIRECTIONS:
            part = counts[counts["disorder_id"].map(direction_of) == direction]
            if part.empty:
                continue
            st = DIRECTION_STYLE[direction]
            ax.scatter(part["treatment_class"].map(col_x), part["disorder_id"].map(row_y),
                       s=40 + 35 * (part["n"].clip(upper=4) - 1), marker=st["marker"],
                       color=st["color"], edgecolors="black", linewidths=0.5, zorder=3,
                       label=st["label"])
            for _, r in part[part["n"] > 1].iterrows():
                ax.annotate(str(int(r["n"])), (col_x[r["treatment_class"]], row_y[r["disorder_id"]]),
                            xytext=(7, 0), textcoords="offset points", va="center",
                            fontsize=max(fs - 1, 5.5))
        # a class used only in a way the sources advise against: a cross, not a dot
        used = set(zip(counts["disorder_id"], counts["treatment_class"]))
        only_no = no[[(d, c) not in used for d, c in zip(no["disorder_id"], no["treatment_class"])]]
        only_no = only_no.drop_duplicates(["disorder_id", "treatment_class"])
        if not only_no.empty:
            ax.scatter(only_no["treatment_class"].map(col_x), only_no["disorder_id"].map(row_y),
                       label="not recommended\n(read the reason in the data)", **CROSS)
        _matrix_axes(ax, [c.capitalize() for c in cols], rows["short_name"], fs, rotation=35)
        ax.set_xlabel("Class of treatment (dot size and number: how many listed)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), frameon=False,
                  fontsize="small", borderaxespad=0)
        ax.set_title(title or "Which kinds of treatment are used for which disorders")
    per_class = counts.groupby("treatment_class")["disorder_id"].nunique().sort_values(ascending=False)
    top = ", ".join(f"{c} for {n}" for c, n in per_class.head(3).items())
    crossed = ", ".join(f"{r.treatment} for {dict(zip(rows['disorder_id'], rows['short_name']))[r.disorder_id]}"
                        for r in no.itertuples())
    set_alt_text(
        ax,
        f"Dot matrix of {len(rows)} disorders against {len(cols)} classes of treatment; "
        f"the most used classes are {top} disorders"
        + (f"; crossed out as not recommended: {crossed}" if crossed else ""),
    )
    cells = {(r.disorder_id, r.treatment_class): f"{int(r.n)} listed" for r in counts.itertuples()}
    for r in only_no.itertuples():
        cells[(r.disorder_id, r.treatment_class)] = "not recommended"
    _table_alternative(ax, rows, cols, cells, "The treatment map as a table: how many treatments of each "
                       "class the data lists for each disorder (empty: none)")
    return ax
