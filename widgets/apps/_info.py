"""Plain summaries of the data tables used by the apps' info panels (no widgets here)."""
from __future__ import annotations

import html


def _load(name):
    from widgets.data import load

    return load(name)


def disorders_for(direction: str, highlight=()):
    """Disorders with this direction: the ``highlight`` ids first, then by short name.

    Returns a DataFrame with ``disorder_id``, ``name``, ``short_name``, ``direction``,
    ``category``.  Highlighted ids of another direction (e.g. CVID, which the data
    may list as *mixed*) are included too, because the scenario stands for them.
    """
    d = _load("disorders")
    mask = d["direction"] == direction
    if highlight:
        mask |= d["disorder_id"].isin(list(highlight))
    d = d[mask].copy()
    rank = {k: i for i, k in enumerate(highlight or ())}
    d["_rank"] = d["disorder_id"].map(rank).fillna(len(rank))
    return d.sort_values(["_rank", "short_name"]).drop(columns="_rank").reset_index(drop=True)


def top_symptoms(disorder_ids, n=6):
    """The symptoms listed for most of ``disorder_ids`` (hallmark/common count double)."""
    s = _load("symptoms")
    s = s[s["disorder_id"].isin(list(disorder_ids)) & (s["typicality"] != "red flag")]
    if s.empty:
        return []
    weight = s["typicality"].map({"hallmark": 2.0, "common": 1.5, "occasional": 1.0}).fillna(1.0)
    score = weight.groupby(s["symptom"]).sum().sort_values(ascending=False, kind="stable")
    return list(score.index[:n])


def top_treatments(disorder_ids, n=6):
    """The most often listed treatments for ``disorder_ids`` with their class (treatments
    the sources advise against are left out)."""
    from widgets.data import REJECTED_STATUSES

    t = _load("treatments")
    t = t[t["disorder_id"].isin(list(disorder_ids)) & ~t["status"].isin(REJECTED_STATUSES)]
    if t.empty:
        return []
    counts = t.groupby(["treatment", "treatment_class"]).size().reset_index(name="n")
    counts = counts.sort_values(["n", "treatment"], ascending=[False, True])
    return list(counts.head(n)[["treatment", "treatment_class"]].itertuples(index=False, name=None))


def direction_summary(direction: str, highlight=(), n_disorders=8) -> str:
    """HTML: example disorders, typical symptoms and usual treatments for a direction."""
    esc = html.escape
    if direction == "balanced":
        return ""
    d = disorders_for(direction, highlight)
    shown = d.head(n_disorders)
    names = [f"<b>{esc(r.short_name)}</b>" if r.disorder_id in highlight else esc(r.short_name)
             for r in shown.itertuples()]
    ids = list(d["disorder_id"])
    symptoms = top_symptoms(ids)
    treatments = top_treatments(ids)
    more = f" and {len(d) - len(shown)} more" if len(d) > len(shown) else ""
    parts = [f"<p><b>Example disorders</b> (bold: the ones this scenario imitates): "
             f"{', '.join(names)}{more}.</p>"]
    if symptoms:
        parts.append(f"<p><b>Typical symptoms</b>: {esc(', '.join(symptoms))}.</p>")
    if treatments:
        items = ", ".join(f"{esc(t)} <span style='color:#555'>({esc(c)})</span>" for t, c in treatments)
        parts.append(f"<p><b>Treatments and precautions listed most often</b>: {items}.</p>")
    mixed = _load("disorders")
    mixed = mixed[mixed["direction"] == "mixed"]
    if len(mixed):
        parts.append(
            "<p style='font-size:smaller'>Some disorders are <i>mixed</i>: too little defence "
            "and attacks on self at the same time (for example "
            f"{esc(', '.join(mixed['short_name'].head(3)))}).</p>"
        )
    return "".join(parts)


def treatments_html(groups, heading: str) -> str:
    """HTML for treatments grouped by status (``clinical.treatments_by_status``).

    Standard and selected-case treatments are listed as what doctors use, never as a
    choice for the reader; rejected ones are crossed out (``<del>``) with their reason.
    """
    esc = html.escape

    def item(t, with_note=True):
        note = f"; {esc(t['note'])}" if with_note and t.get("note") else ""
        return (f"<li>{esc(t['treatment'])} <span style='color:#555'>({esc(t['treatment_class'])}"
                f"{note})</span></li>")

    parts = [f"<p><b>{esc(heading)}</b></p>"]
    if groups.get("standard"):
        parts.append("<p>Usually:</p><ul>" + "".join(item(t) for t in groups["standard"]) + "</ul>")
    if groups.get("selected cases"):
        parts.append("<p>Only in particular situations:</p><ul>"
                     + "".join(item(t) for t in groups["selected cases"]) + "</ul>")
    if groups.get("rejected"):
        parts.append(
            "<p>Not used (the sources advise against them):</p><ul class='ib-rejected'>"
            + "".join(f"<li><del>{esc(t['treatment'])}</del> <span style='color:#555'>"
                      f"({esc(t['status'])}: {esc(t['note'])})</span></li>" for t in groups["rejected"])
            + "</ul>")
    parts.append("<p style='font-size:smaller'>This is what the cited sources describe, for "
                 "learning. Which treatment, if any, fits one person is decided with their own "
                 "care team.</p>")
    return "".join(parts)
