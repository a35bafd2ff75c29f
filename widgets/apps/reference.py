"""Glossary and References panels, filled from data/glossary.csv and data/sources.csv.

    from widgets import Glossary, References
    Glossary(["neutrophil", "apoptosis"])
    References(["medlineplus_cvid", "genereviews_alps"])
"""
from __future__ import annotations

import ipywidgets as ipw

from ._base import esc, friendly_errors, status_html


def _as_list(items, what):
    if items is None:
        return None
    if isinstance(items, str):
        items = [p.strip() for p in items.replace(";", ",").split(",")]
    items = [str(i).strip() for i in items if str(i).strip()]
    return list(dict.fromkeys(items))


class Glossary(ipw.VBox):
    """Definitions of ``terms`` (all terms if None), matched without regard to case.

    Public parts: ``html`` (the definitions), ``status``, ``missing`` (terms not
    found), ``found`` (terms shown, as spelled in the glossary).
    """

    def __init__(self, terms=None):
        super().__init__()
        self.status = ipw.HTML(status_html())
        self.html = ipw.HTML()
        self.missing, self.found = [], []
        self.children = [self.html, self.status]
        try:
            from widgets.data import load

            g = load("glossary")
        except friendly_errors() as exc:
            self.status.value = status_html(f"The glossary could not be loaded: {exc}", "error")
            return
        wanted = _as_list(terms, "terms")
        index = {t.lower(): i for i, t in enumerate(g["term"])}
        if wanted is None:
            rows = g.sort_values("term", key=lambda s: s.str.lower())
        else:
            self.missing = [t for t in wanted if t.lower() not in index]
            rows = g.iloc[[index[t.lower()] for t in wanted if t.lower() in index]]
        self.found = list(rows["term"])
        items = []
        for r in rows.itertuples():
            see = f" <i>See also: {esc(r.see_also)}.</i>" if getattr(r, "see_also", "") else ""
            items.append(f"<dt><b>{esc(r.term)}</b></dt><dd style='margin:0 0 6px 16px'>"
                         f"{esc(r.definition)}{see}</dd>")
        self.html.value = f"<dl>{''.join(items)}</dl>" if items else ""
        if self.missing:
            self.status.value = status_html(
                f"Not in the glossary yet: {', '.join(self.missing)}. Check the spelling, or ask "
                "for the term to be added to data/glossary.csv.", "warning")


class References(ipw.VBox):
    """A numbered list of sources (title, publisher, year, link) for ``source_ids``.

    Public parts: ``html``, ``status``, ``missing`` (unknown ids), ``found`` (ids listed).
    """

    def __init__(self, source_ids):
        super().__init__()
        self.status = ipw.HTML(status_html())
        self.html = ipw.HTML()
        self.missing, self.found = [], []
        self.children = [self.html, self.status]
        ids = _as_list(source_ids, "source_ids") or []
        try:
            from widgets.data import load

            sources = load("sources").set_index("id", drop=False)
        except friendly_errors() as exc:
            self.status.value = status_html(f"The list of sources could not be loaded: {exc}", "error")
            return
        self.missing = [i for i in ids if i not in sources.index]
        self.found = [i for i in ids if i in sources.index]
        items = []
        for i in self.found:
            r = sources.loc[i]
            year = r["year"]
            try:
                year = f" ({int(float(year))})"
            except (TypeError, ValueError):  # missing year (NaN, NA, "")
                year = ""
            items.append(
                f"<li id='ref-{esc(i)}'>{esc(r['title'])}. {esc(r['publisher'])}{year}. "
                f"<a href='{esc(r['url'])}' target='_blank' rel='noopener'>{esc(r['url'])}</a> "
                f"<span style='color:#555;font-size:smaller'>[{esc(i)}]</span></li>")
        self.html.value = f"<ol>{''.join(items)}</ol>" if items else ""
        if not ids:
            self.status.value = status_html("No source ids were given.", "warning")
        elif self.missing:
            self.status.value = status_html(
                f"Unknown source id(s): {', '.join(self.missing)}. Ids are listed in data/sources.csv.",
                "warning")
