"""Overview maps: disorders x symptoms and disorders x treatment classes.

Rows are disorders grouped by direction (underactive, overactive, mixed); each
group gets a lightly hatched background band and its own colour and marker, so the
grouping is readable without colour.  Both functions load the tables through
``widgets.data.load`` when they are not given.
"""
from __future__ import annotations

import numpy as np

import matplotlib as mpl

from .style import DIRECTION_STYLE, DIRECTIONS, PALETTE, in_presentation, series_style, set_alt_text

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


def _draw_groups(ax, rows, n_cols, label_x, fontsize=8.5):
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
                     if len(t) * 0.7 * fontsize <= height_pt), "")
        if text:
            ax.text(label_x, (lo + hi) / 2, text, rotation=-90, ha="left", va="center",
                    fontsize=fontsize, fontweight="bold", color=st["color"], clip_on=False)


def _row_height_pt(ax, n_rows, share=0.55):
    """Rough height of one row in points.

    The rotated tick labels below take a good part of the figure, so the axes are
    assumed to get ``share`` of its height (0.55 is on the safe side).
    """
    height_in = ax.get_figure().get_figheight() * min(ax.get_position().height, share)
    return height_in * 72 / max(n_rows, 1)


def _row_fontsize(ax, n_rows):
    """Row labels: as large as the rows allow (6-10 pt); projected, the presentation size of tick
    labels, since a deck shows at most MAX_PROJECTED_ROWS rows on a map (see ``slide_parts``)."""
    if in_presentation():
        return float(mpl.rcParams["ytick.labelsize"])
    return float(max(6.0, min(10.0, _row_height_pt(ax, n_rows, share=0.68) * 0.75)))


def _small_fontsize(fs, cap=8.5):
    """Column labels, group labels and numbers: small on screen, the row labels' size projected."""
    return fs if in_presentation() else min(fs, cap)


def _dot_scale():
    """Projected, dots (areas in points squared) grow with the text so they read from afar."""
    return 2.0 if in_presentation() else 1.0


def _legend(ax):
    """The key: right of the map on screen; projected, in one row under the map, so that the
    columns get the slide's width and their larger labels do not run into each other."""
    if not in_presentation():
        ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), frameon=False, fontsize="small",
                  borderaxespad=0)
        return
    handles, labels = ax.get_legend_handles_labels()
    ax.get_figure().legend(handles, [label.replace("\n", " ") for label in labels], loc="outside lower center",
                           ncols=min(len(handles), 3), frameon=False, columnspacing=1.2, handletextpad=0.3)


def _short(text, width=36):
    text = str(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _column_label(text):
    """A symptom as a column label: shortened on screen; projected, the larger text wraps onto
    two lines instead, so the label stays short and whole."""
    if not in_presentation():
        return _short(text)
    import textwrap

    lines = textwrap.wrap(str(text), 20)
    return "\n".join(lines[:1] + [_short(" ".join(lines[1:]), 22)] if len(lines) > 1 else lines)


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


def _symptom_layout(symptoms, disorders, disorder_ids, max_symptoms, columns=None):
    """Rows, columns and the symptom rows behind a symptom map: ``(rows, cols, s, red, ranked)``.
    ``s`` are the expected symptoms, ``red`` the red flags, ``ranked`` (symptom, number of
    disorders) pairs, most shared first. ``columns`` fixes the columns (a part of a larger map)."""
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
    if columns is not None:
        cols = _given_columns(columns, "columns (symptoms)")
        return rows, cols, s, red, [(c, int(counts.get(c, 0))) for c in cols]
    if max_symptoms is not None:
        ranked = ranked[: int(max_symptoms)]
    return rows, [name for name, _ in ranked], s, red, ranked


def _given_columns(columns, what):
    if isinstance(columns, str) or not hasattr(columns, "__iter__"):
        raise ValueError(f"{what} must be a list of names, got {columns!r}")
    cols = [str(c) for c in dict.fromkeys(columns)]
    if not cols:
        raise ValueError(f"{what} must name at least one column")
    return cols


def plot_symptom_map(ax, symptoms=None, disorders=None, disorder_ids=None, max_symptoms=16,
                     title=None, columns=None):
    """Dot matrix: which disorders (rows) show which symptoms (columns).

    Only the ``max_symptoms`` symptoms shared by the most disorders are shown (ties
    broken alphabetically); dot size shows how typical the symptom is (hallmark,
    common, occasional).  ``disorder_ids`` limits the rows; ``columns`` (symptom names)
    fixes the columns instead, so that the parts of a map split over several slides
    (``slide_parts``) keep the columns of the whole.  Returns ``ax``.
    """
    symptoms = _load("symptoms", symptoms)
    disorders = _load("disorders", disorders)
    rows, cols, s, red, ranked = _symptom_layout(symptoms, disorders, disorder_ids, max_symptoms, columns)
    col_x = {name: i for i, name in enumerate(cols)}
    row_y = {d: i for i, d in enumerate(rows["disorder_id"])}
    direction_of = dict(zip(rows["disorder_id"], rows["direction"]))
    with series_style():
        fs = _row_fontsize(ax, len(rows))
        _draw_groups(ax, rows, len(cols), len(cols) - 0.35, fontsize=_small_fontsize(fs))
        shown = s[s["symptom"].isin(cols)]
        for direction in DIRECTIONS:
            part = shown[shown["disorder_id"].map(direction_of) == direction]
            if part.empty:
                continue
            st = DIRECTION_STYLE[direction]
            sizes = part["typicality"].map(TYPICALITY_SIZE).fillna(60.0) if "typicality" in part else 60.0
            ax.scatter(part["symptom"].map(col_x), part["disorder_id"].map(row_y), s=sizes * _dot_scale(),
                       marker=st["marker"], color=st["color"], edgecolors="black", linewidths=0.5,
                       zorder=3, label=st["label"])
        red_shown = red[red["symptom"].isin(cols)]
        if not red_shown.empty:
            ax.scatter(red_shown["symptom"].map(col_x), red_shown["disorder_id"].map(row_y),
                       label="red flag: not expected,\npoints to another diagnosis",
                       **{**CROSS, "s": CROSS["s"] * _dot_scale()})
        projected = in_presentation()
        _matrix_axes(ax, [_column_label(c) for c in cols], rows["short_name"], fs,
                     rotation=55, column_fontsize=_small_fontsize(fs))
        ax.set_xlabel("Symptom (the most shared first)" if columns is None
                      else "Symptom (the columns of the whole map)")
        if "typicality" in s.columns:
            for name, size in TYPICALITY_SIZE.items():
                ax.scatter([], [], s=size * _dot_scale(), marker="o", color="white", edgecolors="black",
                           label=f"{name} symptom")
        _legend(ax)
        ax.set_title(title or "Which symptoms go with which disorders")
    groups = rows["direction"].value_counts()
    group_text = ", ".join(f"{groups.get(d, 0)} {d}" for d in DIRECTIONS if groups.get(d, 0))
    top_name, top_count = max(ranked, key=lambda kv: kv[1])  # the first of the most shared
    n_red = int(red["symptom"].isin(cols).sum())
    red_text = (f"; {n_red} red-flag sign(s) that point to another diagnosis are drawn as crosses"
                if n_red else "")
    against = (f"the {len(cols)} most shared symptoms" if columns is None
               else f"the {len(cols)} symptoms of the whole map")
    set_alt_text(
        ax,
        f"Dot matrix of {len(rows)} disorders ({group_text}) against {against}; the most shared "
        f"symptom here, '{top_name}', appears in {top_count} of them{red_text}",
    )
    cells = {}
    for r in s[s["symptom"].isin(cols)].itertuples():
        cells[(r.disorder_id, r.symptom)] = str(getattr(r, "typicality", "") or "listed")
    for r in red[red["symptom"].isin(cols)].itertuples():
        cells[(r.disorder_id, r.symptom)] = "red flag: points to another diagnosis"
    _table_alternative(ax, rows, cols, cells, "The symptom map as a table: how typical each symptom is "
                       "for each disorder (empty: not listed)")
    return ax


def _treatment_layout(treatments, disorders, disorder_ids, columns=None):
    """Rows, columns and the treatment rows behind a treatment map: ``(rows, cols, t, no)``, where
    ``t`` are the treatments used and ``no`` those the sources advise against."""
    _need(treatments, ("disorder_id", "treatment", "treatment_class"), "treatments")
    _need(disorders, ("disorder_id", "name", "direction"), "disorders")
    rows = _rows(disorders, set(treatments["disorder_id"]), disorder_ids)
    t_all = treatments[treatments["disorder_id"].isin(rows["disorder_id"])]
    if t_all.empty:
        raise ValueError("The chosen disorders have no treatments listed")
    rejected = t_all["status"].isin(REJECTED) if "status" in t_all else t_all["treatment"].map(lambda _: False)
    t, no = t_all[~rejected], t_all[rejected]
    if columns is not None:
        return rows, _given_columns(columns, "columns (classes of treatment)"), t, no
    present = set(t_all["treatment_class"])
    cols = [c for c in TREATMENT_CLASSES if c in present] + sorted(present - set(TREATMENT_CLASSES))
    return rows, cols, t, no


def plot_treatment_map(ax, treatments=None, disorders=None, disorder_ids=None, title=None, columns=None):
    """Dot matrix: which classes of treatment (columns) are used for which disorders (rows).

    Dot size grows with the number of listed treatments in that class; the number is
    printed next to dots for more than one.  ``columns`` (classes of treatment) fixes the
    columns, as for ``plot_symptom_map``.  Returns ``ax``.
    """
    treatments = _load("treatments", treatments)
    disorders = _load("disorders", disorders)
    rows, cols, t, no = _treatment_layout(treatments, disorders, disorder_ids, columns)
    t = t[t["treatment_class"].isin(cols)]
    no = no[no["treatment_class"].isin(cols)]
    col_x = {c: i for i, c in enumerate(cols)}
    row_y = {d: i for i, d in enumerate(rows["disorder_id"])}
    direction_of = dict(zip(rows["disorder_id"], rows["direction"]))
    counts = t.groupby(["disorder_id", "treatment_class"]).size().reset_index(name="n")
    with series_style():
        fs = _row_fontsize(ax, len(rows))
        _draw_groups(ax, rows, len(cols), len(cols) - 0.35, fontsize=_small_fontsize(fs))
        for direction in DIRECTIONS:
            part = counts[counts["disorder_id"].map(direction_of) == direction]
            if part.empty:
                continue
            st = DIRECTION_STYLE[direction]
            ax.scatter(part["treatment_class"].map(col_x), part["disorder_id"].map(row_y),
                       s=(40 + 35 * (part["n"].clip(upper=4) - 1)) * _dot_scale(), marker=st["marker"],
                       color=st["color"], edgecolors="black", linewidths=0.5, zorder=3,
                       label=st["label"])
            for _, r in part[part["n"] > 1].iterrows():
                ax.annotate(str(int(r["n"])), (col_x[r["treatment_class"]], row_y[r["disorder_id"]]),
                            xytext=(7 * _dot_scale(), 0), textcoords="offset points", va="center",
                            fontsize=fs if in_presentation() else max(fs - 1, 5.5))
        # a class used only in a way the sources advise against: a cross, not a dot
        used = set(zip(counts["disorder_id"], counts["treatment_class"]))
        only_no = no[[(d, c) not in used for d, c in zip(no["disorder_id"], no["treatment_class"])]]
        only_no = only_no.drop_duplicates(["disorder_id", "treatment_class"])
        if not only_no.empty:
            ax.scatter(only_no["treatment_class"].map(col_x), only_no["disorder_id"].map(row_y),
                       label="not recommended\n(read the reason in the data)",
                       **{**CROSS, "s": CROSS["s"] * _dot_scale()})
        _matrix_axes(ax, [c.capitalize() for c in cols], rows["short_name"], fs, rotation=35)
        ax.set_xlabel("Class of treatment (dot size and number: how many listed)")
        _legend(ax)
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


# ----------------------------------------------------------------------------- maps on slides
# A deck shows a chart at 1280x720 with its text at least 16 px high (tests/browser/test_decks.py).
# A map of the whole series has over 30 rows: no slide holds that many at that size. Projected,
# such a map becomes several maps, one direction of disorders each (a large direction split
# evenly), every part with the columns of the whole map, so two columns can still be compared on
# every part. A map with at most MAX_PROJECTED_ROWS rows stays whole.
MAX_PROJECTED_ROWS = 12
PART_WIDTH_IN = 12.2         # about the width a slide gives a chart, so it is shown at about its pixel size
PART_HEIGHT_IN = {"symptoms": (2.8, 0.32), "treatments": (2.4, 0.34)}  # fixed part + least per row
PART_MAX_HEIGHT_IN = 5.6      # a map of a few rows spreads them out up to this height...
ROOMY_ROW_IN = 0.42           # ...at most this much per row


def _part_size(kind, n_rows):
    fixed, per_row = PART_HEIGHT_IN[kind]
    height = max(fixed + per_row * n_rows, min(fixed + ROOMY_ROW_IN * n_rows, PART_MAX_HEIGHT_IN))
    return (PART_WIDTH_IN, round(height, 2))


def _split(rows, max_rows):
    """``(direction, disorder ids, i, n)`` for each part: one direction per part, in the map's
    order, a direction with more than ``max_rows`` rows cut into ``n`` nearly equal parts."""
    parts = []
    for direction in DIRECTIONS:
        ids = list(rows.loc[rows["direction"] == direction, "disorder_id"])
        if not ids:
            continue
        n = -(-len(ids) // max_rows)
        size = -(-len(ids) // n)
        parts += [(direction, ids[i * size:(i + 1) * size], i + 1, n) for i in range(n)]
    return parts


def _parts(kind, plot_fn, layout, args, kwargs, max_rows):
    import inspect

    bound = inspect.signature(plot_fn).bind(None, *args, **kwargs).arguments
    bound.pop("ax", None)
    rows, cols = layout(bound)[:2]
    if len(rows) <= max_rows:
        return [(bound, _part_size(kind, len(rows)))]
    given = bound.get("title")
    parts = []
    for direction, ids, i, n in _split(rows, max_rows):
        which = f"{i} of {n}" if n > 1 else ""
        if given:
            title = f"{given} ({direction}" + (f", {which})" if which else ")")
        else:
            title = (("Symptoms of" if kind == "symptoms" else "Kinds of treatment for")
                     + f" the {direction} disorders" + (f" ({which})" if which else ""))
        parts.append(({**bound, "disorder_ids": ids, "columns": cols, "title": title},
                      _part_size(kind, len(ids))))
    return parts


def slide_parts(plot_fn, *args, max_rows=MAX_PROJECTED_ROWS, **kwargs):
    """How a deck shows ``plot_fn(ax, *args, **kwargs)``: a list of ``(kwargs, figsize)``, one per
    slide, for ``plot_fn(ax, **kwargs)`` on a figure of that size, when ``plot_fn`` is a symptom or
    treatment map (else None). A map of at most ``max_rows`` rows is one slide, only sized for it;
    a larger one is split (see above). ``show_chart`` uses it while projecting. Raises ValueError
    for arguments the map itself would refuse."""
    if plot_fn is plot_symptom_map:
        def layout(b):
            return _symptom_layout(_load("symptoms", b.get("symptoms")), _load("disorders", b.get("disorders")),
                                   b.get("disorder_ids"), b.get("max_symptoms", 16), b.get("columns"))
        return _parts("symptoms", plot_fn, layout, args, kwargs, max_rows)
    if plot_fn is plot_treatment_map:
        def layout(b):
            return _treatment_layout(_load("treatments", b.get("treatments")), _load("disorders", b.get("disorders")),
                                     b.get("disorder_ids"), b.get("columns"))
        return _parts("treatments", plot_fn, layout, args, kwargs, max_rows)
    return None
